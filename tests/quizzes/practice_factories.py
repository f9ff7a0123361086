"""Question-bank factories for the practice, wrong-answer book, certificate and result tests."""

from quizzes.bank.models import Question
from tests.quizzes import bank_factories
from tests.quizzes.bank_factories import CategoryFactory

__all__ = ["CategoryFactory", "QuestionFactory", "fill_question", "multiple_question"]


class QuestionFactory(bank_factories.QuestionFactory):
    """The bank's factory, with an explanation and a link to the study lesson that practice feedback shows."""

    accepted_answers = []
    explanation = "《消防法》第四十四条：任何人发现火灾都应当立即报警。"
    source_url = "/study/fire-law/#article-44"


def fill_question(**kwargs):
    defaults = {
        "type": Question.Type.FILL,
        "stem": "生产经营单位的主要负责人是本单位安全生产的____责任人。",
        "options": [],
        "correct_options": [],
        "accepted_answers": [["第一"]],
    }
    return QuestionFactory(**{**defaults, **kwargs})


def multiple_question(**kwargs):
    defaults = {
        "type": Question.Type.MULTIPLE,
        "stem": "灭火的基本方法有哪些？",
        "options": ["冷却法", "窒息法", "隔离法", "助燃法"],
        "correct_options": [0, 1, 2],
    }
    return QuestionFactory(**{**defaults, **kwargs})
