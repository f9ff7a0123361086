"""Wagtail admin for exam definitions (district admin): the exam's rules in panels, paper sections inline."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from quizzes.exams.jobs import prepare_exam_papers
from quizzes.exams.models import Attempt, Exam
from quizzes.exams.selectors import prepared_stock


class ExamAdminForm(WagtailAdminModelForm):
    """The audience roles are a JSON list on the model; here they are checkboxes."""

    roles = forms.MultipleChoiceField(
        label=_("参考角色"),
        choices=Exam.ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("不选表示全部角色"),
    )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("截止时间必须晚于开考时间。"))
        if cleaned.get("overdue_handling") == Exam.OverdueHandling.GRACE and not cleaned.get("grace_period_minutes"):
            self.add_error("grace_period_minutes", _("选择宽限期时，请填写宽限分钟数。"))
        return cleaned


class AttemptCountColumn(Column):
    def get_value(self, instance):
        return Attempt.objects.filter(exam=instance, is_mock=False).count()


class PreparedPapersColumn(Column):
    """The unclaimed papers; and the pictures that did not render in the last preparation run (no paper showing them
    was drawn ahead until their file is back)."""

    def get_value(self, instance):
        from wagtail.images import get_image_model

        stock = prepared_stock(instance)
        if not stock["pictures_failed"]:
            return stock["unclaimed"]
        titles = dict(get_image_model().objects.filter(pk__in=stock["pictures_failed"]).values_list("pk", "title"))
        names = "、".join(f"“{titles.get(pk, pk)}”" for pk in stock["pictures_failed"])
        return _("%(n)s（图片%(names)s的文件缺失或无法读取，请在“图片”中重新上传）") % {
            "n": stock["unclaimed"],
            "names": names,
        }


def _prepare_papers_after_commit(exam: Exam) -> None:
    """An exam saved in the admin (published, or its audience, sections or shuffles changed) gets its papers drawn
    ahead brought up to date once the save is committed: by the django-tasks worker, or at once with the immediate
    backend (quizzes.exams.jobs.prepare_exam_papers; a draft's unclaimed papers are discarded)."""
    exam_id = exam.pk
    transaction.on_commit(lambda: prepare_exam_papers.enqueue(exam_id))


class ExamCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        _prepare_papers_after_commit(instance)
        return instance


class ExamEditView(generic.EditView):
    def save_instance(self):
        instance = super().save_instance()
        _prepare_papers_after_commit(instance)
        return instance


class ExamViewSet(ModelViewSet):
    model = Exam
    icon = "doc-full"
    menu_label = _("在线考试")
    menu_order = 310
    add_to_admin_menu = True
    url_prefix = "exams"
    url_namespace = "exams"
    edit_handler = ObjectList(Exam.panels, base_form_class=ExamAdminForm)
    add_view_class = ExamCreateView
    edit_view_class = ExamEditView
    list_display = [
        "title",
        "status",
        "opens_at",
        "closes_at",
        "time_limit_minutes",
        AttemptCountColumn("n", label=_("答卷数")),
        PreparedPapersColumn("prepared", label=_("预生成试卷")),
    ]
    list_filter = ["status"]
    search_fields = ["title"]
    ordering = ["-opens_at"]


@hooks.register("register_admin_viewset")
def register_exam_viewset():
    return ExamViewSet("exams")
