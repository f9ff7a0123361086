"""Home page section: continue where you left off (content.home_sections)."""

from content.home_sections import register
from courses import selectors


@register
def continue_studying(request):
    section = selectors.continue_lesson(user=request.user)
    if section is None:
        return None
    return {"template": "courses/includes/continue_section.html", **section}
