"""/api/v1/ for study modules: courses, lessons (blocks as JSON), my progress, heartbeats and completion, and the
officers' progress report. Thin: selectors read, services write."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from courses import selectors, services
from courses.exceptions import StudyError, TooEarlyToComplete
from courses.models import CoursePage, LessonPage
from elearn.api_schema_errors import or_field_errors
from elearn.org.disclosure import disclose
from elearn.org.permissions import is_manager

# --- serializers --------------------------------------------------------------------------------------------


class CourseProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    percent = serializers.IntegerField()
    status = serializers.CharField(help_text="not_started | in_progress | completed")
    active_seconds = serializers.IntegerField()
    last_seen_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True, help_text="When the module badge was awarded")


class LessonSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    completed = serializers.BooleanField()


class LessonProgressSerializer(serializers.Serializer):
    first_opened_at = serializers.DateTimeField(allow_null=True)
    active_seconds = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    remaining_seconds = serializers.IntegerField(help_text="Reading time still needed before 学完了 unlocks")
    remaining_at_end_seconds = serializers.IntegerField(
        help_text="The same once the reader has reached the end of the lesson (its own reading time, if shorter)"
    )


class BlockSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField(
        help_text="heading, paragraph, image, callout, law_article, key_points, video, document, steps, self_check"
    )
    value = serializers.JSONField()


class LessonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    course = serializers.IntegerField()
    summary = serializers.CharField()
    body = BlockSerializer(many=True)
    progress = LessonProgressSerializer()


class HeartbeatSerializer(serializers.Serializer):
    session = serializers.CharField(max_length=64, help_text="Random id of this page view (one per page load)")
    seq = serializers.IntegerField(min_value=1, max_value=services.MAX_SEQ, help_text="1, 2, 3 ... per session")
    seconds = serializers.IntegerField(min_value=0, max_value=3600, help_text="Visible seconds since the last beat")


class HeartbeatResultSerializer(serializers.Serializer):
    credited = serializers.IntegerField()
    duplicate = serializers.BooleanField()
    active_seconds = serializers.IntegerField()
    remaining_seconds = serializers.IntegerField()
    remaining_at_end_seconds = serializers.IntegerField(
        help_text="Reading time still needed once the reader has reached the end of the lesson (never more than "
        "remaining_seconds)"
    )


class CompleteSerializer(serializers.Serializer):
    reached_end = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The reader has reached the end of the lesson: remaining_at_end_seconds applies instead of "
        "remaining_seconds",
    )


class CompleteResultSerializer(serializers.Serializer):
    completed_at = serializers.DateTimeField()
    already_completed = serializers.BooleanField()
    course_completed = serializers.BooleanField(help_text="True when this lesson finished the module (badge awarded)")
    course_progress = CourseProgressSerializer()


class StudyErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    detail = serializers.CharField()
    remaining_seconds = serializers.IntegerField(required=False)


class ReportRowSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(source="user.pk")
    employee_no = serializers.CharField(source="user.employee_no")
    real_name = serializers.CharField(source="user.real_name")
    institution = serializers.CharField(source="user.institution.name", default="")
    department = serializers.CharField(source="user.department")
    course_id = serializers.IntegerField(source="course.pk")
    course = serializers.CharField(source="course.title")
    required = serializers.BooleanField(source="progress.required")
    progress = CourseProgressSerializer()


# --- helpers ------------------------------------------------------------------------------------------------


def _error(exc: StudyError):
    body = {"error": exc.code, "detail": str(exc)}
    if isinstance(exc, TooEarlyToComplete):
        body["remaining_seconds"] = exc.remaining_seconds
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _lesson_progress_data(user, lesson, course):
    progress = selectors.lesson_progress(user=user, lesson=lesson)
    return {
        "first_opened_at": progress.first_opened_at if progress else None,
        "active_seconds": progress.active_seconds if progress else 0,
        "completed_at": progress.completed_at if progress else None,
        "remaining_seconds": services.remaining_seconds(progress, course),
        "remaining_at_end_seconds": services.remaining_seconds(progress, course, end_after=lesson.end_seconds(course)),
    }


# --- viewsets -----------------------------------------------------------------------------------------------


class CourseOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    kind = serializers.CharField(
        help_text="law (法律法规) | standard (标准规范) | science (应急科普) | post (岗位安全)"
    )
    summary = serializers.CharField()
    estimated_minutes = serializers.IntegerField()
    min_reading_seconds = serializers.IntegerField()
    law_title = serializers.CharField()
    required = serializers.BooleanField()
    progress = CourseProgressSerializer()


class CourseDetailOut(CourseOut):
    lessons = LessonSummarySerializer(many=True)


def _course_out(item) -> dict:
    c = item.course
    return {
        "id": c.pk,
        "title": c.title,
        "url": c.url,
        "kind": c.kind,
        "summary": c.summary,
        "estimated_minutes": c.estimated_minutes,
        "min_reading_seconds": c.min_reading_seconds,
        "law_title": c.law_title,
        "required": item.required,
        "progress": CourseProgressSerializer(item).data,
    }


class CourseViewSet(viewsets.GenericViewSet):
    """Published study modules with the caller's progress in each."""

    lookup_value_regex = r"\d+"
    serializer_class = CourseOut
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database query (there may be none)
            return CoursePage.objects.none()
        return selectors.live_courses()

    @extend_schema(responses=CourseOut(many=True), parameters=[OpenApiParameter("kind", str, required=False)])
    def list(self, request):
        courses = self.get_queryset().prefetch_related("required_institutions")
        kind = request.query_params.get("kind")
        if kind:
            courses = courses.filter(kind=kind)
        items = selectors.courses_progress(user=request.user, courses=courses)
        return Response([_course_out(item) for item in items])

    @extend_schema(responses=CourseDetailOut)
    def retrieve(self, request, pk=None):
        course = get_object_or_404(self.get_queryset(), pk=pk)
        context = selectors.course_context(user=request.user, course=course)
        data = _course_out(context["progress"])
        data["lessons"] = [
            {"id": lesson.pk, "title": lesson.title, "url": lesson.url, "completed": done}
            for lesson, done in context["lessons"]
        ]
        return Response(data)


class LessonViewSet(viewsets.GenericViewSet):
    """A lesson with its blocks as structured JSON; heartbeats and completion for the caller."""

    lookup_value_regex = r"\d+"
    serializer_class = LessonSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database query (there may be none)
            return LessonPage.objects.none()
        return LessonPage.objects.live().public()

    def get_lesson(self, pk) -> tuple[LessonPage, CoursePage]:
        lesson = get_object_or_404(self.get_queryset(), pk=pk)
        course = lesson.get_parent().specific
        if not course.live:
            raise PermissionDenied(_("该模块未发布。"))
        return lesson, course

    @extend_schema(responses=LessonSerializer)
    def retrieve(self, request, pk=None):
        """Reading a lesson through the API opens it, as the page does: reading time is credited from then on."""
        lesson, course = self.get_lesson(pk)
        services.lesson_open(user=request.user, lesson=lesson)
        body = lesson.body.stream_block.get_api_representation(lesson.body, context={"request": request})
        return Response(
            {
                "id": lesson.pk,
                "title": lesson.title,
                "url": lesson.url,
                "course": course.pk,
                "summary": lesson.summary,
                "body": body,
                "progress": _lesson_progress_data(request.user, lesson, course),
            }
        )

    @extend_schema(
        request=HeartbeatSerializer,
        responses={200: HeartbeatResultSerializer, 400: or_field_errors("StudyError")},
        summary="Credit visible reading time (idempotent per session + seq)",
    )
    @action(detail=True, methods=["post"])
    def heartbeat(self, request, pk=None):
        lesson, course = self.get_lesson(pk)
        data = HeartbeatSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = services.lesson_heartbeat(user=request.user, lesson=lesson, **data.validated_data)
        except StudyError as exc:
            return _error(exc)
        return Response(
            {
                "credited": result.credited,
                "duplicate": result.duplicate,
                "active_seconds": result.progress.active_seconds,
                "remaining_seconds": services.remaining_seconds(result.progress, course),
                "remaining_at_end_seconds": services.remaining_seconds(
                    result.progress, course, end_after=lesson.end_seconds(course)
                ),
            }
        )

    @extend_schema(
        request=CompleteSerializer,
        responses={200: CompleteResultSerializer, 400: StudyErrorSerializer},
        summary="Mark the lesson complete (after the module's minimum reading time, or the lesson's own shorter one "
        "once the reader has reached its end)",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        lesson, course = self.get_lesson(pk)
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = services.lesson_complete(
                user=request.user, lesson=lesson, reached_end=data.validated_data["reached_end"]
            )
        except StudyError as exc:
            return _error(exc)
        item = selectors.course_progress(user=request.user, course=course)
        return Response(
            {
                "completed_at": result.progress.completed_at,
                "already_completed": result.already_completed,
                "course_completed": result.course_completed,
                "course_progress": CourseProgressSerializer(item).data,
            }
        )


class MyProgressViewSet(viewsets.GenericViewSet):
    """我的学习: required modules and modules started, with progress and badges."""

    serializer_class = CourseOut
    pagination_class = None

    @extend_schema(responses=CourseOut(many=True))
    def list(self, request):
        return Response([_course_out(item) for item in selectors.my_study(user=request.user)])


class StudyProgressViewSet(viewsets.GenericViewSet):
    """Officers: their institution's study progress; the district admin: every institution."""

    serializer_class = ReportRowSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("institution", int, required=False),
            OpenApiParameter("course", int, required=False),
            OpenApiParameter("status", str, required=False, enum=list(selectors.STATUS_LABELS)),
        ]
    )
    def list(self, request):
        if not is_manager(request.user):
            raise PermissionDenied(_("只有单位安全员和区卫健局管理员可以查看学习进度。"))

        def as_int(name):
            value = request.query_params.get(name, "")
            return int(value) if value.isdigit() else None

        status_filter = request.query_params.get("status")
        rows = selectors.institution_progress(
            viewer=request.user,
            institution_id=as_int("institution"),
            course_id=as_int("course"),
            status=status_filter if status_filter in selectors.STATUS_LABELS else None,
        )
        page = self.paginate_queryset(rows)
        if people := {row.user.pk for row in rows}:
            disclose(request, what=_("学习进度（接口）"), count=len(people), institution=as_int("institution"))
        return self.get_paginated_response(ReportRowSerializer(page, many=True).data)
