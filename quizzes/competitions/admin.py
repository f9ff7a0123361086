"""Wagtail admin for live competitions: create and edit a Competition (questions picked from the bank or drawn at
random, time per question, scoring, streak bonus, who may join), see its games, and open the host console."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from elearn.org.permissions import is_manager
from quizzes.competitions.models import Competition


class HostLinkColumn(Column):
    def get_value(self, instance):
        return format_html('<a class="button button-small" href="{}">{}</a>', reverse("quizzes:host_index"), _("主持"))


class CompetitionViewSet(ModelViewSet):
    model = Competition
    icon = "pick"
    menu_label = _("知识竞赛")
    menu_order = 320
    add_to_admin_menu = True
    url_prefix = "competitions"
    url_namespace = "competitions"
    list_display = [
        "title",
        "scoring",
        "seconds_per_question",
        "audience",
        "created_at",
        HostLinkColumn("host", label=""),
    ]
    list_filter = ["scoring", "audience"]
    search_fields = ["title"]


class HostMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_viewset")
def register_competition_viewset():
    return CompetitionViewSet("competitions")


@hooks.register("register_admin_menu_item")
def register_host_menu_item():
    return HostMenuItem(_("主持竞赛（大屏）"), reverse("quizzes:host_index"), icon_name="media", order=321)
