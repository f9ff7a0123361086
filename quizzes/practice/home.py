"""Home page section: practice and the wrong-answer book (content.home_sections)."""

from content.home_sections import register
from quizzes.bank.models import Question
from quizzes.practice.selectors import wrongbook_summary


@register
def practice_section(request):
    if not getattr(request.user, "is_authenticated", False) or not Question.objects.active().exists():
        return None
    return {"template": "quizzes/includes/home_practice.html", "wrongbook": wrongbook_summary(request.user)}
