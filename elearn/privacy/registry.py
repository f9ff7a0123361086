"""Which rows hold a person's data, how a person's copy shows them, and how each kind expires.

The kernel knows no app: each app describes its own tables in a module named in `settings.ELEARN_PERSONAL_DATA`
(courses.personal_data, quizzes.personal_data, leaderboard.personal_data), which calls `register()`. The accounts'
and this capability's own tables are described here. Models are named by label ("quizzes.Attempt") and loaded
through the app registry, the way the content kernel names page types in settings.

Each `PersonalTable`:
- `owner`: the lookup from a row to its person ("user", "attempt__user");
- `fields`: the columns a person's copy shows (lookups allowed), or `row` to build each row (a rule that hides what
  the person may not see yet, e.g. a score before the exam's review policy allows it);
- `kind` and `expires_by`: the retention kind (RetentionSettings) and the date the period counts from; a row expires
  when `expires_by` is before now minus the period (and `expire_filter` holds). Expiry deletes the row;
- `in_copy`: False for rows that expire with a person's data but are not theirs to see (an exam paper's frozen
  questions, which carry the answers);
- `anonymise`: what to do with the row when its person is anonymised after leaving: None (keep: it now belongs to an
  anonymous person and keeps counting in statistics), "delete", or a function of the queryset of that person's rows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PersonalTable:
    key: str
    label: str
    model: str
    owner: str
    fields: tuple[str, ...] = ()
    row: Callable[[Model], dict] | None = None
    order_by: tuple[str, ...] = ("pk",)
    related: tuple[str, ...] = ()  # select_related for `row`
    kind: str | None = None
    expires_by: str | None = None
    expire_filter: dict = field(default_factory=dict)
    expire_note: str = ""
    anonymise: str | Callable[[QuerySet], int] | None = None
    labels: dict = field(default_factory=dict)  # column -> heading in a person's copy (default: the field's name)
    in_copy: bool = True  # False: a table that only expires (e.g. an exam paper's frozen questions, not the person's)

    @property
    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def label_of(self, column: str) -> str:
        """The heading of a column: the table's own label, else the verbose name of the field the lookup ends at."""
        if column in self.labels:
            return str(self.labels[column])
        model, name = self.model_class, column
        for part in column.split("__"):
            try:
                found = model._meta.get_field("id" if part == "pk" else part)
            except Exception:
                return column
            name = str(getattr(found, "verbose_name", part))
            model = found.related_model or model
        return name

    def rows_of(self, user) -> QuerySet:
        rows = self.model_class._default_manager.filter(**{self.owner: user}).order_by(*self.order_by)
        return rows.select_related(*self.related) if self.related else rows


_TABLES: dict[str, PersonalTable] = {}
_loaded = False


def register(table: PersonalTable) -> None:
    if table.kind is not None and not table.expires_by:
        raise ValueError(f"{table.key}: a table with a retention kind needs expires_by")
    _TABLES[table.key] = table


def tables() -> list[PersonalTable]:
    """Every registered table, the kernel's first, then the apps' in the order settings name them."""
    global _loaded
    if not _loaded:
        _loaded = True
        _register_kernel()
        for module in getattr(settings, "ELEARN_PERSONAL_DATA", []):
            importlib.import_module(module)
    return list(_TABLES.values())


def _register_kernel() -> None:
    register(
        PersonalTable(
            key="notice",
            label=_("告知确认记录"),
            model="privacy.NoticeAcknowledgement",
            owner="user",
            fields=("version", "acknowledged_at"),
            order_by=("acknowledged_at",),
            anonymise="delete",
        )
    )
    register(
        PersonalTable(
            key="departure",
            label=_("离职登记"),
            model="privacy.Departure",
            owner="user",
            fields=("left_on", "recorded_at", "anonymised_at"),
        )
    )
