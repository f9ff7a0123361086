"""Refusals raised by practice, wrong-answer book, mock exam and certificate services; messages are for the user."""

from django.utils.translation import gettext_lazy as _

from quizzes.exams.exceptions import ExamInProgress, QuizError


class PracticeError(QuizError):
    code = "practice_error"


class QuestionUnavailable(PracticeError):
    code = "question_unavailable"
    status = 404
    default_message = _("这道题不存在或已停用。")


class InvalidResponse(PracticeError):
    code = "invalid_response"
    status = 400
    default_message = _("请先作答再提交。")


class PracticePaused(PracticeError, ExamInProgress):
    """Practice is paused while the person has a counting exam attempt open: exams draw from the same bank. The
    exam integrity refusal (ExamInProgress) under practice's own code, which practice clients already know."""

    code = "practice_paused"
    status = 409
    default_message = _("你有正在进行的考试，交卷后才能继续练习。")


class CertificateNotEligible(PracticeError):
    code = "certificate_not_eligible"
    status = 403
    default_message = _("只有考试合格才能领取证书。")
