"""HTML views of the study area (the module pages themselves are Wagtail pages). They translate only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.views import serve as wagtail_serve

from courses import selectors, services
from courses.exceptions import StudyError
from courses.models import CourseIndexPage, CoursePage, LessonPage
from elearn.org.disclosure import EXPORT, disclose
from elearn.org.permissions import is_manager
from elearn.spreadsheets import workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def index(request):
    """The 学习 tab: the study index page, wherever the editors put it."""
    page = CourseIndexPage.objects.live().first()
    if page is None:
        return render(request, "courses/no_index.html", status=200)
    url = page.get_url(request)
    if url and url.rstrip("/") != request.path.rstrip("/"):
        return redirect(url)
    return wagtail_serve(request, request.path.lstrip("/"))


@login_required
def my_study(request):
    items = selectors.my_study(user=request.user)
    badges = [item for item in items if item.completed_at]
    return render(
        request,
        "courses/my_study.html",
        {"items": items, "badges": badges, "continue": selectors.continue_lesson(user=request.user)},
    )


@require_POST
@login_required
def lesson_complete(request, pk):
    """The 学完了 button without JavaScript (the page script uses the API and lands on the same service)."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=pk)
    try:
        # The button sits below the lesson's end: whoever pressed it has reached the end.
        result = services.lesson_complete(user=request.user, lesson=lesson, reached_end=True)
    except StudyError as exc:
        messages.warning(request, str(exc))
        return redirect(lesson.url)
    course = result.progress.course
    if result.course_completed:
        messages.success(request, _("恭喜！你已学完“%(course)s”，获得学习徽章。") % {"course": course.title})
    else:
        messages.success(request, _("本课已学完。"))
    following = selectors.next_lesson(user=request.user, course=course)
    return redirect(following.url if following else course.url)


def _report_filters(request):
    def as_int(name):
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    status = request.GET.get("status")
    return {
        "institution_id": as_int("institution"),
        "course_id": as_int("course"),
        "status": status if status in selectors.STATUS_LABELS else None,
    }


def _note(request, rows, filters, what, **kwargs) -> None:
    """Other people's study progress shown or exported: noted for the access log (elearn.org.disclosure)."""
    people = {row.user.pk for row in rows}
    if people:
        disclose(request, what=what, count=len(people), institution=filters["institution_id"], **kwargs)


@login_required
def progress_report(request):
    """Safety officers: their institution's study progress; the district admin: every institution."""
    if not is_manager(request.user):
        raise PermissionDenied
    filters = _report_filters(request)
    rows = selectors.institution_progress(viewer=request.user, **filters)
    _note(request, rows, filters, _("学习进度"))
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    counts = {key: sum(1 for r in rows if r.progress.status == key) for key in selectors.STATUS_LABELS}
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "courses/progress_report.html",
        {
            "page_obj": page,
            "rows": page.object_list,
            "total": len(rows),
            "counts": counts,
            "filters": filters,
            "institutions": selectors.report_institutions(request.user),
            "courses": CoursePage.objects.live().order_by("path"),
            "statuses": selectors.STATUS_LABELS.items(),
            "query": query.urlencode(),
        },
    )


@login_required
def progress_export(request):
    if not is_manager(request.user):
        raise PermissionDenied
    filters = _report_filters(request)
    rows = selectors.institution_progress(viewer=request.user, **filters)
    _note(request, rows, filters, _("导出学习进度"), action=EXPORT)
    body = workbook_bytes([("学习进度", selectors.REPORT_HEADER, selectors.report_table(rows))])
    response = HttpResponse(body, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="study-progress-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


# --- what the study pages (Wagtail page models) show their reader; wired in by CoursesConfig.ready() --------------


def course_index_page_context(page: CourseIndexPage, request) -> dict:
    return selectors.course_index_context(user=request.user, index_page=page, kind=request.GET.get("kind"))


def course_page_context(page: CoursePage, request) -> dict:
    return selectors.course_context(user=request.user, course=page)


def lesson_page_context(page: LessonPage, request) -> dict:
    return selectors.lesson_context(user=request.user, lesson=page, course=page.course)
