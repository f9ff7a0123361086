"""Phone pages and evidence views of the campaign tasks: the outbox form contract (JSON and no-JS), state shown from
the server, and evidence refused to another institution's officer and to anonymous users."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from campaign.tasks import services
from campaign.tasks.models import CampaignTask, TaskSubmission
from tests.campaign.factories import all_yes, jpeg_with_exif, make_task, pdf_file
from tests.factories import AdminFactory, InstitutionFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    a, b = InstitutionFactory(name="甲院"), InstitutionFactory(name="乙院")
    task = make_task(file_label="附件", file_required=False)
    staff = UserFactory(institution=a)
    sub = services.submission_submit(
        task=task, user=staff, answers=all_yes(task), photos=[jpeg_with_exif()], file=pdf_file()
    ).submission
    return {
        "task": task,
        "staff": staff,
        "sub": sub,
        "photo": sub.photos.get(),
        "file": sub.files.get(),
        "officer": OfficerFactory(institution=a),
        "mate": UserFactory(institution=a),
        "officer_b": OfficerFactory(institution=b),
        "staff_b": UserFactory(institution=b),
        "admin": AdminFactory(institution=None),
    }


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def form_data(task, **extra):
    data = {services.item_field(k): v["answer"] for k, v in all_yes(task).items()}
    data.update(extra)
    return data


@pytest.mark.parametrize("kind", ["photo", "file"])
def test_evidence_refused_to_other_institution_officer_anonymous_and_colleague(world, kind):
    url = reverse(f"campaign_tasks:{kind}", args=[world[kind].pk])
    anonymous = client_for().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for who in ("officer_b", "staff_b", "mate"):
        assert client_for(world[who]).get(url).status_code == 404, who
    for who in ("staff", "officer", "admin"):
        response = client_for(world[who]).get(url)
        assert response.status_code == 200, who
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        body = b"".join(response.streaming_content)
        assert b"ElearnTestCam" not in body


def test_evidence_not_under_media(world):
    assert "/evidence/" in world["photo"].image.path
    with pytest.raises(ValueError):
        world["photo"].image.url  # noqa: B018
    assert client_for(world["admin"]).get("/media/evidence/" + world["photo"].image.name).status_code == 404


def test_managers_viewing_evidence_is_logged(world):
    from elearn.privacy.models import AccessLog

    before = AccessLog.objects.count()
    client_for(world["officer"]).get(reverse("campaign_tasks:photo", args=[world["photo"].pk]))
    assert AccessLog.objects.count() == before + 1
    client_for(world["staff"]).get(reverse("campaign_tasks:photo", args=[world["photo"].pk]))
    assert AccessLog.objects.count() == before + 1  # their own: not a disclosure


def test_form_json_contract_and_idempotent_retry(world):
    task = make_task(world["task"].campaign, title="电动自行车充电检查")
    client = client_for(world["mate"])
    key = str(uuid.uuid4())
    url = reverse("campaign_tasks:task", args=[task.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'data-outbox="campaign-task-' in html and 'name="client_uuid"' in html
    assert 'capture="environment"' in html and "data-outbox-photos" in html and 'accept="image/*"' in html
    bad = client.post(url, {"client_uuid": key}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    body = bad.json()
    assert body["ok"] is False and body["message"]
    assert set(body["errors"]) == {services.item_field(i.key) for i in task.items.all()}
    data = form_data(task, client_uuid=key, photos=[jpeg_with_exif()])
    ok = client.post(url, data, HTTP_ACCEPT="application/json")
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["ok"] is True and body["redirect"] == reverse("campaign_tasks:index") and body["message"]
    again = client.post(
        url, form_data(task, client_uuid=key, photos=[jpeg_with_exif()]), HTTP_ACCEPT="application/json"
    )
    assert again.status_code == 200 and again.json()["ok"] is True
    assert TaskSubmission.objects.filter(task=task).count() == 1
    assert TaskSubmission.objects.get(task=task).photos.count() == 1


def test_form_without_javascript_redirects_with_message_or_shows_errors(world):
    task = make_task(world["task"].campaign, title="无脚本")
    client = client_for(world["mate"])
    url = reverse("campaign_tasks:task", args=[task.pk])
    shown = client.post(url, {"client_uuid": ""})
    assert shown.status_code == 400
    assert "请回答" in shown.content.decode()
    done = client.post(url, form_data(task, photos=[jpeg_with_exif()]), follow=True)
    assert done.redirect_chain[-1][0] == reverse("campaign_tasks:index")
    assert "已提交" in done.content.decode()


def test_state_comes_from_the_server_and_return_comment_is_shown(world):
    other_phone = client_for(world["staff"])  # a second browser of the same person
    listing = other_phone.get(reverse("campaign_tasks:index")).content.decode()
    assert 'data-state="submitted"' in listing
    services.submission_return(submission_id=world["sub"].pk, reviewer=world["officer"], comment="阀门照片看不清")
    page = other_phone.get(reverse("campaign_tasks:task", args=[world["task"].pk])).content.decode()
    assert "阀门照片看不清" in page and 'data-state="returned"' in page and "重新提交" in page
    assert 'data-state="returned"' in other_phone.get(reverse("campaign_tasks:index")).content.decode()


def test_task_of_another_audience_is_404(world):
    task = make_task(
        world["task"].campaign,
        title="乙院",
        audience=CampaignTask.Audience.INSTITUTIONS,
        institutions=[world["officer_b"].institution],
    )
    url = reverse("campaign_tasks:task", args=[task.pk])
    assert client_for(world["staff"]).get(url).status_code == 404
    assert client_for(world["staff"]).post(url, form_data(task)).status_code == 404
    assert client_for(world["staff_b"]).get(url).status_code == 200


def test_me_and_home_sections(world):
    client = client_for(world["mate"])
    assert reverse("campaign_tasks:index") in client.get(reverse("org:me")).content.decode()


def test_admin_review_detail_and_photo_scope(world):
    detail = reverse("campaign_tasks_review_detail", args=[world["sub"].pk])
    assert client_for(world["officer_b"]).get(detail).status_code in (403, 404, 302)
    page = client_for(world["officer"]).get(detail)
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("campaign_tasks:photo", args=[world["photo"].pk]) in html
    assert world["staff"].mobile not in html
    returned = client_for(world["officer"]).post(detail, {"action": "return", "comment": "补充照片"})
    assert returned.status_code == 302
    world["sub"].refresh_from_db()
    assert world["sub"].state == TaskSubmission.State.RETURNED


def test_admin_queue_missing_and_export(world):
    officer = client_for(world["officer"])
    queue = officer.get(reverse("campaign_tasks_review")).content.decode()
    assert world["staff"].real_name in queue and world["staff_b"].real_name not in queue
    missing = officer.get(reverse("campaign_tasks_missing") + f"?task={world['task'].pk}").content.decode()
    assert world["mate"].real_name in missing and world["mate"].mobile not in missing
    assert world["staff_b"].real_name not in missing
    xlsx = officer.get(reverse("campaign_tasks_export", args=["submissions"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    bulk = officer.post(reverse("campaign_tasks_review_bulk"), {"ids": [world["sub"].pk]})
    assert bulk.status_code == 302
    world["sub"].refresh_from_db()
    assert world["sub"].state == TaskSubmission.State.APPROVED


def test_export_is_formula_safe(world):
    import io
    import zipfile

    sub = world["sub"]
    sub.text = '=HYPERLINK("http://evil","x")'
    sub.save()
    xlsx = client_for(world["admin"]).get(reverse("campaign_tasks_export", args=["submissions"]))
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        text = "".join(book.read(n).decode("utf-8", "ignore") for n in book.namelist())
    assert "<f>" not in text and "'=HYPERLINK" in text


def test_api_my_tasks_submit_and_review(world):
    task = make_task(world["task"].campaign, title="接口任务")
    mate = client_for(world["mate"])
    listing = mate.get("/api/v1/campaign/tasks/").json()
    assert {row["title"] for row in listing} >= {"接口任务"}
    key = str(uuid.uuid4())
    bad = mate.post(f"/api/v1/campaign/tasks/{task.pk}/submit/", {"answers": "{}", "photos": [jpeg_with_exif()]})
    assert bad.status_code == 400 and bad.json()["error"] == "evidence_incomplete" and bad.json()["fields"]
    body = {"answers": json.dumps(all_yes(task)), "photos": [jpeg_with_exif()], "client_uuid": key}
    created = mate.post(f"/api/v1/campaign/tasks/{task.pk}/submit/", body)
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "submitted"
    body = {"answers": json.dumps(all_yes(task)), "photos": [jpeg_with_exif()], "client_uuid": key}
    assert mate.post(f"/api/v1/campaign/tasks/{task.pk}/submit/", body).status_code == 200
    sub_id = created.json()["submission"]["id"]
    assert client_for(world["officer_b"]).post(f"/api/v1/campaign/submissions/{sub_id}/approve/").status_code == 404
    assert mate.get("/api/v1/campaign/submissions/").status_code == 403
    officer = client_for(world["officer"])
    rows = officer.get("/api/v1/campaign/submissions/").json()["results"]
    assert {r["id"] for r in rows} == {sub_id, world["sub"].pk}
    back = officer.post(
        f"/api/v1/campaign/submissions/{sub_id}/return/", {"comment": ""}, content_type="application/json"
    )
    assert back.status_code == 400 and back.json()["error"] == "comment_required"
    back = officer.post(
        f"/api/v1/campaign/submissions/{sub_id}/return/", {"comment": "再拍"}, content_type="application/json"
    )
    assert back.status_code == 200 and back.json()["state"] == "returned"
    bulk = officer.post(
        "/api/v1/campaign/submissions/bulk-approve/",
        {"ids": [world["sub"].pk, sub_id]},
        content_type="application/json",
    )
    assert bulk.json() == {"approved": 1}
