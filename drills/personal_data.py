"""The rows the drills app keeps about a person, for elearn.privacy (named in settings.ELEARN_PERSONAL_DATA).

Attendance at a drill or training is part of a person's training record (like an exam's result): it appears in the
person's copy, does not expire, and stays when a person who left is anonymised (it then counts for an anonymous
person, so each institution's drill figures stay what they were). Who recorded a drill or uploaded a photo is a
work record of the institution (set to empty if the account is deleted), not the person's own data.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from elearn.privacy.registry import PersonalTable, register

register(
    PersonalTable(
        key="drill_attendance",
        labels={
            "drill__title": _("演练与培训"),
            "drill__kind": _("类型"),
            "drill__category": _("类别"),
            "drill__institution__name": _("单位"),
            "drill__date": _("日期"),
            "method": _("签到方式"),
            "checked_in_at": _("签到时间"),
        },
        label=_("参加的演练与培训"),
        model="drills.Attendance",
        owner="user",
        fields=(
            "drill__title",
            "drill__kind",
            "drill__category",
            "drill__institution__name",
            "drill__date",
            "method",
            "checked_in_at",
        ),
        order_by=("checked_in_at", "pk"),
    )
)
