"""The access matrix: every endpoint of the URL resolver, what each role may do there, and the world it runs in.

Roles: anonymous, a staff member of institution A, the safety officer of A, the district admin. Object endpoints run
twice, on the objects of institution A (the staff member's own where ownership matters) and on those of B.

Expected outcomes (`Expect`):
    OK       2xx                         DENY   401/403, or a redirect to a login page (Wagtail's "no permission"
    NF       404                                redirect to /admin/ counts as a denial too)
    BAD      400/409: allowed in, refused as invalid input or state
    GO(re)   a redirect whose path matches `re`; BOUNCE(re) the same when it is a refusal (the page shows why)
A refusal (DENY, NF, BAD, BOUNCE, REFUSED_OK) of an unsafe request must leave the database as it was, and nothing
shown to anyone but the district admin may carry institution B's people, exams or competitions (`build_world().markers`),
unless the endpoint says so (`Req.leak_ok`: public by design, e.g. a certificate's verification page).

A new URL that is not classified fails tests/reliability/test_access_matrix.py, naming it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlparse

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

ROLES = ("anon", "staff", "officer", "admin")
SIDES = ("A", "B")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")

# --- expectations ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    kind: str  # ok | deny | 404 | bad | redirect
    target: str = ""  # regex (fullmatch) of a redirect's path
    refusal: bool = False

    def __str__(self) -> str:
        return f"{self.kind} {self.target}".strip()


OK = Expect("ok")
DENY = Expect("deny", refusal=True)
NF = Expect("404", refusal=True)
BAD = Expect("bad", refusal=True)
REFUSED_OK = Expect("ok", refusal=True)  # a form shown again with the reason, nothing written
SKIP = Expect("skip")  # not requested (the reason is noted where it is used)


def GO(pattern: str) -> Expect:
    return Expect("redirect", pattern)


def BOUNCE(pattern: str) -> Expect:
    return Expect("redirect", pattern, refusal=True)


def outcome(response, request_path: str) -> tuple[str, str]:
    """(kind, redirect path) of a response, in the terms of `Expect`."""
    code = response.status_code
    if code >= 500:
        return "5xx", ""
    if code in (401, 403):
        return "deny", ""
    if code == 404:
        return "404", ""
    if code in (400, 409):
        return "bad", ""
    if code in (301, 302, 303, 307, 308):
        path = urlparse(response["Location"]).path
        if path in LOGIN_PATHS or (request_path.startswith("/admin/") and path == "/admin/"):
            return "deny", path
        return "redirect", path
    if 200 <= code < 300:
        return "ok", ""
    return str(code), ""


def matches(expected: Expect, kind: str, path: str) -> bool:
    if expected.kind != kind:
        return False
    return kind != "redirect" or re.fullmatch(expected.target, path) is not None


# Shorthands for the expectation of each role; a tuple is (objects of A, objects of B).
def roles(anon, staff, officer, admin) -> dict:
    return {"anon": anon, "staff": staff, "officer": officer, "admin": admin}


PUBLIC = roles(OK, OK, OK, OK)
LOGGED_IN = roles(DENY, OK, OK, OK)
MANAGERS = roles(DENY, DENY, OK, OK)
ADMIN_ONLY = roles(DENY, DENY, DENY, OK)
# A manager's object: the officer only their own institution's, the district admin every institution's.
SCOPED = roles(DENY, DENY, (OK, NF), OK)
# A candidate's own object (attempt, practice answer): nobody else's, not even a manager's.
OWN = roles(DENY, (OK, NF), NF, NF)


@dataclass(frozen=True)
class Req:
    """One request to make as every role (and on both sides when `url` takes the side)."""

    method: str
    url: str | Callable
    expect: dict
    data: dict | Callable | None = None
    fmt: str = "form"  # form | json | multipart
    json_accept: bool = False
    fresh: bool = False  # a throw-away client (the request changes the session: logout, language)
    writes: bool | None = None  # check the database after a refusal (default: unsafe methods)
    leak_ok: frozenset = field(default_factory=frozenset)  # B markers this endpoint may show to A's people

    @property
    def checks_db(self) -> bool:
        return self.method in UNSAFE if self.writes is None else self.writes

    @property
    def sided(self) -> bool:
        """Does the URL or the body name an object of one side (a callable taking (world, side))?"""
        return any(callable(v) and v.__code__.co_argcount == 2 for v in (self.url, self.data))

    def url_for(self, world, side) -> str:
        return _value(self.url, world, side)

    def data_for(self, world, side):
        return _value(self.data, world, side)


def _value(value, world, side):
    """A literal, a callable of the world, or a callable of (world, side)."""
    if not callable(value):
        return value
    return value(world, side) if value.__code__.co_argcount == 2 else value(world)


def get(url, expect, **kw) -> Req:
    return Req("GET", url, expect, **kw)


def post(url, expect, data=None, **kw) -> Req:
    return Req("POST", url, expect, data=data, **kw)


def api(method, url, expect, data=None, **kw) -> Req:
    return Req(method, url, expect, data=data, fmt="multipart" if kw.pop("multipart", False) else "json", **kw)


# --- the resolver ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # namespaced URL name (the route itself when unnamed)
    route: str
    module: str
    methods: frozenset  # DRF: the HTTP methods the router maps; empty when unknown (plain Django views)
    model_app: str = ""  # app label of the model a Wagtail generic view manages


def resolver_routes() -> list[Route]:
    """Every endpoint of the URL resolver, keyed by its namespaced URL name (by its route where a name is missing or
    shared: DRF's format-suffix twins, staff.json ..., would each need classifying, so the router makes none)."""
    found: dict[str, Route] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            key = f"{namespace}{pattern.name}" if pattern.name else route
            callback = pattern.callback
            actions = getattr(callback, "actions", None) or {}
            methods = frozenset(m.upper() for m in actions)
            module = getattr(callback, "__module__", "") or ""
            if key in found and found[key].route != route:
                key = route  # two routes, one name: tell them apart by route
            model = _view_model(callback)
            found[key] = Route(key, route, module, methods, model._meta.app_label if model else "")

    walk(get_resolver().url_patterns, "", "")
    return list(found.values())


# Whole prefixes classified at once: (route prefix, view modules it covers or None for all, why).
PREFIXES = [
    (
        "admin/",
        ("wagtail.", "django."),
        "Wagtail's own admin views (its permission policies; sampled under 'prefix:admin/'). Not covered, so classified "
        "one by one: the project's views under admin/ and every admin view of a project model (its viewsets and "
        "snippets, Wagtail's account admin of org.User)",
    ),
    ("documents/", None, "Wagtail documents (collection privacy)"),
    ("_util/", None, "Wagtail page-privacy login"),
    ("i18n/", None, "Django's language switch"),
    ("media/", None, "uploaded media served by Django"),
]
PROJECT_APPS = {"org", "privacy", "content", "courses", "quizzes", "leaderboard", "campaign", "drills", "hazards"}


def _view_model(callback):
    """The model a Wagtail generic view manages (from its as_view() arguments), if any."""
    model = (getattr(callback, "view_initkwargs", None) or {}).get("model")
    if isinstance(model, str):
        try:
            model = apps.get_model(model)
        except (LookupError, ValueError):
            return None
    return model if isinstance(model, type) and hasattr(model, "_meta") else None


def prefix_of(route: Route) -> str | None:
    plain = route.route.lstrip("^")
    for prefix, modules, _why in PREFIXES:
        if not plain.startswith(prefix):
            continue
        if modules is not None and not (route.module.startswith(modules) and route.model_app not in PROJECT_APPS):
            continue
        return prefix
    return None


# --- the database before and after a refusal -------------------------------------------------------------------------

_SKIPPED_TABLES = {"django_session"}


def _watched_tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every concrete model's table (sessions aside)."""
    tables = set(connection.introspection.table_names())
    out = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in tables or meta.db_table in _SKIPPED_TABLES:
            continue
        out[meta.db_table] = meta.pk.column
    return sorted(out.items())


def db_fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a hash of the raw rows of every table: what a refused request must not change."""
    result = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, pk in _watched_tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")
            rows = cursor.fetchall()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
            result[table] = (len(rows), digest.hexdigest())
    return result


def fingerprint_diff(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


# --- markers: what institution B's people must never see of B -------------------------------------------------------


def leaked(body: str, markers: dict[str, str], allowed: frozenset) -> list[str]:
    found = []
    for name, text in markers.items():
        if name in allowed:
            continue
        if text in body or json.dumps(text)[1:-1] in body:
            found.append(name)
    return found


# --- the world ------------------------------------------------------------------------------------------------------


def build_world(*, pages: bool = True) -> SimpleNamespace:
    """Two institutions A and B, each with a staff member, an officer, an exam for that institution only (the staff
    member's passed attempt, open mock attempt and certificate), the staff member's practice answer, a staff competition
    for that institution with a game in the lobby that the staff member and a colleague joined, an export the officer
    asked for, and a drill with check-in open now (the staff member attended; one photo). Besides: a district admin,
    a shared question bank, a public competition with a game an anonymous player joined, and (with `pages`) a study
    module with one lesson. `markers`: B's texts that A must never see."""
    from drills import services as drill_services
    from drills.models import Attendance as DrillAttendance
    from leaderboard.rankings import boards
    from leaderboard.reports.models import ReportExport
    from quizzes.bank.models import Category
    from quizzes.competitions import services as competition_services
    from quizzes.competitions.models import Competition
    from quizzes.exams import services as exam_services
    from quizzes.practice import services as practice_services
    from tests.drills.factories import DrillFactory, jpeg_with_gps
    from tests.factories import AdminFactory, InstitutionFactory, OfficerFactory, UserFactory
    from tests.leaderboard.report_factories import sit
    from tests.quizzes.competition_factories import make_competition
    from tests.quizzes.exam_factories import BankQuestionFactory, ExamCategoryFactory, exam_with_sections

    admin = AdminFactory(institution=None, real_name="区管理员")
    category = ExamCategoryFactory(name="矩阵分类")
    questions = [BankQuestionFactory(category=category) for _ in range(3)]
    sides = {}
    for number, (side, label) in enumerate((("A", "甲"), ("B", "乙")), start=1):
        inst = InstitutionFactory(name=f"矩阵{label}院", short_name=f"矩{label}")
        staff = UserFactory(
            institution=inst, real_name=f"矩阵{label}职工", employee_no=f"MX{side}9001", mobile=f"1390000900{number}"
        )
        officer = OfficerFactory(institution=inst, real_name=f"矩阵{label}安全员", employee_no=f"MX{side}9002")
        exam = exam_with_sections(
            category,
            title=f"矩阵{label}院专属考试",
            attempts_allowed=0,
            pass_mark=Decimal("60"),
            shuffle_questions=False,
        )
        exam.institutions.set([inst])
        exam.save()
        done = sit(exam, staff, {q.pk: True for q in questions})
        mock = exam_services.attempt_start(exam=exam, user=staff, mock=True)
        certificate = practice_services.certificate_issue(user=staff, exam_id=exam.pk)
        answer = practice_services.practice_answer(
            user=staff, question_id=questions[0].pk, response=[1], token=f"matrix-{side}"
        ).answer
        competition = make_competition(questions=2, institutions=[inst], title=f"矩阵{label}院竞赛")
        game = competition_services.competition_host(competition=competition, actor=admin)
        joined = competition_services.competition_join(game=game, user=staff)
        mate = competition_services.competition_join(game=game, user=UserFactory(institution=inst)).player
        export = ReportExport.objects.create(
            requested_by=officer,
            status=ReportExport.Status.DONE,
            filename=f"matrix-{side}.csv",
            format=ReportExport.Format.CSV,
            sheet="",
            content=b"x,y\n",
            size=4,
            finished_at=timezone.now(),
        )
        drill = DrillFactory(institution=inst, title=f"矩阵{label}院演练", recorded_by=officer)  # check-in open now
        DrillAttendance.objects.create(drill=drill, user=staff, method=DrillAttendance.Method.QR)
        (drill_photo,) = drill_services.drill_photos_add(actor=officer, drill=drill, uploads=[jpeg_with_gps()])
        sides[side] = SimpleNamespace(
            side=side,
            drill=drill,
            drill_photo=drill_photo,
            inst=inst,
            staff=staff,
            officer=officer,
            exam=exam,
            done_attempt=done,
            mock_attempt=mock,
            certificate=certificate,
            practice_answer=answer,
            competition=competition,
            game=game,
            player=joined.player,
            mate_player=mate,
            token=joined.token,
            export=export,
            exam_board=boards.exam_board(exam.pk),
            game_board=boards.game_players_board(game.pk),
        )
    world = SimpleNamespace(
        A=sides["A"],
        B=sides["B"],
        admin=admin,
        category=category,
        empty_category=Category.objects.create(name="矩阵空分类"),
        spare_inst=InstitutionFactory(name="矩阵无人院"),
        question=questions[0],
        spare_question=BankQuestionFactory(category=Category.objects.create(name="矩阵备用分类")),
        users={"staff": sides["A"].staff, "officer": sides["A"].officer, "admin": admin},
    )
    public = make_competition(questions=1, title="矩阵公开竞赛", audience=Competition.Audience.PUBLIC)
    world.public_competition = public
    world.public_game = competition_services.competition_host(competition=public, actor=admin)
    nickname = competition_services.nickname_choices(game=world.public_game)[0]
    world.public_token = competition_services.competition_join(game=world.public_game, nickname=nickname).token
    b = sides["B"]
    world.markers = {
        "staff_b_name": b.staff.real_name,
        "staff_b_no": b.staff.employee_no,
        "staff_b_mobile": b.staff.mobile,
        "officer_b_name": b.officer.real_name,
        "exam_b": b.exam.title,
        "competition_b": b.competition.title,
        "drill_b": b.drill.title,
    }
    from tests.campaign.matrix import add_campaign_tasks

    add_campaign_tasks(world)
    from tests.hazards.matrix import add_hazards

    add_hazards(world)
    if pages:
        from tests.courses.factories import lessons_of, make_course

        world.course = make_course(title="矩阵学习模块", lessons=1)
        world.lesson = lessons_of(world.course)[0]
    return world
