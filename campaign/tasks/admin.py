"""Wagtail admin of the campaign tasks: the district admin defines campaigns and their tasks (checklist inline);
officers (their institution) and the district admin (all) review submissions: the queue with filters and bulk
approve, one submission with its photos (through the permission-checked evidence views), approve / return with a
comment, 未提交名单 (masked phones, one-tap reveal), and Excel exports.

Thin: campaign.tasks.selectors reads, campaign.tasks.services changes, elearn.org.permissions decides who sees what.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.viewsets.model import ModelViewSet

from campaign.tasks import selectors, services
from campaign.tasks.exceptions import TaskError
from campaign.tasks.models import ROLE_CHOICES, Campaign, CampaignTask, TaskSubmission
from elearn.org.disclosure import EXPORT, disclose
from elearn.org.permissions import can_manage_institution, is_manager
from elearn.spreadsheets import workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL_STATES = "all"  # the 全部状态 choice: kept in the links, so the queue's default (待审核) does not come back


def _require_manager(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


def _int(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def _filters(request) -> dict:
    institution = _int(request.GET.get("institution", ""))
    if institution is not None and not can_manage_institution(request.user, institution):
        raise PermissionDenied
    task = _int(request.GET.get("task", ""))
    state = request.GET.get("state", "")
    return {
        "institution_id": institution,
        "task_id": task,
        "state": state if state in TaskSubmission.State.values or state == ALL_STATES else "",
    }


def _query(filters: dict, **extra) -> str:
    from urllib.parse import urlencode

    pairs = {
        "task": filters.get("task_id"),
        "institution": filters.get("institution_id"),
        "state": filters.get("state"),
    }
    pairs.update(extra)
    return urlencode({k: v for k, v in pairs.items() if v})


REVIEW_PAGE_SIZE = 50


def review_queue(request):
    """The queue, 50 a page; with no state given it shows the submissions awaiting review (state=all: every state)."""
    _require_manager(request)
    filters = _filters(request)
    if "state" not in request.GET:
        filters["state"] = TaskSubmission.State.SUBMITTED
    page = Paginator(selectors.review_queue(request.user, **filters), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    disclose(
        request,
        what=_("活动任务提交列表"),
        count=len(rows),
        institution=filters["institution_id"],
        detail={"page": page.number},
    )
    query = _query(filters)
    context = {
        "rows": rows,
        "page_obj": page,
        "filters": filters,
        "query": query,
        "page_query": _query(filters, page=page.number),
        "tasks": selectors.review_tasks(request.user),
        "institutions": selectors.reviewable_institutions(request.user),
        "states": [
            (value, _("待审核") if value == TaskSubmission.State.SUBMITTED else label)
            for value, label in TaskSubmission.State.choices
        ],
        "all_states": ALL_STATES,
    }
    return render(request, "campaign/admin/review_queue.html", context)


@require_POST
def review_bulk_approve(request):
    _require_manager(request)
    ids = request.POST.getlist("ids")
    approved = services.submissions_bulk_approve(reviewer=request.user, submission_ids=ids)
    messages.success(request, _("已通过 %(n)d 份提交。") % {"n": approved})
    back = request.POST.get("query", "")
    return redirect(reverse("campaign_tasks_review") + (f"?{back}" if back and "//" not in back else ""))


HISTORY_LABELS = {
    "submitted": _("提交"),
    "resubmitted": _("重新提交"),
    "approved": _("通过"),
    "returned": _("退回"),
}


def _when(iso) -> str:
    """A history entry's time (stored as ISO, in UTC) in local time, to the minute."""
    import datetime as dt

    try:
        return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


def review_detail(request, submission_id: int):
    _require_manager(request)
    submission = selectors.submission_for_viewer(request.user, submission_id)
    if submission is None or not can_manage_institution(request.user, submission.institution_id):
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.submission_approve(
                    submission_id=submission.pk, reviewer=request.user, comment=request.POST.get("comment", "")
                )
                messages.success(request, _("已通过。"))
            elif action == "return":
                services.submission_return(
                    submission_id=submission.pk, reviewer=request.user, comment=request.POST.get("comment", "")
                )
                messages.success(request, _("已退回，提交人会在手机上看到你的意见。"))
            else:
                raise TaskError(_("未知操作。"))
        except TaskError as exc:
            messages.error(request, str(exc.message))
            return redirect("campaign_tasks_review_detail", submission.pk)
        return redirect("campaign_tasks_review")
    disclose(
        request,
        what=_("活动任务提交：%(task)s") % {"task": submission.task.title},
        subject=submission.user_id,
        institution=submission.institution_id,
    )
    items = [
        {
            "item": item,
            "answer": (submission.answers or {}).get(str(item.key), {}).get("answer", ""),
            "note": (submission.answers or {}).get(str(item.key), {}).get("note", ""),
        }
        for item in submission.task.items.all()
    ]
    return render(
        request,
        "campaign/admin/review_detail.html",
        {
            "submission": submission,
            "items": items,
            "answer_labels": {"yes": _("是"), "no": _("否"), "na": _("不适用")},
            "own": submission.user_id == request.user.pk,
            "history": [
                {**h, "label": HISTORY_LABELS.get(h.get("action"), h.get("action", "")), "when": _when(h.get("at"))}
                for h in submission.history or []
                if isinstance(h, dict)
            ],
        },
    )


def _task_or_first(request, filters):
    tasks = selectors.review_tasks(request.user)
    task = tasks.filter(pk=filters["task_id"]).first() if filters["task_id"] else tasks.first()
    return tasks, task


def not_submitted(request):
    _require_manager(request)
    filters = _filters(request)
    tasks, task = _task_or_first(request, filters)
    people = list(selectors.not_submitted(task, request.user, filters["institution_id"])) if task else []
    if task is not None:
        disclose(
            request,
            what=_("活动任务未提交名单：%(task)s") % {"task": task.title},
            count=len(people),
            institution=filters["institution_id"],
        )
    return render(
        request,
        "campaign/admin/not_submitted.html",
        {
            "task": task,
            "tasks": tasks,
            "people": people,
            "filters": filters,
            "institutions": selectors.reviewable_institutions(request.user),
        },
    )


def export(request, kind: str):
    _require_manager(request)
    filters = _filters(request)
    with_mobile = request.GET.get("mobile") == "1"
    if kind == "submissions":
        rows = list(
            selectors.review_queue(request.user, **filters)
            .prefetch_related("task__items")
            .select_related("reviewed_by")
        )
        label = str(_("活动任务提交"))
        sheets = [(label, selectors.SUBMISSION_HEADER, selectors.submissions_table(rows, with_mobile))]
        count, what = len(rows), _("导出活动任务提交")
    elif kind == "missing":
        _tasks, task = _task_or_first(request, filters)
        if task is None:
            raise Http404
        people = list(selectors.not_submitted(task, request.user, filters["institution_id"]))
        label = str(_("未提交名单"))
        sheets = [(label, selectors.NOT_SUBMITTED_HEADER, selectors.not_submitted_table(people, with_mobile))]
        count, what = len(people), _("导出活动任务未提交名单：%(task)s") % {"task": task.title}
    else:
        raise Http404
    disclose(
        request,
        action=EXPORT,
        what=what,
        count=count,
        institution=filters["institution_id"],
        with_mobile=with_mobile,
        detail={"kind": kind, "task": filters["task_id"]},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="campaign-tasks-{kind}-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@hooks.register("register_admin_urls")
def register_task_review_urls():
    return [
        path("campaign-tasks/review/", review_queue, name="campaign_tasks_review"),
        path("campaign-tasks/review/approve/", review_bulk_approve, name="campaign_tasks_review_bulk"),
        path("campaign-tasks/review/<int:submission_id>/", review_detail, name="campaign_tasks_review_detail"),
        path("campaign-tasks/missing/", not_submitted, name="campaign_tasks_missing"),
        path("campaign-tasks/export/<str:kind>.xlsx", export, name="campaign_tasks_export"),
    ]


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return ManagerMenuItem(_("活动任务审核"), reverse("campaign_tasks_review"), icon_name="tasks", order=330)


# --- definitions (district admin: model permissions) ------------------------------------------------------------------


class CampaignTaskAdminForm(WagtailAdminModelForm):
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("对象为“指定角色”时适用"),
    )

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == CampaignTask.Audience.INSTITUTIONS and not cleaned.get("institutions"):
            self.add_error("institutions", _("请选择单位。"))
        return cleaned


class CampaignViewSet(ModelViewSet):
    model = Campaign
    icon = "date"
    menu_label = _("活动")
    menu_order = 340
    add_to_admin_menu = True
    url_prefix = "campaign/campaigns"
    url_namespace = "campaign_campaigns"
    copy_view_enabled = False
    form_fields = [
        "name",
        "theme",
        "starts_on",
        "ends_on",
        "required_drills",
        "required_trainings",
        "study_target_percent",
        "exam_participation_target_percent",
        "exam_pass_target_percent",
        "tasks_target_percent",
    ]
    list_display = ["name", "theme", "starts_on", "ends_on"]


class CampaignTaskViewSet(ModelViewSet):
    model = CampaignTask
    icon = "tasks"
    menu_label = _("活动任务")
    menu_order = 341
    add_to_admin_menu = True
    url_prefix = "campaign/tasks"
    url_namespace = "campaign_task_definitions"
    edit_handler = ObjectList(CampaignTask.panels, base_form_class=CampaignTaskAdminForm)
    list_display = ["title", "campaign", "audience", "opens_at", "due_on", "needs_review", "order"]
    list_filter = ["campaign", "audience", "needs_review"]
    search_fields = ["title"]
    ordering = ["campaign", "order", "pk"]


@hooks.register("register_admin_viewset")
def register_task_viewsets():
    return [CampaignViewSet("campaign_campaigns"), CampaignTaskViewSet("campaign_task_definitions")]
