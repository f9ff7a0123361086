"""离职: an officer marks a person as having left; the account is disabled and its sessions end at once; after the
retention period the person's identity is anonymised while every row of theirs stays, so institution statistics are
what they were. Marking, undoing and refusals are recorded or change nothing."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from elearn.org.models import Institution, User
from elearn.privacy import services
from elearn.privacy.models import AccessLog, Departure, RetentionSettings
from leaderboard.reports import selectors as report_selectors
from quizzes.competitions.models import Player
from quizzes.exams.models import Attempt
from quizzes.practice import services as practice_services
from quizzes.results.models import Certificate
from quizzes.results.selectors import exam_summary
from tests.factories import PASSWORD
from tests.leaderboard.report_factories import build_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(inst_a, inst_b, officer_a, officer_b, district_admin):
    c = build_campaign(inst_a, inst_b, officer_a, officer_b)
    practice_services.certificate_issue(user=c["a1"], exam_id=c["exam"].pk)
    from elearn.org.services import institution_refresh_headcount

    institution_refresh_headcount(institution_ids=[inst_a.pk, inst_b.pk])
    return c


def _logged_in(user) -> Client:
    client = Client()
    assert client.post(reverse("org:login"), {"username": user.employee_no, "password": PASSWORD}).status_code == 302
    return client


def _figures(admin, exam):
    """What institution statistics say: per-institution exam figures and the dashboard's totals."""
    summary = [(s.institution.pk, s.audience, s.sat, s.passed, s.average) for s in exam_summary(exam, admin)]
    dashboard = report_selectors.dashboard(admin, report_selectors.ReportFilters())
    return summary, {k: v for k, v in dashboard["total"].items() if not isinstance(v, (list, dict))}


def test_marking_a_person_as_left_disables_them_at_once(campaign, client_for, officer_a, inst_a):
    a1 = campaign["a1"]
    phone = _logged_in(a1)
    assert phone.get("/exams/").status_code == 200
    client = client_for(officer_a)
    sessions = Session.objects.count()
    headcount = Institution.objects.get(pk=inst_a.pk).headcount
    today = timezone.localdate()
    page = client.get(reverse("privacy_departures"), {"q": a1.employee_no}).content.decode()
    assert a1.real_name in page and 'name="left_on"' in page
    response = client.post(reverse("privacy_departures"), {"user": a1.pk, "left_on": today.isoformat()})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert not a1.is_active
    assert Departure.objects.get(user=a1).left_on == today
    assert Session.objects.count() == sessions - 1, "their session is ended"
    assert phone.get("/exams/")["Location"].startswith(reverse("org:login"))
    assert phone.get("/api/v1/exams/").status_code == 403
    assert Client().post(reverse("org:login"), {"username": a1.employee_no, "password": PASSWORD}).status_code == 200
    assert Institution.objects.get(pk=inst_a.pk).headcount == headcount - 1
    entry = AccessLog.objects.get(action=AccessLog.Action.MARK_LEFT)
    assert (entry.actor, entry.subject, entry.institution_id) == (officer_a, a1, inst_a.pk)
    listed = client.get(reverse("privacy_departures")).content.decode()
    expected = (today + dt.timedelta(days=RetentionSettings.current().left_days)).isoformat()
    assert a1.real_name in listed and expected in listed


def test_refusals_change_nothing(campaign, client_for, api_for, officer_a):
    a1, b1 = campaign["a1"], campaign["b1"]
    client = client_for(officer_a)
    today = timezone.localdate()
    assert client.post(reverse("privacy_departures"), {"user": b1.pk, "left_on": today.isoformat()}).status_code == 404
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    client.post(reverse("privacy_departures"), {"user": a1.pk, "left_on": tomorrow})
    client.post(reverse("privacy_departures"), {"user": a1.pk, "left_on": "2024-13-01"})
    api = api_for(officer_a)
    own = api.post("/api/v1/departures/", {"user": officer_a.pk, "left_on": today.isoformat()}, format="json")
    assert own.status_code == 409 and own.json()["error"] == "departure_refused"
    assert (
        api.post("/api/v1/departures/", {"user": b1.pk, "left_on": today.isoformat()}, format="json").status_code == 404
    )
    assert not Departure.objects.exists() and not AccessLog.objects.exists()
    assert User.objects.filter(is_active=False).count() == 0
    done = api.post("/api/v1/departures/", {"user": a1.pk, "left_on": today.isoformat()}, format="json")
    assert done.status_code == 201 and done.json()["user"] == a1.pk
    again = api.post("/api/v1/departures/", {"user": a1.pk, "left_on": today.isoformat()}, format="json")
    assert again.status_code == 409 and "已登记离职" in again.json()["detail"]
    assert Departure.objects.count() == 1


def test_a_departure_recorded_by_mistake_is_undone(campaign, client_for, officer_a):
    a1 = campaign["a1"]
    services.person_mark_left(actor=officer_a, person=a1, left_on=timezone.localdate())
    client = client_for(officer_a)
    assert client.post(reverse("privacy_departure_undo", args=[a1.pk])).status_code == 302
    a1.refresh_from_db()
    assert a1.is_active and not Departure.objects.exists()
    assert [e.action for e in AccessLog.objects.order_by("pk")] == ["mark_left", "undo_left"]
    assert _logged_in(a1).get("/exams/").status_code == 200


def test_anonymised_after_the_period_with_every_statistic_unchanged(campaign, officer_a, district_admin):
    a1, exam = campaign["a1"], campaign["exam"]
    left_on = timezone.localdate() - dt.timedelta(days=10)
    services.person_mark_left(actor=officer_a, person=a1, left_on=left_on)
    services.mobile_reveal(actor=district_admin, person=a1)
    before = _figures(district_admin, exam)
    rows_before = (Attempt.objects.filter(user=a1).count(), a1.lesson_progress.count(), a1.course_completions.count())
    # Not yet due: nothing happens.
    assert services.retention_apply(now=timezone.now()).anonymised == []
    a1.refresh_from_db()
    assert a1.real_name == "甲一"
    # Due once the period for people who left has passed since the date they left.
    due = timezone.now() + dt.timedelta(days=RetentionSettings.current().left_days - 10)
    result = services.retention_apply(now=due)
    assert result.anonymised == [a1.pk]
    a1.refresh_from_db()
    assert a1.real_name == f"已匿名#{a1.pk}" and a1.employee_no == f"匿名-{a1.pk}"
    assert (a1.mobile, a1.email, a1.department, a1.is_active, a1.has_usable_password()) == ("", "", "", False, False)
    assert a1.institution_id == campaign["a2"].institution_id and a1.role == User.Role.STAFF
    assert not Certificate.objects.filter(user=a1).exists(), "the certificate copied their name"
    assert Player.objects.get(user=a1).nickname == f"匿名{Player.objects.get(user=a1).pk}"
    assert rows_before == (
        Attempt.objects.filter(user=a1).count(),
        a1.lesson_progress.count(),
        a1.course_completions.count(),
    )
    assert _figures(district_admin, exam) == before, "institution statistics are what they were"
    assert Departure.objects.get(user=a1).anonymised_at is not None
    # The access log still says who looked (the officer, as named then); the person is the anonymised account.
    reveal = AccessLog.objects.get(action="reveal")
    assert reveal.subject_id == a1.pk and reveal.actor_label.startswith(district_admin.real_name)
    assert "甲一" not in str(reveal.subject)
    # Undoing is no longer possible; running again changes nothing.
    with pytest.raises(Exception, match="匿名化"):
        services.person_return(actor=officer_a, person=a1)
    assert services.retention_apply(now=due).anonymised == []
