"""Changes of the privacy capability. Keyword-only, atomic; refusals raise errors from exceptions.py.

- `access_record`: the one writer of the access log (the middleware records entry points' notes through it);
- `mobile_reveal`: one person's full mobile number for a manager who may see them, recorded first;
- `notice_acknowledge`: a person confirms the current notice;
- `person_mark_left` / `person_return`: 离职 (account disabled at once, sessions ended) and its undoing;
- `person_anonymise`: a person who left, once the period has passed: identity fields replaced, rows kept;
- `retention_apply`: delete what has expired and anonymise who is due (the daily job and the command call it).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn.org.disclosure import Disclosure
from elearn.org.models import Institution, User
from elearn.org.permissions import can_manage_user, is_manager
from elearn.org.services import institution_refresh_headcount
from elearn.privacy.exceptions import DepartureRefused, NotAllowed, NothingToReveal, StaleNotice
from elearn.privacy.models import AccessLog, Departure, NoticeAcknowledgement
from elearn.privacy.notice import current_version
from elearn.privacy.registry import tables
from elearn.privacy.selectors import RetentionPlan, retention_plan

logger = logging.getLogger("elearn.privacy")

DELETE_BATCH = 2000

# --- the access log -------------------------------------------------------------------------------------------------


def actor_label(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return _("（未登录）")
    return f"{user.real_name}（{user.employee_no}）"


def access_record(
    *,
    actor,
    action: str,
    what: str,
    route: str = "",
    subject=None,
    subject_id: int | None = None,
    count: int | None = None,
    institution_id: int | None = None,
    with_mobile: bool = False,
    detail: dict | None = None,
) -> AccessLog:
    """Append one entry. The institution is the subject's when none is given (officers read their institution's)."""
    if subject is not None:
        subject_id = subject.pk
        if institution_id is None:
            institution_id = subject.institution_id
    elif subject_id is not None and institution_id is None:
        institution_id = User.objects.filter(pk=subject_id).values_list("institution_id", flat=True).first()
    if subject_id is not None and count is None:
        count = 1
    if institution_id is not None and not Institution.objects.filter(pk=institution_id).exists():
        institution_id = None  # a filter naming no institution (the district admin may ask for any id)
    authenticated = getattr(actor, "is_authenticated", False)
    return AccessLog.objects.create(
        actor=actor if authenticated else None,
        actor_label=actor_label(actor)[:100],
        actor_role=getattr(actor, "role", "") if authenticated else "",
        action=action,
        what=str(what)[:200],
        route=str(route)[:200],
        institution_id=institution_id,
        subject_id=subject_id,
        count=count,
        with_mobile=with_mobile,
        detail=detail or {},
    )


def disclosures_record(*, actor, route: str, notes: list[Disclosure]) -> list[AccessLog]:
    """The notes an entry point left on a request that succeeded (elearn.org.disclosure), one entry each."""
    # A safety officer only ever sees their own institution's data: a note naming none is about theirs.
    own = actor.institution_id if getattr(actor, "is_safety_officer", False) else None
    with transaction.atomic():
        return [
            access_record(
                actor=actor,
                action=note.action,
                what=note.what,
                route=route,
                subject_id=note.subject_id,
                count=note.count,
                institution_id=note.institution_id if note.institution_id is not None else own,
                with_mobile=note.with_mobile,
                detail=note.detail,
            )
            for note in notes
        ]


def mobile_reveal(*, actor, person: User, context: str = "", route: str = "") -> str:
    """The full mobile number of `person` for `actor` (a manager who looks after them), recorded before it is
    returned. `context`: where the number is needed ("未参考名单：<exam>")."""
    if not is_manager(actor) or not can_manage_user(actor, person):
        raise NotAllowed
    if not person.mobile:
        raise NothingToReveal
    with transaction.atomic():
        access_record(
            actor=actor,
            action=AccessLog.Action.REVEAL,
            what=(context or _("显示手机号"))[:200],
            route=route,
            subject=person,
            with_mobile=True,
        )
    return person.mobile


# --- the notice -----------------------------------------------------------------------------------------------------


def notice_acknowledge(*, user: User, version: str) -> NoticeAcknowledgement:
    """Record that `user` read notice `version`; refused (StaleNotice) if it is not the current one."""
    if version != current_version():
        raise StaleNotice
    with transaction.atomic():
        ack, _created = NoticeAcknowledgement.objects.get_or_create(user=user, version=version)
    return ack


def notice_acknowledged(*, user, version: str | None = None) -> bool:
    version = version or current_version()
    return NoticeAcknowledgement.objects.filter(user=user, version=version).exists()


# --- leaving (离职) -------------------------------------------------------------------------------------------------


def _end_sessions(user: User) -> int:
    """Delete the stored sessions of `user` (database-backed session engines; with any engine the account being
    inactive already refuses them on the next request)."""
    engine = importlib.import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    model = store.get_model_class()
    ended = []
    for session_key, data in model.objects.filter(expire_date__gt=timezone.now()).values_list(
        "session_key", "session_data"
    ):
        if str(store().decode(data).get("_auth_user_id")) == str(user.pk):
            ended.append(session_key)
    if ended:
        model.objects.filter(session_key__in=ended).delete()
    return len(ended)


def person_mark_left(*, actor, person: User, left_on: dt.date, route: str = "") -> Departure:
    """`person` has left: their account is disabled and their sessions ended now; their personal data is anonymised
    when the retention period for people who left has passed since `left_on` (retention_apply)."""
    if not is_manager(actor) or not can_manage_user(actor, person):
        raise NotAllowed
    if person.pk == actor.pk:
        raise DepartureRefused(_("不能把自己标记为离职。"))
    if left_on > timezone.localdate():
        raise DepartureRefused(_("离职日期不能晚于今天（%(today)s）。") % {"today": timezone.localdate().isoformat()})
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        if Departure.objects.filter(user=person).exists():
            raise DepartureRefused(_("此人已登记离职。"))
        departure = Departure.objects.create(user=person, left_on=left_on, recorded_by=actor)
        person.is_active = False
        person.save(update_fields=["is_active"])
        _end_sessions(person)
        if person.institution_id:
            institution_refresh_headcount(institution_ids=[person.institution_id])
        access_record(
            actor=actor,
            action=AccessLog.Action.MARK_LEFT,
            what=_("标记离职（离职日期 %(date)s）") % {"date": left_on.isoformat()},
            route=route,
            subject=person,
        )
    return departure


def person_return(*, actor, person: User, route: str = "") -> None:
    """Undo a departure recorded by mistake: the account is active again (not once anonymised)."""
    if not is_manager(actor) or not can_manage_user(actor, person):
        raise NotAllowed
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        departure = Departure.objects.filter(user=person).first()
        if departure is None:
            raise DepartureRefused(_("此人没有离职登记。"))
        if departure.anonymised_at is not None:
            raise DepartureRefused(_("此人的信息已匿名化，不能撤销离职。"))
        departure.delete()
        person.is_active = True
        person.save(update_fields=["is_active"])
        if person.institution_id:
            institution_refresh_headcount(institution_ids=[person.institution_id])
        access_record(actor=actor, action=AccessLog.Action.UNDO_LEFT, what=_("撤销离职"), route=route, subject=person)


ANONYMOUS_NAME = "已匿名"


def anonymous_employee_no(pk: int) -> str:
    return f"匿名-{pk}"


def person_anonymise(*, person: User, now: dt.datetime | None = None) -> None:
    """Replace what identifies `person` (name, 工号, mobile, email, department, password, last login) and apply each
    registered table's rule (delete copies of the name such as certificates, rename game nicknames). Their rows stay
    and keep their institution and role, so every count and average computed from them is what it was."""
    now = now or timezone.now()
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        person.real_name = f"{ANONYMOUS_NAME}#{person.pk}"
        person.employee_no = anonymous_employee_no(person.pk)
        person.mobile = ""
        person.email = ""
        person.department = ""
        person.is_active = False
        person.is_demo = False
        person.must_change_password = False
        person.last_login = None
        person.set_unusable_password()
        person.save()
        for table in tables():
            if table.anonymise is None:
                continue
            rows = table.rows_of(person)
            if table.anonymise == "delete":
                rows.delete()
            else:
                table.anonymise(rows)
        _anonymise_admin_history(person)
        Departure.objects.filter(user=person).update(anonymised_at=now)


def _anonymise_admin_history(person: User) -> None:
    """Wagtail's history of changes to the account (its log entries keep the account's name as it was)."""
    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk)).update(
        label=str(person)
    )


# --- retention ------------------------------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    plan: RetentionPlan
    dry_run: bool
    removed: dict[str, int] = field(default_factory=dict)  # table key -> rows
    anonymised: list[int] = field(default_factory=list)  # user ids
    access_log_removed: int = 0


def _delete_in_batches(queryset) -> int:
    """Delete the rows of `queryset` a batch at a time (each with its cascades), so a years-long backlog never holds
    one huge transaction."""
    model = queryset.model
    removed = 0
    while True:
        pks = list(queryset.values_list("pk", flat=True)[:DELETE_BATCH])
        if not pks:
            return removed
        with transaction.atomic():
            model._default_manager.filter(pk__in=pks).delete()
        removed += len(pks)


def retention_apply(*, now: dt.datetime | None = None, dry_run: bool = False) -> RetentionResult:
    """Delete every expired row, anonymise everyone whose period after leaving has passed, purge expired access-log
    entries. `dry_run`: count only (the plan), change nothing."""
    plan = retention_plan(now)
    result = RetentionResult(plan=plan, dry_run=dry_run)
    if dry_run:
        result.removed = {expiry.key: expiry.count for expiry in plan.expiries}
        result.anonymised = [d.user_id for d in plan.departures]
        result.access_log_removed = plan.access_log_count
        return result
    for expiry in plan.expiries:
        result.removed[expiry.key] = _delete_in_batches(expiry.queryset)
    for departure in plan.departures:
        person_anonymise(person=departure.user, now=plan.now)
        result.anonymised.append(departure.user_id)
    result.access_log_removed = AccessLog.objects.purge_before(plan.access_log_cutoff)
    logger.info(
        "retention: removed %s, anonymised %d people, %d access-log entries",
        result.removed,
        len(result.anonymised),
        result.access_log_removed,
    )
    return result
