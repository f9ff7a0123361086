"""Quiz models, one module per area: bank (categories, questions); exams and competitions add their own."""

from .bank import Category, Question, QuestionTag  # noqa: F401
from .certificates import Certificate  # noqa: F401
from .competitions import Competition, CompetitionQuestion, Game, GameQuestion, Player, PlayerAnswer  # noqa: F401
from .exams import Attempt, AttemptAnswer, AttemptQuestion, Exam, ExamSection  # noqa: F401
from .practice import PracticeAnswer, PracticeProgress, WrongBookEntry  # noqa: F401
