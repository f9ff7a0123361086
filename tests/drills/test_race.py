"""Two scans of one person at the same moment give one attendance row (PostgreSQL: real concurrent transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from drills import checkin, services
from drills.models import Attendance
from tests.drills.factories import DrillFactory
from tests.factories import InstitutionFactory, UserFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_double_scan_gives_one_row():
    inst = InstitutionFactory(name="竞速卫生院")
    drill = DrillFactory(institution=inst)
    people = [UserFactory(institution=inst) for _ in range(4)]
    token = checkin.make_token(drill.pk, drill.checkin_secret)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def scan(user):
        try:
            barrier.wait(timeout=10)
            results.append(services.attendance_check_in_by_qr(user=user, token=token).created)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan, args=(person,)) for person in people for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sorted(results) == [False] * 4 + [True] * 4
    assert Attendance.objects.filter(drill=drill).count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_scan_racing_close_is_either_before_or_refused():
    inst = InstitutionFactory(name="竞速二卫生院")
    officer = UserFactory(institution=inst, role="officer")
    drill = DrillFactory(institution=inst)
    people = [UserFactory(institution=inst) for _ in range(6)]
    token = checkin.make_token(drill.pk, drill.checkin_secret)
    barrier = threading.Barrier(7)
    outcomes = []

    def scan(user):
        try:
            barrier.wait(timeout=10)
            services.attendance_check_in_by_qr(user=user, token=token)
            outcomes.append("in")
        except services.CheckinRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    def close():
        try:
            barrier.wait(timeout=10)
            services.drill_checkin_close(actor=officer, drill=drill)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan, args=(p,)) for p in people] + [threading.Thread(target=close)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    drill.refresh_from_db()
    assert drill.checkin_closed_at is not None
    # Every attendance row was written before the close committed (the row lock orders them).
    assert all(a.checked_in_at <= drill.checkin_closed_at for a in Attendance.objects.filter(drill=drill))
    assert outcomes.count("in") == Attendance.objects.filter(drill=drill).count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_double_click_records_one_drill():
    import datetime as dt
    import uuid

    from drills.models import Drill

    inst = InstitutionFactory(name="双击卫生院")
    officer = UserFactory(institution=inst, role="officer")
    key = uuid.uuid4()
    data = {
        "kind": "drill",
        "category": "fire",
        "title": "消防疏散演练",
        "date": dt.date(2026, 6, 10),
        "starts_at": dt.time(9, 0),
        "ends_at": dt.time(10, 0),
    }
    barrier = threading.Barrier(4)
    results, errors = [], []

    def save():
        try:
            barrier.wait(timeout=10)
            recorded = services.drill_record(actor=officer, institution_id=inst.pk, data=data, client_uuid=key)
            results.append((recorded.drill.pk, recorded.created))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len({pk for pk, _ in results}) == 1 and sorted(c for _, c in results) == [False, False, False, True]
    assert Drill.objects.count() == 1
