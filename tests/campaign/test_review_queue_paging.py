"""The officer review queue in the Wagtail admin: 待审核 by default (全部 still offered), 50 a page with the filters
kept in the page links (no silent cap), and a labelled 全选本页 checkbox for bulk approve (static JS, no inline
script)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaign.tasks.models import TaskSubmission
from tests.campaign.factories import make_task
from tests.factories import InstitutionFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

SUBMITTED_ROWS = 60


@pytest.fixture
def world():
    a, b = InstitutionFactory(name="甲院"), InstitutionFactory(name="乙院")
    task = make_task()
    base = timezone.now()
    people = [UserFactory(institution=a, real_name=f"待审{n:02d}号") for n in range(1, SUBMITTED_ROWS + 1)]
    # Newest first in the queue: 待审01号 is the newest, 待审60号 the oldest.
    TaskSubmission.objects.bulk_create(
        TaskSubmission(task=task, user=u, institution=a, submitted_at=base - dt.timedelta(minutes=n))
        for n, u in enumerate(people, start=1)
    )
    approved = UserFactory(institution=a, real_name="已通过者")
    TaskSubmission.objects.create(
        task=task, user=approved, institution=a, state=TaskSubmission.State.APPROVED, submitted_at=base
    )
    other = UserFactory(institution=b, real_name="乙院职工")
    TaskSubmission.objects.create(task=task, user=other, institution=b, submitted_at=base)
    officer = OfficerFactory(institution=a)
    client = Client()
    client.force_login(officer)
    return {"task": task, "a": a, "client": client}


def names(html: str) -> list[str]:
    return re.findall(r"<td>(待审\d\d号)</td>", html)


def get(world, **params) -> str:
    response = world["client"].get(reverse("campaign_tasks_review"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_default_state_is_awaiting_review_and_all_is_still_offered(world):
    html = get(world)
    assert "已通过者" not in html and "乙院职工" not in html
    assert re.search(r'<option value="submitted" selected>\s*待审核\s*</option>', html)
    assert re.search(r'<option value="all">\s*全部状态\s*</option>', html)
    every = get(world, state="all")
    assert "已通过者" in every
    assert re.search(r'<option value="all" selected>\s*全部状态\s*</option>', every)
    assert "已通过者" in get(world, state="approved") and not names(get(world, state="approved"))


def test_fifty_a_page_and_page_two_shows_rows_51_on(world):
    first = get(world)
    assert names(first) == [f"待审{n:02d}号" for n in range(1, 51)]
    assert "共 60 份提交" in first and "第 1 / 2 页" in first
    second = get(world, page="2")
    assert names(second) == [f"待审{n:02d}号" for n in range(51, 61)]
    # An out-of-range or junk page is the last / first page, not an error.
    assert names(get(world, page="99")) == names(second)
    assert names(get(world, page="x")) == names(first)


def test_page_links_keep_the_filters(world):
    task, a = world["task"], world["a"]
    first = get(world, task=str(task.pk), institution=str(a.pk), state="all")
    link = re.search(r'href="\?([^"]*page=2)"[^>]*rel="next"', first)
    assert link, "no next-page link"
    query = link.group(1).replace("&amp;", "&")
    assert f"task={task.pk}" in query and f"institution={a.pk}" in query and "state=all" in query
    second = get(world, **dict(pair.split("=") for pair in query.split("&")))
    assert "已通过者" not in second  # the newest approved one is on page 1 of 61 rows with state=all
    assert len(names(second)) == 11 and "第 2 / 2 页" in second
    prev = re.search(r'href="\?([^"]*page=1)"[^>]*rel="prev"', second)
    assert prev and "state=all" in prev.group(1)
    # The bulk form sends the filters and the page back, so approving returns to the same view.
    assert re.search(r'name="query" value="[^"]*state=all[^"]*page=2"', second)


def test_select_all_checkbox_has_a_label_and_external_script_only(world):
    html = get(world)
    box = re.search(r'<input type="checkbox" id="review-select-all"[^>]*>', html)
    assert box and "data-select-all" in box.group(0)
    assert re.search(r'<label for="review-select-all">.*?全选本页\s*</label>', html, re.S)
    assert 'src="/static/campaign/review_queue.js"' in html or "campaign/review_queue." in html
    assert html.count('name="ids"') == 50
    # No inline script (the site CSP forbids it): the template's only <script> is the static file.
    from django.template.loader import get_template

    source = get_template("campaign/admin/review_queue.html").template.source
    scripts = re.findall(r"<script[^>]*>", source)
    assert scripts and all("src=" in tag for tag in scripts)


def test_no_select_all_when_the_page_is_empty(world):
    html = get(world, state="returned")
    assert "没有符合条件的提交" in html
    assert 'id="review-select-all"' not in html


def test_bulk_approve_returns_to_the_same_page_with_filters(world):
    ids = list(TaskSubmission.objects.filter(state="submitted", institution=world["a"]).values_list("pk", flat=True))
    back = world["client"].post(
        reverse("campaign_tasks_review_bulk"), {"ids": ids[:3], "query": "state=submitted&page=2"}
    )
    assert back.status_code == 302 and back["Location"].endswith("?state=submitted&page=2")
    assert TaskSubmission.objects.filter(state="approved").count() == 4
