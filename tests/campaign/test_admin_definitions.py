"""The district admin defines a task in the Wagtail admin with its checklist inline; officers cannot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from campaign.tasks.models import CampaignTask
from tests.campaign.factories import make_campaign
from tests.factories import AdminFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def _form(campaign, **extra):
    today = timezone.localdate()
    data = {
        "campaign": campaign.pk,
        "title": "家庭隐患排查（新）",
        "guidance": rich_text("<p>逐项检查</p>"),
        "audience": "roles",
        "opens_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "due_on": (today + dt.timedelta(days=7)).isoformat(),
        "items": inline_formset([{"text": "燃气阀门", "hint": ""}, {"text": "插座", "hint": "是否老化"}]),
        "photos_min": 1,
        "photos_max": 3,
        "text_label": "",
        "file_label": "",
        "needs_review": "on",
        "order": 1,
    }
    roles = extra.pop("roles", ["staff", "officer"])
    data.update(extra)
    form = nested_form_data(data)  # flattens lists: the multiple-choice roles are added as a list afterwards
    form["roles"] = roles
    return form


def test_district_admin_creates_a_task_with_its_checklist():
    campaign = make_campaign()
    client = Client()
    client.force_login(AdminFactory(institution=None))
    response = client.post("/admin/campaign/tasks/new/", _form(campaign))
    form = response.context["form"] if response.status_code == 200 else None
    assert response.status_code == 302, (form.errors, {k: f.errors for k, f in form.formsets.items()}) if form else ""
    task = CampaignTask.objects.get(title="家庭隐患排查（新）")
    assert task.roles == ["staff", "officer"]
    assert [i.text for i in task.items.all()] == ["燃气阀门", "插座"]
    keys = [i.key for i in task.items.all()]
    assert len(set(keys)) == 2


def test_photos_range_and_roles_are_checked():
    campaign = make_campaign()
    client = Client()
    client.force_login(AdminFactory(institution=None))
    response = client.post("/admin/campaign/tasks/new/", _form(campaign, photos_min=3, photos_max=1, roles=[]))
    assert response.status_code == 200
    assert not CampaignTask.objects.exists()


def test_officer_cannot_define_tasks():
    campaign = make_campaign()
    client = Client()
    client.force_login(OfficerFactory())
    response = client.post("/admin/campaign/tasks/new/", _form(campaign))
    assert response.status_code in (302, 403)
    assert not CampaignTask.objects.exists()
