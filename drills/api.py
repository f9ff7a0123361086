"""API of drills and trainings (/api/v1/drills/, /api/v1/my-drills/). Thin: drills.selectors reads (scoped by
elearn.org.permissions), drills.services changes; the same services as the admin screens and the check-in page."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from drills import selectors, services
from drills.exceptions import CheckinRefused, DrillError, DrillForbidden
from drills.models import Attendance, Drill
from elearn.api_errors import error_body
from elearn.org.disclosure import disclose
from elearn.org.models import Institution
from elearn.org.permissions import is_manager, managed_institutions

ErrorSerializer = inline_serializer(
    "DrillError", fields={"error": serializers.CharField(), "detail": serializers.CharField()}
)


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "09:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of day (Asia/Shanghai, no offset): OpenAPI's `format: time` demands an offset."""


class DrillSerializer(serializers.ModelSerializer):
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    starts_at = LocalTimeField()
    ends_at = LocalTimeField()
    attended = serializers.IntegerField(read_only=True, default=0)
    photos = serializers.SerializerMethodField()
    client_uuid = serializers.UUIDField(
        required=False,
        write_only=True,
        help_text="A key of the client's choosing: a retried POST with it returns the drill already recorded (200).",
    )

    def get_photos(self, drill) -> list[str]:
        from django.urls import reverse

        return [reverse("drills:photo", args=[p.pk]) for p in drill.photos.all()]

    class Meta:
        model = Drill
        fields = [
            "id",
            "institution",
            "kind",
            "category",
            "title",
            "date",
            "starts_at",
            "ends_at",
            "place",
            "scenario",
            "duration_minutes",
            "planned_participants",
            "problems",
            "improvements",
            "attended",
            "photos",
            "client_uuid",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["attended", "photos", "created_at", "updated_at"]

    def validate(self, attrs):  # the model's rules are the services'; nothing to add here
        return attrs


class AttendanceSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="user.employee_no")
    real_name = serializers.CharField(source="user.real_name")
    department = serializers.CharField(source="user.department")

    class Meta:
        model = Attendance
        fields = ["user", "employee_no", "real_name", "department", "method", "checked_in_at"]


class MyDrillSerializer(serializers.ModelSerializer):
    drill = serializers.IntegerField(source="drill.pk")
    title = serializers.CharField(source="drill.title")
    kind = serializers.CharField(source="drill.kind")
    category = serializers.CharField(source="drill.category")
    date = serializers.DateField(source="drill.date")
    starts_at = serializers.TimeField(source="drill.starts_at")
    ends_at = serializers.TimeField(source="drill.ends_at")

    class Meta:
        model = Attendance
        fields = ["drill", "title", "kind", "category", "date", "starts_at", "ends_at", "method", "checked_in_at"]


class CheckinSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100)


class CheckinResultSerializer(serializers.Serializer):
    drill = serializers.IntegerField()
    title = serializers.CharField()
    already = serializers.BooleanField(help_text="true: checked in before (已签到)")
    checked_in_at = serializers.DateTimeField()


def _drill_error(exc: DrillError) -> Response:
    code = status.HTTP_403_FORBIDDEN if isinstance(exc, DrillForbidden) else status.HTTP_400_BAD_REQUEST
    if exc.code == "already_recorded":
        code = status.HTTP_409_CONFLICT
    if isinstance(exc, CheckinRefused):
        code = status.HTTP_400_BAD_REQUEST if exc.code == "invalid" else status.HTTP_403_FORBIDDEN
    return Response(error_body(exc.code, exc.message), status=code)


def _validation_error(exc: DjangoValidationError) -> Response:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    first = next(iter(fields.values()))[0]
    return Response(error_body("invalid", first, fields=fields), status=status.HTTP_400_BAD_REQUEST)


class DrillViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Drills and trainings: an officer sees and records their institution's, the district admin every one's.
    POST /drills/checkin/ checks the caller in with the token of a drill's QR code (any member of staff)."""

    serializer_class = DrillSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a request's user
            return Drill.objects.none()
        if not is_manager(self.request.user):
            raise PermissionDenied()
        return selectors.drills_for(self.request.user).prefetch_related("photos")

    @extend_schema(
        summary="Record a drill or training (idempotent on client_uuid: 200 with the drill already recorded)",
        responses={200: DrillSerializer, 201: DrillSerializer, 400: ErrorSerializer, 403: ErrorSerializer,
                   409: ErrorSerializer},
    )  # fmt: skip
    def create(self, request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        institution = data.pop("institution")
        client_uuid = data.pop("client_uuid", None)
        if not managed_institutions(request.user).filter(pk=institution.pk).exists():
            return Response(error_body("forbidden", _("你不能管理该单位的演练与培训。")), status=403)
        try:
            recorded = services.drill_record(
                actor=request.user, institution_id=institution.pk, data=data, client_uuid=client_uuid
            )
        except DrillError as exc:
            return _drill_error(exc)
        except DjangoValidationError as exc:
            return _validation_error(exc)
        drill = selectors.drills_for(request.user).prefetch_related("photos").get(pk=recorded.drill.pk)
        return Response(
            DrillSerializer(drill).data, status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK
        )

    def update(self, request, *args, **kwargs):
        drill = self.get_object()
        serializer = self.get_serializer(drill, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        institution = data.pop("institution", None)
        if institution is not None and institution.pk != drill.institution_id:
            return Response(error_body("invalid", _("不能更改演练所属单位。")), status=400)
        try:
            drill = services.drill_update(actor=request.user, drill=drill, data=data)
        except DrillError as exc:
            return _drill_error(exc)
        except DjangoValidationError as exc:
            return _validation_error(exc)
        return Response(DrillSerializer(selectors.drills_for(request.user).get(pk=drill.pk)).data)

    @extend_schema(summary="Who attended a drill", responses={200: AttendanceSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def attendance(self, request, pk=None):
        drill = self.get_object()
        rows = selectors.attendance_of(drill)
        disclose(
            request,
            what=_("演练签到名单：%(t)s") % {"t": drill.title},
            count=len(rows),
            institution=drill.institution_id,
        )
        return Response(AttendanceSerializer(rows, many=True).data)

    @extend_schema(
        summary="Check in with the token of a drill's QR code (idempotent: already=true the second time)",
        request=CheckinSerializer,
        responses={
            200: CheckinResultSerializer,
            201: CheckinResultSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    @action(detail=False, methods=["post"])
    def checkin(self, request):
        body = CheckinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = services.attendance_check_in_by_qr(user=request.user, token=body.validated_data["token"])
        except CheckinRefused as exc:
            return _drill_error(exc)
        data = {
            "drill": result.drill.pk,
            "title": result.drill.title,
            "already": not result.created,
            "checked_in_at": result.attendance.checked_in_at,
        }
        return Response(CheckinResultSerializer(data).data, status=201 if result.created else 200)


class MyDrillViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The drills and trainings I attended, newest first."""

    serializer_class = MyDrillSerializer

    def get_queryset(self):
        return selectors.my_attendance(self.request.user)
