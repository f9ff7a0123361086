"""Adversarial review of issue 17 (hazard reports): sequences the first tests did not try."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import RequestFactory

from hazards import services
from hazards.exceptions import Invalid
from hazards.models import HazardReport, State

pytestmark = pytest.mark.django_db


def _report(user, inst, **kw):
    kw.setdefault("category", "fire")
    kw.setdefault("description", "灭火器过期")
    return services.report_create(reporter=user, institution=inst, **kw)


def test_admin_cannot_mark_an_institutions_report_duplicate_of_a_bureau_directed_one(
    inst_a, staff_a, officer_a, district_admin
):
    """The officer would see `duplicate_of` (an id) and the note '与报告 N 重复' of a report kept from them: that a
    report about their management went to the bureau is exactly what 直报 hides."""
    seen = _report(staff_a, inst_a).report
    hidden = _report(staff_a, inst_a, directed_to_bureau=True, anonymous=True).report
    with pytest.raises(Invalid):
        services.report_mark_duplicate(actor=district_admin, report_id=seen.pk, original_id=hidden.pk)
    seen.refresh_from_db()
    assert seen.state == State.PENDING and seen.duplicate_of_id is None
    assert not seen.events.filter(note__contains=str(hidden.pk)).exists()


def test_a_bureau_directed_report_may_be_a_duplicate_of_the_institutions_own(inst_a, staff_a, district_admin):
    seen = _report(staff_a, inst_a).report
    hidden = _report(staff_a, inst_a, directed_to_bureau=True).report
    services.report_mark_duplicate(actor=district_admin, report_id=hidden.pk, original_id=seen.pk)
    hidden.refresh_from_db()
    assert hidden.state == State.DUPLICATE and hidden.duplicate_of_id == seen.pk


def test_duplicate_of_a_report_in_another_institution_is_refused(inst_a, inst_b, staff_a, staff_b, district_admin):
    """A hazard is in one institution: a link across institutions shows the other's report id to the officer."""
    mine = _report(staff_a, inst_a).report
    theirs = _report(staff_b, inst_b).report
    with pytest.raises(Invalid):
        services.report_mark_duplicate(actor=district_admin, report_id=mine.pk, original_id=theirs.pk)


def test_same_client_uuid_with_other_content_is_refused_not_silently_dropped(inst_a, staff_a):
    """A second report sent with a used client_uuid (a form restored by the Back button, an edited queued draft) was
    answered '已提交' and thrown away: the reporter believes a hazard was reported that nobody will see."""
    sent = uuid.uuid4()
    first = _report(staff_a, inst_a, client_uuid=sent)
    again = _report(staff_a, inst_a, client_uuid=sent)  # an honest retry: the same content
    assert again.report.pk == first.report.pk and not again.created
    with pytest.raises(Invalid) as refused:
        _report(staff_a, inst_a, client_uuid=sent, description="配电箱门没有锁，旁边堆了纸箱")
    assert "client_uuid" in refused.value.errors
    assert HazardReport.objects.count() == 1


def test_anonymous_receipt_not_handed_out_for_other_content(inst_a, staff_a, staff_b):
    """Whoever learns a draft's client_uuid must not get its receipt code by sending something else with it."""
    sent = uuid.uuid4()
    first = _report(staff_a, inst_a, client_uuid=sent, anonymous=True)
    assert first.receipt
    with pytest.raises(Invalid):
        _report(staff_b, inst_a, client_uuid=sent, anonymous=True, description="随便写点什么")


@pytest.mark.parametrize(("name", "field"), [("follow", "receipt"), ("follow", "text"), ("report_new", "description")])
def test_receipt_and_report_text_kept_out_of_error_reports(name, field, staff_a):
    """A server error while following or submitting must not put the receipt code (or an anonymous report's text,
    next to the signed-in account) into Django's error report."""
    from hazards import views

    request = RequestFactory().post("/hazards/x/", {field: "X"})
    request.user = staff_a
    from django.views.debug import SafeExceptionReporterFilter

    try:
        getattr(views, name)(request)
    except Exception:
        pass
    hidden = SafeExceptionReporterFilter().get_post_parameters(request)
    assert hidden.get(field) != "X"


def test_officer_picks_the_original_from_a_list_not_a_16_digit_id(client_for, inst_a, staff_a, officer_a):
    """Ids are random numbers below 2**53 that the list never shows: a field asking for 原报告编号 could not be used.
    The detail page offers the reports the rule allows (same institution, not bureau-directed, not duplicates)."""
    first = _report(staff_a, inst_a, description="走廊堆放杂物").report
    second = _report(staff_a, inst_a, description="走廊又堆了杂物").report
    hidden = _report(staff_a, inst_a, directed_to_bureau=True).report
    page = client_for(officer_a).get(f"/admin/hazards/{second.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{first.pk}">' in html
    assert str(hidden.pk) not in html
    answer = client_for(officer_a).post(
        f"/admin/hazards/{second.pk}/", {"action": "duplicate", "original": str(first.pk)}
    )
    assert answer.status_code == 302
    second.refresh_from_db()
    assert second.state == State.DUPLICATE and second.duplicate_of_id == first.pk


def test_officer_is_told_the_next_step_above_the_fold(client_for, inst_a, staff_a, officer_a):
    """At 1366x768 the handling forms sit below the photos and the history: the top of the page says what to do."""
    report = _report(staff_a, inst_a).report
    html = client_for(officer_a).get(f"/admin/hazards/{report.pk}/").content.decode()
    assert "data-next-step" in html and "受理" in html.split("data-next-step", 1)[1][:200]
    assert 'href="#hazard-actions"' in html and 'id="hazard-actions"' in html


def test_receipt_and_follow_pages_do_not_show_the_signed_in_name(client_for, inst_a, staff_a):
    """The receipt page says 截图保存: a screenshot with the code and the header's '赵护士' links the two for anyone who
    sees it (a shared phone's gallery, a forwarded picture). Neither page shows the signed-in person's name."""
    staff_a.real_name = "赵护士"
    staff_a.save(update_fields=["real_name"])
    client = client_for(staff_a)
    answer = client.post(
        "/hazards/new/",
        {
            "client_uuid": str(uuid.uuid4()),
            "category": "fire",
            "institution": str(inst_a.pk),
            "description": "配电室门锁损坏",
            "judgement": "general",
            "anonymous": "on",
        },
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and "data-receipt-code" in html
    assert "赵护士" not in html
    code = re.search(r"data-receipt-code>([0-9A-Z-]{34})<", html).group(1)
    followed = client.post("/hazards/follow/", {"receipt": code}).content.decode()
    assert "配电室门锁损坏" in followed and "赵护士" not in followed
    assert "赵护士" in client.get("/hazards/new/").content.decode()  # elsewhere the header still names them


def test_form_brought_back_with_other_content_is_told_and_can_be_sent_again(client_for, inst_a, staff_a):
    """Without script (the Back button): the refusal is shown on the page, and the form gets a new client_uuid so
    that the next tap sends the edited report as a new one instead of being refused forever."""
    client = client_for(staff_a)
    sent = str(uuid.uuid4())
    data = {"client_uuid": sent, "category": "fire", "institution": str(inst_a.pk), "judgement": "general"}
    assert client.post("/hazards/new/", data | {"description": "楼梯间堆放纸箱"}).status_code == 302
    again = client.post("/hazards/new/", data | {"description": "配电箱未上锁"})
    html = again.content.decode()
    assert again.status_code == 200 and "这份表单已经提交过" in html
    fresh = re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', html).group(1)
    assert fresh != sent
    assert client.post("/hazards/new/", data | {"client_uuid": fresh, "description": "配电箱未上锁"}).status_code == 302
    assert HazardReport.objects.count() == 2
