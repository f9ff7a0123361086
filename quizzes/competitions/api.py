"""Competition API (/api/v1/competitions/, /api/v1/games/): for hosts and tools around the live game.

Thin: the same services as the host console's WebSocket (quizzes.competitions.services). Playing happens over the
WebSocket (ws/play/<pin>/); this API never returns a correct option of a question that has not closed (it returns
the same public game_state as the projector).
Errors: {"error": code, "detail": message}. Host controls name the state version they act on (the "version" of the
state the caller last read); a repeated or stale control is refused with 409 {"error": "stale_action", "version":
current} and changes nothing. A person sitting a counting exam attempt is refused (409 exam_in_progress) unless they
manage the bank (see quizzes.competitions.services._ensure_may_see_answers).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from quizzes.competitions import services as svc
from quizzes.competitions.exceptions import CompetitionError, GameNotFound, InvalidAnswer, NotAllowed, StaleAction
from quizzes.competitions.models import Competition, Game
from quizzes.competitions.selectors import game_state, institution_ranking, ranked_players

STATUS = {NotAllowed: 403, GameNotFound: 404, InvalidAnswer: 400}


def error_response(exc: CompetitionError) -> Response:
    body = {"error": exc.code, "detail": str(exc.message)}
    if isinstance(exc, StaleAction):
        body["version"] = exc.version
    return Response(body, status=STATUS.get(type(exc), 409))


class CompetitionErrorSerializer(serializers.Serializer):
    """A refusal: {"error": code, "detail": message} (DRF's own refusals, e.g. not logged in, carry only "detail")."""

    error = serializers.CharField(required=False)
    detail = serializers.CharField()
    version = serializers.IntegerField(required=False, help_text="stale_action only: the game's current version")


class LiveGameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pin = serializers.CharField()
    phase = serializers.ChoiceField(choices=Game.Phase.choices)


class CompetitionSerializer(serializers.ModelSerializer):
    questions = serializers.SerializerMethodField()
    live_game = serializers.SerializerMethodField()

    class Meta:
        model = Competition
        fields = [
            "id",
            "title",
            "description",
            "source",
            "seconds_per_question",
            "scoring",
            "streak_bonus",
            "audience",
            "institution_min_players",
            "questions",
            "live_game",
        ]

    def get_questions(self, obj) -> int:
        if obj.source == Competition.Source.DRAWN:
            return obj.draw_count
        return obj.picked_questions.count()

    @extend_schema_field(LiveGameSerializer(allow_null=True))
    def get_live_game(self, obj) -> dict | None:
        game = Game.objects.live().filter(competition=obj).order_by("-created_at").first()
        return LiveGameSerializer(game).data if game else None


class GameSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="competition.title")
    host_url = serializers.SerializerMethodField()
    join_url = serializers.SerializerMethodField()

    class Meta:
        model = Game
        fields = [
            "id",
            "pin",
            "title",
            "phase",
            "index",
            "scoring",
            "created_at",
            "finished_at",
            "host_url",
            "join_url",
        ]

    def get_host_url(self, obj) -> str:
        return f"/play/host/game/{obj.pk}/"

    def get_join_url(self, obj) -> str:
        return f"/play/{obj.pin}/"


class RankedPlayerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rank = serializers.IntegerField()
    name = serializers.CharField()
    institution = serializers.CharField()
    score = serializers.IntegerField()
    hits = serializers.IntegerField(help_text="correct answers")
    time = serializers.FloatField(help_text="total answer time in seconds (accuracy-then-time tie-break)")


class RankedInstitutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    players = serializers.IntegerField()
    mean = serializers.FloatField()
    rank = serializers.IntegerField(required=False)


class RankingSerializer(serializers.Serializer):
    players = RankedPlayerSerializer(many=True)
    institutions = RankedInstitutionSerializer(many=True)
    unranked_institutions = RankedInstitutionSerializer(many=True)
    institution_min_players = serializers.IntegerField()


class GameStateSerializer(serializers.Serializer):
    game = serializers.IntegerField()
    pin = serializers.CharField()
    title = serializers.CharField()
    phase = serializers.ChoiceField(choices=Game.Phase.choices)
    version = serializers.IntegerField()
    index = serializers.IntegerField()
    count = serializers.IntegerField()
    scoring = serializers.CharField()
    paused = serializers.BooleanField()
    players = serializers.IntegerField()
    server_time = serializers.FloatField()
    question = serializers.JSONField(required=False, help_text="the open or just closed question (no answer)")
    answered = serializers.IntegerField(required=False)
    closes_at = serializers.FloatField(required=False, allow_null=True)
    remaining = serializers.FloatField(required=False, allow_null=True)
    reveal = serializers.JSONField(required=False, help_text="correct options, distribution: only after closing")
    top = serializers.JSONField(required=False)
    institutions = serializers.JSONField(required=False)
    podium = serializers.JSONField(required=False)


class ControlSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["start", "next", "skip", "pause", "resume", "end"])
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The state version this action is taken on (from the last state read). If the game has moved on, "
        "the action is refused (409 stale_action) and changes nothing: send it, so a retry or a double click never "
        "skips a question. Without it the action applies to the current state (older clients).",
    )


CONTROLS = {
    "start": svc.competition_start,
    "next": svc.competition_advance,
    "skip": svc.competition_skip,
    "pause": svc.competition_pause,
    "resume": svc.competition_resume,
    "end": svc.competition_end,
}


def _hostable(user):
    return [c for c in Competition.objects.prefetch_related("institutions") if c.can_host(user)]


class CompetitionViewSet(viewsets.ReadOnlyModelViewSet):
    """Competitions the caller may host (district admins: all; safety officers: those limited to their institution)."""

    serializer_class = CompetitionSerializer
    queryset = Competition.objects.none()

    def get_queryset(self):
        return Competition.objects.filter(pk__in=[c.pk for c in _hostable(self.request.user)]).order_by("-created_at")

    @extend_schema(
        request=None,
        responses={
            201: GameSerializer,
            403: CompetitionErrorSerializer,
            404: CompetitionErrorSerializer,
            409: CompetitionErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def host(self, request, pk=None):
        """Open a game in the lobby (or return the live one): its PIN, host console and join addresses."""
        competition = Competition.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if competition is None:
            return error_response(GameNotFound())
        try:
            game = svc.competition_host(competition=competition, actor=request.user)
        except CompetitionError as exc:
            return error_response(exc)
        return Response(GameSerializer(game).data, status=status.HTTP_201_CREATED)


class GameViewSet(viewsets.ReadOnlyModelViewSet):
    """Games of the competitions the caller may host: state, rankings, and the host's controls."""

    serializer_class = GameSerializer
    queryset = Game.objects.none()

    def get_queryset(self):
        ids = [c.pk for c in _hostable(self.request.user)]
        return Game.objects.filter(competition_id__in=ids).select_related("competition").order_by("-created_at")

    @extend_schema(responses={200: GameStateSerializer, 409: CompetitionErrorSerializer})
    @action(detail=True, methods=["get"])
    def state(self, request, pk=None):
        """The public state, exactly what the projector shows (closes a question whose time is up)."""
        game = self.get_object()
        try:
            svc.host_admit(actor=request.user)
        except CompetitionError as exc:
            return error_response(exc)
        return Response(svc.competition_state(game_id=game.pk))

    @extend_schema(responses=RankingSerializer)
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        """All players best first (standard competition ranks) and the institution ranking."""
        game = self.get_object()
        institutions = institution_ranking(game)
        return Response(
            {
                "players": ranked_players(game),
                "institutions": institutions["ranked"],
                "unranked_institutions": institutions["unranked"],
                "institution_min_players": institutions["min_players"],
            }
        )

    @extend_schema(
        request=ControlSerializer,
        responses={
            200: GameStateSerializer,
            400: OpenApiResponse(description="bad action"),
            403: CompetitionErrorSerializer,
            409: CompetitionErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def control(self, request, pk=None):
        """The host's buttons: start, next, skip, pause, resume, end (same services as the console), each taken on
        the state `version` it names."""
        game = self.get_object()
        form = ControlSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            CONTROLS[data["action"]](game_id=game.pk, actor=request.user, version=data.get("version"))
        except CompetitionError as exc:
            return error_response(exc)
        return Response(game_state(Game.objects.select_related("competition").get(pk=game.pk)))
