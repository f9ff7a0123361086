"""Template context for every page: the platform's name and the bottom navigation with the current tab marked."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy

# Main navigation: (label, url name, icon). An entry whose URL does not exist (yet) is left out. The labels have their
# own context: five tabs share a 360 px phone, so each language gives them its shortest word (English: "Live").
NAVIGATION = [
    (pgettext_lazy("bottom navigation", "学习"), "courses:index", "book"),
    (pgettext_lazy("bottom navigation", "考试"), "quizzes:exam_list", "edit"),
    (pgettext_lazy("bottom navigation", "竞赛"), "quizzes:play", "bolt"),
    (pgettext_lazy("bottom navigation", "排行"), "leaderboard:index", "chart"),
    (pgettext_lazy("bottom navigation", "我的"), "org:me", "user"),
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
