"""Races only a real database shows (PostgreSQL; skipped on SQLite): the outbox resending one report, and two
handlers moving one report at the same moment."""

import uuid

import pytest

from hazards import services
from hazards.exceptions import WrongState
from hazards.models import HazardEvent, HazardPhoto, HazardReport, State
from tests.factories import InstitutionFactory, OfficerFactory, UserFactory
from tests.hazards.factories import deadline, gps_jpeg, submit
from tests.quizzes.test_exam_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("anonymous", [False, True])
def test_identical_submissions_racing_give_one_report(anonymous):
    inst = InstitutionFactory()
    user = UserFactory(institution=inst)
    key = uuid.uuid4()

    def send(i):
        done = services.report_create(
            reporter=user,
            institution=inst,
            category="fire",
            description="堵塞",
            anonymous=anonymous,
            photos=[gps_jpeg()],
            client_uuid=key,
        )
        return done.report.pk, done.receipt

    results, errors = run_together(6, send)
    assert errors == []
    assert len(set(results)) == 1
    assert HazardReport.objects.count() == 1 and HazardPhoto.objects.count() == 1
    assert HazardEvent.objects.count() == 1


def test_two_handlers_accepting_at_once_make_one_change():
    inst = InstitutionFactory()
    rid = submit(UserFactory(institution=inst), inst).report.pk
    officers = [OfficerFactory(institution=inst) for _ in range(2)]

    def accept(i):
        return services.report_accept(actor=officers[i % 2], report_id=rid, deadline=deadline()).state

    results, errors = run_together(4, accept)
    assert results.count(State.ACCEPTED) == 1
    assert len(errors) == 3 and all(isinstance(e, WrongState) for e in errors)
    assert HazardEvent.objects.filter(report_id=rid, to_state=State.ACCEPTED).count() == 1
