"""Exam pages for candidates (phone first): list, exam detail, the attempt page, the result page.
Thin: every decision is in quizzes.exams.services / exam_selectors / exam_payloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quizzes.exams import services as svc
from quizzes.exams.exceptions import NotYourAttempt, QuizError
from quizzes.exams.models import Attempt
from quizzes.exams.payloads import attempt_payload, review_payload
from quizzes.exams.selectors import exam_status, exams_for_user, review_options, visible_exam


@login_required
def exam_list(request):
    return render(request, "quizzes/exam_list.html", {"statuses": exams_for_user(request.user)})


@login_required
def exam_detail(request, pk: int):
    exam = visible_exam(request.user, pk)
    if exam is None:
        raise Http404
    status = exam_status(exam, request.user)
    return render(
        request,
        "quizzes/exam_detail.html",
        {"exam": exam, "status": status, "sections": list(exam.sections.all()), "now": timezone.now()},
    )


def _wants_json(request) -> bool:
    """The exam page's script (quizzes/exam_start.js) asks for a short JSON answer instead of a redirect."""
    return request.headers.get("Accept", "").startswith("application/json")


@login_required
@require_POST
def exam_start(request, pk: int):
    """Start (or resume) and go to the paper. The page's script asks for JSON ({"id", "state", "url"}, or the API's
    error shape): the attempt page then loads the paper, so the start's answer carries none of it."""
    exam = visible_exam(request.user, pk)
    if exam is None:
        if _wants_json(request):
            return JsonResponse({"error": "not_found", "detail": str(_("考试不存在。"))}, status=404)
        raise Http404
    try:
        attempt = svc.attempt_start(
            exam=exam, user=request.user, mock=request.POST.get("mock") == "1", with_paper=False
        )
    except QuizError as exc:
        if _wants_json(request):
            return JsonResponse({"error": exc.code, "detail": str(exc.message)}, status=exc.status)
        messages.error(request, exc.message)
        return redirect("quizzes:exam_detail", pk=exam.pk)
    url = reverse("quizzes:attempt" if attempt.is_open else "quizzes:attempt_result", args=[attempt.pk])
    if _wants_json(request):
        status = 200 if getattr(attempt, "resumed", True) else 201
        return JsonResponse({"id": attempt.pk, "state": attempt.state, "url": url}, status=status)
    return redirect(url)


def _access(request, pk) -> Attempt:
    try:
        return svc.attempt_access(attempt_id=pk, user=request.user)
    except NotYourAttempt:
        raise Http404 from None


@login_required
def attempt_page(request, pk: int):
    attempt = _access(request, pk)
    if not attempt.is_open:
        return redirect("quizzes:attempt_result", pk=attempt.pk)
    payload = attempt_payload(attempt)
    payload["urls"] = {
        "answer": reverse("attempt-answer", args=[attempt.pk]),
        "submit": reverse("attempt-submit", args=[attempt.pk]),
        "tab_switch": reverse("attempt-tab-switch", args=[attempt.pk]),
        "state": reverse("attempt-detail", args=[attempt.pk]),
        "result": reverse("quizzes:attempt_result", args=[attempt.pk]),
    }
    return render(request, "quizzes/attempt.html", {"attempt": attempt, "exam": attempt.exam, "payload": payload})


@login_required
@require_POST
def attempt_submit(request, pk: int):
    """Form fallback (no JavaScript): the page's script submits through the API."""
    try:
        attempt = svc.attempt_submit(attempt_id=pk, user=request.user)
    except NotYourAttempt:
        raise Http404 from None
    return redirect("quizzes:attempt_result", pk=attempt.pk)


@login_required
def attempt_result(request, pk: int):
    attempt = _access(request, pk)
    if attempt.is_open:
        return redirect("quizzes:attempt", pk=attempt.pk)
    options = review_options(attempt)
    review = review_payload(attempt, options)
    return render(
        request,
        "quizzes/attempt_result.html",
        {"attempt": attempt, "exam": attempt.exam, "review": review, "options": options},
    )


def exam_ping(request):
    """The server's clock, with nothing else: a connectivity probe for exam clients, and the benchmark's
    same-server baseline (the cost of the request stack alone)."""
    return JsonResponse({"server_time": timezone.now().isoformat()})
