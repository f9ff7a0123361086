"""seed_demo builds the whole demo campaign and is idempotent: a second run adds nothing."""

import io

from django.apps import apps
from django.core.management import call_command

from content.models import HomePage
from elearn.org.models import Institution, User


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"org", "content", "courses", "quizzes", "leaderboard", "wagtailcore"}
        and not model._meta.label.endswith(("Revision", "Log", "LogEntry", "ReferenceIndex"))
    }


def test_seed_demo_twice(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "admin / anquan2026" in out.getvalue()
    assert Institution.objects.filter(kind=Institution.Kind.TOWNSHIP).count() >= 10
    assert Institution.objects.filter(kind=Institution.Kind.CENTRAL_TOWNSHIP).exists()
    assert 180 <= User.objects.count() <= 260
    for inst in Institution.objects.all():
        assert inst.members.filter(role=User.Role.OFFICER).count() == 1, inst
        assert inst.headcount == inst.members.count()
    assert User.objects.get(employee_no="admin").is_district_admin
    home = HomePage.objects.get()
    assert home.theme == "人人讲安全、个个会应急" and home.live and home.campaign_day()[0] == 1
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first


def test_the_login_page_names_the_accounts_seed_demo_prints(db, client):
    """The screen check found the login notice naming the bureau's officer and staff while seed_demo printed the
    hospital's: both now come from one rule (elearn.org.selectors.demo_logins)."""
    import re

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = re.findall(r"^  (?:district admin|safety officer|staff member)\s*: (\S+) /", out.getvalue(), re.M)
    assert len(printed) == 3 and printed[0] == "admin"
    staff = User.objects.get(employee_no=printed[2])
    assert staff.institution.kind == Institution.Kind.HOSPITAL
    assert User.objects.get(employee_no=printed[1]).institution == staff.institution
    page = client.get("/accounts/login/").content.decode()
    assert all(no in page for no in printed)
