"""seed_demo's hazards step: four reports in several states (two anonymous), and a second run adds nothing."""

import io

import pytest

from hazards.demo import seed_hazards
from hazards.models import HazardReport

pytestmark = pytest.mark.django_db


def test_seed_hazards_twice(inst_a, staff_a, officer_a):
    seed_hazards(io.StringIO(), {}, {"institutions": [inst_a]})
    states = sorted(HazardReport.objects.values_list("state", flat=True))
    assert states == ["accepted", "pending", "rectifying", "verified"]
    assert HazardReport.objects.filter(anonymous=True, reporter=None).count() == 2
    seed_hazards(io.StringIO(), {}, {"institutions": [inst_a]})
    assert HazardReport.objects.count() == 4
