"""Reads of campaign tasks: a person's tasks with their state, the officer's review queue, who has not submitted,
and each institution's completion (for the scorecard: `completion_by_institution`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campaign.tasks.models import Campaign, CampaignTask, TaskSubmission
from elearn.org.models import Institution, User
from elearn.org.permissions import can_manage_institution, managed_institutions, managed_users, scope_queryset

NOT_STARTED = "not_started"
STATE_LABELS = {
    NOT_STARTED: _("未开始"),
    TaskSubmission.State.SUBMITTED: _("已提交"),
    TaskSubmission.State.RETURNED: _("已退回"),
    TaskSubmission.State.APPROVED: _("已通过"),
}


@dataclass(frozen=True)
class MyTask:
    task: CampaignTask
    submission: TaskSubmission | None

    @property
    def state(self) -> str:
        return self.submission.state if self.submission else NOT_STARTED

    @property
    def done(self) -> bool:
        return bool(self.submission and self.submission.is_done)

    @property
    def label(self):
        return STATE_LABELS[self.state]


def current_campaign() -> Campaign | None:
    return Campaign.objects.current()


def my_submission(task: CampaignTask, user) -> TaskSubmission | None:
    rows = TaskSubmission.objects.filter(task=task).prefetch_related("photos", "files")
    if task.per_institution:
        return rows.filter(per_institution=True, institution_id=user.institution_id).first()
    return rows.filter(per_institution=False, user=user).first()


def my_tasks(user, campaign: Campaign | None = None) -> list[MyTask]:
    """The tasks of the current (or given) campaign that `user` is to do, each with its submission (or None). For a
    per-institution task the submission is the institution's (whichever officer handed it in)."""
    campaign = campaign or current_campaign()
    if campaign is None or not getattr(user, "is_authenticated", False):
        return []
    tasks = CampaignTask.objects.filter(campaign=campaign).order_by("order", "pk").for_user(user)
    if not tasks:
        return []
    rows = TaskSubmission.objects.filter(task__in=tasks).filter(
        Q(per_institution=False, user=user) | Q(per_institution=True, institution_id=user.institution_id)
    )
    by_task = {row.task_id: row for row in rows}
    return [MyTask(task, by_task.get(task.pk)) for task in tasks]


def task_for_user(user, task_id) -> CampaignTask | None:
    """A task `user` is to do (any campaign), else None."""
    if not str(task_id).isdigit():
        return None
    task = CampaignTask.objects.prefetch_related("items", "institutions").filter(pk=int(task_id)).first()
    return task if task is not None and task.is_for(user) else None


# --- review ------------------------------------------------------------------------------------------------------------


def review_queue(viewer, *, task_id=None, institution_id=None, state=None, campaign=None) -> QuerySet:
    """Submissions `viewer` may review (their institution's; every one for the district admin), newest first."""
    rows = scope_queryset(TaskSubmission.objects.all(), viewer).select_related("task", "user", "institution")
    if campaign is not None:
        rows = rows.filter(task__campaign=campaign)
    if task_id:
        rows = rows.filter(task_id=task_id)
    if institution_id:
        rows = rows.filter(institution_id=institution_id)
    if state in TaskSubmission.State.values:
        rows = rows.filter(state=state)
    return rows.annotate(photo_count=Count("photos", distinct=True)).order_by("-submitted_at", "-pk")


def submission_for_viewer(viewer, submission_id) -> TaskSubmission | None:
    """A submission `viewer` may see: their own (or their institution's, for a per-institution task they may do),
    or one of an institution they manage."""
    if not str(submission_id).isdigit():
        return None
    submission = (
        TaskSubmission.objects.select_related("task", "user", "institution", "reviewed_by")
        .prefetch_related("photos", "files", "task__items")
        .filter(pk=int(submission_id))
        .first()
    )
    if submission is None:
        return None
    return submission if may_see_submission(viewer, submission) else None


def may_see_submission(viewer, submission: TaskSubmission) -> bool:
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return False
    if submission.user_id == viewer.pk:
        return True
    if (
        submission.per_institution
        and viewer.institution_id == submission.institution_id
        and submission.task.is_for(viewer)
    ):
        return True
    return can_manage_institution(viewer, submission.institution_id)


def task_audience(task: CampaignTask, viewer=None, institution_id=None) -> QuerySet[User]:
    """Active people who are to do a person task (for a per-institution task: the institutions' officers), limited
    to those `viewer` manages when given."""
    users = User.objects.filter(is_active=True, institution__isnull=False)
    if viewer is not None:
        users = users.filter(pk__in=managed_users(viewer).values("pk"))
    A = CampaignTask.Audience
    inst_ids = list(task.institutions.values_list("pk", flat=True))
    if task.audience == A.ROLES:
        users = users.filter(role__in=task.roles or [])
    elif task.audience == A.INSTITUTIONS:
        users = users.filter(institution_id__in=inst_ids)
    elif task.audience == A.PER_INSTITUTION:
        users = users.filter(role=User.Role.OFFICER)
        if inst_ids:
            users = users.filter(institution_id__in=inst_ids)
    if institution_id is not None:
        users = users.filter(institution_id=institution_id)
    return users


def not_submitted(task: CampaignTask, viewer, institution_id=None) -> QuerySet[User]:
    """未提交名单: people `viewer` manages who are to do `task` and have nothing submitted (returned ones count as
    submitted here: they are in the queue with the officer's comment). For a per-institution task: the officers of
    institutions that have not handed it in."""
    if institution_id is not None and not can_manage_institution(viewer, institution_id):
        return User.objects.none()
    users = task_audience(task, viewer, institution_id)
    if task.per_institution:
        done = TaskSubmission.objects.filter(task=task, per_institution=True).values("institution_id")
        users = users.exclude(institution_id__in=done)
    else:
        users = users.exclude(pk__in=TaskSubmission.objects.filter(task=task).values("user_id"))
    return users.select_related("institution").order_by("institution__name", "department", "employee_no")


def review_tasks(viewer, campaign=None) -> QuerySet[CampaignTask]:
    tasks = CampaignTask.objects.select_related("campaign").order_by("-campaign__starts_on", "order", "pk")
    return tasks.filter(campaign=campaign) if campaign is not None else tasks


def reviewable_institutions(viewer) -> QuerySet[Institution]:
    return managed_institutions(viewer).order_by("kind", "name")


# --- completion (the scorecard reads this) -----------------------------------------------------------------------------


@dataclass
class TaskCompletion:
    """One institution's campaign tasks: how many person-tasks (and institution tasks) are expected of its active
    people (officer), how many are done (approved, or submitted where no review is needed), waiting for review
    (submitted) and returned."""

    expected: int = 0
    done: int = 0
    submitted: int = 0
    returned: int = 0


def completion_by_institution(campaign: Campaign) -> dict[int, TaskCompletion]:
    """Institution id -> TaskCompletion for every institution (zeros where nothing is expected).

    expected: for each person task, the institution's active people in its audience; for each per-institution task
    whose audience includes the institution, 1. done / submitted / returned count the submissions of those expected:
    a person task's by the person's current institution (active people in its audience only), an institution task's
    by the institution it was made for; `submitted` counts only those waiting for review."""
    result: dict[int, TaskCompletion] = defaultdict(TaskCompletion)
    for inst_id in Institution.objects.values_list("pk", flat=True):
        result[inst_id] = TaskCompletion()
    tasks = list(CampaignTask.objects.filter(campaign=campaign).prefetch_related("institutions"))
    for task in tasks:
        if task.per_institution:
            ids = {i.pk for i in task.institutions.all()} or set(result)
            for inst_id in ids:
                result[inst_id].expected += 1
            continue
        counts = task_audience(task).values("institution_id").annotate(n=Count("pk"))
        for row in counts:
            result[row["institution_id"]].expected += row["n"]
    S = TaskSubmission.State

    def count(rows, inst_field: str, needs_review: bool) -> None:
        for row in rows.values(inst_field, "state").annotate(n=Count("pk")):
            entry = result[row[inst_field]]
            if row["state"] == S.APPROVED:
                entry.done += row["n"]
            elif row["state"] == S.RETURNED:
                entry.returned += row["n"]
            elif needs_review:
                entry.submitted += row["n"]
            else:
                entry.done += row["n"]

    for task in tasks:
        submissions = TaskSubmission.objects.filter(task=task)
        if task.per_institution:
            ids = {i.pk for i in task.institutions.all()}
            rows = submissions.filter(per_institution=True)
            count(rows.filter(institution_id__in=ids) if ids else rows, "institution_id", task.needs_review)
        else:
            # Counted where the person is expected now: someone who moved counts for their new institution, someone
            # disabled or no longer in the audience for none (so done never exceeds expected, and matches 未提交名单).
            rows = submissions.filter(per_institution=False, user__in=task_audience(task))
            count(rows, "user__institution_id", task.needs_review)
    return dict(result)


# --- export ------------------------------------------------------------------------------------------------------------


def _local(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def submissions_table(rows, include_mobile: bool = False):
    """Rows for the Excel export of submissions (plain values; elearn.spreadsheets neutralises formulas)."""
    from elearn.org.phones import mask_mobile

    labels = dict(TaskSubmission._meta.get_field("state").choices)
    words = {"yes": "是", "no": "否", "na": "不适用"}
    for s in rows:
        answers = s.answers or {}
        # In the checklist's order (jsonb keeps its own key order); items deleted since are left out, items added
        # since show with no answer.
        parts = []
        for item in s.task.items.all():
            given = answers.get(str(item.key))
            given = given if isinstance(given, dict) else {}
            note = given.get("note")
            parts.append(f"{item.text}：{words.get(given.get('answer'), '')}" + (f"（{note}）" if note else ""))
        checklist = "；".join(parts)
        yield [
            s.task.title,
            s.institution.name,
            s.user.real_name,
            s.user.employee_no,
            s.user.department,
            s.user.mobile if include_mobile else mask_mobile(s.user.mobile),
            str(labels.get(s.state, s.state)),
            _local(s.submitted_at),
            checklist,
            s.text,
            getattr(s, "photo_count", None) if getattr(s, "photo_count", None) is not None else s.photos.count(),
            s.reviewed_by.real_name if s.reviewed_by else "",
            _local(s.reviewed_at),
            s.review_comment,
        ]


SUBMISSION_HEADER = [
    "任务",
    "单位",
    "姓名",
    "工号",
    "科室/岗位",
    "手机号",
    "状态",
    "提交时间",
    "检查清单",
    "文字说明",
    "照片数",
    "审核人",
    "审核时间",
    "审核意见",
]


def not_submitted_table(users, include_mobile: bool = False):
    from elearn.org.phones import mask_mobile

    for u in users:
        yield [
            u.institution.name if u.institution else "",
            u.real_name,
            u.employee_no,
            u.department,
            u.mobile if include_mobile else mask_mobile(u.mobile),
        ]


NOT_SUBMITTED_HEADER = ["单位", "姓名", "工号", "科室/岗位", "手机号"]
