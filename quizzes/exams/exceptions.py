"""Errors raised by quiz services; views and API views translate them (code -> HTTP status + Chinese message)."""

from django.utils.translation import gettext_lazy as _


class QuizError(Exception):
    code = "quiz_error"
    status = 400
    default_message = _("操作失败。")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class ExamNotOpen(QuizError):
    code = "exam_not_open"
    status = 409
    default_message = _("考试不在开放时间内。")


class NotInAudience(QuizError):
    code = "not_in_audience"
    status = 403
    default_message = _("你不在本场考试的参考范围内。")


class NoAttemptsLeft(QuizError):
    code = "no_attempts_left"
    status = 409
    default_message = _("你的作答次数已用完。")


class EmptyPaper(QuizError):
    code = "empty_paper"
    status = 409
    default_message = _("题库中没有符合组卷规则的题目，暂时无法开考。")


class NotYourAttempt(QuizError):
    code = "not_your_attempt"
    status = 404
    default_message = _("答卷不存在。")


class AttemptClosed(QuizError):
    code = "attempt_closed"
    status = 409
    default_message = _("本次考试已交卷。")


class TooLate(QuizError):
    code = "too_late"
    status = 409
    default_message = _("考试时间已到，答案未保存。")


class InvalidAnswer(QuizError):
    code = "invalid_answer"
    status = 400
    default_message = _("答案格式不正确。")


class NoSuchQuestion(QuizError):
    code = "no_such_question"
    status = 404
    default_message = _("试卷中没有这道题。")


class ExamInProgress(QuizError):
    """The person has a counting (not mock) exam attempt open. Anything that would tell them whether an answer is
    right (a mock exam, practice, self-check, the wrong-answer book, a review, a live game) waits until it is
    submitted: quizzes.exams.services.ensure_not_sitting_exam raises it."""

    code = "exam_in_progress"
    status = 409
    default_message = _("你有正在进行的正式考试，交卷后才能使用此功能。")
