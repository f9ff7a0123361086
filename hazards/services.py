"""Every change of a hazard report: submitting (idempotent on the submission's client_uuid), the handling states
(each under select_for_update, allowed only from the right states and only for who may), questions and answers,
photos added later, rewards. Anonymous reporters act through their receipt code and leave no account or exact time.
"""

from __future__ import annotations

import datetime
import os
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from elearn.evidence import EvidenceRejected, clean_image
from elearn.org.models import Institution
from hazards import receipts
from hazards.exceptions import Invalid, NotAllowed, UnknownReceipt, WrongState
from hazards.models import (
    CLOSED_STATES,
    Category,
    HazardEvent,
    HazardMessage,
    HazardPhoto,
    HazardReport,
    Judgement,
    Reward,
    Severity,
    Stage,
    State,
    day_start,
)

MAX_PHOTOS_PER_UPLOAD = 6
MAX_PHOTOS_PER_REPORT = 24
MAX_TEXT = 2000


@dataclass(frozen=True)
class Submitted:
    report: HazardReport
    receipt: str  # the receipt code of an anonymous report ('' for a named one): show it once, never store it
    created: bool


# --- helpers ----------------------------------------------------------------------------------------------------------


def _text(value, *, field: str, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise Invalid(errors={field: [_("必填。")]})
    if len(text) > limit:
        raise Invalid(errors={field: [_("最多 %(n)d 个字。") % {"n": limit}]})
    return text


def clean_photos(photos, *, field: str = "photos") -> list:
    """Check and clean uploaded photos (EXIF, GPS and every other metadata dropped) before any row is written."""
    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS_PER_UPLOAD:
        raise Invalid(errors={field: [_("一次最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS_PER_UPLOAD}]})
    cleaned = []
    for photo in photos:
        try:
            cleaned.append(clean_image(photo))
        except EvidenceRejected as exc:
            raise Invalid(str(exc), errors={field: [str(exc)]}) from exc
    return cleaned


def _store_photos(report: HazardReport, cleaned: list, *, stage: str, anonymous_actor: bool) -> list[HazardPhoto]:
    if report.photos.count() + len(cleaned) > MAX_PHOTOS_PER_REPORT:
        raise Invalid(errors={"photos": [_("每条报告最多 %(n)d 张照片。") % {"n": MAX_PHOTOS_PER_REPORT}]})
    stored = []
    for clean in cleaned:
        photo = HazardPhoto(report=report, stage=stage, content_type=clean.content_type, added_on=timezone.localdate())
        photo.file.save(clean.content.name, clean.content, save=False)
        if anonymous_actor:  # the file's own time would say when the anonymous reporter sent it
            stamp = day_start().timestamp()
            os.utime(photo.file.path, (stamp, stamp))
        photo.save(force_insert=True)
        stored.append(photo)
    return stored


def _event(report, *, actor, role: str, action: str, before: str = "", note: str = "", at=None) -> HazardEvent:
    return HazardEvent.objects.create(
        report=report,
        actor=actor,
        role=role,
        action=action,
        at=at or timezone.now(),
        from_state=before,
        to_state=report.state if report.state != before else "",
        note=note,
    )


def handler_role(user) -> str:
    return _("区卫健局") if user.is_district_admin else _("单位安全员")


def _locked(report_id: int, actor) -> HazardReport:
    report = HazardReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None or not report.may_handle(actor):
        raise NotAllowed
    return report


def _require(report: HazardReport, *states) -> None:
    if report.state not in states:
        raise WrongState


# --- submitting ---------------------------------------------------------------------------------------------------------


def report_create(
    *,
    reporter,
    institution: Institution | int,
    category: str,
    description: str,
    location: str = "",
    place: str = "",
    judgement: str = Judgement.GENERAL,
    anonymous: bool = False,
    directed_to_bureau: bool = False,
    photos=(),
    client_uuid: uuid.UUID | str | None = None,
) -> Submitted:
    """A new report by a signed-in member of staff. Anonymous: the row keeps no account and only the day; the
    receipt code returned is the only way back. A repeated submission (same client_uuid) returns the first one."""
    if not getattr(reporter, "is_authenticated", False) or not reporter.is_active:
        raise NotAllowed(_("请先登录。"))
    errors = {}
    if category not in Category.values:
        errors["category"] = [_("请选择隐患类别。")]
    if judgement not in Judgement.values:
        errors["judgement"] = [_("请选择你的判断。")]
    inst_id = institution if isinstance(institution, int) else getattr(institution, "pk", None)
    if not inst_id or not Institution.objects.filter(pk=inst_id).exists():
        errors["institution"] = [_("请选择隐患所在单位。")]
    if errors:
        raise Invalid(errors=errors)
    description = _text(description, field="description", limit=MAX_TEXT, required=True)
    location = _text(location, field="location", limit=100)
    place = _text(place, field="place", limit=200)
    try:
        sent_uuid = uuid.UUID(str(client_uuid)) if client_uuid else uuid.uuid4()
    except ValueError as exc:
        raise Invalid(errors={"client_uuid": [_("提交标识无效。")]}) from exc
    stored_uuid = receipts.stored_client_uuid(sent_uuid)
    content = {
        "institution_id": inst_id,
        "category": category,
        "description": description,
        "location": location,
        "place": place,
        "judgement": judgement,
        "directed_to_bureau": bool(directed_to_bureau),
    }
    existing = _existing(stored_uuid, reporter=reporter, anonymous=anonymous, sent_uuid=sent_uuid, content=content)
    if existing:
        return existing
    cleaned = clean_photos(photos)
    receipt = receipts.receipt_for(sent_uuid) if anonymous else ""
    when = day_start() if anonymous else timezone.now()
    try:
        with transaction.atomic():
            report = HazardReport(
                institution_id=inst_id,
                category=category,
                description=description,
                location=location,
                place=place,
                judgement=judgement,
                anonymous=bool(anonymous),
                reporter=None if anonymous else reporter,
                directed_to_bureau=bool(directed_to_bureau),
                client_uuid=stored_uuid,
                receipt_hash=receipts.receipt_hash(receipt) if anonymous else None,
                created_at=when,
            )
            report.save(force_insert=True)
            _store_photos(report, cleaned, stage=Stage.REPORT, anonymous_actor=anonymous)
            _event(
                report,
                actor=None if anonymous else reporter,
                role=_("匿名上报人") if anonymous else _("上报人"),
                action="submitted",
                at=when,
            )
    except IntegrityError:
        existing = _existing(stored_uuid, reporter=reporter, anonymous=anonymous, sent_uuid=sent_uuid, content=content)
        if existing:
            return existing
        raise
    return Submitted(report=report, receipt=receipt, created=True)


def _existing(stored_uuid, *, reporter, anonymous: bool, sent_uuid, content: dict) -> Submitted | None:
    """The report a repeated submission already made; a used client_uuid with other content (a form brought back by
    the Back button, a queued draft edited after it arrived, someone else) is refused, never silently dropped."""
    report = HazardReport.objects.filter(client_uuid=stored_uuid).first()
    if report is None:
        return None
    same = all(getattr(report, name) == value for name, value in content.items())
    if report.anonymous != bool(anonymous) or (not anonymous and report.reporter_id != reporter.pk) or not same:
        used = _("这份表单已经提交过，改动的内容没有发送。请再点一次“提交”，作为新的报告发送。")
        raise Invalid(used, errors={"client_uuid": [used]})
    return Submitted(report=report, receipt=receipts.receipt_for(sent_uuid) if anonymous else "", created=False)


# --- the reporter, later --------------------------------------------------------------------------------------------


def _reporter_report(report_id: int | None, *, user=None, receipt: str = "") -> tuple[HazardReport, bool]:
    """The report its reporter acts on, locked: by receipt code (anonymous) or as its named reporter."""
    if receipt:
        digest = receipts.receipt_hash(receipt)
        report = HazardReport.objects.select_for_update().filter(receipt_hash=digest).first() if digest else None
        if report is None:
            raise UnknownReceipt
        return report, True
    report = HazardReport.objects.select_for_update().filter(pk=report_id, anonymous=False).first()
    if report is None or user is None or report.reporter_id != getattr(user, "pk", None):
        raise NotAllowed
    return report, False


def reporter_answer(*, text: str, report_id: int | None = None, user=None, receipt: str = "") -> HazardMessage:
    text = _text(text, field="text", limit=MAX_TEXT, required=True)
    with transaction.atomic():
        report, anonymous = _reporter_report(report_id, user=user, receipt=receipt)
        if report.is_closed:
            raise WrongState
        return HazardMessage.objects.create(
            report=report,
            direction=HazardMessage.Direction.ANSWER,
            author=None if anonymous else user,
            text=text,
            at=day_start() if anonymous else timezone.now(),
        )


def photos_add(*, photos, report_id: int | None = None, user=None, receipt: str = "") -> list[HazardPhoto]:
    cleaned = clean_photos(photos)
    if not cleaned:
        raise Invalid(errors={"photos": [_("请选择照片。")]})
    with transaction.atomic():
        report, anonymous = _reporter_report(report_id, user=user, receipt=receipt)
        if report.is_closed:
            raise WrongState
        stored = _store_photos(report, cleaned, stage=Stage.SUPPLEMENT, anonymous_actor=anonymous)
        _event(
            report,
            actor=None if anonymous else user,
            role=_("匿名上报人") if anonymous else _("上报人"),
            action="photos_added",
            before=report.state,
            note=_("补充照片 %(n)d 张") % {"n": len(stored)},
            at=day_start() if anonymous else None,
        )
        return stored


# --- handling -----------------------------------------------------------------------------------------------------------


def report_accept(
    *, actor, report_id: int, deadline: datetime.date | None, severity: str = Severity.GENERAL, note: str = ""
) -> HazardReport:
    note = _text(note, field="note", limit=MAX_TEXT)
    if deadline is None or deadline < timezone.localdate():
        raise Invalid(errors={"deadline": [_("请填写今天或以后的整改期限。")]})
    if severity not in Severity.values:
        raise Invalid(errors={"severity": [_("请选择隐患等级。")]})
    with transaction.atomic():
        report = _locked(report_id, actor)
        _require(report, State.PENDING)
        before = report.state
        report.state, report.handler, report.deadline, report.severity = State.ACCEPTED, actor, deadline, severity
        report.save(update_fields=["state", "handler", "deadline", "severity"])
        detail = _("整改期限 %(d)s；等级：%(s)s") % {"d": deadline.isoformat(), "s": report.get_severity_display()}
        _event(
            report,
            actor=actor,
            role=handler_role(actor),
            action="accepted",
            before=before,
            note=_("%(detail)s。%(note)s") % {"detail": detail, "note": note} if note else detail,
        )
        return report


def _simple(actor, report_id: int, *, from_states, to_state: str, action: str, note: str, **changes) -> HazardReport:
    with transaction.atomic():
        report = _locked(report_id, actor)
        _require(report, *from_states)
        before = report.state
        report.state = to_state
        for name, value in changes.items():
            setattr(report, name, value)
        report.save(update_fields=["state", *changes])
        _event(report, actor=actor, role=handler_role(actor), action=action, before=before, note=note)
        return report


def report_start_rectification(*, actor, report_id: int, note: str = "") -> HazardReport:
    note = _text(note, field="note", limit=MAX_TEXT)
    return _simple(
        actor, report_id, from_states=(State.ACCEPTED,), to_state=State.RECTIFYING, action="rectifying", note=note
    )


def report_rectified(*, actor, report_id: int, note: str, photos) -> HazardReport:
    note = _text(note, field="note", limit=MAX_TEXT, required=True)
    cleaned = clean_photos(photos)
    if not cleaned:
        raise Invalid(errors={"photos": [_("请上传整改后的照片。")]})
    with transaction.atomic():
        report = _locked(report_id, actor)
        _require(report, State.ACCEPTED, State.RECTIFYING)
        before = report.state
        report.state = State.RECTIFIED
        report.save(update_fields=["state"])
        _store_photos(report, cleaned, stage=Stage.RECTIFIED, anonymous_actor=False)
        _event(report, actor=actor, role=handler_role(actor), action="rectified", before=before, note=note)
        return report


def report_verify(*, actor, report_id: int, note: str = "", on_board: bool = True) -> HazardReport:
    note = _text(note, field="note", limit=MAX_TEXT)
    with transaction.atomic():
        report = _locked(report_id, actor)
        shown = bool(on_board) and not report.directed_to_bureau  # sent to the bureau: never on the district board
        return _simple(
            actor,
            report_id,
            from_states=(State.RECTIFIED,),
            to_state=State.VERIFIED,
            action="verified",
            note=note,
            on_board=shown,
        )


def report_reject(*, actor, report_id: int, reason: str) -> HazardReport:
    reason = _text(reason, field="reason", limit=MAX_TEXT, required=True)
    return _simple(
        actor,
        report_id,
        from_states=(State.PENDING, State.ACCEPTED),
        to_state=State.UNFOUNDED,
        action="unfounded",
        note=reason,
    )


def report_mark_duplicate(*, actor, report_id: int, original_id: int | None, note: str = "") -> HazardReport:
    note = _text(note, field="note", limit=MAX_TEXT)
    with transaction.atomic():
        report = _locked(report_id, actor)
        original = HazardReport.objects.filter(pk=original_id).first() if original_id else None
        # Same institution, and never a report kept from those who see this one (直报: the officer must not learn of it).
        if (
            original is None
            or original.pk == report.pk
            or not original.may_handle(actor)
            or original.institution_id != report.institution_id
            or (original.directed_to_bureau and not report.directed_to_bureau)
        ):
            raise Invalid(errors={"original": [_("请选择你能处理的另一条报告作为原报告（同一单位）。")]})
        if original.state == State.DUPLICATE:
            raise Invalid(errors={"original": [_("原报告本身是重复报告，请选择最初的那一条。")]})
        text = _("与报告 %(id)s 重复") % {"id": original.pk}
        return _simple(
            actor,
            report_id,
            from_states=(State.PENDING, State.ACCEPTED),
            to_state=State.DUPLICATE,
            action="duplicate",
            note=_("%(detail)s。%(note)s") % {"detail": text, "note": note} if note else text,
            duplicate_of=original,
        )


def message_ask(*, actor, report_id: int, text: str) -> HazardMessage:
    text = _text(text, field="text", limit=MAX_TEXT, required=True)
    with transaction.atomic():
        report = _locked(report_id, actor)
        if report.state in CLOSED_STATES:
            raise WrongState
        return HazardMessage.objects.create(
            report=report, direction=HazardMessage.Direction.QUESTION, author=actor, text=text, at=timezone.now()
        )


def reward_grant(*, actor, report_id: int, amount=None, kind: str = "", note: str = "") -> Reward:
    """The district admin marks a verified report for a reward (an amount, a kind, or both)."""
    if not getattr(actor, "is_district_admin", False):
        raise NotAllowed(_("只有区卫健局管理员可以设置奖励。"))
    kind = _text(kind, field="kind", limit=100)
    note = _text(note, field="note", limit=1000)
    value = None
    if amount not in (None, ""):
        try:
            value = Decimal(str(amount)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError) as exc:
            raise Invalid(errors={"amount": [_("请填写金额（元）。")]}) from exc
        if value <= 0 or value >= Decimal("100000000"):
            raise Invalid(errors={"amount": [_("请填写金额（元）。")]})
    if value is None and not kind:
        raise Invalid(errors={"amount": [_("请填写金额或奖励形式。")]})
    with transaction.atomic():
        report = _locked(report_id, actor)
        _require(report, State.VERIFIED)
        reward = Reward.objects.create(
            report=report, amount=value, kind=kind, note=note, granted_by=actor, granted_on=timezone.localdate()
        )
        shown = _("%(amount)s 元") % {"amount": value} if value is not None else ""
        _event(
            report,
            actor=actor,
            role=handler_role(actor),
            action="reward",
            before=report.state,
            note=pgettext("分隔", "；").join(x for x in (shown, kind, note) if x),
        )
        return reward
