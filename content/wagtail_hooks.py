"""Wagtail hooks of the content kernel: the question chooser that self-check blocks use, and the admin dashboard."""

from wagtail import hooks

from content.choosers import question_chooser_viewset


@hooks.register("register_admin_viewset")
def register_question_chooser():
    return question_chooser_viewset


@hooks.register("construct_homepage_summary_items", order=100)  # after Wagtail adds its own items
def drop_page_count_without_a_page_tree(request, summary_items):
    """Wagtail's dashboard links its page count to the user's root page; with no page tree at all (a new database
    before `seed_demo`, a flushed test database) that link cannot be built and /admin/ fails with a server error."""
    from wagtail.admin.navigation import get_site_for_user
    from wagtail.admin.site_summary import PagesSummaryItem

    if get_site_for_user(request.user)["root_page"] is None:
        summary_items[:] = [item for item in summary_items if not isinstance(item, PagesSummaryItem)]
