"""The quizzes app's models, for Django: each capability owns its models (quizzes.<capability>.models); this module
only imports them so that Django registers them under the one app label "quizzes". Code imports a model from the
capability that owns it, not from here."""

from quizzes.bank.models import Category, Question, QuestionTag  # noqa: F401
from quizzes.competitions.models import (  # noqa: F401
    Competition,
    CompetitionQuestion,
    Game,
    GameQuestion,
    Player,
    PlayerAnswer,
)
from quizzes.exams.models import Attempt, AttemptAnswer, AttemptQuestion, Exam, ExamSection  # noqa: F401
from quizzes.practice.models import PracticeAnswer, PracticeProgress, WrongBookEntry  # noqa: F401
from quizzes.results.models import Certificate  # noqa: F401
