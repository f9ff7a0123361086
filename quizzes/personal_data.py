"""The rows the quizzes app keeps about a person, for elearn.privacy (named in settings.ELEARN_PERSONAL_DATA): what
their copy shows, how each kind expires, what anonymising a person who left does.

Exams: an attempt's result (score, passed, when) is the training record and stays, so every pass rate and average
stays what it was; what the person answered question by question, mock attempts and certificates expire. A person's
copy shows scores and correctness only when the exam's review policy already shows them (never an answer key).
Live games: each player's total stays (rankings, participation); the answers question by question expire.
"""

from __future__ import annotations

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elearn.privacy.registry import PersonalTable, register
from quizzes.competitions.models import PlayerAnswer
from quizzes.exams.models import Attempt, AttemptAnswer


def _attempt_row(attempt: Attempt) -> dict:
    show = attempt.exam.review_options(attempt, timezone.now()).score
    return {
        "exam": attempt.exam.title,
        "number": attempt.number,
        "is_mock": attempt.is_mock,
        "state": attempt.get_state_display(),
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "finish_reason": attempt.get_finish_reason_display(),
        "score": attempt.score if show else None,
        "max_score": attempt.max_score if show else None,
        "passed": attempt.passed if show else None,
        "tab_switches": attempt.tab_switches,
    }


def _answer_row(answer: AttemptAnswer) -> dict:
    attempt = answer.attempt
    correctness = attempt.exam.review_options(attempt, timezone.now()).correctness
    return {
        "exam": attempt.exam.title,
        "attempt": attempt.number,
        "is_mock": attempt.is_mock,
        "position": answer.attempt_question.position,
        "response": answer.response,
        "flagged": answer.flagged,
        "saved_at": answer.saved_at,
        "score": answer.score if correctness else None,
        "is_correct": answer.is_correct if correctness else None,
    }


def _player_answer_row(answer: PlayerAnswer) -> dict:
    closed = answer.game_question.closed_at is not None
    return {
        "competition": answer.player.game.competition.title,
        "game": answer.player.game_id,
        "question": answer.game_question.index + 1,
        "choice": answer.choice,
        "received_at": answer.received_at,
        "elapsed_ms": answer.elapsed_ms,
        "correct": answer.correct if closed else None,
        "points": answer.points + answer.bonus if closed else None,
    }


def _rename_players(players) -> int:
    """A player's nickname is their name: replaced by 匿名<id> (unique within a game, as the constraint requires)."""
    return players.update(nickname=Concat(Value("匿名"), Cast(F("pk"), output_field=CharField())))


register(
    PersonalTable(
        key="exam_attempts",
        labels={
            "exam": _("考试"),
            "number": _("第几次"),
            "is_mock": _("模拟考试"),
            "state": _("状态"),
            "started_at": _("开始时间"),
            "deadline": _("截止时间"),
            "submitted_at": _("交卷时间"),
            "finish_reason": _("交卷方式"),
            "score": _("得分"),
            "max_score": _("总分"),
            "passed": _("是否及格"),
            "tab_switches": _("切屏次数"),
        },
        label=_("考试记录"),
        model="quizzes.Attempt",
        owner="user",
        row=_attempt_row,
        related=("exam",),
        order_by=("started_at", "pk"),
        kind="exam",
        expires_by="started_at",
        expire_filter={"is_mock": True},
        expire_note=_("只删除模拟考试；正式考试的成绩作为培训档案保留"),
    )
)
register(
    PersonalTable(
        key="exam_answers",
        labels={
            "exam": _("考试"),
            "attempt": _("第几次"),
            "is_mock": _("模拟考试"),
            "position": _("题号"),
            "response": _("作答"),
            "flagged": _("标记"),
            "saved_at": _("保存时间"),
            "score": _("得分"),
            "is_correct": _("是否正确"),
        },
        label=_("考试每题作答"),
        model="quizzes.AttemptAnswer",
        owner="attempt__user",
        row=_answer_row,
        related=("attempt__exam", "attempt_question"),
        order_by=("attempt__started_at", "attempt_id", "attempt_question__position"),
        kind="exam",
        expires_by="attempt__submitted_at",
        expire_filter={"attempt__state": "submitted"},
    )
)
register(
    PersonalTable(
        key="exam_papers",
        label=_("考试试卷（冻结的题目）"),
        model="quizzes.AttemptQuestion",
        owner="attempt__user",
        kind="exam",
        expires_by="attempt__submitted_at",
        expire_filter={"attempt__state": "submitted"},
        in_copy=False,
    )
)
register(
    PersonalTable(
        key="certificates",
        label=_("合格证书"),
        model="quizzes.Certificate",
        owner="user",
        fields=("code", "exam_title", "holder_name", "institution_name", "score", "max_score", "passed_on", "issued_at",
                "revoked_at"),
        order_by=("issued_at", "pk"),
        kind="exam",
        expires_by="issued_at",
        expire_note=_("证书可凭仍保留的考试成绩重新生成"),
        anonymise="delete",
    )
)  # fmt: skip
register(
    PersonalTable(
        key="practice_progress",
        labels={"category__name": _("分类")},
        label=_("练习进度"),
        model="quizzes.PracticeProgress",
        owner="user",
        fields=("category__name", "last_question_id", "answered", "correct", "updated_at"),
        order_by=("category__name", "pk"),
        kind="study",
        expires_by="updated_at",
    )
)
register(
    PersonalTable(
        key="practice_answers",
        labels={"question_id": _("题目编号")},
        label=_("练习作答"),
        model="quizzes.PracticeAnswer",
        owner="user",
        fields=("question_id", "mode", "response", "is_correct", "answered_at"),
        order_by=("answered_at", "pk"),
        kind="study",
        expires_by="answered_at",
    )
)
register(
    PersonalTable(
        key="wrongbook",
        labels={"question_id": _("题目编号")},
        label=_("错题本"),
        model="quizzes.WrongBookEntry",
        owner="user",
        fields=("question_id", "wrong_count", "correct_streak", "last_source", "first_wrong_at", "last_wrong_at",
                "cleared_at"),
        order_by=("first_wrong_at", "pk"),
        kind="study",
        expires_by="cleared_at",
        expire_note=_("只删除已移出错题本的题目"),
    )
)  # fmt: skip
register(
    PersonalTable(
        key="game_players",
        labels={"game__competition__title": _("竞赛"), "game_id": _("场次")},
        label=_("参加的竞赛场次"),
        model="quizzes.Player",
        owner="user",
        fields=("game__competition__title", "game_id", "nickname", "score", "correct_count", "joined_at", "removed_at"),
        order_by=("joined_at", "pk"),
        anonymise=_rename_players,
    )
)
register(
    PersonalTable(
        key="game_answers",
        labels={
            "competition": _("竞赛"),
            "game": _("场次"),
            "question": _("题号"),
            "choice": _("选择"),
            "received_at": _("作答时间"),
            "elapsed_ms": _("用时（毫秒）"),
            "correct": _("是否正确"),
            "points": _("得分"),
        },
        label=_("竞赛每题作答"),
        model="quizzes.PlayerAnswer",
        owner="player__user",
        row=_player_answer_row,
        related=("player__game__competition", "game_question"),
        order_by=("received_at", "pk"),
        kind="game",
        expires_by="received_at",
        expire_note=_("每场的得分与名次保留"),
    )
)
register(
    PersonalTable(
        key="authored_questions",
        labels={"pk": _("题目编号"), "category__name": _("分类")},
        label=_("我编写的题目"),
        model="quizzes.Question",
        owner="author",
        fields=("pk", "category__name", "type", "status"),
    )
)
register(
    PersonalTable(
        key="hosted_games",
        labels={"pk": _("场次"), "competition__title": _("竞赛")},
        label=_("我主持的竞赛场次"),
        model="quizzes.Game",
        owner="host",
        fields=("pk", "competition__title", "created_at", "finished_at"),
        order_by=("created_at", "pk"),
    )
)
register(
    PersonalTable(
        key="created_exams",
        labels={"pk": _("考试编号")},
        label=_("我创建的考试"),
        model="quizzes.Exam",
        owner="created_by",
        fields=("pk", "title", "created_at"),
        order_by=("created_at", "pk"),
    )
)
