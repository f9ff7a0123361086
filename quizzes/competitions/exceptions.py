"""Refusals of the live-competition services. `code` is what a WebSocket client receives ({"error": code});
the message is shown to people (Simplified Chinese first)."""

from django.utils.translation import gettext_lazy as _

from quizzes.exams import exceptions as exam_exceptions


class CompetitionError(Exception):
    code = "refused"
    default_message = _("操作未能完成。")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotAllowed(CompetitionError):
    code = "forbidden"
    default_message = _("你没有权限进行此操作。")


class GameNotFound(CompetitionError):
    code = "not_found"
    default_message = _("没有找到这场竞赛，请检查 PIN。")


class GameOver(CompetitionError):
    code = "game_over"
    default_message = _("这场竞赛已经结束。")


class NoQuestions(CompetitionError):
    code = "no_questions"
    default_message = _("竞赛没有可用的题目（须为启用的选择题或判断题）。")


class WrongPhase(CompetitionError):
    code = "wrong_phase"
    default_message = _("当前阶段不能进行此操作。")


class NicknameUnavailable(CompetitionError):
    code = "nickname"
    default_message = _("请从列表中选择一个未被使用的昵称。")


class PlayerRemoved(CompetitionError):
    code = "removed"
    default_message = _("你已被主持人移出本场竞赛。")


class AnswerClosed(CompetitionError):
    """The answer arrived when its question was not open (before it opened, after it closed, or past the grace)."""

    code = "closed"
    default_message = _("本题已停止作答。")


class GamePaused(CompetitionError):
    code = "paused"
    default_message = _("竞赛已暂停，请稍候。")


class InvalidAnswer(CompetitionError):
    code = "invalid_answer"
    default_message = _("答案格式不正确。")


class ExamInProgress(CompetitionError):
    """The person has a counting exam attempt open: a live game reveals the correct answer after every question, so
    they may not join, connect, answer or (unless they manage the bank) host until it is submitted. The same code and
    message as the exam core's refusal (quizzes.exams.exceptions.ExamInProgress)."""

    code = exam_exceptions.ExamInProgress.code
    default_message = exam_exceptions.ExamInProgress.default_message


class StaleAction(CompetitionError):
    """A host action named a state version the game has already left: a double click, a second console, a retry
    after a reconnect, or the question closing on its own first. Nothing was changed; `version` is the current one."""

    code = "stale_action"
    default_message = _(
        "比赛状态已更新（可能已被重复操作或由其他控制台操作），本次操作未执行，请在最新画面上重新操作。"
    )

    def __init__(self, message=None, *, version: int | None = None):
        super().__init__(message)
        self.version = version
