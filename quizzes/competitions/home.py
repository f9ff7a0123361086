"""Home page section: a live competition I can join now (content.home_sections)."""

from content.home_sections import register
from quizzes.competitions.models import Competition, Game


@register
def live_competitions(request):
    if not getattr(request.user, "is_authenticated", False):
        return None
    games = [
        g
        for g in Game.objects.live().select_related("competition").order_by("-created_at")[:10]
        if g.competition.audience == Competition.Audience.PUBLIC or g.competition.may_join(request.user)
    ]
    if not games:
        return None
    return {"template": "quizzes/includes/home_competitions.html", "live_games": games}
