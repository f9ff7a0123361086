"""Wagtail admin pages for safety officers and the district admin: exam results of their institutions, the
未参考名单 (who has not sat the exam, with department and phone), and Excel exports of both.

Thin: quizzes.results.selectors reads, elearn.org.permissions decides who sees what, elearn.spreadsheets writes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from elearn.org.disclosure import EXPORT, disclose
from elearn.org.permissions import can_manage_institution, is_manager, managed_institutions
from elearn.spreadsheets import workbook_bytes
from quizzes.results import selectors
from quizzes.results.models import Certificate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_manager(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


def _exam_or_404(request, exam_id: int):
    exam = selectors.report_exam(request.user, exam_id)
    if exam is None:
        raise Http404
    return exam


def _institution_filter(request) -> int | None:
    raw = request.GET.get("institution", "")
    if not raw.isdigit():
        return None
    if not can_manage_institution(request.user, int(raw)):
        raise PermissionDenied
    return int(raw)


def results_index(request):
    _require_manager(request)
    return render(request, "quizzes/admin/results_index.html", {"exams": selectors.report_exams(request.user)})


def results_exam(request, exam_id: int):
    _require_manager(request)
    exam = _exam_or_404(request, exam_id)
    institution = _institution_filter(request)
    tab = "absent" if request.GET.get("tab") == "absent" else "results"
    context = {
        "exam": exam,
        "tab": tab,
        "institution": institution,
        "institutions": managed_institutions(request.user).order_by("kind", "name"),
        "summary": selectors.exam_summary(exam, request.user) if institution is None else None,
    }
    if tab == "absent":
        context["absentees"] = list(selectors.exam_absentees(exam, request.user, institution))
        disclose(
            request,
            what=_("未参考名单：%(exam)s") % {"exam": exam.title},
            count=len(context["absentees"]),
            institution=institution,
        )
    else:
        context["rows"] = selectors.exam_results(exam, request.user, institution)
        disclose(
            request,
            what=_("考试成绩：%(exam)s") % {"exam": exam.title},
            count=len(context["rows"]),
            institution=institution,
        )
    return render(request, "quizzes/admin/results_exam.html", context)


def results_export(request, exam_id: int, kind: str):
    _require_manager(request)
    exam = _exam_or_404(request, exam_id)
    institution = _institution_filter(request)
    with_mobile = request.GET.get("mobile") == "1"  # 含手机号: only when asked, and recorded
    if kind == "absent":
        people = selectors.exam_absentees(exam, request.user, institution)
        count, label = people.count(), str(_("未参考名单"))
        sheets = [(label, selectors.absent_header(with_mobile), selectors.absentee_table(people, with_mobile))]
    elif kind == "results":
        rows = selectors.exam_results(exam, request.user, institution)
        count, label = len(rows), str(_("考试成绩"))
        sheets = [(label, selectors.result_header(with_mobile), selectors.result_table(rows, with_mobile))]
    else:
        raise Http404
    disclose(
        request,
        action=EXPORT,
        what=_("导出%(sheet)s：%(exam)s") % {"sheet": label, "exam": exam.title},
        count=count,
        institution=institution,
        with_mobile=with_mobile,
        detail={"exam": exam.pk, "kind": kind},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="exam-{exam.pk}-{kind}-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@hooks.register("register_admin_urls")
def register_result_urls():
    return [
        path("exam-results/", results_index, name="quizzes_results"),
        path("exam-results/<int:exam_id>/", results_exam, name="quizzes_results_exam"),
        path("exam-results/<int:exam_id>/export/<str:kind>.xlsx", results_export, name="quizzes_results_export"),
    ]


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_menu_item")
def register_results_menu_item():
    return ManagerMenuItem(_("考试成绩"), reverse("quizzes_results"), icon_name="table", order=320)


class IssuedOnlyPolicy(ModelPermissionPolicy):
    """Certificates are issued by certificate_issue only: nobody adds one by hand."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Certificate, IssuedOnlyPolicy(Certificate), exact_class=True)


class CertificateViewSet(ModelViewSet):
    """Issued certificates; the district admin may revoke one (set 作废时间), after which /verify/ says invalid.
    Model permissions (quizzes.change_certificate) keep it to the district admin."""

    model = Certificate
    icon = "doc-full"
    menu_label = _("合格证书")
    menu_order = 330
    add_to_admin_menu = True
    copy_view_enabled = False
    form_fields = ["revoked_at"]
    list_display = ["code", "holder_name", "institution_name", "exam_title", "score", "passed_on", "revoked_at"]
    list_filter = ["exam"]
    search_fields = ["code", "holder_name", "institution_name"]


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet("certificates")
