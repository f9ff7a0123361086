"""Practice (练习), the wrong-answer book (错题本) and exam certificates.

Practice never counts: it logs what a person answered, remembers where sequential practice stopped, and feeds the
wrong-answer book. Exams feed the book too (see quizzes.practice.services.wrongbook_record).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A question leaves the wrong-answer book after this many correct answers in a row.
WRONGBOOK_CLEAR_STREAK = 2


class PracticeMode(models.TextChoices):
    SEQUENTIAL = "seq", _("顺序练习")
    RANDOM = "random", _("随机练习")
    WRONGBOOK = "wrong", _("错题重做")


class PracticeProgress(models.Model):
    """Where a person's sequential practice of a category stopped, so they resume there on any device."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_progress")
    category = models.ForeignKey("quizzes.Category", on_delete=models.CASCADE, related_name="+")
    last_question_id = models.BigIntegerField(_("最后作答题目"), default=0)
    answered = models.PositiveIntegerField(_("已答题数"), default=0)
    correct = models.PositiveIntegerField(_("答对题数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("练习进度")
        verbose_name_plural = _("练习进度")
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="quizzes_practiceprogress_unique_user_category")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.category_id}@{self.last_question_id}"


class PracticeAnswer(models.Model):
    """One answer given in practice (a log; practice never counts towards a grade)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_answers")
    question = models.ForeignKey("quizzes.Question", on_delete=models.CASCADE, related_name="practice_answers")
    mode = models.CharField(_("练习方式"), max_length=10, choices=PracticeMode.choices)
    response = models.JSONField(_("作答"), default=list)
    is_correct = models.BooleanField(_("是否正确"))
    answered_at = models.DateTimeField(_("作答时间"), default=timezone.now)
    token = models.CharField(_("提交标识"), max_length=40, blank=True, help_text=_("同一次提交重试时不重复计数"))

    class Meta:
        verbose_name = _("练习作答")
        verbose_name_plural = _("练习作答")
        indexes = [models.Index(fields=["user", "answered_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "token"], condition=~models.Q(token=""), name="quizzes_practiceanswer_unique_token"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.question_id}:{'ok' if self.is_correct else 'wrong'}"


class WrongBookEntryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cleared_at__isnull=True)

    def record_wrong(self, *, source: str, now) -> int:
        """A wrong answer to these entries' questions: (back) into the book, the correct streak restarts."""
        return self.update(
            wrong_count=models.F("wrong_count") + 1,
            correct_streak=0,
            last_source=source,
            last_wrong_at=now,
            cleared_at=None,
        )

    def record_correct(self, *, now) -> int:
        """A correct answer: the streak of entries still in the book grows, and at WRONGBOOK_CLEAR_STREAK the question
        leaves the book (the condition reads the streak before this update). Entries out of the book do not change."""
        return self.active().update(
            correct_streak=models.F("correct_streak") + 1,
            cleared_at=models.Case(
                models.When(correct_streak__gte=WRONGBOOK_CLEAR_STREAK - 1, then=models.Value(now)),
                default=None,
                output_field=models.DateTimeField(),
            ),
        )


class WrongBookEntry(models.Model):
    """A question a person got wrong (in practice or in an exam). It stays in the book until they answer it
    correctly WRONGBOOK_CLEAR_STREAK times in a row; a wrong answer puts it back and restarts the count."""

    class Source(models.TextChoices):
        PRACTICE = "practice", _("练习")
        EXAM = "exam", _("考试")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wrongbook")
    question = models.ForeignKey("quizzes.Question", on_delete=models.CASCADE, related_name="wrongbook_entries")
    wrong_count = models.PositiveIntegerField(_("答错次数"), default=0)
    correct_streak = models.PositiveSmallIntegerField(_("连续答对"), default=0)
    last_source = models.CharField(_("最近答错于"), max_length=10, choices=Source.choices)
    first_wrong_at = models.DateTimeField(_("首次答错"), default=timezone.now)
    last_wrong_at = models.DateTimeField(_("最近答错"), default=timezone.now)
    cleared_at = models.DateTimeField(_("移出错题本时间"), null=True, blank=True)

    objects = WrongBookEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("错题")
        verbose_name_plural = _("错题本")
        ordering = ["-last_wrong_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="quizzes_wrongbookentry_unique_user_question")
        ]
        indexes = [models.Index(fields=["user", "cleared_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.question_id} x{self.wrong_count}"

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None
