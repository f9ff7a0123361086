"""Home page section: the campaign tasks (活动任务) of the signed-in person, with how many are done."""

from campaign.tasks.selectors import my_tasks
from content.home_sections import register


@register
def tasks_section(request):
    if not getattr(request.user, "is_authenticated", False):
        return None
    rows = my_tasks(request.user)
    if not rows:
        return None
    return {
        "template": "campaign/includes/home_tasks.html",
        "total": len(rows),
        "done": sum(1 for r in rows if r.done),
        "returned": sum(1 for r in rows if r.state == "returned"),
    }
