"""seed_demo's drills step: some institutions hold drills and trainings, the others are left for the 未完成名单;
running it twice adds nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from drills import selectors
from drills.demo import seed_drills
from drills.models import Attendance, Drill
from elearn.org.demo import seed_organisation


def test_seed_drills_twice(db):
    context = seed_organisation()
    seed_drills(None, {}, context)
    counts = (Drill.objects.count(), Attendance.objects.count())
    seed_drills(None, {}, context)
    assert (Drill.objects.count(), Attendance.objects.count()) == counts
    assert counts[0] >= 4 and counts[1] > 0
    today = timezone.localdate()
    held = selectors.held_by_institution(today - dt.timedelta(days=29), today)
    first = context["institutions"][0]
    assert held[first.pk].drills >= 1 and held[first.pk].trainings >= 1
    missing = selectors.institutions_missing(today - dt.timedelta(days=29), today)
    assert first.pk not in {r.institution.pk for r in missing}
    assert len(missing) >= len(context["institutions"]) - 3
