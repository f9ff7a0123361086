"""Pages of the live competition: join by PIN (the 竞赛 tab), the player's phone page, the host console.

Thin: every decision is in quizzes.competitions.services; the live part runs over WebSockets (quizzes.competitions.consumers).
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from elearn.org.permissions import is_manager
from quizzes.competitions import services
from quizzes.competitions.exceptions import CompetitionError, GameNotFound
from quizzes.competitions.models import Competition, Game
from quizzes.competitions.selectors import player_cookie

COOKIE_AGE = 12 * 60 * 60


def _live_games_for(user):
    games = Game.objects.live().select_related("competition").order_by("-created_at")
    return [
        g for g in games[:20] if g.competition.audience == Competition.Audience.PUBLIC or g.competition.may_join(user)
    ]


def play(request):
    """The 竞赛 tab: enter a PIN (or follow the QR code), or pick a live game open to you."""
    pin = request.GET.get("pin", "").strip()
    if pin:
        try:
            game = services.find_game(pin)
        except GameNotFound as error:
            messages.error(request, error.message)
        else:
            return redirect("quizzes:play_game", pin=game.pin)
    return render(
        request,
        "quizzes/play_index.html",
        {"live_games": _live_games_for(request.user), "can_host": is_manager(request.user), "pin": pin},
    )


def play_game(request, pin: str):
    """The player's page: joins (POST) or shows the live game to a browser that already joined."""
    try:
        game = services.find_game(pin)
    except GameNotFound:
        raise Http404
    competition = game.competition
    token = request.COOKIES.get(player_cookie(game.pk), "")
    staff_game = competition.audience == Competition.Audience.STAFF
    if staff_game and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        try:
            result = services.competition_join(
                game=game, user=request.user, token=token, nickname=request.POST.get("nickname", "")
            )
        except CompetitionError as error:
            messages.error(request, error.message)
            return redirect("quizzes:play_game", pin=game.pin)
        response = redirect("quizzes:play_game", pin=game.pin)
        if result.token:
            response.set_cookie(
                player_cookie(game.pk),
                result.token,
                max_age=COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
    player = services.player_for_token(game=game, token=token, user=request.user)
    if player is not None:
        return render(
            request,
            "quizzes/play_game.html",
            {"game": game, "player": player, "ws_path": f"/ws/play/{game.pin}/"},
        )
    if game.phase == Game.Phase.FINISHED:
        return render(request, "quizzes/play_join.html", {"game": game, "finished": True})
    context = {"game": game, "staff_game": staff_game}
    if staff_game:
        context["may_join"] = competition.may_join(request.user)
    else:
        context["nicknames"] = services.nickname_choices(game=game)
    return render(request, "quizzes/play_join.html", context)


def qr_svg(request, pin: str):
    """QR code (SVG) of the join address, for the projector's lobby."""
    try:
        game = services.find_game(pin)
    except GameNotFound:
        raise Http404
    url = request.build_absolute_uri(reverse("quizzes:play_game", kwargs={"pin": game.pin}))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@login_required
def host_index(request):
    """Competitions this manager may host, and their live games to resume."""
    if not is_manager(request.user):
        raise PermissionDenied
    competitions = [c for c in Competition.objects.prefetch_related("institutions") if c.can_host(request.user)]
    live = {g.competition_id: g for g in Game.objects.live().filter(competition__in=competitions)}
    rows = [{"competition": c, "live": live.get(c.pk)} for c in competitions]
    return render(request, "quizzes/host_index.html", {"rows": rows})


@login_required
@require_POST
def host_start(request, competition_id: int):
    competition = get_object_or_404(Competition, pk=competition_id)
    try:
        game = services.competition_host(competition=competition, actor=request.user)
    except CompetitionError as error:
        messages.error(request, error.message)
        return redirect("quizzes:host_index")
    return redirect("quizzes:host_game", game_id=game.pk)


@login_required
def host_game(request, game_id: int):
    """The projector console (1920x1080). It resumes wherever the game is: the state comes from the server."""
    game = get_object_or_404(Game.objects.select_related("competition"), pk=game_id)
    if not game.competition.can_host(request.user):
        raise PermissionDenied
    join_url = request.build_absolute_uri(reverse("quizzes:play_game", kwargs={"pin": game.pin}))
    return render(
        request,
        "quizzes/host_game.html",
        {"game": game, "ws_path": f"/ws/host/{game.pk}/", "join_url": join_url},
    )
