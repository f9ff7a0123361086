"""No full mobile number in any page, API response or export unless it was revealed, and every response that shows
other people's data writes its access-log entry.

The walk is the access matrix's (tests/reliability/test_access_matrix.py MATRIX over access_matrix.build_world):
every GET endpoint of the URL resolver, as a member of staff, a safety officer and the district admin, on the objects
of both institutions; then the exports, which the matrix's world only fakes, built for real (each sheet, both
formats, with and without 含手机号) and downloaded. Every person in the world has a known mobile number (the matrix's
staff, and every factory account). A body may hold the viewer's own number (their 我的数据) and nothing else, except
after an explicit reveal or 含手机号 export, which must each have written their entry.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse

from elearn.org.models import User
from elearn.privacy.models import AccessLog
from leaderboard.reports.export import SHEETS
from leaderboard.reports.models import ReportExport
from tests.reliability.access_matrix import outcome
from tests.reliability.test_access_matrix import MATRIX, _body, _client, _send, world  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("staff", "officer", "admin")

# Pages that show other people's names without an access-log entry, by design, each with why. Everything else that
# shows a name or 工号 other than the viewer's must have written an entry during that request.
SHOWS_NAMES_BY_DESIGN = {
    "leaderboard:index": "rankings: names and scores shown to every participant (told in the notice)",
    "leaderboard:live": "rankings on the projector (told in the notice)",
    "leaderboard:state": "rankings' current state (told in the notice)",
    "quizzes:host_game": "the host console of a live game shows its players' names (told in the notice)",
    "game-detail": "a live game (players' names as on the projector)",
    "game-state": "a live game (players' names as on the projector)",
    "game-ranking": "a live game's ranking (told in the notice)",
    "practice:verify": "a certificate's public verification page shows what the certificate shows",
    "certificate-verify": "a certificate's public verification (what the certificate shows)",
    "privacy:notice": "the viewer's own acknowledgements only (no other person)",
}


def _numbers() -> dict[str, int]:
    return {mobile: pk for pk, mobile in User.objects.exclude(mobile="").values_list("pk", "mobile")}


def _identities(viewer) -> set[str]:
    """Names and 工号 of everyone but the viewer, long enough to be unmistakable in a page."""
    out = set()
    for real_name, employee_no in User.objects.exclude(pk=viewer.pk).values_list("real_name", "employee_no"):
        out |= {v for v in (real_name, employee_no) if len(v) >= 4}
    return out


def _full_numbers_in(body: str, numbers: dict[str, int], viewer) -> list[str]:
    digits = re.sub(r"[\s-]", "", body)
    return [n for n, pk in numbers.items() if pk != viewer.pk and (n in body or n in digits)]


def _gets():
    for key, reqs in MATRIX.items():
        for req in reqs:
            if req.method == "GET":
                yield key, req


def test_no_page_api_response_or_export_shows_a_full_number_and_every_view_is_recorded(world):  # noqa: F811
    numbers = _numbers()
    assert len(numbers) >= 6 and "13900009001" in numbers and "13900009002" in numbers
    clients = {role: _client(user) for role, user in world.users.items()}
    shown, unrecorded, cases = [], [], 0
    for role in ROLES:
        viewer = world.users[role]
        identities = _identities(viewer)
        for key, req in _gets():
            for side_name in ("A", "B") if req.sided else ("A",):
                side = getattr(world, side_name)
                url = req.url_for(world, side)
                with transaction.atomic():
                    before = AccessLog.objects.count()
                    client, token = clients[role]
                    response = _send(client, req, url, req.data_for(world, side), csrf=token)
                    kind, _path = outcome(response, url)
                    body = _body(response)
                    written = AccessLog.objects.count() - before
                    transaction.set_rollback(True)
                cases += 1
                if leaked := _full_numbers_in(body, numbers, viewer):
                    shown.append(f"{role} GET {url} [{key}]: {', '.join(leaked)}")
                names = kind == "ok" and any(i in body for i in identities)
                if names and not written and key not in SHOWS_NAMES_BY_DESIGN:
                    unrecorded.append(f"{role} GET {url} [{key}] shows other people but wrote no access-log entry")
    assert cases > 300
    assert not shown, "full mobile numbers shown without a reveal:\n" + "\n".join(shown)
    assert not unrecorded, "\n".join(unrecorded)


def _download(client, export_id) -> str:
    response = client.get(reverse("leaderboard_report_export_download", args=[export_id]))
    assert response.status_code == 200
    return _body(response)


def test_every_export_hides_numbers_unless_asked_and_each_is_recorded(world):  # noqa: F811
    numbers = _numbers()
    for role in ("officer", "admin"):
        viewer = world.users[role]
        client, token = _client(viewer)
        for with_mobile in (False, True):
            for fmt, sheet in [("xlsx", "")] + [("csv", key) for key in SHEETS]:
                before = AccessLog.objects.count()
                data = {"format": fmt, "sheet": sheet, **({"mobile": "1"} if with_mobile else {})}
                response = client.post(reverse("leaderboard_report_export_create"), data, HTTP_X_CSRFTOKEN=token)
                assert response.status_code == 302, (role, fmt, sheet, response.status_code)
                export = ReportExport.objects.filter(requested_by=viewer).latest("created_at")
                assert export.status == ReportExport.Status.DONE, export.message
                body = _download(client, export.pk)
                leaked = _full_numbers_in(body, numbers, viewer)
                if with_mobile and sheet in ("", "people", "absent"):
                    assert leaked, f"{role} {fmt} {sheet}: 含手机号 carries the numbers"
                else:
                    assert not leaked, f"{role} {fmt} {sheet or 'workbook'} without 含手机号 shows {leaked}"
                entries = list(AccessLog.objects.order_by("pk")[before:])
                assert [(e.action, e.with_mobile) for e in entries] == [
                    ("export", with_mobile),
                    ("download", with_mobile),
                ], (role, fmt, sheet)
        for kind in ("results", "absent"):
            exam = world.A.exam
            for with_mobile in (False, True):
                before = AccessLog.objects.count()
                params = {"mobile": "1"} if with_mobile else {}
                response = client.get(reverse("quizzes_results_export", args=[exam.pk, kind]), params)
                body = _body(response)
                leaked = _full_numbers_in(body, numbers, viewer)
                # A's exam: staff A sat it, a colleague has not, so both lists name someone with a number.
                assert bool(leaked) == with_mobile, (role, kind, with_mobile, leaked)
                entries = list(AccessLog.objects.order_by("pk"))[before:]
                assert [(e.action, e.with_mobile) for e in entries] == [("export", with_mobile)], (role, kind)
