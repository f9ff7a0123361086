"""Wagtail admin: import a statute (district admins) and the study-progress report (officers and admins)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses import services
from courses.exceptions import LawImportError, LessonNotAvailable
from courses.law_import import MAX_BYTES, import_statute
from courses.models import CourseIndexPage, LessonPage
from elearn.org.permissions import is_manager


class LawImportForm(forms.Form):
    file = forms.FileField(label=_("法规文本（.md 或 .txt）"))
    dry_run = forms.BooleanField(label=_("只预览变化，不写入"), required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".md", ".txt")):
            raise forms.ValidationError(_("请上传 .md 或 .txt 文件。"))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件过大（超过 5 MB）。"))
        return upload


def _decode(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM), then GBK/GB18030; anything else is refused with a message saying so."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LawImportError(_("无法识别文件“%(name)s”的编码，请另存为 UTF-8 或 GBK 编码的文本文件。") % {"name": filename})


def law_import_view(request):
    if not request.user.is_district_admin:
        raise PermissionDenied
    form = LawImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            report = import_statute(
                text=_decode(data, upload.name),
                filename=upload.name,
                index_page=CourseIndexPage.objects.first(),
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except LawImportError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, report.summary())
    return render(request, "courses/admin/law_import.html", {"form": form, "report": report})


@hooks.register("register_admin_urls")
def register_law_import_url():
    return [path("courses/import-law/", law_import_view, name="courses_law_import")]


class DistrictAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_district_admin


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_menu_item")
def register_law_import_menu_item():
    return DistrictAdminMenuItem(_("导入法规"), reverse("courses_law_import"), icon_name="doc-full-inverse", order=230)


@hooks.register("register_admin_menu_item")
def register_progress_menu_item():
    return ManagerMenuItem(_("学习进度"), reverse("courses:progress"), icon_name="tasks", order=240)


@hooks.register("before_serve_page")
def record_lesson_open(page, request, serve_args, serve_kwargs):
    """A signed-in reader opening a live lesson starts its progress (first_opened_at); a preview records nothing."""
    if isinstance(page, LessonPage) and request.user.is_authenticated and not getattr(request, "is_preview", False):
        try:
            services.lesson_open(user=request.user, lesson=page)
        except LessonNotAvailable:
            pass  # not live (a draft): nothing to record
