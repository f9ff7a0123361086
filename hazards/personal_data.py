"""The rows the hazards app keeps about a person, for elearn.privacy (named in settings.ELEARN_PERSONAL_DATA).

A named hazard report belongs to its reporter's copy (with their answers to the handler's questions). An anonymous
report is linked to nobody: it never appears in anyone's copy, and nothing here could find it. When a person who left
is anonymised, their named reports, answers and the history entries they made stay (the institution's safety record)
but lose the link to the account.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from elearn.privacy.registry import PersonalTable, register


def _unlink(field: str):
    def unlink(rows) -> int:
        return rows.update(**{field: None})

    return unlink


register(
    PersonalTable(
        key="hazard_reports",
        label=_("我上报的隐患（实名）"),
        model="hazards.HazardReport",
        owner="reporter",
        fields=(
            "created_at",
            "institution__name",
            "category",
            "location",
            "place",
            "description",
            "judgement",
            "directed_to_bureau",
            "state",
            "deadline",
        ),
        labels={"institution__name": _("所在单位")},
        order_by=("created_at", "pk"),
        anonymise=_unlink("reporter"),
    )
)
register(
    PersonalTable(
        key="hazard_answers",
        label=_("我对隐患处理人的答复（实名）"),
        model="hazards.HazardMessage",
        owner="author",
        fields=("at", "direction", "text"),
        order_by=("at", "pk"),
        anonymise=_unlink("author"),
    )
)
register(
    PersonalTable(
        key="hazard_events",
        label=_("我在隐患处理记录中的操作"),
        model="hazards.HazardEvent",
        owner="actor",
        fields=("at", "role", "action", "from_state", "to_state", "note"),
        order_by=("at", "pk"),
        anonymise=_unlink("actor"),
    )
)
