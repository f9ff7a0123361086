"""Admin chooser for question-bank questions, used by the self-check block (content/blocks.py).

Registered in content/wagtail_hooks.py. Only active questions are offered; the editor searches the stem. Bank managers
only (elearn.org.bank_permissions): a safety officer never browses the bank.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.utils.registry import resolve_model_string

from elearn.org.bank_permissions import bank_managers_only


class QuestionFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("搜索题干"), required=False, widget=forms.TextInput(attrs={"placeholder": _("题干关键词")})
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q")
        if query:
            self.is_searching, self.search_query = True, query
            objects = objects.filter(stem__icontains=query)
        return objects


class QuestionChooserViewSet(bank_managers_only(ChooserViewSet)):
    model = "quizzes.Question"
    icon = "help"
    choose_one_text = _("选择题目")
    choose_another_text = _("换一道题")
    edit_item_text = _("编辑题目")
    register_widget = False  # the question bank's own admin decides the widget for ForeignKeys to Question
    per_page = 20

    def get_object_list(self):
        return resolve_model_string(self.model).objects.active().select_related("category").order_by("-pk")

    @property
    def choose_view(self):
        view_class = self.inject_view_methods(self.choose_view_class, ["get_object_list"])
        return self.construct_view(
            view_class,
            icon=self.icon,
            page_title=self.page_title,
            search_tab_label=self.search_tab_label,
            creation_tab_label=self.creation_tab_label,
            filter_form_class=QuestionFilterForm,
        )

    @property
    def choose_results_view(self):
        view_class = self.inject_view_methods(self.choose_results_view_class, ["get_object_list"])
        return self.construct_view(view_class, filter_form_class=QuestionFilterForm)


question_chooser_viewset = QuestionChooserViewSet("question_chooser", url_prefix="question-chooser")
