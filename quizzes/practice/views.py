"""Practice, wrong-answer book, mock exams, certificates and the public verification page (HTML).

Thin: every decision is in quizzes.practice.services / practice_selectors / result_selectors.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from quizzes.bank.models import OPTION_LETTERS, Category
from quizzes.exams.exceptions import QuizError
from quizzes.practice import selectors, services
from quizzes.practice.exceptions import PracticePaused
from quizzes.practice.models import PracticeMode

MODES = {m.value: m for m in PracticeMode}


def _category(request) -> Category | None:
    raw = request.GET.get("category") or request.POST.get("category") or ""
    if not raw.isdigit():
        return None
    return Category.objects.filter(pk=int(raw)).first()


def _question_url(mode: str, category: Category | None, after: int | None = None) -> str:
    params = {}
    if category is not None:
        params["category"] = category.pk
    if after:
        params["after"] = after
    url = reverse("practice:question", args=[mode])
    return f"{url}?{urlencode(params)}" if params else url


def _paused(request) -> str | None:
    """The reason practice is paused (a counting exam attempt is open), or None."""
    try:
        services.practice_check_open(user=request.user)
    except PracticePaused as exc:
        return str(exc.message)
    return None


@login_required
def index(request):
    from quizzes.results.selectors import certificates_available, mock_exams_for

    paused = _paused(request)
    return render(
        request,
        "quizzes/practice_index.html",
        {
            "paused": paused,
            "categories": selectors.practice_categories(request.user),
            "wrongbook": None if paused else selectors.wrongbook_summary(request.user),
            "mock_exams": [] if paused else mock_exams_for(request.user),
            "certificates": certificates_available(request.user),
        },
    )


@login_required
def question(request, mode: str):
    if mode not in MODES:
        raise Http404
    category = _category(request)
    if mode == PracticeMode.SEQUENTIAL and category is None:
        return redirect("practice:index")
    error = None
    if request.method == "POST":
        raw_id = request.POST.get("question", "")
        if request.POST.get("type") == "fill":
            response = request.POST.getlist("blank")
        else:
            response = request.POST.getlist("option")
        try:
            feedback = services.practice_answer(
                user=request.user,
                question_id=int(raw_id) if raw_id.isdigit() else 0,
                response=response,
                mode=mode,
                category_id=category.pk if category else None,
                token=request.POST.get("token", ""),
            )
        except QuizError as exc:
            error = str(exc.message)
        else:
            url = reverse("practice:feedback", args=[feedback.answer.pk])
            return redirect(f"{url}?{urlencode({'category': category.pk})}" if category else url)
    after = request.GET.get("after", "")
    paused = _paused(request)
    error = paused or error
    current = None
    if error and not paused and request.POST.get("question", "").isdigit():
        current = selectors.practice_pool(None).filter(pk=int(request.POST["question"])).first()
    if current is None and not paused:
        current = selectors.practice_next(
            user=request.user, mode=mode, category=category, exclude_id=int(after) if after.isdigit() else None
        )
    data = selectors.question_public_data(current) if current else None
    context = {
        "mode": MODES[mode],
        "category": category,
        "question": current,
        "data": data,
        "choices": [(i, OPTION_LETTERS[i], text) for i, text in enumerate(data["options"])] if data else [],
        "blanks": range(data["blanks"]) if data else [],
        "token": secrets.token_urlsafe(12),
        "error": error,
        "paused": paused,
    }
    return render(request, "quizzes/practice_question.html", context)


@login_required
def feedback(request, pk: int):
    try:
        result = services.practice_feedback(user=request.user, answer_id=pk)
    except PracticePaused as exc:
        messages.error(request, str(exc.message))
        return redirect("practice:index")
    except QuizError as exc:
        raise Http404(str(exc.message)) from exc
    category = _category(request)
    data = selectors.question_public_data(result.question)
    reveal = selectors.question_feedback_data(result.question)
    chosen = set(result.response) if result.question.is_choice else set()
    options = [
        {
            "index": i,
            "letter": OPTION_LETTERS[i],
            "text": text,
            "chosen": i in chosen,
            "correct": i in set(reveal["correct_options"]),
        }
        for i, text in enumerate(data["options"])
    ]
    return render(
        request,
        "quizzes/practice_feedback.html",
        {
            "result": result,
            "data": data,
            "reveal": reveal,
            "options": options,
            "category": category,
            "mode": MODES.get(result.answer.mode, PracticeMode.RANDOM),
            "next_url": _question_url(result.answer.mode, category, after=result.question.pk),
        },
    )


@login_required
@require_POST
def restart(request, category_id: int):
    category = get_object_or_404(Category, pk=category_id)
    services.practice_restart(user=request.user, category_id=category.pk)
    return redirect(_question_url(PracticeMode.SEQUENTIAL, category))


@login_required
def wrongbook(request):
    category = _category(request)
    paused = _paused(request)
    if paused:
        return render(request, "quizzes/practice_wrongbook.html", {"paused": paused, "category": category})
    entries = list(selectors.wrongbook_entries(request.user, category=category).order_by("-last_wrong_at", "pk"))
    for entry in entries:  # tapping an entry shows what practice feedback shows: answer, explanation, article
        entry.review = selectors.wrongbook_review(entry.question)
    return render(
        request,
        "quizzes/practice_wrongbook.html",
        {"entries": entries, "category": category, "summary": selectors.wrongbook_summary(request.user)},
    )


@login_required
@require_POST
def mock_start(request, exam_id: int):
    from quizzes.results.selectors import attempt_url

    try:
        attempt = services.mock_start(user=request.user, exam_id=exam_id)
    except QuizError as exc:
        messages.error(request, str(exc.message))
        return redirect("practice:index")
    return redirect(attempt_url(attempt))


@login_required
def certificate_pdf(request, exam_id: int):
    from quizzes.results.certificates import render_certificate_pdf

    try:
        certificate = services.certificate_issue(user=request.user, exam_id=exam_id)
    except QuizError as exc:
        messages.error(request, str(exc.message))
        return redirect("practice:index")
    verify_url = request.build_absolute_uri(reverse("practice:verify", args=[certificate.code]))
    response = HttpResponse(render_certificate_pdf(certificate, verify_url=verify_url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def verify(request, code: str):
    """Public (no login): confirms a certificate by its code, showing only what the certificate itself shows."""
    from quizzes.results.selectors import certificate_by_code

    certificate = certificate_by_code(code)
    response = render(
        request, "quizzes/certificate_verify.html", {"certificate": certificate, "code": code}, status=200
    )
    response["X-Robots-Tag"] = "noindex"
    return response
