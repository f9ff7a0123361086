"""Live knowledge competitions: a Competition is the reusable set-up made in the admin; a Game is one live run of
it (hosted on a projector, joined by PIN); players answer snapshots of the bank's questions taken when the game is
created, so editing the bank never changes a running or finished game.

Time is the server's: a question opens and closes at stored timestamps (`GameQuestion.opened_at`/`closes_at`);
services compare them with `timezone.now()`, never with anything a client sends.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from content.choosers import question_chooser_viewset
from elearn.org.permissions import can_manage_institution
from quizzes.bank.models import Category, Question

# An answer that left the phone before the deadline may arrive a little after it on weak mobile data: accepted up to
# this many seconds after closes_at (scored as if it arrived at the deadline).
ANSWER_GRACE_SECONDS = 1.0
MIN_SECONDS, MAX_SECONDS = 5, 240
PIN_LENGTH = 6


class Competition(ClusterableModel):
    """The set-up of a knowledge competition: which questions, how long each, how points are earned, who may join."""

    class Source(models.TextChoices):
        PICKED = "picked", _("从题库挑选")
        DRAWN = "drawn", _("从题库随机抽取")

    class Scoring(models.TextChoices):
        SPEED = "speed", _("抢答计分（答对得 1000 到 500 分，越快越高）")
        ACCURACY = "accuracy", _("准确率优先（答对题数，用时少者排前）")
        FLAT = "flat", _("固定分值（每题答对 1000 分）")

    class Audience(models.TextChoices):
        STAFF = "staff", _("登录的本系统职工（所选单位）")
        PUBLIC = "public", _("公众游客（随机昵称，无须登录）")

    title = models.CharField(_("竞赛名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("题目来源"), max_length=10, choices=Source.choices, default=Source.PICKED)
    draw_category = models.ForeignKey(
        Category,
        verbose_name=_("抽题分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("随机抽取时使用（含下级分类）；留空则从全部启用的选择题中抽取。"),
    )
    draw_count = models.PositiveSmallIntegerField(
        _("抽题数量"), default=15, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    seconds_per_question = models.PositiveSmallIntegerField(
        _("每题限时（秒）"),
        default=20,
        validators=[MinValueValidator(MIN_SECONDS), MaxValueValidator(MAX_SECONDS)],
        help_text=_("5 到 240 秒。"),
    )
    scoring = models.CharField(_("计分方式"), max_length=10, choices=Scoring.choices, default=Scoring.SPEED)
    streak_bonus = models.BooleanField(
        _("连对奖励"), default=False, help_text=_("连续答对时每题额外加分（第 2 题起每题 +100，最多 +500）。")
    )
    institution_min_players = models.PositiveSmallIntegerField(
        _("单位排名最少人数"), default=3, help_text=_("参赛人数少于此数的单位不参加单位排名。")
    )
    audience = models.CharField(_("参赛对象"), max_length=10, choices=Audience.choices, default=Audience.STAFF)
    institutions = ParentalManyToManyField(
        "org.Institution",
        verbose_name=_("参赛单位"),
        blank=True,
        related_name="+",
        help_text=_("仅对职工竞赛有效；不选则所有单位的职工都可参加。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("source"),
                InlinePanel("picked_questions", label=_("题目（挑选）")),
                FieldRowPanel([FieldPanel("draw_category"), FieldPanel("draw_count")]),
            ],
            heading=_("题目"),
        ),
        MultiFieldPanel(
            [FieldPanel("seconds_per_question"), FieldPanel("scoring"), FieldPanel("streak_bonus")],
            heading=_("计时与计分"),
        ),
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("institutions"), FieldPanel("institution_min_players")],
            heading=_("参赛对象与单位排名"),
        ),
    ]

    class Meta:
        verbose_name = _("知识竞赛")
        verbose_name_plural = _("知识竞赛")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        if self.source == self.Source.DRAWN and not self.draw_count:
            raise ValidationError({"draw_count": _("随机抽题时须填写抽题数量。")})

    def can_host(self, user) -> bool:
        """District admins host any competition; a safety officer hosts one limited to institutions they manage."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.is_district_admin:
            return True
        if not user.is_safety_officer or self.audience != self.Audience.STAFF or not self.pk:
            return False
        ids = [i.pk for i in self.institutions.all()]
        return bool(ids) and all(can_manage_institution(user, pk) for pk in ids)

    def may_join(self, user) -> bool:
        """Staff competitions: an active, logged-in member of a chosen institution (any institution if none chosen)."""
        if self.audience == self.Audience.PUBLIC:
            return True
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        ids = {i.pk for i in self.institutions.all()}
        return not ids or user.institution_id in ids


class CompetitionQuestion(Orderable):
    """A bank question picked for a competition, in order."""

    competition = ParentalKey(Competition, on_delete=models.CASCADE, related_name="picked_questions")
    question = models.ForeignKey(
        Question,
        verbose_name=_("题目"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to=Q(status=Question.Status.ACTIVE) & ~Q(type=Question.Type.FILL),
    )

    # The question bank's searchable chooser (content.choosers), not a select listing every question.
    panels = [FieldPanel("question", widget=question_chooser_viewset.widget_class)]

    class Meta(Orderable.Meta):
        verbose_name = _("竞赛题目")
        verbose_name_plural = _("竞赛题目")
        constraints = [
            models.UniqueConstraint(fields=["competition", "question"], name="quizzes_competitionquestion_unique")
        ]


class GameQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(phase=Game.Phase.FINISHED)


class Game(models.Model):
    """One live run of a competition. Everything a client needs to resume is stored here; nothing lives in memory."""

    class Phase(models.TextChoices):
        LOBBY = "lobby", _("等待开始")
        QUESTION = "question", _("答题中")
        REVEAL = "reveal", _("公布答案")
        LEADERBOARD = "leaderboard", _("排行榜")
        FINISHED = "finished", _("已结束")

    competition = models.ForeignKey(Competition, verbose_name=_("竞赛"), on_delete=models.CASCADE, related_name="games")
    pin = models.CharField(_("PIN"), max_length=PIN_LENGTH)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主持人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    phase = models.CharField(_("阶段"), max_length=12, choices=Phase.choices, default=Phase.LOBBY)
    index = models.IntegerField(_("当前题号"), default=-1, help_text=_("从 0 开始；-1 表示尚未开始。"))
    # Settings copied from the competition when the game is created: editing the competition never changes a game.
    scoring = models.CharField(_("计分方式"), max_length=10, choices=Competition.Scoring.choices)
    streak_bonus = models.BooleanField(_("连对奖励"), default=False)
    institution_min_players = models.PositiveSmallIntegerField(_("单位排名最少人数"), default=3)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    # Incremented by every change of what clients see; a client ignores a state older than the one it shows.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = GameQuerySet.as_manager()

    class Meta:
        verbose_name = _("竞赛场次")
        verbose_name_plural = _("竞赛场次")
        ordering = ["-created_at"]
        constraints = [
            # A PIN identifies one game while it is live; finished games release it.
            models.UniqueConstraint(
                fields=["pin"], condition=~Q(phase="finished"), name="quizzes_game_live_pin_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competition} · {self.pin}"

    @property
    def question_count(self) -> int:
        return self.questions.count()

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class GameQuestion(models.Model):
    """A frozen copy of a bank question as asked in one game, with its server-side open and close times."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="questions")
    index = models.PositiveSmallIntegerField(_("题号"))
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    type = models.CharField(_("题型"), max_length=10, choices=Question.Type.choices)
    stem = models.TextField(_("题干"))
    options = models.JSONField(_("选项"), default=list)
    correct_options = models.JSONField(_("正确选项"), default=list)
    explanation = models.TextField(_("解析"), blank=True)
    source = models.CharField(_("出处"), max_length=160, blank=True)
    seconds = models.PositiveSmallIntegerField(_("限时（秒）"))
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Answers stored so far; incremented by each accepted answer in the same transaction (its row lock orders an
    # answer against the close, so no answer commits after the question was scored).
    answer_count = models.PositiveIntegerField(default=0)
    distribution = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("场次题目")
        verbose_name_plural = _("场次题目")
        ordering = ["game", "index"]
        constraints = [models.UniqueConstraint(fields=["game", "index"], name="quizzes_gamequestion_unique_index")]

    def __str__(self) -> str:
        return f"{self.game_id}#{self.index + 1} {self.stem[:30]}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def is_due(self, now) -> bool:
        """Past its deadline plus the network grace: the next request closes it."""
        return self.closes_at is not None and now > self.closes_at + timedelta(seconds=ANSWER_GRACE_SECONDS)

    def is_correct(self, choice: list[int]) -> bool:
        return sorted(set(choice)) == sorted(self.correct_options)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Player(models.Model):
    """Someone playing one game: a logged-in member of staff, or a guest with a generated nickname. The browser keeps a
    secret token (cookie) so a reload or lost connection rejoins as the same player; only its hash is stored."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="players")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="competition_players"
    )
    nickname = models.CharField(_("昵称"), max_length=40)
    institution = models.ForeignKey(
        "org.Institution", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    score = models.IntegerField(_("得分"), default=0)
    correct_count = models.PositiveSmallIntegerField(_("答对题数"), default=0)
    streak = models.PositiveSmallIntegerField(_("连对"), default=0)
    total_ms = models.PositiveIntegerField(_("累计用时（毫秒）"), default=0)
    joined_at = models.DateTimeField(_("加入时间"), auto_now_add=True)
    removed_at = models.DateTimeField(_("移出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参赛者")
        verbose_name_plural = _("参赛者")
        ordering = ["game", "-score", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["game", "user"], name="quizzes_player_unique_user"),
            models.UniqueConstraint(fields=["game", "nickname"], name="quizzes_player_unique_nickname"),
        ]
        indexes = [models.Index(fields=["game", "removed_at", "score"])]

    def __str__(self) -> str:
        return self.nickname

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)

    def check_token(self, token: str) -> bool:
        return bool(token) and secrets.compare_digest(self.token_hash, hash_token(token))


class PlayerAnswer(models.Model):
    """A player's first answer to a game question, stored before it is acknowledged. `points` is final once the
    question closes (the streak bonus is added then)."""

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="answers")
    game_question = models.ForeignKey(GameQuestion, on_delete=models.CASCADE, related_name="answers")
    choice = models.JSONField(default=list)
    received_at = models.DateTimeField()
    elapsed_ms = models.PositiveIntegerField()
    correct = models.BooleanField(default=False)
    points = models.IntegerField(default=0)
    bonus = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("竞赛作答")
        verbose_name_plural = _("竞赛作答")
        constraints = [
            # Only a player's first answer counts: the database refuses a second one.
            models.UniqueConstraint(fields=["player", "game_question"], name="quizzes_playeranswer_first_only"),
        ]

    def __str__(self) -> str:
        return f"{self.player_id}@{self.game_question_id}: {self.choice}"
