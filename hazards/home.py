"""Home page section: report a hazard, the 警示教育 board (content.home_sections)."""

from content.home_sections import register


@register
def hazards_section(request):
    if not getattr(request.user, "is_authenticated", False):
        return None
    return {"template": "hazards/includes/home_hazards.html"}
