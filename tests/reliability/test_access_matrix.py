"""Access matrix: role x institution x endpoint, over the HTML views, the API and the WebSocket actions.

Every endpoint of the URL resolver is classified below (or by a whole prefix, see access_matrix.PREFIXES); a new one
fails `test_every_endpoint_is_classified` until it is. Each (role, side, request) cell is actually requested with
CSRF-enforcing clients; its outcome must be the expected one, a refusal must leave the database unchanged, and no page
shown to institution A's people may carry institution B's people, exams or competitions (access_matrix.build_world's
markers). Rules: elearn/org/permissions.py; tests/org/test_access.py checks the helpers and a few admin screens.
"""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from tests.reliability.access_matrix import (
    ADMIN_ONLY,
    BAD,
    BOUNCE,
    DENY,
    GO,
    LOGGED_IN,
    MANAGERS,
    NF,
    OK,
    OWN,
    PREFIXES,
    PUBLIC,
    REFUSED_OK,
    ROLES,
    SCOPED,
    SIDES,
    SKIP,
    UNSAFE,
    api,
    build_world,
    db_fingerprint,
    fingerprint_diff,
    get,
    leaked,
    matches,
    outcome,
    post,
    prefix_of,
    resolver_routes,
    roles,
)

ATTEMPT = r"/exams/attempt/\d+/"
RESULT = r"/exams/attempt/\d+/result/"
PLAY = r"/play/\d{6}/"
HOST_GAME = r"/play/host/game/\d+/"


def _xlsx(header, rows) -> SimpleUploadedFile:
    from elearn.spreadsheets import workbook_bytes

    body = workbook_bytes([("Sheet1", header, rows)])
    return SimpleUploadedFile("matrix.xlsx", body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def roster_file(w, s) -> SimpleUploadedFile:
    from elearn.org.roster import TEMPLATE_HEADER

    return _xlsx(TEMPLATE_HEADER, [["矩阵新人", f"MXN{s.side}1", "", s.inst.name, "护理部", "职工"]])


def bank_file(w) -> SimpleUploadedFile:
    from tests.quizzes.bank_files import template_row, template_xlsx

    body = template_xlsx([template_row(stem="矩阵导入题", category="矩阵分类")])
    return SimpleUploadedFile("bank.xlsx", body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def question_body(w) -> dict:
    return {
        "type": "single",
        "category": w.category.pk,
        "stem": "矩阵新题：发现火灾应当立即拨打哪个电话？",
        "options": ["110", "119", "120", "122"],
        "correct_options": [1],
    }


def staff_form(w, s) -> dict:
    u = s.staff
    return {
        "employee_no": u.employee_no,
        "real_name": u.real_name,
        "mobile": u.mobile,
        "institution": s.inst.pk,
        "department": "矩阵科",
        "role": "staff",
        "is_active": "on",
    }


def new_staff_form(w, s) -> dict:
    return {
        "employee_no": f"MXNEW{s.side}",
        "real_name": "矩阵新增",
        "mobile": "",
        "institution": s.inst.pk,
        "department": "",
        "role": "staff",
        "is_active": "on",
    }


def institution_form(w, s) -> dict:
    return {"name": s.inst.name, "short_name": s.inst.short_name, "kind": s.inst.kind, "headcount": 9}


def public_nickname(w) -> dict:
    from quizzes.competitions.services import nickname_choices

    return {"nickname": nickname_choices(game=w.public_game)[0]}


def exam_board(w, s) -> str:
    return s.exam_board


def game_board(w, s) -> str:
    return s.game_board


def _object_url(pattern: str, obj):
    """pattern.format(pk) of `obj(world)` or, for a sided object, `obj(world, side)`."""
    if obj.__code__.co_argcount == 2:
        return lambda w, s: pattern.format(obj(w, s).pk)
    return lambda w: pattern.format(obj(w).pk)


OBJECT_VIEWS = {
    "edit": "edit/{}/",
    "delete": "delete/{}/",
    "history": "history/{}/",
    "history_results": "history-results/{}/",
    "usage": "usage/{}/",
    "copy": "copy/{}/",
    "inspect": "inspect/{}/",
}


def wagtail_viewset(namespace, base, obj, expect, *, snippet=False, listing=True, names=(), **overrides) -> dict:
    """GET cells for the routes of a Wagtail model viewset or snippet viewset: listing and results (unless
    `listing` is false), add and the object views in `names`; `overrides` replaces the requests of one route."""
    index = "list" if snippet else "index"
    cells = {f"{namespace}:add": [get(base + ("add/" if snippet else "new/"), expect)]}
    if listing:
        cells[f"{namespace}:{index}"] = [get(base, expect)]
        cells[f"{namespace}:{index}_results"] = [get(base + "results/", expect)]
    for name in names:
        cells[f"{namespace}:{name}"] = [get(_object_url(base + OBJECT_VIEWS[name], obj), expect)]
    for name, reqs in overrides.items():
        cells[f"{namespace}:{name}"] = reqs
    return cells


def chooser(namespace: str, base: str, obj, expect, create_data) -> dict:
    """A Wagtail chooser's routes. Its create route is posted only by those refused: these choosers have no creation
    form, and Wagtail answers a POST there with a 500 (AttributeError on the missing form; the UI never posts)."""
    return {
        f"{namespace}:choose": [get(base, expect)],
        f"{namespace}:choose_results": [get(base + "results/", expect)],
        f"{namespace}:chosen": [get(_object_url(base + "chosen/{}/", obj), expect)],
        f"{namespace}:chosen_multiple": [get(_object_url(base + "chosen-multiple/?id={}", obj), expect)],
        f"{namespace}:create": [post(base + "create/", expect | {"admin": SKIP}, create_data)],
    }


def user_form(w, s) -> dict:
    """A valid edit of the account in Wagtail's account admin: a new password and the superuser flag."""
    return {
        "employee_no": s.staff.employee_no,
        "email": "matrix@example.com",
        "first_name": "矩",
        "last_name": "阵",
        "password1": "Matrix-takeover-2024",
        "password2": "Matrix-takeover-2024",
        "is_active": "on",
        "is_superuser": "on",
    }


def notice_version(w) -> dict:
    from elearn.privacy.notice import current_version

    return {"version": current_version()}


def departure_body(w, s) -> dict:
    from django.utils import timezone

    return {"user": s.staff.pk, "left_on": timezone.localdate().isoformat()}


def drill_token(w, s) -> str:
    from drills import checkin

    return checkin.make_token(s.drill.pk, s.drill.checkin_secret)


def drill_form(w, s) -> dict:
    return {
        "institution": s.inst.pk,
        "kind": "drill",
        "category": "fire",
        "title": "矩阵新演练",
        "date": "2026-06-10",
        "starts_at": "09:00",
        "ends_at": "10:00",
        "place": "",
        "scenario": "",
        "duration_minutes": "60",
        "planned_participants": "0",
        "problems": "",
        "improvements": "",
    }


def drill_api_body(w, s) -> dict:
    body = drill_form(w, s)
    return {**body, "duration_minutes": 60, "planned_participants": 0}


DRILL_PAGE = r"/admin/drills/\d+/"
DRILL_SCOPED_WRITE = roles(DENY, DENY, (GO(DRILL_PAGE), NF), GO(DRILL_PAGE))


def hazard_form(w) -> dict:
    from tests.hazards.matrix import report_form

    return report_form(w)


OBJECT_ADMIN = ("edit", "delete", "history", "history_results", "usage", "copy")
STAFF_OBJECT = roles(DENY, DENY, (OK, DENY), OK)


# The matrix: URL name (as the resolver names it) -> the requests made there as every role.
MATRIX: dict[str, list] = {
    # --- accounts ---------------------------------------------------------------------------------------------------
    "org:login": [get("/accounts/login/", roles(OK, GO("/"), GO("/"), GO("/")))],
    "org:logout": [post("/accounts/logout/", roles(GO("/"), GO("/"), GO("/"), GO("/")), fresh=True)],
    "org:password_change": [
        get("/accounts/password/", LOGGED_IN),
        post("/accounts/password/", LOGGED_IN, {"new_password1": "a", "new_password2": "b"}),
    ],
    "org:me": [get("/me/", LOGGED_IN)],
    # --- personal information (elearn.privacy) ----------------------------------------------------------------------
    "privacy:notice": [
        get("/privacy/notice/", LOGGED_IN),
        post("/privacy/notice/", roles(DENY, GO("/"), GO("/"), GO("/")), notice_version),
        post("/privacy/notice/", roles(DENY, *[BOUNCE("/privacy/notice/")] * 3), {"version": "0.stale"}),
    ],
    "privacy:my_data": [get("/me/data/", LOGGED_IN)],
    "privacy:my_data_download": [
        get("/me/data/download.json", LOGGED_IN),
        get("/me/data/download.xlsx", LOGGED_IN),
        get("/me/data/download.exe", roles(DENY, DENY, DENY, DENY)),
    ],
    # One person's full number: only for a manager who looks after them (officers: their institution's people).
    "privacy:reveal": [
        post(lambda w, s: f"/privacy/reveal/{s.staff.pk}/", roles(DENY, DENY, (OK, DENY), OK), {"context": "矩阵"})
    ],
    # --- study ------------------------------------------------------------------------------------------------------
    "courses:index": [get("/study/", PUBLIC)],
    "courses:mine": [get("/study/mine/", LOGGED_IN)],
    "courses:progress": [get(lambda w, s: f"/study/progress/?institution={s.inst.pk}", MANAGERS)],
    "courses:progress_export": [get(lambda w, s: f"/study/progress/export/?institution={s.inst.pk}", MANAGERS)],
    "courses:lesson_complete": [
        post(
            lambda w: f"/study/lessons/{w.lesson.pk}/complete/",
            roles(DENY, GO(r"/study/.+"), GO(r"/study/.+"), GO(r"/study/.+")),
        )
    ],
    "content:search": [get("/search/?q=矩阵", PUBLIC)],
    "wagtail_serve": [get("/", PUBLIC), get(lambda w: w.lesson.url, PUBLIC)],
    # --- leaderboards -----------------------------------------------------------------------------------------------
    "leaderboard:index": [get(lambda w, s: f"/leaderboard/?exam={s.exam.pk}", LOGGED_IN)],
    "leaderboard:live": [
        get(lambda w, s: f"/leaderboard/live/{exam_board(w, s)}/", roles(DENY, (OK, DENY), (OK, DENY), OK)),
        get(lambda w, s: f"/leaderboard/live/{game_board(w, s)}/", SCOPED | {"officer": (OK, DENY)}),
    ],
    "leaderboard:state": [
        get(lambda w, s: f"/leaderboard/state/{exam_board(w, s)}/", roles(DENY, (OK, DENY), (OK, DENY), OK)),
        get(lambda w, s: f"/leaderboard/state/{game_board(w, s)}/", SCOPED | {"officer": (OK, DENY)}),
    ],
    "leaderboard:rebuild": [
        post(
            lambda w, s: f"/leaderboard/rebuild/{exam_board(w, s)}/", SCOPED | {"officer": (OK, DENY)}, json_accept=True
        ),
        post(
            lambda w, s: f"/leaderboard/rebuild/{game_board(w, s)}/", SCOPED | {"officer": (OK, DENY)}, json_accept=True
        ),
    ],
    # --- practice, certificates -------------------------------------------------------------------------------------
    "practice:index": [get("/practice/", LOGGED_IN)],
    "practice:question": [
        get("/practice/random/", LOGGED_IN),
        post(
            "/practice/random/",
            roles(DENY, *[GO(r"/practice/answers/\d+/")] * 3),
            lambda w: {"question": w.question.pk, "option": "1", "token": "matrix-form"},
        ),
    ],
    "practice:feedback": [get(lambda w, s: f"/practice/answers/{s.practice_answer.pk}/", OWN)],
    "practice:restart": [
        post(lambda w: f"/practice/restart/{w.category.pk}/", roles(DENY, *[GO(r"/practice/seq/")] * 3))
    ],
    "practice:wrongbook": [get("/practice/wrongbook/", LOGGED_IN)],
    "practice:mock_start": [
        post(
            lambda w, s: f"/practice/mock/{s.exam.pk}/",
            roles(DENY, (GO(ATTEMPT), BOUNCE("/practice/")), (GO(ATTEMPT), BOUNCE("/practice/")), BOUNCE("/practice/")),
        )
    ],
    "practice:certificate": [
        get(
            lambda w, s: f"/certificates/{s.exam.pk}/",
            roles(DENY, (OK, BOUNCE("/practice/")), BOUNCE("/practice/"), BOUNCE("/practice/")),
            writes=True,  # issues the certificate when allowed
        )
    ],
    # Public by design: a certificate's code shows what the certificate itself shows (holder, exam).
    "practice:verify": [
        get(
            lambda w, s: f"/verify/{s.certificate.code}/",
            PUBLIC,
            leak_ok=frozenset({"staff_b_name", "exam_b"}),
        )
    ],
    # --- exams ------------------------------------------------------------------------------------------------------
    "quizzes:exam_list": [get("/exams/", LOGGED_IN)],
    "quizzes:exam_ping": [get("/exams/ping/", PUBLIC)],
    "quizzes:exam_detail": [get(lambda w, s: f"/exams/{s.exam.pk}/", roles(DENY, (OK, NF), (OK, NF), NF))],
    "quizzes:exam_start": [
        post(lambda w, s: f"/exams/{s.exam.pk}/start/", roles(DENY, (GO(ATTEMPT), NF), (GO(ATTEMPT), NF), NF))
    ],
    "quizzes:attempt": [get(lambda w, s: f"/exams/attempt/{s.mock_attempt.pk}/", OWN)],
    "quizzes:attempt_submit": [
        post(lambda w, s: f"/exams/attempt/{s.mock_attempt.pk}/submit/", roles(DENY, (GO(RESULT), NF), NF, NF))
    ],
    "quizzes:attempt_result": [get(lambda w, s: f"/exams/attempt/{s.done_attempt.pk}/result/", OWN)],
    # --- live competitions ------------------------------------------------------------------------------------------
    "quizzes:play": [get("/play/", PUBLIC)],
    # Whoever holds a PIN sees the game's title; joining is what is refused.
    "quizzes:play_game": [
        get(lambda w, s: f"/play/{s.game.pin}/", LOGGED_IN, leak_ok=frozenset({"competition_b"})),
        get(lambda w: f"/play/{w.public_game.pin}/", PUBLIC),
        post(
            lambda w: f"/play/{w.public_game.pin}/",
            roles(*[GO(PLAY)] * 4),
            public_nickname,
        ),
        post(
            lambda w, s: f"/play/{s.game.pin}/",
            roles(DENY, (GO(PLAY), BOUNCE(PLAY)), (GO(PLAY), BOUNCE(PLAY)), BOUNCE(PLAY)),
            leak_ok=frozenset({"competition_b"}),
        ),
    ],
    "quizzes:play_qr": [get(lambda w, s: f"/play/{s.game.pin}/qr.svg", PUBLIC)],
    "quizzes:host_index": [get("/play/host/", MANAGERS)],
    "quizzes:host_start": [
        post(
            lambda w, s: f"/play/host/{s.competition.pk}/start/",
            roles(DENY, BOUNCE("/play/host/"), (GO(HOST_GAME), BOUNCE("/play/host/")), GO(HOST_GAME)),
        )
    ],
    "quizzes:host_game": [
        get(lambda w, s: f"/play/host/game/{s.game.pk}/", SCOPED | {"officer": (OK, DENY)}),
        get(lambda w: f"/play/host/game/{w.public_game.pk}/", ADMIN_ONLY),  # officers host staff games of their own
    ],
    # --- API: accounts and organisation -----------------------------------------------------------------------------
    "api-root": [get("/api/v1/", LOGGED_IN)],
    "schema": [get("/api/schema/", PUBLIC)],
    "api-docs": [get("/api/docs/", PUBLIC)],
    "api-redoc": [get("/api/redoc/", PUBLIC)],
    "api/": [get("/api/", roles(*[GO("/api/docs/")] * 4))],
    "favicon.ico": [get("/favicon.ico", roles(*[GO(r"/static/elearn/favicon\.[0-9a-f.]*ico")] * 4))],
    "me-list": [get("/api/v1/me/", LOGGED_IN)],
    "institution-list": [get("/api/v1/institutions/", LOGGED_IN)],
    "institution-detail": [get(lambda w, s: f"/api/v1/institutions/{s.inst.pk}/", roles(DENY, NF, (OK, NF), OK))],
    "staff-list": [get(lambda w, s: f"/api/v1/staff/?institution={s.inst.pk}", LOGGED_IN)],
    "staff-detail": [get(lambda w, s: f"/api/v1/staff/{s.staff.pk}/", roles(DENY, NF, (OK, NF), OK))],
    "privacy-notice-list": [get("/api/v1/privacy/notice/", LOGGED_IN)],
    "privacy-notice-acknowledge": [
        api("POST", "/api/v1/privacy/notice/acknowledge/", LOGGED_IN, notice_version),
        api("POST", "/api/v1/privacy/notice/acknowledge/", roles(DENY, BAD, BAD, BAD), {"version": "0.stale"}),
    ],
    "my-data-list": [get("/api/v1/my-data/", LOGGED_IN)],
    "privacy-reveal-list": [
        api(
            "POST",
            "/api/v1/privacy/reveal/",
            roles(DENY, DENY, (OK, NF), OK),
            lambda w, s: {"user": s.staff.pk, "context": "矩阵"},
        )
    ],
    "access-log-list": [
        get("/api/v1/access-log/", MANAGERS),
        get(lambda w, s: f"/api/v1/access-log/?institution={s.inst.pk}", SCOPED | {"officer": (OK, DENY)}),
    ],
    "departure-list": [
        get("/api/v1/departures/", MANAGERS),
        api("POST", "/api/v1/departures/", roles(DENY, DENY, (OK, NF), OK), departure_body),
    ],
    "roster-import-list": [
        api(
            "POST",
            "/api/v1/roster-import/",
            roles(DENY, DENY, (OK, BAD), OK),
            lambda w, s: {"file": roster_file(w, s), "commit": "true"},
            multipart=True,
        )
    ],
    # --- API: study -------------------------------------------------------------------------------------------------
    "course-list": [get("/api/v1/courses/", LOGGED_IN)],
    "course-detail": [get(lambda w: f"/api/v1/courses/{w.course.pk}/", LOGGED_IN)],
    "lesson-detail": [get(lambda w: f"/api/v1/lessons/{w.lesson.pk}/", LOGGED_IN)],
    "lesson-heartbeat": [
        api(
            "POST",
            lambda w: f"/api/v1/lessons/{w.lesson.pk}/heartbeat/",
            LOGGED_IN,
            {"session": "m", "seq": 1, "seconds": 5},
        )
    ],
    "lesson-complete": [
        api("POST", lambda w: f"/api/v1/lessons/{w.lesson.pk}/complete/", roles(DENY, BAD, BAD, BAD))  # too early
    ],
    "my-progress-list": [get("/api/v1/my-progress/", LOGGED_IN)],
    "study-progress-list": [get(lambda w, s: f"/api/v1/study-progress/?institution={s.inst.pk}", MANAGERS)],
    "self-check-list": [
        api(
            "POST",
            "/api/v1/self-check/",
            roles(DENY, BAD, BAD, BAD),  # the question is not in that page's self-check block
            lambda w: {"page": w.lesson.pk, "question": w.question.pk, "answer": ["1"]},
        )
    ],
    # --- API: practice, certificates, results -----------------------------------------------------------------------
    "practice-list": [get("/api/v1/practice/", LOGGED_IN)],
    "practice-next": [get("/api/v1/practice/next/?mode=random", LOGGED_IN)],
    "practice-answer": [
        api("POST", "/api/v1/practice/answer/", LOGGED_IN, lambda w: {"question": w.question.pk, "response": [1]})
    ],
    "practice-mock": [
        api("POST", "/api/v1/practice/mock/", roles(DENY, (OK, NF), (OK, NF), NF), lambda w, s: {"exam": s.exam.pk})
    ],
    "wrongbook-list": [get("/api/v1/wrongbook/", LOGGED_IN)],
    "certificate-list": [get("/api/v1/certificates/", LOGGED_IN)],
    "certificate-verify": [
        get(
            lambda w, s: f"/api/v1/certificates/verify/{s.certificate.code}/",
            PUBLIC,
            leak_ok=frozenset({"staff_b_name", "exam_b"}),
        )
    ],
    "exam-result-list": [get(lambda w, s: f"/api/v1/exam-results/?exam={s.exam.pk}", SCOPED)],
    "exam-result-absentees": [get(lambda w, s: f"/api/v1/exam-results/absentees/?exam={s.exam.pk}", SCOPED)],
    "exam-result-summary": [get(lambda w, s: f"/api/v1/exam-results/summary/?exam={s.exam.pk}", SCOPED)],
    # --- API: exams -------------------------------------------------------------------------------------------------
    "exam-list": [get("/api/v1/exams/", LOGGED_IN)],
    "exam-detail": [get(lambda w, s: f"/api/v1/exams/{s.exam.pk}/", roles(DENY, (OK, NF), (OK, NF), NF))],
    "exam-start": [api("POST", lambda w, s: f"/api/v1/exams/{s.exam.pk}/start/", roles(DENY, (OK, NF), (OK, NF), NF))],
    "attempt-detail": [get(lambda w, s: f"/api/v1/attempts/{s.mock_attempt.pk}/", OWN)],
    "attempt-answer": [
        api(
            "POST",
            lambda w, s: f"/api/v1/attempts/{s.mock_attempt.pk}/answer/",
            OWN,
            {"position": 1, "response": [1], "seq": 1},
        )
    ],
    "attempt-submit": [api("POST", lambda w, s: f"/api/v1/attempts/{s.mock_attempt.pk}/submit/", OWN)],
    "attempt-tab-switch": [api("POST", lambda w, s: f"/api/v1/attempts/{s.mock_attempt.pk}/tab-switch/", OWN)],
    "attempt-review": [get(lambda w, s: f"/api/v1/attempts/{s.done_attempt.pk}/review/", OWN)],
    # --- API: question bank (district admins only) ------------------------------------------------------------------
    "bank-category-list": [
        get("/api/v1/bank/categories/", ADMIN_ONLY),
        api("POST", "/api/v1/bank/categories/", ADMIN_ONLY, {"name": "矩阵新分类"}),
    ],
    "bank-category-detail": [
        get(lambda w: f"/api/v1/bank/categories/{w.category.pk}/", ADMIN_ONLY),
        api("PATCH", lambda w: f"/api/v1/bank/categories/{w.category.pk}/", ADMIN_ONLY, {"description": "矩阵"}),
        api("PUT", lambda w: f"/api/v1/bank/categories/{w.empty_category.pk}/", ADMIN_ONLY, {"name": "矩阵改名"}),
        api("DELETE", lambda w: f"/api/v1/bank/categories/{w.empty_category.pk}/", ADMIN_ONLY),
    ],
    "bank-question-list": [
        get("/api/v1/bank/questions/", ADMIN_ONLY),
        api("POST", "/api/v1/bank/questions/", ADMIN_ONLY, question_body),
    ],
    "bank-question-detail": [
        get(lambda w: f"/api/v1/bank/questions/{w.question.pk}/", ADMIN_ONLY),
        api("PATCH", lambda w: f"/api/v1/bank/questions/{w.question.pk}/", ADMIN_ONLY, {"difficulty": 2}),
        api("PUT", lambda w: f"/api/v1/bank/questions/{w.question.pk}/", ADMIN_ONLY, question_body),
        api("DELETE", lambda w: f"/api/v1/bank/questions/{w.question.pk}/", ADMIN_ONLY),
    ],
    "bank-question-move": [
        api(
            "POST",
            "/api/v1/bank/questions/move/",
            ADMIN_ONLY,
            lambda w: {"ids": [w.question.pk], "category": w.empty_category.pk},
        )
    ],
    "bank-question-retire": [
        api("POST", "/api/v1/bank/questions/retire/", ADMIN_ONLY, lambda w: {"ids": [w.question.pk]})
    ],
    "bank-question-usage": [get(lambda w: f"/api/v1/bank/questions/{w.question.pk}/usage/", ADMIN_ONLY)],
    "bank-import-list": [
        api("POST", "/api/v1/bank/import/", ADMIN_ONLY, lambda w: {"file": bank_file(w)}, multipart=True)
    ],
    "bank-export-list": [get("/api/v1/bank/export/?file_format=csv", ADMIN_ONLY)],
    "bank-export-template": [get("/api/v1/bank/export/template/", ADMIN_ONLY)],
    # --- API: competitions ------------------------------------------------------------------------------------------
    "competition-list": [get("/api/v1/competitions/", LOGGED_IN)],
    "competition-detail": [
        get(lambda w, s: f"/api/v1/competitions/{s.competition.pk}/", roles(DENY, NF, (OK, NF), OK))
    ],
    "competition-host": [
        api("POST", lambda w, s: f"/api/v1/competitions/{s.competition.pk}/host/", roles(DENY, DENY, (OK, DENY), OK)),
        api("POST", lambda w: f"/api/v1/competitions/{w.public_competition.pk}/host/", ADMIN_ONLY),
    ],
    "game-list": [get("/api/v1/games/", LOGGED_IN)],
    "game-detail": [get(lambda w, s: f"/api/v1/games/{s.game.pk}/", roles(DENY, NF, (OK, NF), OK))],
    "game-state": [get(lambda w, s: f"/api/v1/games/{s.game.pk}/state/", roles(DENY, NF, (OK, NF), OK))],
    "game-ranking": [get(lambda w, s: f"/api/v1/games/{s.game.pk}/ranking/", roles(DENY, NF, (OK, NF), OK))],
    "game-control": [
        api(
            "POST",
            lambda w, s: f"/api/v1/games/{s.game.pk}/control/",
            roles(DENY, NF, (OK, NF), OK),
            {"action": "start"},
        )
    ],
    # --- API: campaign reports --------------------------------------------------------------------------------------
    "report-dashboard": [
        get(lambda w, s: f"/api/v1/reports/dashboard/?institution={s.inst.pk}", SCOPED | {"officer": (OK, DENY)})
    ],
    "report-followup": [
        get(lambda w, s: f"/api/v1/reports/followup/?institution={s.inst.pk}", SCOPED | {"officer": (OK, DENY)})
    ],
    "report-items": [get(lambda w, s: f"/api/v1/reports/items/?exam={s.exam.pk}", SCOPED | {"officer": (OK, DENY)})],
    "report-integrity": [
        get(lambda w, s: f"/api/v1/reports/integrity/?exam={s.exam.pk}", SCOPED | {"officer": (OK, DENY)})
    ],
    "report-export-list": [
        api(
            "POST",
            "/api/v1/report-exports/",
            SCOPED | {"officer": (OK, DENY)},
            lambda w, s: {"format": "csv", "sheet": "people", "institution": s.inst.pk},
        )
    ],
    # Only the person who asked for an export sees it.
    "report-export-detail": [
        get(lambda w, s: f"/api/v1/report-exports/{s.export.pk}/", roles(DENY, DENY, (OK, NF), NF))
    ],
    "report-export-download": [
        get(lambda w, s: f"/api/v1/report-exports/{s.export.pk}/download/", roles(DENY, DENY, (OK, NF), NF))
    ],
    # --- Wagtail admin: the project's own screens -------------------------------------------------------------------
    "org_roster_import": [
        get("/admin/roster/import/", MANAGERS),
        post("/admin/roster/import/", MANAGERS, lambda w, s: {"file": roster_file(w, s)}),  # preview: writes nothing
    ],
    "org_roster_template": [get("/admin/roster/template/", MANAGERS)],
    "org_roster_passwords": [get("/admin/roster/passwords/nope/", roles(DENY, DENY, NF, NF))],
    "privacy_access_log": [
        get("/admin/privacy/access-log/", MANAGERS),
        get(lambda w, s: f"/admin/privacy/access-log/?institution={s.inst.pk}", SCOPED | {"officer": (OK, DENY)}),
    ],
    "privacy_access_log_export": [
        get("/admin/privacy/access-log/export.xlsx", MANAGERS),
        get("/admin/privacy/access-log/export.csv", MANAGERS),
    ],
    "privacy_departures": [
        get("/admin/privacy/departures/?q=矩阵", MANAGERS),
        post(
            "/admin/privacy/departures/",
            roles(DENY, DENY, (GO("/admin/privacy/departures/"), NF), GO("/admin/privacy/departures/")),
            departure_body,
        ),
    ],
    # Nobody has left: refused with the reason, nothing changes.
    "privacy_departure_undo": [
        post(
            lambda w, s: f"/admin/privacy/departures/{s.staff.pk}/undo/",
            roles(DENY, DENY, (BOUNCE("/admin/privacy/departures/"), NF), BOUNCE("/admin/privacy/departures/")),
        )
    ],
    "privacy_retention": [get("/admin/privacy/retention/", ADMIN_ONLY)],
    "courses_law_import": [
        get("/admin/courses/import-law/", ADMIN_ONLY),
        post("/admin/courses/import-law/", ADMIN_ONLY, {}),
    ],
    "quizzes_results": [get("/admin/exam-results/", MANAGERS)],
    "quizzes_results_exam": [
        get(lambda w, s: f"/admin/exam-results/{s.exam.pk}/", SCOPED),
        get(
            lambda w, s: f"/admin/exam-results/{w.A.exam.pk}/?institution={s.inst.pk}", SCOPED | {"officer": (OK, DENY)}
        ),
    ],
    "quizzes_results_export": [
        get(lambda w, s: f"/admin/exam-results/{s.exam.pk}/export/results.xlsx", SCOPED),
        get(lambda w, s: f"/admin/exam-results/{s.exam.pk}/export/absent.xlsx", SCOPED),
    ],
    "quizzes_bank_import": [get("/admin/bank/import/", ADMIN_ONLY), post("/admin/bank/import/", ADMIN_ONLY, {})],
    "quizzes_bank_import_job": [
        get("/admin/bank/import/nope/", roles(DENY, DENY, DENY, BOUNCE("/admin/bank/import/")))
    ],
    "quizzes_bank_import_mapping": [
        get("/admin/bank/import/nope/columns/", roles(DENY, DENY, DENY, BOUNCE("/admin/bank/import/"))),
        post("/admin/bank/import/nope/columns/", roles(DENY, DENY, DENY, BOUNCE("/admin/bank/import/")), {}),
    ],
    "quizzes_bank_template": [get("/admin/bank/template/", ADMIN_ONLY)],
    "quizzes_bank_export": [get("/admin/bank/export/", ADMIN_ONLY)],
    "quizzes_bank_preview": [get(lambda w: f"/admin/bank/preview/{w.question.pk}/", ADMIN_ONLY)],
    "quizzes_bank_usage": [get(lambda w: f"/admin/bank/usage/{w.question.pk}/", ADMIN_ONLY)],
    "leaderboard_reports": [
        get(lambda w, s: f"/admin/reports/?institution={s.inst.pk}", SCOPED | {"officer": (OK, DENY)})
    ],
    "leaderboard_report_followup": [
        get(lambda w, s: f"/admin/reports/followup/?institution={s.inst.pk}", SCOPED | {"officer": (OK, DENY)})
    ],
    "leaderboard_report_items": [get(lambda w, s: f"/admin/reports/exams/{s.exam.pk}/items/", SCOPED)],
    "leaderboard_report_export_create": [
        post(
            "/admin/reports/exports/",
            SCOPED
            | {
                "officer": (GO(r"/admin/reports/exports/[0-9a-f-]{36}/"), DENY),
                "admin": GO(r"/admin/reports/exports/[0-9a-f-]{36}/"),
            },
            lambda w, s: {"format": "csv", "sheet": "people", "institution": s.inst.pk},
        )
    ],
    "leaderboard_report_export": [
        get(lambda w, s: f"/admin/reports/exports/{s.export.pk}/", roles(DENY, DENY, (OK, NF), NF))
    ],
    "leaderboard_report_export_status": [
        get(lambda w, s: f"/admin/reports/exports/{s.export.pk}/status/", roles(DENY, DENY, (OK, NF), NF))
    ],
    "leaderboard_report_export_download": [
        get(lambda w, s: f"/admin/reports/exports/{s.export.pk}/download/", roles(DENY, DENY, (OK, NF), NF))
    ],
    # --- institution scorecard (campaign.scorecard): figures of institutions, no one's personal data ---------------
    # The district table and its workbook: the district admin; an officer is sent on to their own institution's page.
    "campaign_scorecard": [
        get(
            lambda w: f"/admin/scorecard/?campaign={w.campaign.pk}",
            roles(DENY, DENY, GO(r"/admin/scorecard/\d+/"), OK),
        )
    ],
    "campaign_scorecard_export": [get(lambda w: f"/admin/scorecard/export.xlsx?campaign={w.campaign.pk}", ADMIN_ONLY)],
    "campaign_scorecard_institution": [
        get(lambda w, s: f"/admin/scorecard/{s.inst.pk}/?campaign={w.campaign.pk}", SCOPED | {"officer": (OK, DENY)})
    ],
    "campaign_scorecard_pdf": [
        get(
            lambda w, s: f"/admin/scorecard/{s.inst.pk}/summary.pdf?campaign={w.campaign.pk}",
            SCOPED | {"officer": (OK, DENY)},
        )
    ],
    "scorecard-list": [get(lambda w: f"/api/v1/campaign/scorecard/?campaign={w.campaign.pk}", ADMIN_ONLY)],
    "scorecard-detail": [get(lambda w, s: f"/api/v1/campaign/scorecard/{s.inst.pk}/?campaign={w.campaign.pk}", SCOPED)],
    "institutions:index": [get("/admin/institutions/", MANAGERS)],
    "institutions:index_results": [get("/admin/institutions/results/", MANAGERS)],
    "institutions:edit": [
        get(lambda w, s: f"/admin/institutions/edit/{s.inst.pk}/", ADMIN_ONLY),
        post(
            lambda w, s: f"/admin/institutions/edit/{s.inst.pk}/",
            roles(DENY, DENY, DENY, GO("/admin/institutions/")),
            institution_form,
        ),
    ],
    "institutions:delete": [
        get(lambda w, s: f"/admin/institutions/delete/{s.inst.pk}/", ADMIN_ONLY),
        # An institution with members cannot be deleted (its staff protect it): the POST uses one without.
        post(
            lambda w: f"/admin/institutions/delete/{w.spare_inst.pk}/",
            roles(DENY, DENY, DENY, GO("/admin/institutions/")),
        ),
    ],
    "institutions:inspect": [
        get(lambda w, s: f"/admin/institutions/inspect/{s.inst.pk}/", roles(DENY, DENY, (OK, DENY), OK))
    ],
    "staff:index": [get("/admin/staff/", MANAGERS)],
    "staff:index_results": [get("/admin/staff/results/", MANAGERS)],
    "staff:edit": [
        get(lambda w, s: f"/admin/staff/edit/{s.staff.pk}/", roles(DENY, DENY, (OK, DENY), OK)),
        post(
            lambda w, s: f"/admin/staff/edit/{s.staff.pk}/",
            roles(DENY, DENY, (GO("/admin/staff/"), DENY), GO("/admin/staff/")),
            staff_form,
        ),
    ],
    "staff:delete": [
        get(lambda w, s: f"/admin/staff/delete/{s.staff.pk}/", ADMIN_ONLY),
        post(lambda w, s: f"/admin/staff/delete/{s.staff.pk}/", roles(DENY, DENY, DENY, GO("/admin/staff/"))),
    ],
    "staff:inspect": [get(lambda w, s: f"/admin/staff/inspect/{s.staff.pk}/", roles(DENY, DENY, (OK, DENY), OK))],
    # --- Wagtail admin: viewsets and snippets of project models ----------------------------------------------------
    **wagtail_viewset(
        "staff",
        "/admin/staff/",
        lambda w, s: s.staff,
        MANAGERS,
        listing=False,
        names=("history", "history_results", "usage", "copy"),
        history=[get(lambda w, s: f"/admin/staff/history/{s.staff.pk}/", STAFF_OBJECT)],
        history_results=[get(lambda w, s: f"/admin/staff/history-results/{s.staff.pk}/", STAFF_OBJECT)],
        usage=[get(lambda w, s: f"/admin/staff/usage/{s.staff.pk}/", STAFF_OBJECT)],
        copy=[get(lambda w, s: f"/admin/staff/copy/{s.staff.pk}/", STAFF_OBJECT)],
        add=[
            get("/admin/staff/new/", MANAGERS),
            # The officer's form offers only their own institution: another is refused, the form shown again.
            post(
                "/admin/staff/new/",
                roles(DENY, DENY, (GO("/admin/staff/"), REFUSED_OK), GO("/admin/staff/")),
                new_staff_form,
            ),
        ],
    ),
    **wagtail_viewset(
        "institutions",
        "/admin/institutions/",
        lambda w, s: s.inst,
        ADMIN_ONLY,
        listing=False,
        names=("history", "history_results", "usage", "copy"),
    ),
    # Wagtail's own account admin lists every account and sets passwords, groups and the superuser flag.
    **wagtail_viewset(
        "wagtailusers_users",
        "/admin/users/",
        lambda w, s: s.staff,
        ADMIN_ONLY,
        names=("history", "history_results", "usage", "copy"),
        edit=[
            get(lambda w, s: f"/admin/users/edit/{s.staff.pk}/", ADMIN_ONLY),
            post(
                lambda w, s: f"/admin/users/edit/{s.staff.pk}/", roles(DENY, DENY, DENY, GO("/admin/users/")), user_form
            ),
            get(lambda w: f"/admin/users/edit/{w.admin.pk}/", ADMIN_ONLY),
        ],
        delete=[
            get(lambda w, s: f"/admin/users/delete/{s.staff.pk}/", ADMIN_ONLY),
            post(lambda w, s: f"/admin/users/delete/{s.staff.pk}/", roles(DENY, DENY, DENY, GO("/admin/users/"))),
        ],
    ),
    **wagtail_viewset("exams", "/admin/exams/", lambda w, s: s.exam, ADMIN_ONLY, names=OBJECT_ADMIN),
    **wagtail_viewset(
        "competitions", "/admin/competitions/", lambda w, s: s.competition, ADMIN_ONLY, names=OBJECT_ADMIN
    ),
    **wagtail_viewset(
        "certificates",
        "/admin/certificates/",
        lambda w, s: s.certificate,
        ADMIN_ONLY,
        names=("edit", "delete", "history", "history_results", "usage"),
        add=[get("/admin/certificates/new/", roles(DENY, DENY, DENY, DENY))],  # issued by certificate_issue only
    ),
    **wagtail_viewset(
        "wagtailsnippets_quizzes_question",
        "/admin/bank/questions/",
        lambda w: w.question,
        ADMIN_ONLY,
        snippet=True,
        names=("edit", "history", "history_results", "usage", "copy"),
        delete=[
            get(lambda w: f"/admin/bank/questions/delete/{w.spare_question.pk}/", ADMIN_ONLY),
            post(
                lambda w: f"/admin/bank/questions/delete/{w.spare_question.pk}/",
                roles(DENY, DENY, DENY, GO("/admin/bank/questions/")),
            ),
        ],
    ),
    **wagtail_viewset(
        "wagtailsnippets_quizzes_category",
        "/admin/bank/categories/",
        lambda w: w.category,
        ADMIN_ONLY,
        snippet=True,
        names=("edit", "delete", "history", "history_results", "usage", "copy"),
    ),
    **chooser(
        "wagtailsnippetchoosers_quizzes_question",
        "/admin/snippets/choose/quizzes/question/",
        lambda w: w.question,
        ADMIN_ONLY,
        question_body,
    ),
    **chooser(
        "wagtailsnippetchoosers_quizzes_category",
        "/admin/snippets/choose/quizzes/category/",
        lambda w: w.category,
        ADMIN_ONLY,
        {"name": "矩阵选择器分类"},
    ),
    **chooser("question_chooser", "/admin/question-chooser/", lambda w: w.question, ADMIN_ONLY, question_body),
    # --- drills and trainings (drills) ---------------------------------------------------------------------------
    # Check-in by the QR code's token: staff (and the officer) of the drill's own institution; the district admin
    # belongs to none. A refusal shows neither the drill's title nor anything else of it.
    "drills:checkin": [
        get(lambda w, s: f"/drills/checkin/{drill_token(w, s)}/", roles(DENY, (OK, DENY), (OK, DENY), DENY)),
        post(lambda w, s: f"/drills/checkin/{drill_token(w, s)}/", roles(DENY, (OK, DENY), (OK, DENY), DENY)),
    ],
    "drills:mine": [get("/drills/mine/", LOGGED_IN)],
    # A drill's photos: its officer, the district admin, and staff of that institution who attended.
    "drills:photo": [get(lambda w, s: f"/drills/photos/{s.drill_photo.pk}/", roles(DENY, (OK, NF), (OK, NF), OK))],
    "drills_admin_index": [get("/admin/drills/", MANAGERS)],
    "drills_admin_create": [
        get("/admin/drills/new/", MANAGERS),
        # An officer's form offers only their own institution: another is refused, the form shown again.
        post("/admin/drills/new/", roles(DENY, DENY, (GO(DRILL_PAGE), REFUSED_OK), GO(DRILL_PAGE)), drill_form),
    ],
    "drills_admin_missing": [get("/admin/drills/missing/", ADMIN_ONLY)],
    "drills_admin_edit": [
        get(lambda w, s: f"/admin/drills/{s.drill.pk}/", SCOPED),
        post(lambda w, s: f"/admin/drills/{s.drill.pk}/", DRILL_SCOPED_WRITE, drill_form),
    ],
    "drills_admin_photo_delete": [
        post(lambda w, s: f"/admin/drills/{s.drill.pk}/photos/{s.drill_photo.pk}/delete/", DRILL_SCOPED_WRITE)
    ],
    "drills_admin_checkin": [
        post(lambda w, s: f"/admin/drills/{s.drill.pk}/checkin/", DRILL_SCOPED_WRITE, {"action": "close"})
    ],
    "drills_admin_qr": [get(lambda w, s: f"/admin/drills/{s.drill.pk}/qr/", SCOPED)],
    "drills_admin_qr_svg": [get(lambda w, s: f"/admin/drills/{s.drill.pk}/qr.svg", SCOPED)],
    "drills_admin_live": [get(lambda w, s: f"/admin/drills/{s.drill.pk}/live.json", SCOPED)],
    "drills_admin_roster": [
        get(lambda w, s: f"/admin/drills/{s.drill.pk}/roster/", SCOPED),
        post(
            lambda w, s: f"/admin/drills/{s.drill.pk}/roster/",
            DRILL_SCOPED_WRITE,
            lambda w, s: {"user": [s.staff.pk], "shown": [s.staff.pk, s.officer.pk]},
        ),
    ],
    "drills_admin_export": [get(lambda w, s: f"/admin/drills/{s.drill.pk}/attendance.xlsx", SCOPED)],
    "drill-list": [
        get("/api/v1/drills/", MANAGERS),
        api("POST", "/api/v1/drills/", roles(DENY, DENY, (OK, DENY), OK), drill_api_body),
    ],
    "drill-detail": [
        get(lambda w, s: f"/api/v1/drills/{s.drill.pk}/", SCOPED),
        api("PATCH", lambda w, s: f"/api/v1/drills/{s.drill.pk}/", SCOPED, {"title": "矩阵改名"}),
        api("PUT", lambda w, s: f"/api/v1/drills/{s.drill.pk}/", SCOPED, drill_api_body),
    ],
    "drill-attendance": [get(lambda w, s: f"/api/v1/drills/{s.drill.pk}/attendance/", SCOPED)],
    "drill-checkin": [
        api(
            "POST",
            "/api/v1/drills/checkin/",
            roles(DENY, (OK, DENY), (OK, DENY), DENY),
            lambda w, s: {"token": drill_token(w, s)},
        )
    ],
    "my-drill-list": [get("/api/v1/my-drills/", LOGGED_IN)],
    # --- campaign tasks (活动任务): phone pages, evidence, review, API -------------------------------------------------
    # The district admin has no institution: no task is theirs to do (404), every submission is theirs to review.
    "campaign_tasks:index": [get("/campaign/tasks/", LOGGED_IN)],
    "campaign_tasks:task": [
        get(lambda w: f"/campaign/tasks/{w.campaign_task.pk}/", roles(DENY, OK, OK, NF)),
        post(lambda w: f"/campaign/tasks/{w.campaign_task.pk}/", roles(DENY, BAD, BAD, NF), {"text": "矩阵"}),
    ],
    # Evidence: the person, their institution's officer, the district admin; nobody else (not even a colleague).
    "campaign_tasks:photo": [
        get(lambda w, s: f"/campaign/evidence/photos/{s.task_photo.pk}/", roles(DENY, (OK, NF), (OK, NF), OK))
    ],
    "campaign_tasks:file": [
        get(lambda w, s: f"/campaign/evidence/files/{s.task_file.pk}/", roles(DENY, (OK, NF), (OK, NF), OK))
    ],
    "campaign_tasks_review": [
        get("/admin/campaign-tasks/review/", MANAGERS),
        get(lambda w, s: f"/admin/campaign-tasks/review/?institution={s.inst.pk}", SCOPED | {"officer": (OK, DENY)}),
    ],
    "campaign_tasks_review_bulk": [
        post(
            "/admin/campaign-tasks/review/approve/",
            roles(DENY, DENY, GO("/admin/campaign-tasks/review/"), GO("/admin/campaign-tasks/review/")),
            lambda w, s: {"ids": [s.task_submission.pk]},
        )
    ],
    "campaign_tasks_review_detail": [
        get(lambda w, s: f"/admin/campaign-tasks/review/{s.task_submission.pk}/", SCOPED),
        post(
            lambda w, s: f"/admin/campaign-tasks/review/{s.task_submission.pk}/",
            roles(DENY, DENY, (GO("/admin/campaign-tasks/review/"), NF), GO("/admin/campaign-tasks/review/")),
            {"action": "return", "comment": "矩阵退回"},
        ),
    ],
    "campaign_tasks_missing": [
        get(lambda w: f"/admin/campaign-tasks/missing/?task={w.campaign_task.pk}", MANAGERS),
        get(lambda w, s: f"/admin/campaign-tasks/missing/?institution={s.inst.pk}", SCOPED | {"officer": (OK, DENY)}),
    ],
    "campaign_tasks_export": [
        get("/admin/campaign-tasks/export/submissions.xlsx", MANAGERS),
        get(lambda w: f"/admin/campaign-tasks/export/missing.xlsx?task={w.campaign_task.pk}", MANAGERS),
        get("/admin/campaign-tasks/export/other.xlsx", roles(DENY, DENY, NF, NF)),
    ],
    "campaign-task-list": [get("/api/v1/campaign/tasks/", LOGGED_IN)],
    "campaign-task-detail": [get(lambda w: f"/api/v1/campaign/tasks/{w.campaign_task.pk}/", roles(DENY, OK, OK, NF))],
    "campaign-task-submit": [
        api(
            "POST",
            lambda w: f"/api/v1/campaign/tasks/{w.campaign_task.pk}/submit/",
            roles(DENY, BAD, BAD, NF),
            {"text": "矩阵"},
            multipart=True,
        )
    ],
    "campaign-submission-list": [get("/api/v1/campaign/submissions/", MANAGERS)],
    "campaign-submission-detail": [get(lambda w, s: f"/api/v1/campaign/submissions/{s.task_submission.pk}/", SCOPED)],
    "campaign-submission-approve": [
        api("POST", lambda w, s: f"/api/v1/campaign/submissions/{s.task_submission.pk}/approve/", SCOPED)
    ],
    "campaign-submission-return": [
        api(
            "POST",
            lambda w, s: f"/api/v1/campaign/submissions/{s.task_submission.pk}/return/",
            SCOPED,
            {"comment": "矩阵退回"},
        )
    ],
    "campaign-submission-bulk-approve": [
        api(
            "POST",
            "/api/v1/campaign/submissions/bulk-approve/",
            MANAGERS,
            lambda w, s: {"ids": [s.task_submission.pk]},
        )
    ],
    **wagtail_viewset(
        "campaign_campaigns",
        "/admin/campaign/campaigns/",
        lambda w: w.campaign,
        ADMIN_ONLY,
        names=("edit", "delete", "history", "history_results", "usage"),
    ),
    **wagtail_viewset(
        "campaign_task_definitions",
        "/admin/campaign/tasks/",
        lambda w: w.campaign_task,
        ADMIN_ONLY,
        names=OBJECT_ADMIN,
    ),
    # --- hazard reports (hazards): named reports are their reporter's; anonymous ones reachable by receipt only;
    # a report sent straight to the bureau (w.bureau_hazard, of A) is the district admin's alone -------------------
    "hazards:new": [
        get("/hazards/new/", LOGGED_IN),
        post("/hazards/new/", roles(DENY, *[GO(r"/hazards/\d+/")] * 3), hazard_form),
        post("/hazards/new/", roles(DENY, *[REFUSED_OK] * 3), {"description": "", "category": "x"}),
    ],
    "hazards:receipt": [get("/hazards/receipt/", PUBLIC)],
    "hazards:mine": [get("/hazards/mine/", LOGGED_IN)],
    "hazards:detail": [
        get(lambda w, s: f"/hazards/{s.hazard.pk}/", OWN),
        post(
            lambda w, s: f"/hazards/{s.hazard.pk}/",
            roles(DENY, (GO(r"/hazards/\d+/"), NF), NF, NF),
            {"action": "answer", "text": "矩阵答复"},
        ),
    ],
    "hazards:follow": [
        get("/hazards/follow/", PUBLIC),
        post("/hazards/follow/", PUBLIC, lambda w, s: {"receipt": s.hazard_receipt}, writes=False),
        post(
            "/hazards/follow/",
            PUBLIC | {"anon": REFUSED_OK, "staff": REFUSED_OK, "officer": REFUSED_OK, "admin": REFUSED_OK},
            {"receipt": "0000-0000"},
        ),
    ],
    "hazards:board": [get("/hazards/board/", LOGGED_IN)],
    "hazards:photo": [
        get(lambda w, s: f"/hazards/photos/{s.hazard_photo.pk}/", roles(DENY, (OK, NF), (OK, NF), OK)),
        get(lambda w: f"/hazards/photos/{w.bureau_photo.pk}/", roles(DENY, NF, NF, OK)),
    ],
    "hazards_admin_list": [
        get("/admin/hazards/", MANAGERS),
        get("/admin/hazards/?state=pending&major=1&overdue=1&category=fire", MANAGERS),
    ],
    "hazards_admin_detail": [
        get(lambda w, s: f"/admin/hazards/{s.hazard.pk}/", SCOPED),
        get(lambda w: f"/admin/hazards/{w.bureau_hazard.pk}/", roles(DENY, DENY, NF, OK)),
        post(
            lambda w, s: f"/admin/hazards/{s.hazard.pk}/",
            roles(DENY, DENY, (GO(r"/admin/hazards/\d+/"), NF), GO(r"/admin/hazards/\d+/")),
            {"action": "ask", "note": "矩阵提问"},
        ),
        post(
            lambda w: f"/admin/hazards/{w.bureau_hazard.pk}/",
            roles(DENY, DENY, NF, GO(r"/admin/hazards/\d+/")),
            {"action": "ask", "note": "矩阵提问"},
        ),
    ],
    "hazards_admin_ledger": [get("/admin/hazards/ledger.xlsx", MANAGERS)],
    "hazard-report-list": [
        api("POST", "/api/v1/hazards/reports/", roles(DENY, OK, OK, OK), hazard_form),
        api("POST", "/api/v1/hazards/reports/", roles(DENY, BAD, BAD, BAD), {"institution": 0}),
    ],
    "hazard-report-mine": [get("/api/v1/hazards/reports/mine/", LOGGED_IN)],
    "hazard-follow-list": [
        api(
            "POST",
            "/api/v1/hazards/follow/",
            roles(DENY, OK, OK, OK),
            lambda w, s: {"receipt": s.hazard_receipt},
            writes=False,
        ),
        api("POST", "/api/v1/hazards/follow/", roles(DENY, NF, NF, NF), {"receipt": "0000"}),
    ],
    "hazard-handling-list": [get("/api/v1/hazards/handling/", MANAGERS)],
    "hazard-handling-detail": [
        get(lambda w, s: f"/api/v1/hazards/handling/{s.hazard.pk}/", roles(DENY, NF, (OK, NF), OK)),
        get(lambda w: f"/api/v1/hazards/handling/{w.bureau_hazard.pk}/", roles(DENY, NF, NF, OK)),
    ],
    "hazard-handling-transition": [
        api(
            "POST",
            lambda w, s: f"/api/v1/hazards/handling/{s.hazard.pk}/transition/",
            roles(DENY, NF, (OK, NF), OK),
            {"action": "ask", "note": "矩阵提问"},
        ),
        api(
            "POST",
            lambda w: f"/api/v1/hazards/handling/{w.bureau_hazard.pk}/transition/",
            roles(DENY, NF, NF, OK),
            {"action": "ask", "note": "矩阵提问"},
        ),
    ],
    # --- whole prefixes (access_matrix.PREFIXES): a few samples each ------------------------------------------------
    "prefix:admin/": [
        get("/admin/", MANAGERS),
        get("/admin/account/", MANAGERS),
        get(
            "/admin/settings/content/platformsettings/",
            ADMIN_ONLY | {"admin": GO(r"/admin/settings/content/platformsettings/\d+/")},
        ),
        post(
            lambda w: f"/admin/bulk/quizzes/question/retire/?id={w.spare_question.pk}",
            roles(DENY, DENY, DENY, GO("/admin/.*")),
        ),
    ],
    "prefix:documents/": [get("/documents/999999/none.pdf", roles(NF, NF, NF, NF))],
    "prefix:_util/": [get("/_util/login/", PUBLIC)],
    "prefix:i18n/": [post("/i18n/setlang/", roles(*[GO("/")] * 4), {"language": "zh-hans", "next": "/"}, fresh=True)],
    "prefix:media/": [get("/media/none.txt", roles(NF, NF, NF, NF))],
}


# --- classification -------------------------------------------------------------------------------------------------


def test_every_endpoint_is_classified():
    routes = resolver_routes()
    problems = []
    for route in routes:
        if prefix_of(route) is not None:
            continue
        reqs = MATRIX.get(route.key)
        if reqs is None:
            problems.append(
                f"classify this endpoint in the access matrix: {route.key!r} ({route.route}, {route.module}) "
                "-> tests/reliability/test_access_matrix.py MATRIX"
            )
            continue
        made = {r.method for r in reqs}
        for method in sorted(route.methods - made - {"HEAD", "OPTIONS"}):
            problems.append(f"classify {method} on {route.key!r} ({route.route}) in the access matrix")
    known = {r.key for r in routes}
    for key in MATRIX:
        if key.startswith("prefix:"):
            if key.removeprefix("prefix:") not in [p for p, _m, _w in PREFIXES]:
                problems.append(f"{key!r}: no such prefix in access_matrix.PREFIXES")
        elif key not in known:
            problems.append(f"{key!r} is in the access matrix but not in the URL resolver any more: remove it")
    assert not problems, "\n".join(problems)


# --- HTTP -----------------------------------------------------------------------------------------------------------


def _client(user=None) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def _send(client: Client, req, url: str, data, *, csrf: str | None):
    headers = {}
    if csrf:
        headers["HTTP_X_CSRFTOKEN"] = csrf
    if req.json_accept:
        headers["HTTP_ACCEPT"] = "application/json"
    method = req.method.lower()
    if req.method == "GET":
        return client.get(url, **headers)
    if req.fmt == "json":
        return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json", **headers)
    if req.method == "POST":
        return client.post(url, data or {}, **headers)
    return getattr(client, method)(url, **headers)


def _body(response) -> str:
    """The text of a response; for a workbook (xlsx), the text of its parts."""
    if getattr(response, "streaming", False):
        return ""
    content = response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "".join(book.read(name).decode("utf-8", errors="ignore") for name in book.namelist())
    return content.decode("utf-8", errors="ignore")


@pytest.fixture
def world(db):
    from leaderboard.rankings.store import get_store

    store = get_store()
    store.delete_prefix()
    yield build_world()
    store.delete_prefix()


def _cells(world):
    """(key, request, role, side, expected) for every cell; unsafe requests once more as the district admin without a
    CSRF token (expected: refused)."""
    for key, reqs in MATRIX.items():
        for req in reqs:
            for role in ROLES:
                for side in SIDES if req.sided else ("A",):
                    expected = req.expect[role]
                    if isinstance(expected, tuple):
                        expected = expected[SIDES.index(side)]
                    if expected is not SKIP:
                        yield key, req, role, side, expected
            if req.method in UNSAFE:
                yield key, req, "admin-no-csrf", "A", DENY


def test_http_access_matrix(world, record_property):
    started = time.monotonic()
    clients = {"anon": _client()}
    for role, user in world.users.items():
        clients[role] = _client(user)
    clients["admin-no-csrf"] = (clients["admin"][0], None)
    failures, cases, server_errors = [], 0, 0
    for key, req, role, side_name, expected in _cells(world):
        side = getattr(world, side_name)
        url = req.url_for(world, side)
        cases += 1
        with transaction.atomic():
            if req.fresh:
                user = world.users.get(role.removesuffix("-no-csrf"))
                client, token = _client(user)
                csrf = token if role != "admin-no-csrf" else None
            else:
                client, csrf = clients[role]
            before = db_fingerprint() if expected.refusal and req.checks_db else None
            response = _send(client, req, url, req.data_for(world, side), csrf=csrf)
            kind, path = outcome(response, url)
            problems = []
            if kind == "5xx":
                server_errors += 1
            if not matches(expected, kind, path):
                got = f"{kind} {path}".strip() + f" (HTTP {response.status_code})"
                problems.append(f"expected {expected}, got {got}")
            if before is not None:
                changed = fingerprint_diff(before, db_fingerprint())
                if changed:
                    problems.append(f"refused but the database changed: {', '.join(changed)}")
            if role in ("anon", "staff", "officer"):
                shown = leaked(_body(response), world.markers, req.leak_ok)
                if shown:
                    problems.append(f"shows institution B's {', '.join(shown)}")
            transaction.set_rollback(True)
        if problems:
            failures.append(f"{req.method} {url} [{key}] as {role} (objects of {side_name}): {'; '.join(problems)}")
    record_property("cases", cases)
    record_property("violations", len(failures))
    record_property("server_errors", server_errors)
    record_property("seconds", round(time.monotonic() - started, 1))
    assert not failures, f"{len(failures)} of {cases} access-matrix cells differ:\n" + "\n".join(failures)


# --- WebSocket ------------------------------------------------------------------------------------------------------

# Sockets: path(world, side) and the expected connect outcome per role; the player socket is opened with the side's
# staff member's player cookie (their own for staff of A on A, someone else's for everybody else).
SOCKETS = {
    "leaderboard (exam ranking)": (
        lambda w, s: f"/ws/leaderboard/{s.exam_board}/",
        roles(DENY, (OK, DENY), (OK, DENY), OK),
    ),
    "leaderboard (live game, projector)": (
        lambda w, s: f"/ws/leaderboard/{s.game_board}/",
        roles(DENY, DENY, (OK, DENY), OK),
    ),
    "host console": (lambda w, s: f"/ws/host/{s.game.pk}/", roles(DENY, DENY, (OK, DENY), OK)),
    "player (with the side's player cookie)": (
        lambda w, s: f"/ws/play/{s.game.pin}/",
        roles(DENY, (OK, DENY), DENY, DENY),
    ),
    # A public game: the player is whoever holds the cookie (no account); only the district admin hosts it.
    "host console of the public game": (lambda w: f"/ws/host/{w.public_game.pk}/", ADMIN_ONLY),
    "player of the public game (with the anonymous player's cookie)": (
        lambda w: f"/ws/play/{w.public_game.pin}/",
        PUBLIC,
    ),
}
HOST_ACTIONS = ["start", "next", "skip", "pause", "resume", "end", "remove"]


class WsMatrix:
    """Opens sockets through the real ASGI stack (origin check, session cookie, routing) and records cells."""

    def __init__(self, world):
        self.world, self.failures, self.cases = world, [], 0

    async def open(self, path, user=None, cookies=None):
        from tests.quizzes.test_competition_consumers import communicator

        comm = await communicator(path, user, cookies)
        connected, _code = await comm.connect(timeout=10)
        if not connected:
            return comm, "deny", None
        first = json.loads(await comm.receive_from(timeout=10))
        comm.frames.append(first)
        comm.used.add(0)
        if "error" in first:
            return comm, "404" if first["error"] == "not_found" else "deny", first
        return comm, "ok", first

    def check(self, label: str, role: str, expected, got: str, frames=(), changed=()) -> None:
        self.cases += 1
        problems = []
        if expected != got:
            problems.append(f"expected {expected}, got {got}")
        if changed:
            problems.append(f"refused but the database changed: {', '.join(changed)}")
        if role in ("anon", "staff", "officer"):
            shown = leaked(json.dumps(list(frames), ensure_ascii=False), self.world.markers, frozenset())
            if shown:
                problems.append(f"shows institution B's {', '.join(shown)}")
        if problems:
            self.failures.append(f"WebSocket {label} as {role}: {'; '.join(problems)}")

    async def next_frame(self, comm, predicate, timeout=10.0):
        from tests.quizzes.test_competition_consumers import until

        try:
            return await until(comm, predicate, timeout=timeout)
        except TimeoutError:
            return None


async def _close(comm) -> None:
    try:
        await comm.disconnect()
    except Exception:  # already closed by the server
        pass


@pytest.mark.django_db(transaction=True)
async def test_websocket_access_matrix(record_property):
    from channels.db import database_sync_to_async

    from leaderboard.rankings.store import get_store
    from quizzes.competitions.models import Game, Player, PlayerAnswer
    from quizzes.competitions.selectors import player_cookie

    started = time.monotonic()
    await database_sync_to_async(get_store().delete_prefix)()
    w = await database_sync_to_async(build_world)(pages=False)
    m = WsMatrix(w)
    users = {"anon": None, **w.users}
    fingerprint = database_sync_to_async(db_fingerprint)

    async def reload(model, pk):
        return await database_sync_to_async(model.objects.get)(pk=pk)

    async def move(user, inst):
        user.institution = inst
        await database_sync_to_async(user.save)()

    # 1. Who may connect to which socket (games in the lobby).
    for label, (path, expect) in SOCKETS.items():
        sided = path.__code__.co_argcount == 2
        for role in ROLES:
            for side_name in SIDES if sided else ("A",):
                side = getattr(w, side_name)
                expected = expect[role][SIDES.index(side_name)] if isinstance(expect[role], tuple) else expect[role]
                if label.startswith("player of the public"):
                    cookies = {player_cookie(w.public_game.pk): w.public_token}
                elif label.startswith("player"):
                    cookies = {player_cookie(side.game.pk): side.token}
                else:
                    cookies = None
                comm, got, _first = await m.open(path(w, side) if sided else path(w), users[role], cookies)
                m.check(f"{label} of {side_name}" if sided else label, role, expected.kind, got, comm.frames)
                await _close(comm)
    for label, path in (("host console of no game", "/ws/host/999999/"), ("player of no game", "/ws/play/000000/")):
        comm, got, _first = await m.open(path, w.admin)
        m.check(label, "admin", "404", got)
        await _close(comm)

    # 2. A staff member moved to another institution is no longer a player of their old institution's game.
    await move(w.A.staff, w.B.inst)
    comm, got, _ = await m.open(f"/ws/play/{w.A.game.pin}/", w.A.staff, {player_cookie(w.A.game.pk): w.A.token})
    m.check("player of A after moving to B", "staff", "deny", got)
    await _close(comm)
    await move(w.A.staff, w.A.inst)

    # 3. A player may send no host action: refused, nothing changes.
    phone, got, _ = await m.open(f"/ws/play/{w.A.game.pin}/", w.A.staff, {player_cookie(w.A.game.pk): w.A.token})
    m.check("player of A connects", "staff", "ok", got)
    for action in HOST_ACTIONS:
        before = await fingerprint()
        frame = {"action": action, "player": w.A.mate_player.pk} if action == "remove" else {"action": action}
        await phone.send_json_to(frame)
        reply = await m.next_frame(phone, lambda f: f.get("type") == "error")
        got = "deny" if reply and reply["error"] == "unknown_action" else f"not refused ({reply})"
        m.check(
            f"player sends host action {action!r}",
            "staff",
            "deny",
            got,
            changed=fingerprint_diff(before, await fingerprint()),
        )

    # 4. A host of A cannot remove a player of B's game through A's console.
    host, got, _ = await m.open(f"/ws/host/{w.A.game.pk}/", w.A.officer)
    m.check("host console of A connects", "officer", "ok", got)
    before = await fingerprint()
    await host.send_json_to({"action": "remove", "player": w.B.player.pk})
    reply = await m.next_frame(host, lambda f: f.get("type") == "error")
    got = "deny" if reply else "not refused"
    m.check(
        "host of A removes B's player", "officer", "deny", got, changed=fingerprint_diff(before, await fingerprint())
    )

    # 5. A host whose institution changes loses the console on the next action.
    await move(w.A.officer, w.B.inst)
    before = await fingerprint()
    await host.send_json_to({"action": "start"})
    reply = await m.next_frame(host, lambda f: f.get("type") == "error")
    got = "deny" if reply and reply["error"] == "forbidden" else f"not refused ({reply})"
    m.check(
        "host moved to B sends start to A's game",
        "officer",
        "deny",
        got,
        changed=fingerprint_diff(before, await fingerprint()),
    )
    await _close(host)
    await move(w.A.officer, w.A.inst)

    # 6. The host runs the game; a player answers only for themselves.
    host, got, _ = await m.open(f"/ws/host/{w.A.game.pk}/", w.A.officer)
    await m.next_frame(host, lambda f: f.get("type") == "lobby")

    async def host_does(action, **extra):
        version = (await reload(Game, w.A.game.pk)).version
        await host.send_json_to({"action": action, **extra})
        reply = await m.next_frame(
            host, lambda f: f.get("type") == "error" or (f.get("type") == "state" and f["version"] > version)
        )
        got = "ok" if reply and reply.get("type") == "state" else f"refused ({reply})"
        m.check(f"host of A sends {action!r}", "officer", "ok", got)

    await host_does("start")
    await phone.send_json_to({"action": "answer", "index": 0, "choice": [1], "player": w.A.mate_player.pk})
    ack = await m.next_frame(phone, lambda f: f.get("type") in ("ack", "error"))
    own = await database_sync_to_async(PlayerAnswer.objects.filter(player=w.A.player).count)()
    mate = await database_sync_to_async(PlayerAnswer.objects.filter(player=w.A.mate_player).count)()
    got = "ok" if ack and ack.get("type") == "ack" and (own, mate) == (1, 0) else f"{ack}, answers {own}/{mate}"
    m.check("player answers naming another player (counts as their own)", "staff", "ok", got)
    for action in ("pause", "resume", "skip", "next"):
        await host_does(action)
    await host_does("remove", player=w.A.mate_player.pk)
    removed = (await reload(Player, w.A.mate_player.pk)).removed_at is not None
    m.check("removed player is out", "officer", "ok", "ok" if removed else "still in")
    await host_does("end")
    await _close(phone)
    await _close(host)

    # 7. The district admin hosts any institution's game.
    host, got, _ = await m.open(f"/ws/host/{w.B.game.pk}/", w.admin)
    version = (await reload(Game, w.B.game.pk)).version
    await host.send_json_to({"action": "start"})
    reply = await m.next_frame(
        host, lambda f: f.get("type") == "error" or (f.get("type") == "state" and f["version"] > version)
    )
    m.check(
        "district admin starts B's game", "admin", "ok", "ok" if reply and reply.get("type") == "state" else str(reply)
    )
    await _close(host)

    # 8. A leaderboard viewer can only ping.
    viewer, got, _ = await m.open(f"/ws/leaderboard/{w.A.exam_board}/", w.A.staff)
    await viewer.send_to(text_data=json.dumps({"type": "leaderboard.update", "state": {}}))
    reply = await m.next_frame(viewer, lambda f: "error" in f)
    m.check(
        "leaderboard viewer sends an update",
        "staff",
        "deny",
        "deny" if reply == {"error": "unknown_type"} else str(reply),
    )
    await _close(viewer)

    await database_sync_to_async(get_store().delete_prefix)()
    record_property("cases", m.cases)
    record_property("violations", len(m.failures))
    record_property("seconds", round(time.monotonic() - started, 1))
    assert not m.failures, f"{len(m.failures)} of {m.cases} WebSocket cells differ:\n" + "\n".join(m.failures)
