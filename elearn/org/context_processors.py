"""Template context for every page: the platform's name and the bottom navigation with the current tab marked."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# Main navigation: (label, url name, icon). An entry whose URL does not exist (yet) is left out.
NAVIGATION = [
    (_("学习"), "courses:index", "book"),
    (_("考试"), "quizzes:exam_list", "edit"),
    (_("竞赛"), "quizzes:play", "bolt"),
    (_("排行"), "leaderboard:index", "chart"),
    (_("我的"), "org:me", "user"),
]


def _navigation(path: str):
    items = []
    for label, name, icon in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "icon": icon, "active": url != "/" and path.startswith(url)})
    return items


def platform(request):
    return {"SITE_NAME": settings.ELEARN_SITE_NAME, "main_nav": _navigation(request.path)}
