"""Outside review of issue 14: request sequences on the import page that a person really makes.

Preview, map the columns, press the browser's Back button and confirm the old preview; confirm while the new dry run
is still running; map the columns after the uploaded file has expired; two admins mapping one header differently;
confirm twice. What is written must always be what the page being confirmed showed, or nothing (with a message).
"""

import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from quizzes.bank import tasks as bank_tasks
from quizzes.bank.models import Question
from tests.factories import AdminFactory

# A header nobody recognises: 题面/备选项目/标答/说明 must be mapped by hand.
UNKNOWN = (
    "编号,题面,备选项目,标答,说明\n"
    "1,火警电话是（ ）。,A.110 B.119 C.120 D.122,B,消防报警打119\n"
    "2,急救电话是（ ）。,A.110 B.119 C.120 D.122,C,急救打120\n"
).encode()
MAPPING = {"col_1": "stem", "col_2": "options", "col_3": "answer"}


def upload(client, data=UNKNOWN, name="考试系统导出.csv") -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("quizzes_bank_import"), {"file": SimpleUploadedFile(name, data), "text": "", "format": ""}
    )
    assert response.status_code == 302, response.content[:500]
    return re.search(r"/bank/import/([^/]+)/$", response["Location"]).group(1)


def remap(client, token, **columns):
    return client.post(reverse("quizzes_bank_import_mapping", args=[token]), columns)


def preview_revision(client, token) -> str:
    page = client.get(reverse("quizzes_bank_import_job", args=[token])).content.decode()
    return re.search(r'name="revision" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_confirming_a_preview_that_was_replaced_by_a_new_mapping_writes_nothing(client_for, district_admin):
    """Back button: the page still shows the preview with 说明 as 解析, but the mapping was changed since."""
    client = client_for(district_admin)
    token = upload(client)
    remap(client, token, **MAPPING, col_4="explanation")
    shown = preview_revision(client, token)  # the page the admin goes Back to
    remap(client, token, **MAPPING)  # 说明 ignored now
    response = client.post(reverse("quizzes_bank_import_job", args=[token]), {"revision": shown}, follow=True)
    assert Question.objects.count() == 0
    assert "预览已更新" in response.content.decode()
    # The current preview can be confirmed, and writes what it shows.
    response = client.post(
        reverse("quizzes_bank_import_job", args=[token]), {"revision": preview_revision(client, token)}
    )
    assert response.status_code == 200
    assert sorted(Question.objects.values_list("stem", "explanation")) == [
        ("急救电话是（ ）。", ""),
        ("火警电话是（ ）。", ""),
    ]


@pytest.mark.django_db
def test_confirming_while_the_new_dry_run_has_not_finished_writes_nothing(client_for, district_admin):
    client = client_for(district_admin)
    token = upload(client)
    remap(client, token, **MAPPING, col_4="explanation")
    revision = preview_revision(client, token)
    job = bank_tasks.job_get(token, user_id=district_admin.pk)
    job["state"] = "queued"  # what a worker backend shows until the rerun is picked up
    cache.set(bank_tasks._job_key(token), job, bank_tasks.JOB_TTL)
    response = client.post(reverse("quizzes_bank_import_job", args=[token]), {"revision": revision}, follow=True)
    assert Question.objects.count() == 0
    assert "预览" in response.content.decode()


@pytest.mark.django_db
def test_mapping_columns_after_the_upload_expired_says_so_instead_of_claiming_a_new_preview(client_for, district_admin):
    client = client_for(district_admin)
    token = upload(client)
    cache.delete(bank_tasks._data_key(token))  # the file's bytes expired; the job record did not
    response = remap(client, token, **MAPPING)
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes_bank_import")
    page = client.get(response["Location"]).content.decode()
    assert "过期" in page and "已按你指定的列对应关系重新预览" not in page


@pytest.mark.django_db
def test_remapping_keeps_the_upload_as_long_as_the_preview(client_for, district_admin, monkeypatch):
    """The preview's record is refreshed when the columns are mapped again; the file's bytes must live as long."""
    client = client_for(district_admin)
    token = upload(client)
    touched = []
    original = cache.touch
    monkeypatch.setattr(cache, "touch", lambda key, timeout=None: touched.append(key) or original(key, timeout))
    remap(client, token, **MAPPING)
    assert bank_tasks._data_key(token) in touched


@pytest.mark.django_db
def test_two_admins_mapping_one_header_differently_each_get_what_they_previewed(client_for, district_admin):
    other = AdminFactory(institution=None)
    first = client_for(district_admin)
    token_a = upload(first)
    remap(first, token_a, **MAPPING, col_4="explanation")
    revision_a = preview_revision(first, token_a)
    from django.test import Client

    second = Client()
    second.force_login(other)
    token_b = upload(second)
    remap(second, token_b, **MAPPING)  # the shared remembered mapping now ignores 说明
    first.force_login(district_admin)
    response = first.post(reverse("quizzes_bank_import_job", args=[token_a]), {"revision": revision_a})
    assert response.status_code == 200
    assert sorted(Question.objects.values_list("explanation", flat=True)) == ["急救打120", "消防报警打119"]


@pytest.mark.django_db
def test_confirming_twice_writes_once(client_for, district_admin):
    client = client_for(district_admin)
    token = upload(client)
    remap(client, token, **MAPPING)
    revision = preview_revision(client, token)
    url = reverse("quizzes_bank_import_job", args=[token])
    client.post(url, {"revision": revision})
    response = client.post(url, {"revision": revision}, follow=True)
    assert Question.objects.count() == 2
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_upload_form_states_the_pasted_text_limit(client_for, district_admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000_000
    page = client_for(district_admin).get(reverse("quizzes_bank_import")).content.decode()
    limit = int(re.search(r'data-text-limit="(\d+)"', page).group(1))
    assert 1_000_000 < limit < 2_000_000
    assert re.search(r"data-text-too-long=\"[^\"]*MB", page)


@pytest.mark.django_db
def test_an_officer_gets_no_import_page_and_no_job(client_for, officer_a, district_admin):
    token = upload(client_for(district_admin))
    client = client_for(officer_a)
    for url in (
        reverse("quizzes_bank_import"),
        reverse("quizzes_bank_import_job", args=[token]),
        reverse("quizzes_bank_import_mapping", args=[token]),
    ):
        assert client.get(url).status_code in (302, 403)
        assert client.post(url, {**MAPPING, "revision": "1"}).status_code in (302, 403)
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_an_officer_cannot_import_through_the_api(api_for, officer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for commit in ("false", "true"):
        response = api_for(officer_a).post(
            "/api/v1/bank/import/", {"file": SimpleUploadedFile("x.csv", UNKNOWN), "commit": commit}, format="multipart"
        )
        assert response.status_code == 403
        assert response.json()["error"] == "permission_denied"
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_the_api_and_the_command_read_the_same_files_as_the_page(api_for, district_admin, tmp_path):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from tests.quizzes.test_bank_review_files import EXPECTED, HTML_XLS, text_table

    html = HTML_XLS.format(charset="gb2312").encode("gbk")
    api = api_for(district_admin)
    body = {"file": SimpleUploadedFile("考试系统导出.xls", html), "commit": "true", "skip_rejected": "true"}
    response = api.post("/api/v1/bank/import/", body, format="multipart")
    assert response.status_code == 201, response.content[:300]
    report = response.json()
    assert report["written"]["created"] == 2 and report["counts"]["rejected"] == 1
    assert any("网页" in notice for notice in report["notices"])

    wps = tmp_path / "WPS导出.csv"
    wps.write_bytes(b"\xef\xbb\xbf" + text_table(",").encode("gbk"))
    out = io.StringIO()
    call_command("import_questions", str(wps), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["counts"]["new"] == len(EXPECTED) and not report["rejected"]
    assert [q["stem"] for q in report["preview"]] == [e[2] for e in EXPECTED]
