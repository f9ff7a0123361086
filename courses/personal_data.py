"""The study rows kept about a person, for elearn.privacy (named in settings.ELEARN_PERSONAL_DATA): what their copy
shows and how each kind expires. What a lesson was read for, and when, is the training record (kept while the person
is employed, anonymised with them after they leave); the 30-second reading records behind it expire."""

from django.utils.translation import gettext_lazy as _

from elearn.privacy.registry import PersonalTable, register

register(
    PersonalTable(
        key="lesson_progress",
        labels={"course__title": _("模块"), "lesson__title": _("课时")},
        label=_("课时学习进度"),
        model="courses.LessonProgress",
        owner="user",
        fields=("course__title", "lesson__title", "first_opened_at", "last_seen_at", "active_seconds", "completed_at"),
        order_by=("first_opened_at", "pk"),
    )
)
register(
    PersonalTable(
        key="lesson_heartbeats",
        labels={"progress__lesson__title": _("课时")},
        label=_("阅读计时明细"),
        model="courses.LessonHeartbeat",
        owner="progress__user",
        fields=("progress__lesson__title", "session", "seq", "credited_seconds", "received_at"),
        order_by=("received_at", "pk"),
        kind="study",
        expires_by="received_at",
        expire_note=_("每 30 秒一条的阅读记录；课时的学习时长与完成情况保留"),
    )
)
register(
    PersonalTable(
        key="course_completions",
        labels={"course__title": _("模块")},
        label=_("模块完成徽章"),
        model="courses.CourseCompletion",
        owner="user",
        fields=("course__title", "completed_at"),
        order_by=("completed_at", "pk"),
    )
)
