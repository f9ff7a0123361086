"""API of the privacy capability (/api/v1/privacy/notice/, my-data, privacy/reveal, access-log, departures). Thin:
selectors read, services change and record; who may do what is decided by elearn.org.permissions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from elearn.api_errors import error_body
from elearn.api_schema_errors import API_ERROR_REF
from elearn.org.api import OneObjectSchema
from elearn.org.permissions import can_manage_institution, is_manager, managed_users
from elearn.privacy import selectors, services
from elearn.privacy.exceptions import DepartureRefused, NotAllowed, NothingToReveal, StaleNotice
from elearn.privacy.models import AccessLog
from elearn.privacy.notice import current_version, notice_sections


class NoticeSectionSerializer(serializers.Serializer):
    title = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())


class NoticeSerializer(serializers.Serializer):
    version = serializers.CharField()
    acknowledged = serializers.BooleanField()
    sections = NoticeSectionSerializer(many=True)


class AcknowledgeSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=20, help_text="the version read (GET /api/v1/privacy/notice/)")


class NoticeViewSet(viewsets.GenericViewSet):
    """GET: the current notice and whether I acknowledged it; POST acknowledge/ with its version. Open to an account
    that has not acknowledged yet (everything else answers 403 notice_required until it does)."""

    serializer_class = NoticeSerializer
    pagination_class = None
    schema = OneObjectSchema()

    @extend_schema(responses=NoticeSerializer, summary="The personal-information notice (告知)")
    def list(self, request):
        version = current_version()
        data = {
            "version": version,
            "acknowledged": services.notice_acknowledged(user=request.user, version=version),
            "sections": [{"title": s.title, "items": list(s.items)} for s in notice_sections()],
        }
        return Response(NoticeSerializer(data).data)

    @extend_schema(
        request=AcknowledgeSerializer,
        responses={200: NoticeSerializer, 409: API_ERROR_REF},
        summary="Acknowledge the notice (409 stale_notice: not the current version)",
    )
    @action(detail=False, methods=["post"])
    def acknowledge(self, request):
        incoming = AcknowledgeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.notice_acknowledge(user=request.user, version=incoming.validated_data["version"])
        except StaleNotice as exc:
            return Response(error_body(exc.code, exc.message), status=status.HTTP_409_CONFLICT)
        return self.list(request)


MyDataSerializer = inline_serializer(
    "MyData",
    {
        "generated_at": serializers.DateTimeField(),
        "person": inline_serializer(
            "MyDataPerson", {"employee_no": serializers.CharField(), "real_name": serializers.CharField()}
        ),
        "tables": inline_serializer(
            "MyDataTable",
            {
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "columns": serializers.ListField(child=serializers.CharField()),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
            many=True,
        ),
    },
)


class MyDataViewSet(viewsets.GenericViewSet):
    """GET: everything kept about me (the same as 我的数据's JSON download); recorded in the access log."""

    pagination_class = None
    schema = OneObjectSchema()

    @extend_schema(responses=MyDataSerializer, summary="Everything kept about me")
    def list(self, request):
        document = selectors.my_data_document(request.user)
        services.access_record(
            actor=request.user,
            action=AccessLog.Action.OWN_DATA,
            what=_("下载本人数据（API）"),
            route=f"my-data-list {request.path}",
            subject=request.user,
        )
        return Response(document)


class RevealRequestSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    context = serializers.CharField(max_length=150, required=False, allow_blank=True, help_text="why it is needed")


class RevealSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    mobile = serializers.CharField()


class RevealViewSet(viewsets.GenericViewSet):
    """POST: one person's full mobile number for a manager who looks after them; recorded before it is answered."""

    serializer_class = RevealRequestSerializer

    @extend_schema(
        request=RevealRequestSerializer,
        responses={200: RevealSerializer, 404: API_ERROR_REF},
        summary="Reveal one number (404: nobody I look after, or no_mobile)",
    )
    def create(self, request):
        incoming = RevealRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if not is_manager(request.user):
            raise PermissionDenied()
        person = get_object_or_404(managed_users(request.user), pk=incoming.validated_data["user"])
        try:
            mobile = services.mobile_reveal(
                actor=request.user,
                person=person,
                context=incoming.validated_data.get("context", ""),
                route=f"privacy-reveal-list {request.path}",
            )
        except NotAllowed:
            raise PermissionDenied() from None
        except NothingToReveal as exc:
            return Response(error_body(exc.code, exc.message), status=status.HTTP_404_NOT_FOUND)
        return Response({"user": person.pk, "mobile": mobile})


class AccessLogSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display")
    institution = serializers.CharField(source="institution.name", default="")
    subject = serializers.SerializerMethodField()

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "at",
            "actor_label",
            "actor_role",
            "action",
            "action_label",
            "what",
            "route",
            "institution",
            "subject",
            "count",
            "with_mobile",
            "detail",
        ]

    def get_subject(self, entry) -> str:
        return selectors.subject_label(entry)


LOG_PARAMS = [
    OpenApiParameter("action", str, required=False, enum=AccessLog.Action.values),
    OpenApiParameter("institution", int, required=False),
    OpenApiParameter("from", OpenApiTypes.DATE, required=False),
    OpenApiParameter("to", OpenApiTypes.DATE, required=False),
    OpenApiParameter("actor", str, required=False, description="part of the name or 工号 of who acted"),
    OpenApiParameter("subject", str, required=False, description="工号 or part of the name of the person concerned"),
]


def log_filters(viewer, params) -> selectors.LogFilters:
    """Filters from query parameters; a bad value is refused naming the parameter (ValidationError)."""
    import datetime as dt

    def date(name):
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise serializers.ValidationError(
                {name: [_("须为日期（YYYY-MM-DD），收到“%(v)s”。") % {"v": raw[:20]}]}
            ) from None

    action_value = (params.get("action") or "").strip()
    if action_value and action_value not in AccessLog.Action.values:
        raise serializers.ValidationError({"action": [_("未知操作“%(v)s”。") % {"v": action_value[:20]}]})
    institution = (params.get("institution") or "").strip()
    institution_id = None
    if institution:
        if not institution.isdigit() or len(institution) > 10:
            raise serializers.ValidationError({"institution": [_("须为单位编号。")]})
        institution_id = int(institution)
        if not can_manage_institution(viewer, institution_id):
            raise PermissionDenied()
    return selectors.LogFilters(
        action=action_value,
        institution_id=institution_id,
        date_from=date("from"),
        date_to=date("to"),
        actor=(params.get("actor") or "").strip()[:50],
        subject=(params.get("subject") or "").strip()[:50],
    )


class AccessLogViewSet(viewsets.GenericViewSet):
    """The access log: every entry for the district admin, an officer's own institution's for an officer."""

    serializer_class = AccessLogSerializer

    @extend_schema(
        parameters=LOG_PARAMS,
        responses={200: AccessLogSerializer(many=True), 400: API_ERROR_REF},
        summary="Access-log entries I may read",
    )
    def list(self, request):
        if not is_manager(request.user):
            raise PermissionDenied()
        entries = selectors.filter_log(
            selectors.access_log_for(request.user), log_filters(request.user, request.query_params)
        )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(AccessLogSerializer(page, many=True).data)


class DepartureRequestSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    left_on = serializers.DateField()


class DepartureSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    left_on = serializers.DateField()
    recorded_at = serializers.DateTimeField()
    anonymised_at = serializers.DateTimeField(allow_null=True)


class DepartureViewSet(viewsets.GenericViewSet):
    """离职: GET the departures of people I look after; POST marks a person as having left (account disabled at once,
    personal data anonymised after the retention period)."""

    serializer_class = DepartureSerializer

    def list(self, request):
        if not is_manager(request.user):
            raise PermissionDenied()
        page = self.paginate_queryset(selectors.departures_for(request.user))
        return self.get_paginated_response(DepartureSerializer(page, many=True).data)

    @extend_schema(
        request=DepartureRequestSerializer,
        responses={201: DepartureSerializer, 404: API_ERROR_REF, 409: API_ERROR_REF},
        summary="Mark a person as having left (409 departure_refused: myself, a future date, already left)",
    )
    def create(self, request):
        incoming = DepartureRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if not is_manager(request.user):
            raise PermissionDenied()
        person = get_object_or_404(managed_users(request.user), pk=incoming.validated_data["user"])
        try:
            departure = services.person_mark_left(
                actor=request.user,
                person=person,
                left_on=incoming.validated_data["left_on"],
                route=f"departure-list {request.path}",
            )
        except NotAllowed:
            raise PermissionDenied() from None
        except DepartureRefused as exc:
            return Response(error_body(exc.code, exc.message), status=status.HTTP_409_CONFLICT)
        return Response(DepartureSerializer(departure).data, status=status.HTTP_201_CREATED)
