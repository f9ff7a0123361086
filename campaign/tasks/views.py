"""Phone pages of the campaign tasks (我的 → 活动任务): the list with each task's state, the task page with its
guidance and evidence form, and the permission-checked views that hand out evidence photos and files.

The task form follows the outbox contract (elearn/static/elearn/outbox.js): a normal multipart POST that works
without JavaScript (redirect + message, or the form again with its errors), JSON when the request prefers it
({"ok": true, "redirect", "message"} / {"ok": false, "message", "errors"}), idempotent on `client_uuid`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.tasks import selectors, services
from campaign.tasks.exceptions import TaskError
from campaign.tasks.models import Answer, SubmissionFile, SubmissionPhoto
from elearn.evidence import queued_by_another, serve_evidence
from elearn.org.disclosure import DOWNLOAD, disclose


def wants_json(request) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


@login_required
def index(request):
    campaign = selectors.current_campaign()
    rows = selectors.my_tasks(request.user, campaign)
    return render(
        request,
        "campaign/tasks_index.html",
        {"campaign": campaign, "rows": rows, "labels": selectors.STATE_LABELS, "today": timezone.localdate()},
    )


def answers_from_post(task, data) -> dict:
    answers = {}
    for item in task.items.all():
        field = services.item_field(item.key)
        answers[str(item.key)] = {"answer": data.get(field, ""), "note": data.get(f"{field}-note", "")}
    return answers


@login_required
def task_detail(request, task_id: int):
    task = selectors.task_for_user(request.user, task_id)
    if task is None:
        raise Http404
    submission = selectors.my_submission(task, request.user)
    errors, posted = {}, None
    if request.method == "POST":
        if queued_by_another(request):  # the outbox keeps it for its owner's next sign-in
            return JsonResponse({"ok": False, "error": "other_user"}, status=401)
        posted = request.POST
        try:
            result = services.submission_submit(
                task=task,
                user=request.user,
                answers=answers_from_post(task, request.POST),
                text=request.POST.get("text", ""),
                photos=request.FILES.getlist("photos"),
                file=request.FILES.get("file"),
                client_uuid=request.POST.get("client_uuid") or None,
            )
        except TaskError as exc:
            if wants_json(request):
                return JsonResponse(
                    {"ok": False, "message": str(exc.message), "errors": exc.fields, "error": exc.code},
                    status=exc.status,
                )
            errors = exc.fields
            messages.error(request, str(exc.message))
            status = exc.status
            # Refused because of what is on the server now (handed in from another tab or phone, a double tap
            # without JavaScript): show that, not the state this request started from.
            submission = selectors.my_submission(task, request.user)
            if submission is not None and submission.state != submission.State.RETURNED:
                posted = None
        else:
            message = (_("已提交“%(task)s”，等待安全员审核。") if task.needs_review else _("已完成“%(task)s”。")) % {
                "task": task.title
            }
            target = reverse("campaign_tasks:index")
            if wants_json(request):
                return JsonResponse(
                    {
                        "ok": True,
                        "redirect": target,
                        "message": message,
                        "submission": result.submission.pk,
                        "state": result.submission.state,
                    }
                )
            messages.success(request, message)
            return redirect(target)
    else:
        status = 200
    editable = submission is None or submission.state == submission.State.RETURNED
    items = []
    for item in task.items.all():
        field = services.item_field(item.key)
        if posted is not None:
            chosen, note = posted.get(field, ""), posted.get(f"{field}-note", "")
        else:
            saved = (submission.answers if submission else {}).get(str(item.key)) or {}
            chosen, note = saved.get("answer", ""), saved.get("note", "")
        items.append({"item": item, "field": field, "chosen": chosen, "note": note, "errors": errors.get(field)})
    context = {
        "task": task,
        "submission": submission,
        "editable": editable and (submission is not None or task.is_open()),
        "is_open": task.is_open(),
        "items": items,
        "choices": Answer.choices,
        "errors": errors,
        "text": posted.get("text", "") if posted is not None else (submission.text if submission else ""),
        "labels": selectors.STATE_LABELS,
        "state": submission.state if submission else selectors.NOT_STARTED,
        "state_label": selectors.STATE_LABELS[submission.state if submission else selectors.NOT_STARTED],
    }
    return render(request, "campaign/task_detail.html", context, status=status)


def _serve(request, submission, field_file, *, what: str, download_name: str = "", content_type: str = ""):
    if submission is None or not selectors.may_see_submission(request.user, submission):
        raise Http404
    if submission.user_id != request.user.pk:
        disclose(
            request,
            action=DOWNLOAD,
            what=what,
            subject=submission.user_id,
            institution=submission.institution_id,
            detail={"submission": submission.pk},
        )
    return serve_evidence(field_file, download_name=download_name, content_type=content_type)


@login_required
def evidence_photo(request, photo_id: int):
    photo = SubmissionPhoto.objects.select_related("submission__task").filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return _serve(request, photo.submission, photo.image, what=_("活动任务照片"), content_type=photo.content_type)


@login_required
def evidence_file(request, file_id: int):
    stored = SubmissionFile.objects.select_related("submission__task").filter(pk=file_id).first()
    if stored is None:
        raise Http404
    return _serve(
        request,
        stored.submission,
        stored.file,
        what=_("活动任务附件"),
        download_name=stored.original_name,
        content_type=stored.content_type,
    )
