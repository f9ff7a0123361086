from wagtail import hooks

from .choosers import question_chooser_viewset


@hooks.register("register_admin_viewset")
def register_question_chooser():
    return question_chooser_viewset
