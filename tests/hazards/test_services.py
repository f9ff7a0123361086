"""The hazards services: submitting (idempotent), the state machine and who may move it, messages, rewards."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from PIL import Image

from hazards import receipts, selectors, services
from hazards.exceptions import Invalid, NotAllowed, UnknownReceipt, WrongState
from hazards.models import AppendOnly, HazardEvent, HazardPhoto, HazardReport, Judgement, Severity, Stage, State
from tests.hazards.factories import deadline, gps_jpeg, submit, to_verified

pytestmark = pytest.mark.django_db


def test_named_report_keeps_reporter_and_clean_photo(staff_a, inst_a):
    done = submit(staff_a, inst_a)
    report = done.report
    assert done.created and done.receipt == ""
    assert report.reporter == staff_a and not report.anonymous and report.state == State.PENDING
    photo = report.photos.get()
    with Image.open(photo.file.path) as img:
        assert not img.getexif(), "EXIF (GPS, camera) must be stripped"
    assert b"HazardCam" not in open(photo.file.path, "rb").read()
    assert report.events.get().actor == staff_a


def test_anonymous_report_keeps_no_account_and_only_the_day(staff_a, inst_a):
    done = submit(staff_a, inst_a, anonymous=True)
    report = HazardReport.objects.get(pk=done.report.pk)
    assert report.reporter_id is None and report.anonymous
    local = timezone.localtime(report.created_at)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    event = report.events.get()
    assert event.actor_id is None and timezone.localtime(event.at).hour == 0
    assert receipts.normalise(done.receipt) and len(receipts.normalise(done.receipt)) * 5 >= 128
    assert report.receipt_hash == receipts.receipt_hash(done.receipt) and done.receipt not in report.receipt_hash
    assert selectors.find_by_receipt(done.receipt.lower().replace("-", " ")) == report
    assert not selectors.my_reports(staff_a).exists()


def test_receipts_differ_and_are_not_derivable_from_the_row(staff_a, inst_a):
    a = submit(staff_a, inst_a, anonymous=True)
    b = submit(staff_a, inst_a, anonymous=True)
    assert a.receipt != b.receipt
    row = HazardReport.objects.get(pk=a.report.pk)
    # the stored client_uuid is a hash: the code cannot be recomputed from it
    assert receipts.receipt_for(row.client_uuid) != a.receipt


def test_resubmission_with_same_client_uuid_is_one_report(staff_a, inst_a):
    key = uuid.uuid4()
    first = submit(staff_a, inst_a, anonymous=True, client_uuid=key)
    again = submit(staff_a, inst_a, anonymous=True, client_uuid=key)
    assert not again.created and again.report.pk == first.report.pk and again.receipt == first.receipt
    assert HazardReport.objects.count() == 1 and HazardPhoto.objects.count() == 1


def test_client_uuid_of_someone_else_is_refused(staff_a, inst_a):
    from tests.factories import UserFactory

    key = uuid.uuid4()
    submit(staff_a, inst_a, client_uuid=key)
    with pytest.raises(Invalid):
        submit(UserFactory(institution=inst_a), inst_a, client_uuid=key)


def test_bad_input_refused(staff_a, inst_a):
    with pytest.raises(Invalid) as exc:
        services.report_create(reporter=staff_a, institution=inst_a, category="nope", description="x")
    assert "category" in exc.value.errors
    with pytest.raises(Invalid):
        services.report_create(reporter=staff_a, institution=inst_a, category="fire", description="x" * 2001)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(Invalid) as exc:
        services.report_create(
            reporter=staff_a,
            institution=inst_a,
            category="fire",
            description="x",
            photos=[SimpleUploadedFile("a.jpg", b"MZ not an image", "image/jpeg")],
        )
    assert "photos" in exc.value.errors
    assert not HazardReport.objects.exists()


def test_full_workflow_and_history(staff_a, inst_a, officer_a):
    rid = submit(staff_a, inst_a).report.pk
    report = to_verified(rid, officer_a)
    assert report.state == State.VERIFIED and report.on_board
    states = list(HazardEvent.objects.filter(report_id=rid).order_by("at").values_list("to_state", flat=True))
    assert states == ["pending", "accepted", "rectifying", "rectified", "verified"]
    assert HazardPhoto.objects.filter(report_id=rid, stage=Stage.RECTIFIED).count() == 1


def test_transitions_only_from_the_right_states(staff_a, inst_a, officer_a):
    rid = submit(staff_a, inst_a).report.pk
    with pytest.raises(WrongState):
        services.report_verify(actor=officer_a, report_id=rid)
    with pytest.raises(WrongState):
        services.report_start_rectification(actor=officer_a, report_id=rid)
    with pytest.raises(Invalid):
        services.report_accept(actor=officer_a, report_id=rid, deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(Invalid):
        services.report_rectified(actor=officer_a, report_id=rid, note="", photos=[])
    services.report_reject(actor=officer_a, report_id=rid, reason="现场核查无此情况")
    with pytest.raises(WrongState):
        services.report_accept(actor=officer_a, report_id=rid, deadline=deadline())


def test_who_may_handle(staff_a, inst_a, officer_a, officer_b, district_admin):
    own = submit(staff_a, inst_a).report.pk
    bureau = submit(staff_a, inst_a, bureau=True, anonymous=True).report.pk
    for actor in (officer_b, staff_a):
        with pytest.raises(NotAllowed):
            services.report_accept(actor=actor, report_id=own, deadline=deadline())
    with pytest.raises(NotAllowed):
        services.report_accept(actor=officer_a, report_id=bureau, deadline=deadline())
    assert set(HazardReport.objects.handled_by(officer_a).values_list("pk", flat=True)) == {own}
    assert set(HazardReport.objects.handled_by(district_admin).values_list("pk", flat=True)) == {own, bureau}
    services.report_accept(actor=district_admin, report_id=bureau, deadline=deadline())


def test_duplicate_links_the_original(staff_a, inst_a, officer_a, district_admin):
    first = submit(staff_a, inst_a).report.pk
    second = submit(staff_a, inst_a).report.pk
    bureau = submit(staff_a, inst_a, bureau=True).report.pk
    with pytest.raises(Invalid):
        services.report_mark_duplicate(actor=officer_a, report_id=second, original_id=second)
    with pytest.raises(Invalid):  # a report the officer may not see is no original for them
        services.report_mark_duplicate(actor=officer_a, report_id=second, original_id=bureau)
    report = services.report_mark_duplicate(actor=officer_a, report_id=second, original_id=first)
    assert report.state == State.DUPLICATE and report.duplicate_of_id == first


def test_messages_by_receipt_and_named(staff_a, inst_a, officer_a):
    anon = submit(staff_a, inst_a, anonymous=True)
    named = submit(staff_a, inst_a)
    services.message_ask(actor=officer_a, report_id=anon.report.pk, text="具体在几楼？")
    answer = services.reporter_answer(text="三楼", receipt=anon.receipt)
    assert answer.author_id is None and timezone.localtime(answer.at).hour == 0
    with pytest.raises(UnknownReceipt):
        services.reporter_answer(text="x", receipt="0000-0000-0000-0000-0000-0000-0000")
    services.reporter_answer(text="在东侧", report_id=named.report.pk, user=staff_a)
    with pytest.raises(NotAllowed):
        services.reporter_answer(text="x", report_id=named.report.pk, user=officer_a)
    with pytest.raises(NotAllowed):  # an anonymous report cannot be reached by id, only by receipt
        services.reporter_answer(text="x", report_id=anon.report.pk, user=staff_a)
    added = services.photos_add(photos=[gps_jpeg()], receipt=anon.receipt)
    assert added[0].stage == Stage.SUPPLEMENT


def test_reward_only_by_district_admin_on_verified(staff_a, inst_a, officer_a, district_admin):
    rid = submit(staff_a, inst_a, anonymous=True).report.pk
    with pytest.raises(WrongState):
        services.reward_grant(actor=district_admin, report_id=rid, amount="200")
    to_verified(rid, officer_a)
    with pytest.raises(NotAllowed):
        services.reward_grant(actor=officer_a, report_id=rid, amount="200")
    with pytest.raises(Invalid):
        services.reward_grant(actor=district_admin, report_id=rid)
    reward = services.reward_grant(actor=district_admin, report_id=rid, amount="200", kind="通报表扬")
    assert str(reward.amount) == "200.00"


def test_events_are_append_only(staff_a, inst_a):
    event = submit(staff_a, inst_a).report.events.get()
    event.note = "changed"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()


def test_overdue_and_major(staff_a, inst_a, officer_a, district_admin):
    late = submit(staff_a, inst_a).report.pk
    services.report_accept(actor=officer_a, report_id=late, deadline=deadline(1), severity=Severity.MAJOR)
    HazardReport.objects.filter(pk=late).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    maybe = submit(staff_a, inst_a, judgement=Judgement.MAYBE_MAJOR).report.pk
    assert set(HazardReport.objects.overdue().values_list("pk", flat=True)) == {late}
    assert {r.pk for r in selectors.major_open(district_admin)} == {late, maybe}
    assert not selectors.major_open(officer_a).exists()


def test_counts_for_the_scorecard(staff_a, inst_a, inst_b, officer_a):
    from tests.factories import UserFactory

    today = timezone.localdate()
    done = submit(staff_a, inst_a).report.pk
    to_verified(done, officer_a)
    submit(staff_a, inst_a, judgement=Judgement.MAYBE_MAJOR, category="electric")
    submit(staff_a, inst_a, bureau=True)
    submit(UserFactory(institution=inst_b), inst_b, anonymous=True)
    counts = selectors.counts_by_institution(today, today)
    assert counts[inst_a.pk] == selectors.HazardCounts(reported=2, rectified=1, overdue=0, major=1)
    assert counts[inst_b.pk].reported == 1
    assert selectors.counts_by_institution(today, today, include_bureau=True)[inst_a.pk].reported == 3
    assert selectors.counts_by_institution(today - dt.timedelta(days=9), today - dt.timedelta(days=1)) == {}
    by_cat = selectors.counts_by_category(today, today)
    assert by_cat["fire"] == 2 and by_cat["electric"] == 1 and by_cat["gas"] == 0
