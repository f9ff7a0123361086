"""Leaderboard pages: the 排行 tab on phones and the live projector board. They translate; selectors decide."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from elearn.org.permissions import is_manager
from leaderboard.rankings import boards, selectors, services


@login_required
def index(request):
    from quizzes.exams.models import Exam

    exam = None
    if request.GET.get("exam", "").isdigit():
        exam = Exam.objects.published().filter(pk=int(request.GET["exam"])).first()
    exam = exam or selectors.contest_exam()
    context = {"exam": exam}
    if exam is not None and selectors.can_view_board(request.user, boards.exam_board(exam.pk)):
        key = boards.exam_board(exam.pk)
        context.update(
            board=key,
            state=selectors.board_state(key),
            me=selectors.exam_my_rank(exam.pk, request.user.pk),
            exams=Exam.objects.for_audience(request.user).order_by("-opens_at")[:10],
        )
    else:
        context["exam"] = None
    return render(request, "leaderboard/index.html", context)


@login_required
def live(request, board):
    if not selectors.can_view_board(request.user, board):
        raise PermissionDenied
    return render(request, "leaderboard/live.html", {"board": board, "state": selectors.board_state(board)})


@login_required
def state(request, board):
    """The board's full state as JSON (what the WebSocket sends on connect), for clients without WebSocket."""
    if not selectors.can_view_board(request.user, board):
        raise PermissionDenied
    return JsonResponse(selectors.board_state(board), json_dumps_params={"ensure_ascii": False})


@require_POST
@login_required
def rebuild(request, board):
    """Recompute a board from the database and push it to its viewers (managers and hosts only)."""
    if not (selectors.can_view_board(request.user, board) and (is_manager(request.user) or board.startswith("game."))):
        raise PermissionDenied
    try:
        kind, object_id = boards.parse(board)
    except ValueError:
        raise Http404 from None
    if kind == "exam":
        count = services.exam_board_rebuild(exam_id=object_id)
    else:
        count = services.competition_board_rebuild(game_id=object_id)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"board": board, "members": count})
    return HttpResponseRedirect(reverse("leaderboard:live", args=[board]))
