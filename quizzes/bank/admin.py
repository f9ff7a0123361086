"""Wagtail admin for the question bank (district admins): question and category viewsets with filters and
search, a preview as staff will see it, "where used", bulk move/retire, and the import page (upload a file or paste
text -> dry run with progress -> map the columns by hand if needed, dry run again -> one atomic commit) with the
template download and exports.

Translation only: parsing rules come from quizzes.bank.importers, changes from quizzes.bank.services.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from taggit.models import Tag
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.widgets import Button
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from elearn.org.bank_permissions import BankManagerRequiredMixin, bank_managers_only, can_manage_bank
from elearn.spreadsheets import SpreadsheetError
from quizzes.bank import services as bank_services
from quizzes.bank import tasks as bank_tasks
from quizzes.bank.exceptions import BankError, ImportRejected
from quizzes.bank.export import EXPORT_FORMATS, export_bank
from quizzes.bank.importers import ACCEPTED_SUFFIXES, FORMAT_LABELS, parse_upload
from quizzes.bank.importers.common import (
    FIELD_CHOICES,
    IGNORE_LABEL,
    TYPE_LABELS,
    RawQuestion,
    Rejected,
    answer_to_text,
    split_category,
    validate,
)
from quizzes.bank.importers.spreadsheet import accepted_names, header_key
from quizzes.bank.importers.template import template_bytes
from quizzes.bank.models import OPTION_LETTERS, BankColumnMapping, Category, Question
from quizzes.bank.selectors import bank_questions, question_usage

# --- question form: options one per line, the answer written as in the import template ------------------------


class QuestionAdminForm(WagtailAdminModelForm):
    options_text = forms.CharField(
        label=gettext_lazy("选项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("每行一个选项，2 到 8 个；判断题和填空题不填。"),
    )
    answer_text = forms.CharField(
        label=gettext_lazy("答案"),
        help_text=gettext_lazy(
            "选择题写字母，如 A、ABD；判断题写 正确 或 错误；填空题多个空用“；”分隔，同一空的不同写法用“|”分隔。"
        ),
    )

    FIELD_FOR = {"stem": "stem", "options": "options_text", "answer": "answer_text", "type": "type"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            if self.instance.type in (Question.Type.SINGLE, Question.Type.MULTIPLE):
                self.initial["options_text"] = "\n".join(self.instance.options)
            self.initial["answer_text"] = answer_to_text(self.instance)

    def clean(self):
        cleaned = super().clean()
        qtype = cleaned.get("type")
        if not qtype or not cleaned.get("stem"):
            return cleaned
        raw = RawQuestion(
            row=0,
            type_text=TYPE_LABELS[qtype],
            stem=cleaned["stem"],
            options=[line for line in cleaned.get("options_text", "").splitlines() if line.strip()],
            answer=cleaned.get("answer_text", ""),
            columns={"stem": "stem", "options": "options", "answer": "answer", "type": "type"},
        )
        try:
            parsed = validate(raw, filename="", warnings=[])
        except Rejected as exc:
            self.add_error(self.FIELD_FOR.get(exc.column, None), exc.reason)
            return cleaned
        # Set before Django's _post_clean runs the model's own clean() on the instance.
        self.instance.options = parsed.options
        self.instance.correct_options = parsed.correct_options
        self.instance.accepted_answers = parsed.accepted_answers
        return cleaned

    def _update_errors(self, errors):
        """Model errors on fields this form edits as text land on those text fields."""
        from django.core.exceptions import ValidationError

        mapping = {"options": "options_text", "correct_options": "answer_text", "accepted_answers": "answer_text"}
        if hasattr(errors, "error_dict"):
            errors = ValidationError({mapping.get(k, k): v for k, v in errors.error_dict.items()})
        super()._update_errors(errors)

    def save(self, commit=True):
        question = super().save(commit=False)
        if not question.pk and self.for_user is not None:
            question.author = self.for_user
        if commit:
            question.save()
            self.save_m2m()
        return question


# --- filters and viewsets ----------------------------------------------------------------------------------------


class QuestionFilterSet(WagtailFilterSet):
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("分类"), queryset=Category.objects.all(), method="filter_category"
    )
    type = django_filters.ChoiceFilter(label=gettext_lazy("题型"), choices=Question.Type.choices)
    difficulty = django_filters.ChoiceFilter(label=gettext_lazy("难度"), choices=[(i, str(i)) for i in range(1, 6)])
    status = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=Question.Status.choices)
    tag = django_filters.ModelChoiceFilter(
        label=gettext_lazy("标签"),
        queryset=Tag.objects.filter(quizzes_questiontag_items__isnull=False).distinct().order_by("name"),
        method="filter_tag",
    )

    class Meta:
        model = Question
        fields = ["category", "type", "difficulty", "status"]

    def filter_category(self, queryset, name, value):
        return bank_questions(queryset=queryset, category=value.pk) if value else queryset

    def filter_tag(self, queryset, name, value):
        return bank_questions(queryset=queryset, tag=value.name) if value else queryset


class StemTitleColumn(TitleColumn):
    """The stem, shortened, as the row's title: a link to the edit view, with the row's action menu (编辑, 预览,
    使用情况, 删除) beside it."""

    def get_value(self, instance):
        return instance.stem[:60] + ("…" if len(instance.stem) > 60 else "")


class QuestionIndexView(IndexView):
    def _get_title_column(self, field_name, column_class=StemTitleColumn, **kwargs):
        return super()._get_title_column(field_name, column_class, **kwargs)


ONE_LINE = "w-whitespace-nowrap"  # 单选题 / 启用 on one line, not one character per line


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = gettext_lazy("题目")
    url_prefix = "bank/questions"
    chooser_viewset_class = bank_managers_only(SnippetChooserViewSet)
    index_view_class = QuestionIndexView
    list_display = [
        "stem",  # the title column (QuestionIndexView): edit link and action menu
        Column("get_type_display", label=gettext_lazy("题型"), classname=ONE_LINE),
        Column("category", label=gettext_lazy("分类")),
        "difficulty",
        StatusTagColumn(
            "get_status_display",
            label=gettext_lazy("状态"),
            primary=lambda question: question.status == Question.Status.ACTIVE,
            classname=ONE_LINE,
        ),
        "updated_at",
    ]
    list_export = ["pk", "type", "stem", "category", "difficulty", "status"]
    filterset_class = QuestionFilterSet
    search_fields = ["stem", "explanation", "source_law"]
    list_per_page = 50
    ordering = ["-updated_at"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("type"), FieldPanel("category"), FieldPanel("status")]),
            FieldPanel("stem"),
            FieldPanel("image"),
            FieldPanel("options_text"),
            FieldPanel("answer_text"),
            FieldPanel("explanation"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("source_law"), FieldPanel("source_article")]),
                    FieldPanel("source_url"),
                ],
                heading=gettext_lazy("出处"),
            ),
            FieldRowPanel([FieldPanel("difficulty"), FieldPanel("time_limit")]),
            FieldPanel("tags"),
        ],
        base_form_class=QuestionAdminForm,
    )

    def get_queryset(self, request):
        return Question.objects.select_related("category")


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("分类")
    url_prefix = "bank/categories"
    chooser_viewset_class = bank_managers_only(SnippetChooserViewSet)
    list_display = [Column("path", label=gettext_lazy("分类")), "sort_order"]
    search_fields = ["name", "description"]
    panels = [FieldPanel("name"), FieldPanel("parent"), FieldPanel("description"), FieldPanel("sort_order")]


class BankViewSetGroup(SnippetViewSetGroup):
    items = (QuestionViewSet, CategoryViewSet)
    menu_icon = "help"
    menu_label = gettext_lazy("题库")
    menu_name = "question-bank"
    menu_order = 300


register_snippet(BankViewSetGroup)


# --- bulk actions: move to category, retire ----------------------------------------------------------------------


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("移动到分类"), queryset=Category.objects.all())


class QuestionBulkAction(BankManagerRequiredMixin, SnippetBulkAction):
    """Bulk actions on bank questions: bank managers only (others are refused before any question is looked at)."""

    models = [Question]

    def check_perm(self, obj):
        return can_manage_bank(self.request.user)

    def get_queryset(self, model, object_ids):
        # ?id=abc from a mangled URL would reach the database as a number and fail there: such ids match nothing.
        ids = [i for i in object_ids if isinstance(i, int) or str(i).isdigit()]
        return super().get_queryset(model, ids)

    def get_execution_context(self):
        return {**super().get_execution_context(), "user": self.request.user, "form": self.cleaned_form}


class MoveQuestionsBulkAction(QuestionBulkAction):
    display_name = gettext_lazy("移动到分类")
    action_type = "move"
    aria_label = gettext_lazy("把选中的题目移动到另一个分类")
    template_name = "quizzes/admin/bank_bulk_move.html"
    action_priority = 20
    form_class = MoveForm

    @classmethod
    def execute_action(cls, objects, user=None, form=None, **kwargs):
        moved = bank_services.questions_move(
            question_ids=[q.pk for q in objects], category=form.cleaned_data["category"], actor=user
        )
        return moved, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return _("已移动 %(n)d 道题目。") % {"n": num_parent_objects}


class RetireQuestionsBulkAction(QuestionBulkAction):
    display_name = gettext_lazy("停用")
    action_type = "retire"
    aria_label = gettext_lazy("停用选中的题目")
    template_name = "quizzes/admin/bank_bulk_retire.html"
    action_priority = 25

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        return bank_services.questions_retire(question_ids=[q.pk for q in objects], actor=user), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return _("已停用 %(n)d 道题目。") % {"n": num_parent_objects}


hooks.register("register_bulk_action", MoveQuestionsBulkAction)
hooks.register("register_bulk_action", RetireQuestionsBulkAction)


@hooks.register("register_snippet_listing_buttons")
def question_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Question) and can_manage_bank(user):
        # In the row's action menu (…) beside 编辑 and 删除: top-level buttons squeezed the stem on narrow screens.
        yield Button(_("预览"), reverse("quizzes_bank_preview", args=[snippet.pk]), icon_name="view", priority=5)
        yield Button(_("使用情况"), reverse("quizzes_bank_usage", args=[snippet.pk]), icon_name="link", priority=6)


# --- pages: preview, usage, import, template, export ----------------------------------------------------------


def _require_bank_manager(request):
    if not can_manage_bank(request.user):
        raise PermissionDenied


def question_preview(request, pk):
    """The question as staff see it on a phone: options without any mark of which is correct."""
    _require_bank_manager(request)
    question = get_object_or_404(Question.objects.select_related("category", "image"), pk=pk)
    options = list(zip(OPTION_LETTERS, question.options, strict=False)) if question.is_choice else []
    blanks = range(max(1, len(question.accepted_answers)))
    return render(
        request,
        "quizzes/admin/bank_preview.html",
        {"question": question, "options": options, "blanks": blanks, "answer": answer_to_text(question)},
    )


def question_usage_view(request, pk):
    _require_bank_manager(request)
    question = get_object_or_404(Question, pk=pk)
    return render(request, "quizzes/admin/bank_usage.html", {"question": question, "usages": question_usage(question)})


UPLOAD_SUFFIXES = tuple(dict.fromkeys((*ACCEPTED_SUFFIXES, ".xls", ".docx")))
PASTED_FILENAME = "粘贴的文本.txt"
PASTE_FORMATS = ("gift", "aiken")  # formats a pasted text may be read as when chosen; otherwise "text"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("题库文件"),
        required=False,
        help_text=gettext_lazy(
            ".xlsx、.xls、.csv（UTF-8 或 GBK）、.docx（Word 试题）、.txt（GIFT 或 Aiken）、.gift、.xml（Moodle XML）"
        ),
    )
    text = forms.CharField(
        label=gettext_lazy("或粘贴题目文本"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            # An example of the Chinese a person pastes (user content, the same in both languages).
            attrs={"rows": 8, "placeholder": "1. 火警电话是（ ）。\nA.110 B.119 C.120\n答案：B", "data-content": ""}
        ),
        help_text=gettext_lazy("从 Word 或 PDF 复制的题目：题号、选项、“答案：”和“解析：”各占一行或写在同一行均可。"),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("格式"),
        required=False,
        choices=[("", gettext_lazy("自动识别"))] + [(k, v) for k, v in FORMAT_LABELS.items()],
    )
    default_category = forms.CharField(
        label=gettext_lazy("默认分类"),
        required=False,
        help_text=gettext_lazy("文件中没有分类的题目放入此分类，多级用“ > ”分隔；留空为“未分类”。"),
    )
    clear_empty = forms.BooleanField(
        label=gettext_lazy("空单元格表示清空该字段"),
        required=False,
        help_text=gettext_lazy(
            "更新已有题目时：不勾选，空单元格（以及文件中没有的列）保留原来的内容；勾选后，空单元格会清空解析、出处、标签、限时，难度恢复为 3。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError(
                _("不支持的文件类型：请上传 .xlsx、.xls、.csv、.docx、.txt、.gift 或 .xml 文件。")
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        has_text = bool(cleaned.get("text", "").strip())
        if cleaned.get("file") and has_text:
            raise forms.ValidationError(_("请只上传文件或只粘贴文本，不要同时提供。"))
        if not cleaned.get("file") and not has_text:
            raise forms.ValidationError(_("请选择题库文件，或在文本框中粘贴题目。"))
        return cleaned

    def upload(self) -> tuple[bytes, str, str | None]:
        """(data, filename, format) of what was given: the file, or the pasted text as a text upload."""
        if self.cleaned_data.get("file"):
            upload = self.cleaned_data["file"]
            return upload.read(), upload.name, self.cleaned_data["format"] or None
        # Pasted text is read as a Word/PDF-style bank, unless GIFT or Aiken was chosen explicitly.
        chosen = self.cleaned_data["format"]
        return self.cleaned_data["text"].encode("utf-8"), PASTED_FILENAME, chosen if chosen in PASTE_FORMATS else "text"


class ColumnMappingForm(forms.Form):
    """One select per column of the file's header row: which field it holds, or 忽略."""

    clear_empty = forms.BooleanField(label=gettext_lazy("空单元格表示清空该字段"), required=False)

    def __init__(self, *args, header: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        choices = [("", IGNORE_LABEL), *((key, label) for key, label in FIELD_CHOICES.items())]
        for column in header["columns"]:
            if column["name"]:
                self.fields[f"col_{column['index']}"] = forms.ChoiceField(
                    label=column["name"], choices=choices, required=False, initial=column["field"]
                )

    def column_fields(self):
        """(bound select, column number from 1, first data row's cell) per column, for the template."""
        samples = {str(c["index"]): c.get("sample", "") for c in self.header["columns"]}
        return [
            (self[name], int(name.removeprefix("col_")) + 1, samples.get(name.removeprefix("col_"), ""))
            for name in self.fields
            if name.startswith("col_")
        ]

    def clean(self):
        cleaned = super().clean()
        chosen: dict[str, list[str]] = {}
        for column in self.header["columns"]:
            field = cleaned.get(f"col_{column['index']}")
            if field:
                chosen.setdefault(field, []).append(column["name"])
        missing = [str(FIELD_CHOICES[f]) for f in ("stem", "answer") if f not in chosen]
        if missing:
            raise forms.ValidationError(_("请指定%(fields)s所在的列。") % {"fields": "和".join(missing)})
        twice = [f"{FIELD_CHOICES[f]}（{'、'.join(names)}）" for f, names in chosen.items() if len(names) > 1]
        if twice:
            raise forms.ValidationError(_("同一个字段只能对应一列：%(fields)s。") % {"fields": "；".join(twice)})
        return cleaned

    def column_map(self) -> dict[str, str]:
        """header name -> field ("" = ignore), as parse_upload takes it."""
        return {
            column["name"]: self.cleaned_data.get(f"col_{column['index']}", "")
            for column in self.header["columns"]
            if column["name"]
        }


def bank_import_view(request):
    """Step 1: upload. The dry run runs as a task; the next page shows its progress, then the plan."""
    _require_bank_manager(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, filename, fmt = form.upload()
        token = bank_tasks.job_start(
            user_id=request.user.pk,
            data=data,
            filename=filename,
            fmt=fmt,
            default_category=split_category(form.cleaned_data["default_category"]) or None,
            clear_empty=form.cleaned_data["clear_empty"],
        )
        return redirect("quizzes_bank_import_job", token=token)
    # Pasted text above Django's DATA_UPLOAD_MAX_MEMORY_SIZE is refused before any view runs (a bare "400"): the
    # page checks the size first and says so in Chinese (bank_import.js). 64 KB are left for the other fields.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    text_limit = max(limit - 64 * 1024, 0) if limit else None
    return render(
        request,
        "quizzes/admin/bank_import.html",
        {
            "form": form,
            "export_formats": EXPORT_FORMATS,
            "text_limit": text_limit,
            "text_limit_mb": f"{text_limit // 100_000 / 10:.1f}" if text_limit else "",  # rounded down
        },
    )


def _job_page(request, job: dict, token: str, *, mapping_form=None):
    report = job.get("report") or {}
    header = report.get("header")
    if mapping_form is None and header:
        mapping_form = ColumnMappingForm(header=header, initial={"clear_empty": job.get("clear_empty")})
    return render(
        request,
        "quizzes/admin/bank_import_job.html",
        {
            "job": job,
            "token": token,
            "mapping_form": mapping_form,
            "accepted_names": accepted_names() if header else None,
        },
    )


def bank_import_mapping(request, token):
    """The preview's column mapping: remember it for this header and run the dry run again with it."""
    _require_bank_manager(request)
    job = bank_tasks.job_get(token, user_id=request.user.pk)
    if job is None or request.method != "POST":
        if job is None:
            messages.error(request, _("预览已过期，请重新上传文件。"))
            return redirect("quizzes_bank_import")
        return redirect("quizzes_bank_import_job", token=token)
    header = (job.get("report") or {}).get("header")
    if not header:
        return redirect("quizzes_bank_import_job", token=token)
    form = ColumnMappingForm(request.POST, header=header)
    if not form.is_valid():
        return _job_page(request, job, token, mapping_form=form)
    column_map = form.column_map()
    BankColumnMapping.remember(
        fingerprint=header["fingerprint"],
        header=[c["name"] for c in header["columns"]],
        columns={header_key(name): field for name, field in column_map.items()},
        user=request.user,
    )
    if not bank_tasks.job_rerun(
        token, user_id=request.user.pk, column_map=column_map, clear_empty=form.cleaned_data["clear_empty"]
    ):
        messages.error(request, _("预览已过期，请重新上传文件（你指定的列对应关系已保存，会自动套用）。"))
        return redirect("quizzes_bank_import")
    messages.success(request, _("已按你指定的列对应关系重新预览；下次导入相同表头的文件时会自动套用。"))
    return redirect("quizzes_bank_import_job", token=token)


def bank_import_job(request, token):
    """Step 2: progress, then the dry-run report; step 3: commit (POST), one transaction."""
    _require_bank_manager(request)
    job = bank_tasks.job_get(token, user_id=request.user.pk)
    if job is None:
        messages.error(request, _("预览已过期，请重新上传文件。"))
        return redirect("quizzes_bank_import")
    if request.headers.get("accept", "").startswith("application/json") or request.GET.get("format") == "json":
        return JsonResponse({"state": job["state"], "done": job["done"], "total": job["total"], "error": job["error"]})
    if request.method == "POST":
        if not bank_tasks.job_confirmable(job, request.POST.get("revision")):
            messages.error(request, _("预览已更新（列对应关系或选项改过了），请看过下面新的预览后再确认导入。"))
            return redirect("quizzes_bank_import_job", token=token)
        data = bank_tasks.job_data(token)
        if data is None:
            messages.error(request, _("预览已过期，请重新上传文件。"))
            return redirect("quizzes_bank_import")
        try:
            # Exactly the reading the dry run showed: same mapping, same "empty cells clear" choice.
            parsed = parse_upload(
                data=data,
                filename=job["filename"],
                fmt=job["fmt"],
                default_category=job["default_category"],
                **bank_tasks.job_parse_options(job),
            )
            result = bank_services.bank_import_parsed(
                parsed=parsed, actor=request.user, skip_rejected=bool(request.POST.get("skip_rejected"))
            )
        except ImportRejected as exc:
            job["report"] = exc.plan.report(limit=bank_tasks.REPORT_LIMIT)
            messages.error(request, _("文件中有被拒绝的行，未写入任何数据。"))
            return _job_page(request, job, token)
        except (SpreadsheetError, BankError) as exc:
            messages.error(request, str(exc))
            return redirect("quizzes_bank_import")
        bank_tasks.job_finish(token)
        return render(
            request,
            "quizzes/admin/bank_import_done.html",
            {"result": result, "report": result.report(limit=bank_tasks.REPORT_LIMIT)},
        )
    return _job_page(request, job, token)


def bank_template(request):
    _require_bank_manager(request)
    response = HttpResponse(template_bytes(), content_type=EXPORT_FORMATS["xlsx"][1])
    response["Content-Disposition"] = 'attachment; filename="question-bank-template.xlsx"'
    return response


def bank_export_view(request):
    _require_bank_manager(request)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        raise Http404
    filters = {
        k: request.GET[k] for k in ("category", "type", "difficulty", "status", "tag", "search") if request.GET.get(k)
    }
    try:
        queryset = bank_questions(**filters)
    except ValueError:
        raise Http404
    body, filename, content_type = export_bank(queryset, fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@hooks.register("register_admin_urls")
def register_bank_urls():
    return [
        path("bank/import/", bank_import_view, name="quizzes_bank_import"),
        path("bank/import/<str:token>/", bank_import_job, name="quizzes_bank_import_job"),
        path("bank/import/<str:token>/columns/", bank_import_mapping, name="quizzes_bank_import_mapping"),
        path("bank/template/", bank_template, name="quizzes_bank_template"),
        path("bank/export/", bank_export_view, name="quizzes_bank_export"),
        path("bank/preview/<int:pk>/", question_preview, name="quizzes_bank_preview"),
        path("bank/usage/<int:pk>/", question_usage_view, name="quizzes_bank_usage"),
    ]


class BankManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_bank(request.user)


@hooks.register("register_admin_menu_item")
def register_bank_import_menu_item():
    return BankManagerMenuItem(
        gettext_lazy("导入/导出题库"), reverse("quizzes_bank_import"), icon_name="upload", order=301
    )
