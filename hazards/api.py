"""API of the hazards app: submit a report (multipart), my named reports, follow an anonymous report by its receipt
code (POST: never in a URL), and the handlers' list, detail and transitions. The same services as the pages."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from elearn.api_errors import error_body
from elearn.api_schema_errors import API_ERROR_REF
from elearn.org.disclosure import disclose
from elearn.org.permissions import is_manager
from hazards import selectors, services
from hazards.actions import ACTIONS
from hazards.exceptions import HazardError, NotAllowed, TooManyTries, UnknownReceipt
from hazards.models import Category, HazardReport, Judgement, Severity, State
from hazards.throttle import receipt_blocked, receipt_failed


def _refusal(exc: HazardError) -> Response:
    code = {NotAllowed: status.HTTP_403_FORBIDDEN, UnknownReceipt: status.HTTP_404_NOT_FOUND}.get(type(exc), 400)
    if exc.errors:
        first = next(iter(sum(exc.errors.values(), [])), exc.message)
        return Response(error_body(exc.code, first, fields=exc.errors), status=code)
    return Response(error_body(exc.code, exc.message), status=code)


class SubmitSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    institution = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    category = serializers.ChoiceField(choices=Category.choices)
    location = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=2000)
    judgement = serializers.ChoiceField(choices=Judgement.choices, default=Judgement.GENERAL)
    anonymous = serializers.BooleanField(default=False)
    directed_to_bureau = serializers.BooleanField(default=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=6)


class SubmittedSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="null for an anonymous report")
    anonymous = serializers.BooleanField()
    receipt = serializers.CharField(help_text="anonymous only: shown this once, never stored, the only way back")
    created = serializers.BooleanField(help_text="false: a repeated submission (same client_uuid)")


class EventSerializer(serializers.Serializer):
    role = serializers.CharField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    direction = serializers.CharField()
    text = serializers.CharField()
    at = serializers.DateTimeField()


class RewardSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    kind = serializers.CharField()
    note = serializers.CharField()
    granted_on = serializers.DateField()


class ReportSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name")
    overdue = serializers.SerializerMethodField()
    major = serializers.BooleanField(source="is_major")
    events = EventSerializer(many=True)
    messages = MessageSerializer(many=True)
    rewards = RewardSerializer(many=True)

    class Meta:
        model = HazardReport
        fields = [
            "id",
            "created_at",
            "institution",
            "institution_name",
            "location",
            "place",
            "category",
            "description",
            "judgement",
            "severity",
            "anonymous",
            "directed_to_bureau",
            "state",
            "deadline",
            "duplicate_of",
            "overdue",
            "major",
            "events",
            "messages",
            "rewards",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class HandledReportSerializer(ReportSerializer):
    reporter_name = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "reporter_name", "photos"]

    def get_reporter_name(self, obj) -> str:
        return "" if obj.anonymous or not obj.reporter_id else obj.reporter.real_name

    def get_photos(self, obj) -> list[dict]:
        return [{"id": p.pk, "stage": p.stage, "url": f"/hazards/photos/{p.pk}/"} for p in obj.photos.all()]


class HazardReportViewSet(viewsets.GenericViewSet):
    """POST: submit a report (multipart with photos, or JSON without); GET mine/: my named reports."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = SubmitSerializer

    @extend_schema(
        request=SubmitSerializer,
        responses={201: SubmittedSerializer, 200: SubmittedSerializer, 400: API_ERROR_REF},
        summary="Submit a hazard report",
    )
    def create(self, request):
        incoming = SubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            done = services.report_create(
                reporter=request.user,
                institution=data["institution"],
                category=data["category"],
                description=data["description"],
                location=data["location"],
                place=data["place"],
                judgement=data["judgement"],
                anonymous=data["anonymous"],
                directed_to_bureau=data["directed_to_bureau"],
                photos=request.FILES.getlist("photos") if hasattr(request.FILES, "getlist") else [],
                client_uuid=data.get("client_uuid"),
            )
        except HazardError as exc:
            return _refusal(exc)
        body = {
            "id": None if done.report.anonymous else done.report.pk,
            "anonymous": done.report.anonymous,
            "receipt": done.receipt,
            "created": done.created,
        }
        response = Response(body, status=status.HTTP_201_CREATED if done.created else status.HTTP_200_OK)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(responses=ReportSerializer(many=True), summary="My named reports")
    @action(detail=False, methods=["get"])
    def mine(self, request):
        reports = selectors.my_reports(request.user).prefetch_related("events", "messages", "rewards")
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(ReportSerializer(page, many=True).data)


class FollowSerializer(serializers.Serializer):
    receipt = serializers.CharField(max_length=60)
    answer = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="an answer to send")


class HazardFollowViewSet(viewsets.GenericViewSet):
    """POST: an anonymous report by its receipt code (and, with `answer`, answer the handler's questions)."""

    serializer_class = FollowSerializer
    pagination_class = None

    @extend_schema(
        request=FollowSerializer,
        responses={200: ReportSerializer, 404: API_ERROR_REF, 429: API_ERROR_REF},
        summary="Follow by receipt code",
    )
    def create(self, request):
        incoming = FollowSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if receipt_blocked(request._request):
            return Response(error_body(TooManyTries.code, TooManyTries.default_message), status=429)
        code = incoming.validated_data["receipt"]
        report = selectors.find_by_receipt(code)
        if report is None:
            receipt_failed(request._request)
            return _refusal(UnknownReceipt())
        if incoming.validated_data.get("answer"):
            try:
                services.reporter_answer(text=incoming.validated_data["answer"], receipt=code)
            except HazardError as exc:
                return _refusal(exc)
        response = Response(ReportSerializer(report).data)
        response["Cache-Control"] = "no-store"
        return response


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["accept", "start", "rectified", "verify", "reject", "duplicate", "ask", "reward"]
    )
    deadline = serializers.DateField(required=False, allow_null=True)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default=Severity.GENERAL)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    original = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    on_board = serializers.BooleanField(required=False, default=True)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    kind = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=6)


class HazardHandlingViewSet(viewsets.GenericViewSet):
    """Officers and the district admin: the reports they handle (filters: state, category, overdue, major,
    institution) and the transitions (POST {id}/transition/)."""

    serializer_class = HandledReportSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            HazardReport.objects.handled_by(self.request.user)
            .select_related("institution", "reporter")
            .prefetch_related("events", "messages", "rewards", "photos")
        )

    @extend_schema(responses=HandledReportSerializer(many=True), summary="Reports I handle")
    def list(self, request):
        if not is_manager(request.user):
            return Response(error_body("permission_denied", NotAllowed.default_message), status=403)
        reports, _chosen = selectors.handling_list(request.user, request.query_params)
        page = self.paginate_queryset(reports.prefetch_related("events", "messages", "rewards", "photos"))
        named = sum(1 for r in page if r.reporter_id)
        if named:
            disclose(request, what=_("隐患报告列表（含上报人，接口）"), count=named)
        return self.get_paginated_response(HandledReportSerializer(page, many=True).data)

    def _report(self, pk) -> HazardReport:
        report = self.get_queryset().filter(pk=pk).first() if str(pk).isdigit() else None
        if report is None:
            raise Http404
        return report

    @extend_schema(responses=HandledReportSerializer, summary="One report I handle")
    def retrieve(self, request, pk=None):
        report = self._report(pk)
        if report.reporter_id:
            disclose(
                request,
                what=_("隐患报告（含上报人，接口）"),
                subject=report.reporter_id,
                institution=report.institution_id,
            )
        return Response(HandledReportSerializer(report).data)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: HandledReportSerializer, 400: API_ERROR_REF},
        summary="Change a report's state, ask the reporter, or grant a reward",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        report = self._report(pk)
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        photos = request.FILES.getlist("photos") if hasattr(request.FILES, "getlist") else []
        try:
            ACTIONS[data["action"]](request.user, report.pk, data, _Files(photos))
        except HazardError as exc:
            return _refusal(exc)
        return Response(HandledReportSerializer(self._report(pk)).data)


class _Files:
    def __init__(self, photos):
        self.photos = photos

    def getlist(self, name):
        return self.photos if name == "photos" else []


__all__ = ["HazardReportViewSet", "HazardFollowViewSet", "HazardHandlingViewSet", "State"]
