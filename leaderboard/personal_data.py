"""Report exports a person asked for, for elearn.privacy (named in settings.ELEARN_PERSONAL_DATA): the files hold
other people's data, so they expire after a few days and go when their requester is anonymised. A person's copy
lists their exports, never the files' contents."""

from django.utils.translation import gettext_lazy as _

from elearn.privacy.registry import PersonalTable, register

register(
    PersonalTable(
        key="report_exports",
        label=_("我申请的报表导出"),
        model="leaderboard.ReportExport",
        owner="requested_by",
        fields=("created_at", "format", "sheet", "status", "filename", "size"),
        order_by=("created_at",),
        kind="exports",
        expires_by="created_at",
        expire_note=_("导出文件含他人信息"),
        anonymise="delete",
    )
)
