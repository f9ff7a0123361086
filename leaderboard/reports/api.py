"""Campaign report API (/api/v1/reports/..., /api/v1/report-exports/...): the dashboard's figures, follow-up lists,
item analysis, integrity signals and background exports. Thin: leaderboard.reports.selectors reads (scoped by
elearn.org.permissions, so a safety officer gets only their institution), report_services queues exports."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from elearn.org.disclosure import disclose
from elearn.org.permissions import is_manager
from elearn.org.phones import mask_mobile
from leaderboard.reports import selectors
from leaderboard.reports import services as report_services
from leaderboard.reports.export import SHEETS, note_export_download, note_export_request
from leaderboard.reports.models import ReportExport

# --- serializers ------------------------------------------------------------------------------------------------


class ReportFiltersSerializer(serializers.Serializer):
    institution = serializers.IntegerField(source="institution_id", allow_null=True)
    exam = serializers.IntegerField(source="exam_id", allow_null=True)
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)


class ReportExamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2)


class ReportFiguresSerializer(serializers.Serializer):
    institution_id = serializers.IntegerField(allow_null=True)
    institution = serializers.CharField(default="")
    roster = serializers.IntegerField(help_text="active staff and officers on the roster")
    required_people = serializers.IntegerField(help_text="people with at least one required module")
    required_done = serializers.IntegerField(help_text="of them, people who completed every required module")
    required_share = serializers.FloatField(allow_null=True, help_text="% required_done / required_people")
    audience = serializers.IntegerField(help_text="people the exam is for")
    sat = serializers.IntegerField(help_text="of them, people who started a counting attempt")
    sat_share = serializers.FloatField(allow_null=True, help_text="% sat / audience")
    graded = serializers.IntegerField(help_text="people with a submitted attempt")
    passed = serializers.IntegerField()
    pass_rate = serializers.FloatField(allow_null=True, help_text="% passed / graded")
    mean_score = serializers.FloatField(allow_null=True, help_text="mean grade, % of the paper")
    median_score = serializers.FloatField(allow_null=True, help_text="median grade, % of the paper")
    players = serializers.IntegerField(help_text="people who joined a competition game in the date range")
    competition_share = serializers.FloatField(allow_null=True, help_text="% players / roster")


class ReportHistogramBinSerializer(serializers.Serializer):
    label = serializers.CharField()
    start = serializers.FloatField()
    end = serializers.FloatField()
    count = serializers.IntegerField()


class ReportDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    study = serializers.IntegerField()
    exam = serializers.IntegerField()
    competition = serializers.IntegerField()


class ReportDashboardSerializer(serializers.Serializer):
    filters = ReportFiltersSerializer()
    exam = ReportExamSerializer(allow_null=True)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    institutions = ReportFiguresSerializer(many=True)
    total = ReportFiguresSerializer()
    histogram = ReportHistogramBinSerializer(many=True)
    daily = ReportDaySerializer(many=True)


class ReportPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    real_name = serializers.CharField()
    employee_no = serializers.CharField()
    institution = serializers.CharField(source="institution.name", default="")
    department = serializers.CharField()
    mobile = serializers.SerializerMethodField(help_text="masked (138****1234); POST /api/v1/privacy/reveal/ shows one")

    def get_mobile(self, user) -> str:
        return mask_mobile(user.mobile)


class ReportNotStudiedSerializer(serializers.Serializer):
    user = ReportPersonSerializer()
    required = serializers.IntegerField()
    done = serializers.IntegerField()
    unfinished = serializers.ListField(child=serializers.CharField())


class ReportFollowupSerializer(serializers.Serializer):
    exam = ReportExamSerializer(allow_null=True)
    not_studied = ReportNotStudiedSerializer(many=True)
    not_sat = ReportPersonSerializer(many=True)


class ReportOptionSerializer(serializers.Serializer):
    option = serializers.IntegerField()
    label = serializers.CharField()
    text = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class ReportItemSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    type = serializers.CharField()
    stem = serializers.CharField()
    category = serializers.CharField()
    attempts = serializers.IntegerField()
    max_points = serializers.FloatField(allow_null=True)
    mean_score = serializers.FloatField(allow_null=True)
    sd = serializers.FloatField(allow_null=True)
    facility = serializers.FloatField(allow_null=True, help_text="Moodle facility index, 0-100")
    discrimination = serializers.FloatField(allow_null=True, help_text="Moodle discrimination index, -100-100")
    options = ReportOptionSerializer(many=True)
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=["too_easy", "too_hard", "negative_discrimination"])
    )


class ReportCategorySerializer(serializers.Serializer):
    institution_id = serializers.IntegerField()
    institution = serializers.CharField()
    category = serializers.CharField()
    answers = serializers.IntegerField()
    facility = serializers.FloatField()
    weak = serializers.BooleanField()


class ReportItemAnalysisSerializer(serializers.Serializer):
    exam = ReportExamSerializer()
    attempts = serializers.IntegerField()
    items = ReportItemSerializer(many=True)
    categories = ReportCategorySerializer(many=True)


class ReportFlaggedPersonSerializer(serializers.Serializer):
    attempt_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    real_name = serializers.CharField()
    employee_no = serializers.CharField()
    department = serializers.CharField()
    institution = serializers.CharField()


class ReportFastAttemptSerializer(ReportFlaggedPersonSerializer):
    duration = serializers.FloatField(help_text="seconds")
    threshold = serializers.FloatField(help_text="seconds")
    questions = serializers.IntegerField()


class ReportTabSwitchSerializer(ReportFlaggedPersonSerializer):
    tab_switches = serializers.IntegerField()


class ReportIdenticalGroupSerializer(serializers.Serializer):
    institution_id = serializers.IntegerField()
    institution = serializers.CharField()
    attempt_ids = serializers.ListField(child=serializers.IntegerField())
    answered = serializers.IntegerField()
    wrong = serializers.IntegerField()
    people = ReportFlaggedPersonSerializer(many=True)


class ReportIntegritySerializer(serializers.Serializer):
    exam = ReportExamSerializer()
    fast = ReportFastAttemptSerializer(many=True)
    tab_switches = ReportTabSwitchSerializer(many=True)
    identical = ReportIdenticalGroupSerializer(many=True)


class ReportExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ReportExport.Format.values, default=ReportExport.Format.XLSX)
    sheet = serializers.ChoiceField(choices=list(SHEETS), required=False, help_text="required for csv")
    institution = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    exam = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    include_mobile = serializers.BooleanField(
        default=False, help_text="含手机号: the people and absent sheets carry mobile numbers (recorded)"
    )


class ReportExportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ReportExport.Status.values)
    progress = serializers.IntegerField()
    step = serializers.CharField()
    message = serializers.CharField()
    format = serializers.ChoiceField(choices=ReportExport.Format.values)
    sheet = serializers.CharField()
    filename = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, export) -> str:
        if export.status != ReportExport.Status.DONE:
            return ""
        request = self.context.get("request")
        path = f"/api/v1/report-exports/{export.pk}/download/"
        return request.build_absolute_uri(path) if request else path


ErrorSerializer = inline_serializer(
    "ReportError", {"error": serializers.CharField(), "detail": serializers.CharField()}
)
DetailSerializer = inline_serializer("ReportDetail", {"detail": serializers.CharField()})

FILTER_PARAMS = [
    OpenApiParameter("institution", int, required=False, description="one of the institutions I manage"),
    OpenApiParameter("exam", int, required=False, description="default: the most recent exam I may report on"),
    OpenApiParameter("from", OpenApiTypes.DATE, required=False, description="first day (Asia/Shanghai)"),
    OpenApiParameter("to", OpenApiTypes.DATE, required=False, description="last day (Asia/Shanghai)"),
]
ERRORS = {400: ErrorSerializer, 403: DetailSerializer}


def _error(exc: selectors.ReportFilterError) -> Response:
    return Response({"error": exc.field, "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)


class ManagerViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_manager(request.user):
            raise PermissionDenied()

    def filters(self, params) -> selectors.ReportFilters:
        try:
            return selectors.parse_filters(self.request.user, params)
        except DjangoPermissionDenied:
            raise PermissionDenied() from None


class ReportViewSet(ManagerViewSet):
    """Campaign figures for managers: a safety officer gets their institution only, the district admin every one."""

    @extend_schema(
        summary="Dashboard figures per institution",
        parameters=FILTER_PARAMS,
        responses={200: ReportDashboardSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"])
    def dashboard(self, request):
        try:
            filters = self.filters(request.query_params)
        except selectors.ReportFilterError as exc:
            return _error(exc)
        data = selectors.dashboard(request.user, filters)
        return Response(ReportDashboardSerializer(data).data)

    @extend_schema(
        summary="Follow-up lists: not finished the required modules, not sat the exam",
        parameters=FILTER_PARAMS,
        responses={200: ReportFollowupSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"])
    def followup(self, request):
        try:
            filters = self.filters(request.query_params)
        except selectors.ReportFilterError as exc:
            return _error(exc)
        lists = selectors.followup(request.user, filters)
        disclose(
            request,
            what=_("跟进名单（接口）"),
            count=len({row["user"].pk for row in lists["not_studied"]} | {u.pk for u in lists["not_sat"]}),
            institution=filters.institution_id,
        )
        return Response(ReportFollowupSerializer(lists).data)

    def _exam(self, request):
        filters = self.filters(request.query_params)
        exam = selectors.selected_exam(request.user, filters)
        if exam is None:
            raise NotFound()
        return exam, filters

    @extend_schema(
        summary="Item analysis of an exam (Moodle facility and discrimination index, options, flags, weak categories)",
        parameters=FILTER_PARAMS[:2],
        responses={200: ReportItemAnalysisSerializer, 404: DetailSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"])
    def items(self, request):
        try:
            exam, filters = self._exam(request)
        except selectors.ReportFilterError as exc:
            return _error(exc)
        return Response(
            ReportItemAnalysisSerializer(selectors.item_analysis(exam, request.user, filters.institution_id)).data
        )

    @extend_schema(
        summary="Integrity signals of an exam: fast attempts, many tab switches, identical answers in one institution",
        parameters=FILTER_PARAMS[:2],
        responses={200: ReportIntegritySerializer, 404: DetailSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"])
    def integrity(self, request):
        try:
            exam, filters = self._exam(request)
        except selectors.ReportFilterError as exc:
            return _error(exc)
        data = selectors.integrity(exam, request.user, filters.institution_id)
        if flagged := selectors.integrity_people(data):
            disclose(
                request,
                what=_("异常作答名单（接口）：%(exam)s") % {"exam": exam.title},
                count=flagged,
                institution=filters.institution_id,
            )
        return Response(ReportIntegritySerializer(data).data)


class ReportExportViewSet(ManagerViewSet):
    """Exports built in the background: POST asks for one, GET polls its progress, download fetches the file.
    Only the person who asked sees an export."""

    lookup_value_regex = "[0-9a-f-]{36}"

    def _own(self, request, pk) -> ReportExport:
        try:
            uuid.UUID(str(pk))
        except ValueError:
            raise NotFound() from None
        export = ReportExport.objects.defer("content").filter(pk=pk, requested_by=request.user).first()
        if export is None:
            raise NotFound()
        return export

    @extend_schema(
        summary="Ask for the campaign workbook (xlsx) or one sheet as CSV",
        request=ReportExportRequestSerializer,
        responses={202: ReportExportSerializer, **ERRORS},
    )
    def create(self, request):
        incoming = ReportExportRequestSerializer(data=request.data)
        if not incoming.is_valid():
            field_name, messages = next(iter(incoming.errors.items()))
            return Response({"error": field_name, "detail": str(messages[0])}, status=status.HTTP_400_BAD_REQUEST)
        data = incoming.validated_data
        params = {
            "institution": data.get("institution"),
            "exam": data.get("exam"),
            "from": data.get("date_from").isoformat() if data.get("date_from") else None,
            "to": data.get("date_to").isoformat() if data.get("date_to") else None,
        }
        try:
            filters = self.filters(params)
            export = report_services.report_export_request(
                viewer=request.user,
                filters=filters,
                fmt=data["format"],
                sheet=data.get("sheet", ""),
                include_mobile=data["include_mobile"],
            )
        except selectors.ReportFilterError as exc:
            return _error(exc)
        note_export_request(request, export)
        export = self._own(request, export.pk)
        return Response(
            ReportExportSerializer(export, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(summary="Progress of an export", responses={200: ReportExportSerializer, 404: DetailSerializer})
    def retrieve(self, request, pk=None):
        return Response(ReportExportSerializer(self._own(request, pk), context={"request": request}).data)

    @extend_schema(
        summary="Download a finished export",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: DetailSerializer},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        self._own(request, pk)
        export = ReportExport.objects.filter(pk=pk, requested_by=request.user, status=ReportExport.Status.DONE).first()
        if export is None or export.content is None:
            raise NotFound()
        note_export_download(request, export)
        response = HttpResponse(bytes(export.content), content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "no-store"
        return response
