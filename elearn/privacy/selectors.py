"""Reads of the privacy capability: the access log a viewer may see, everything kept about one person, what retention
would remove now, and the people an officer may mark as having left."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elearn.org.models import User
from elearn.org.permissions import is_manager, managed_users
from elearn.privacy.models import AccessLog, Departure, RetentionSettings
from elearn.privacy.registry import PersonalTable, tables

# --- the access log -------------------------------------------------------------------------------------------------


def access_log_for(viewer) -> QuerySet[AccessLog]:
    """Entries `viewer` may read: every entry for the district admin; an officer, the entries about their own
    institution's data; nobody else any."""
    entries = AccessLog.objects.select_related("institution", "subject")
    if getattr(viewer, "is_district_admin", False):
        return entries
    if getattr(viewer, "is_safety_officer", False) and viewer.institution_id:
        return entries.filter(institution_id=viewer.institution_id)
    return entries.none()


@dataclass(frozen=True)
class LogFilters:
    action: str = ""
    institution_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""  # 工号 or name, as recorded
    subject: str = ""  # 工号 or name of the person concerned
    with_mobile: bool | None = None


def filter_log(entries: QuerySet[AccessLog], filters: LogFilters) -> QuerySet[AccessLog]:
    tz = timezone.get_current_timezone()
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.institution_id is not None:
        entries = entries.filter(institution_id=filters.institution_id)
    if filters.date_from:
        entries = entries.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz))
    if filters.date_to:
        entries = entries.filter(
            at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    if filters.actor:
        entries = entries.filter(actor_label__icontains=filters.actor)
    if filters.subject:
        entries = entries.filter(
            Q(subject__employee_no=filters.subject) | Q(subject__real_name__icontains=filters.subject)
        )
    if filters.with_mobile is not None:
        entries = entries.filter(with_mobile=filters.with_mobile)
    return entries


LOG_HEADER = [
    "时间",
    "操作人",
    "操作人角色",
    "操作",
    "内容",
    "涉及单位",
    "涉及人员",
    "涉及人数",
    "含手机号",
    "页面或接口",
]
ROLE_LABELS = dict(User.Role.choices)


def subject_label(entry: AccessLog) -> str:
    if entry.subject_id is None:
        return ""
    return f"{entry.subject.real_name}（{entry.subject.employee_no}）"


def log_rows(entries: QuerySet[AccessLog]):
    for entry in entries.iterator(chunk_size=2000):
        yield [
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_label,
            str(ROLE_LABELS.get(entry.actor_role, entry.actor_role)),
            entry.get_action_display(),
            entry.what,
            entry.institution.name if entry.institution_id else "",
            subject_label(entry),
            "" if entry.count is None else entry.count,
            "是" if entry.with_mobile else "",
            entry.route,
        ]


# --- a person's own data --------------------------------------------------------------------------------------------


def plain(value):
    """A value as JSON and a spreadsheet cell can carry it."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


@dataclass
class TableCopy:
    key: str
    label: str
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # the columns in words, for people (the page, the workbook)

    def __post_init__(self):
        if not self.headings:
            self.headings = list(self.columns)


PROFILE_FIELDS = (
    "employee_no",
    "real_name",
    "mobile",
    "institution__name",
    "department",
    "role",
    "is_active",
    "date_joined",
    "last_login",
)


def _table_copy(table: PersonalTable, user) -> TableCopy:
    rows = table.rows_of(user)
    if table.row is not None:
        built = [plain(table.row(obj)) for obj in rows.iterator(chunk_size=1000)]
        columns = list(built[0]) if built else list(table.labels)
    else:
        columns = list(table.fields)
        built = [{name: plain(value) for name, value in row.items()} for row in rows.values(*columns)]
    return TableCopy(table.key, str(table.label), columns, built, [table.label_of(c) for c in columns])


PROFILE_HEADINGS = [
    _("工号"),
    _("姓名"),
    _("手机号"),
    _("单位"),
    _("科室/岗位"),
    _("角色"),
    _("账号启用"),
    _("创建时间"),
    _("最近登录"),
]
ACCESS_ABOUT_COLUMNS = ["at", "action", "what", "by_role", "by_institution"]
# Headings in the reader's language: lazy here, made text when a copy is built (request time).
ACCESS_ABOUT_HEADINGS = [_("时间"), _("操作"), _("内容"), _("操作人角色"), _("操作人单位")]
ACCESS_BY_COLUMNS = ["at", "action", "what", "count", "institution", "with_mobile"]
ACCESS_BY_HEADINGS = [_("时间"), _("操作"), _("内容"), _("涉及人数"), _("涉及单位"), _("含手机号")]


def my_data(user) -> list[TableCopy]:
    """Everything kept about `user`, one table per kind of row, theirs only: their profile, every registered table
    (study, practice, exams, certificates, games, ...), the access-log entries about them (who looked, by role and
    institution: the other person's name is theirs, not this person's) and the entries of what they did themselves
    (without the people concerned)."""
    profile = User.objects.filter(pk=user.pk).values(*PROFILE_FIELDS).first() or {}
    if "role" in profile:
        profile["role"] = str(ROLE_LABELS.get(profile["role"], profile["role"]))
    copies = [
        TableCopy(
            "profile",
            str(_("个人信息")),
            list(PROFILE_FIELDS),
            [{k: plain(v) for k, v in profile.items()}],
            [str(h) for h in PROFILE_HEADINGS],
        )
    ]
    copies += [_table_copy(table, user) for table in tables() if table.in_copy]
    about = AccessLog.objects.filter(subject=user).select_related("actor__institution").order_by("at", "pk")
    copies.append(
        TableCopy(
            "access_about_me",
            str(_("关于我的访问记录")),
            ACCESS_ABOUT_COLUMNS,
            [
                {
                    "at": plain(e.at),
                    "action": e.get_action_display(),
                    "what": e.what,
                    "by_role": str(_("本人"))
                    if e.actor_id == user.pk
                    else str(ROLE_LABELS.get(e.actor_role, e.actor_role)),
                    # who acted: their institution (the entry's own institution is this person's, not theirs)
                    "by_institution": e.actor.institution.name if e.actor and e.actor.institution_id else "",
                }
                for e in about
            ],
            [str(h) for h in ACCESS_ABOUT_HEADINGS],
        )
    )
    by_me = (
        AccessLog.objects.filter(actor=user).exclude(subject=user).select_related("institution").order_by("at", "pk")
    )
    copies.append(
        TableCopy(
            "access_by_me",
            str(_("我的操作记录")),
            ACCESS_BY_COLUMNS,
            [
                {
                    "at": plain(e.at),
                    "action": e.get_action_display(),
                    "what": e.what,
                    "count": e.count,
                    "institution": e.institution.name if e.institution_id else "",
                    "with_mobile": e.with_mobile,
                }
                for e in by_me
            ],
            [str(h) for h in ACCESS_BY_HEADINGS],
        )
    )
    return copies


def my_data_document(user) -> dict:
    """The JSON copy: who, when, and every table."""
    return {
        "generated_at": plain(timezone.now()),
        "person": {"employee_no": user.employee_no, "real_name": user.real_name},
        "tables": [
            {"key": c.key, "label": c.label, "columns": c.columns, "headings": c.headings, "rows": c.rows}
            for c in my_data(user)
        ],
    }


# --- retention ------------------------------------------------------------------------------------------------------


@dataclass
class Expiry:
    kind: str
    key: str
    label: str
    cutoff: dt.datetime
    queryset: QuerySet
    note: str = ""

    @property
    def count(self) -> int:
        return self.queryset.count()


@dataclass
class RetentionPlan:
    now: dt.datetime
    expiries: list[Expiry]
    departures: list[Departure]
    access_log_cutoff: dt.datetime
    access_log_count: int


def retention_plan(now: dt.datetime | None = None, retention: RetentionSettings | None = None) -> RetentionPlan:
    """What has expired at `now`: rows of each registered table, people who left whose personal data is due to be
    anonymised, access-log entries. A read: retention_apply acts on it, `apply_retention --dry-run` prints it."""
    now = now or timezone.now()
    retention = retention or RetentionSettings.current()
    expiries = []
    for table in tables():
        if table.kind is None:
            continue
        cutoff = now - dt.timedelta(days=retention.days(table.kind))
        rows = table.model_class._default_manager.filter(**{f"{table.expires_by}__lt": cutoff}, **table.expire_filter)
        expiries.append(Expiry(table.kind, table.key, table.label, cutoff, rows, table.expire_note))
    left_before = timezone.localtime(now).date() - dt.timedelta(days=retention.left_days)
    # Only accounts still disabled: one switched back on in the account admin (came back, or marked by mistake) is a
    # colleague again, not someone who left (the departure takes effect if the account is disabled again).
    departures = list(
        Departure.objects.filter(anonymised_at__isnull=True, left_on__lte=left_before, user__is_active=False)
        .select_related("user", "user__institution")
        .order_by("left_on", "pk")
    )
    log_cutoff = now - dt.timedelta(days=retention.access_log_days)
    return RetentionPlan(
        now=now,
        expiries=expiries,
        departures=departures,
        access_log_cutoff=log_cutoff,
        access_log_count=AccessLog.objects.filter(at__lt=log_cutoff).count(),
    )


# --- departures -----------------------------------------------------------------------------------------------------


def departures_for(viewer) -> QuerySet[Departure]:
    if not is_manager(viewer):
        return Departure.objects.none()
    return (
        Departure.objects.filter(user__in=managed_users(viewer).values("pk"))
        .select_related("user", "user__institution")
        .order_by("-left_on", "-pk")
    )


def departure_candidates(viewer, query: str = "", limit: int = 50) -> QuerySet[User]:
    """Active people `viewer` may mark as having left, matching `query` (工号 exactly, or part of the name)."""
    people = managed_users(viewer).filter(is_active=True).exclude(pk=getattr(viewer, "pk", None))
    query = (query or "").strip()
    if not query:
        return people.none()
    return people.filter(Q(employee_no=query) | Q(real_name__icontains=query)).select_related("institution")[:limit]
