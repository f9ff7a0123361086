"""The notice (告知): at first login and whenever it changes, every page and the API wait until the person has
acknowledged it; the version they saw and when are recorded. An account on its initial password changes it first."""

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from elearn.privacy.models import NoticeAcknowledgement, RetentionSettings
from elearn.privacy.notice import current_version
from tests.reliability.access_matrix import outcome
from tests.reliability.test_access_matrix import MATRIX, _client, _send, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_required")]


def _to_notice(path: str) -> str:
    return reverse("privacy:notice") + "?" + urlencode({"next": path})


def test_first_login_shows_the_notice_before_anything_else(client_for, staff_a, api_for):
    client = client_for(staff_a)
    for path in ("/", "/exams/", "/me/", "/me/data/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == _to_notice(path), path
    api = client.get("/api/v1/exams/")
    assert api.status_code == 403 and api.json()["error"] == "notice_required"
    page = client.get(reverse("privacy:notice"))
    html = page.content.decode()
    assert page.status_code == 200
    for words in (
        "我们处理哪些信息",
        "为什么处理",
        "谁能看到",
        "保存多久",
        "离职以后",
        "考试答卷明细与证书：3 年",
        "180 天",
    ):
        assert words in html, words
    assert f'name="version" value="{current_version()}"' in html
    assert not NoticeAcknowledgement.objects.exists()


def test_acknowledging_records_the_version_and_time_and_opens_the_site(client_for, staff_a):
    client = client_for(staff_a)
    version = current_version()
    response = client.post(reverse("privacy:notice"), {"version": version, "next": "/exams/"})
    assert response.status_code == 302 and response["Location"] == "/exams/"
    ack = NoticeAcknowledgement.objects.get(user=staff_a)
    assert ack.version == version and ack.acknowledged_at is not None
    assert client.get("/exams/").status_code == 200
    assert client.get("/api/v1/exams/").status_code == 200
    # Once is enough: the same version again changes nothing.
    client.post(reverse("privacy:notice"), {"version": version})
    assert NoticeAcknowledgement.objects.filter(user=staff_a).count() == 1
    # An unsafe `next` goes home.
    assert (
        client.post(reverse("privacy:notice"), {"version": version, "next": "https://evil.example/"})["Location"] == "/"
    )


def test_a_changed_notice_is_shown_again_and_both_versions_stay_recorded(client_for, staff_a):
    client = client_for(staff_a)
    first = current_version()
    client.post(reverse("privacy:notice"), {"version": first})
    assert client.get("/exams/").status_code == 200
    retention = RetentionSettings.current()
    retention.exam_days = 730
    retention.save()
    second = current_version()
    assert second != first
    assert client.get("/exams/")["Location"] == _to_notice("/exams/")
    assert "考试答卷明细与证书：2 年" in client.get(reverse("privacy:notice")).content.decode()
    stale = client.post(reverse("privacy:notice"), {"version": first})
    assert stale.status_code == 302 and stale["Location"].startswith(reverse("privacy:notice"))
    assert client.get("/exams/").status_code == 302
    client.post(reverse("privacy:notice"), {"version": second})
    assert client.get("/exams/").status_code == 200
    assert list(
        NoticeAcknowledgement.objects.filter(user=staff_a).order_by("acknowledged_at").values_list("version", flat=True)
    ) == [
        first,
        second,
    ]
    # Saving the same periods again is not a new version.
    RetentionSettings.current().save()
    assert current_version() == second


def test_the_password_comes_first_then_the_notice(client_for, staff_a):
    staff_a.must_change_password = True
    staff_a.save()
    client = client_for(staff_a)
    assert client.get("/exams/")["Location"].startswith(reverse("org:password_change"))
    staff_a.must_change_password = False
    staff_a.save()
    assert client.get("/exams/")["Location"] == _to_notice("/exams/")


def test_the_api_reads_and_acknowledges_the_notice(api_for, officer_a):
    api = api_for(officer_a)
    notice = api.get("/api/v1/privacy/notice/").json()
    assert notice["acknowledged"] is False and notice["version"] == current_version()
    assert [s["title"] for s in notice["sections"]][:3] == ["我们处理哪些信息", "为什么处理", "谁能看到"]
    stale = api.post("/api/v1/privacy/notice/acknowledge/", {"version": "0.0"}, format="json")
    assert stale.status_code == 409 and stale.json()["error"] == "stale_notice"
    done = api.post("/api/v1/privacy/notice/acknowledge/", {"version": notice["version"]}, format="json")
    assert done.status_code == 200 and done.json()["acknowledged"] is True
    assert NoticeAcknowledgement.objects.filter(user=officer_a, version=notice["version"]).exists()


def test_every_page_and_api_route_waits_for_the_notice(world):  # noqa: F811
    """The access matrix's GET routes as an officer who has not acknowledged: each one is the notice (pages) or
    403 notice_required (API), except the account pages and the notice itself."""
    client, token = _client(world.users["officer"])
    exempt = ("/accounts/", "/privacy/notice/", "/api/v1/privacy/notice/", "/i18n/", "/media/", "/favicon.ico")
    wrong = []
    checked = 0
    for key, reqs in MATRIX.items():
        for req in reqs:
            if req.method != "GET":
                continue
            url = req.url_for(world, world.A)
            if url.startswith(exempt):
                continue
            response = _send(client, req, url, None, csrf=token)
            checked += 1
            if url.startswith("/api/v1/"):
                ok = response.status_code == 403 and response.json().get("error") == "notice_required"
            elif url.startswith("/api/"):  # the schema and its viewers are not personal data
                ok = response.status_code in (200, 302)
            else:
                kind, path = outcome(response, url)
                ok = kind == "redirect" and path == reverse("privacy:notice")
            if not ok:
                wrong.append(f"{url} [{key}]: HTTP {response.status_code}")
    assert checked > 150
    assert not wrong, "\n".join(wrong)
    assert client.get(reverse("privacy:notice")).status_code == 200
