"""Home page section: exams open to me now (content.home_sections)."""

from content.home_sections import register
from quizzes.exams.selectors import exams_for_user


@register
def open_exams(request):
    if not getattr(request.user, "is_authenticated", False):
        return None
    statuses = [s for s in exams_for_user(request.user) if s.phase == "open" and (s.can_start or s.open_attempt)]
    if not statuses:
        return None
    return {"template": "quizzes/includes/home_exams.html", "exam_statuses": statuses}
