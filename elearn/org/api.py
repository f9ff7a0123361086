"""API of the organisation (/api/v1/me, institutions, staff, roster-import). Thin: permissions decide who sees whom,
roster/services change things."""

from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from elearn.api_errors import error_body
from elearn.api_schema_errors import error_with_report
from elearn.org import services
from elearn.org.disclosure import disclose
from elearn.org.exceptions import RosterRejected
from elearn.org.models import Institution, User
from elearn.org.permissions import is_manager, managed_institutions, managed_users
from elearn.org.phones import mask_mobile
from elearn.org.roster import roster_plan
from elearn.spreadsheets import SpreadsheetError


class InstitutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "name", "short_name", "kind", "headcount"]


class UserSerializer(serializers.ModelSerializer):
    institution = InstitutionSerializer(read_only=True, allow_null=True, help_text="null for a district admin")
    mobile = serializers.SerializerMethodField(help_text="masked (138****1234); POST /api/v1/privacy/reveal/ shows one")

    def get_mobile(self, user) -> str:
        return mask_mobile(user.mobile)

    class Meta:
        model = User
        fields = ["id", "employee_no", "real_name", "mobile", "institution", "department", "role", "is_active"]


class MeSerializer(serializers.ModelSerializer):
    institution = InstitutionSerializer(read_only=True, allow_null=True, help_text="null for a district admin")

    class Meta:
        model = User
        fields = ["id", "employee_no", "real_name", "institution", "department", "role", "must_change_password"]


class OneObjectSchema(AutoSchema):
    """The schema of a viewset whose `list` (the route without an id) answers one object, not a list."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class MeViewSet(viewsets.GenericViewSet):
    """GET /me/ answers the logged-in user: one object, never paginated."""

    serializer_class = MeSerializer
    pagination_class = None
    schema = OneObjectSchema()

    @extend_schema(responses=MeSerializer, summary="The logged-in user")
    def list(self, request):
        return Response(MeSerializer(request.user).data)


class InstitutionViewSet(viewsets.ReadOnlyModelViewSet):
    """Institutions the caller may manage (all for a district admin, their own for an officer)."""

    serializer_class = InstitutionSerializer

    def get_queryset(self):
        return managed_institutions(self.request.user).order_by("pk")


class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    """Staff the caller looks after; staff members see nobody here."""

    serializer_class = UserSerializer

    def get_queryset(self):
        queryset = managed_users(self.request.user).select_related("institution").order_by("pk")
        institution = self.request.query_params.get("institution")
        if institution and institution.isdigit():
            queryset = queryset.filter(institution_id=int(institution))
        return queryset

    @extend_schema(parameters=[OpenApiParameter("institution", int, required=False)])
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        count = response.data.get("count") if isinstance(response.data, dict) else len(response.data)
        institution = request.query_params.get("institution", "")
        disclose(
            request,
            what=_("人员名单（接口）"),
            count=count,
            institution=int(institution) if institution.isdigit() and len(institution) < 11 else None,
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        disclose(request, what=_("人员信息（接口）"), subject=self.get_object())
        return response


class RosterIssueSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    reason = serializers.CharField()


RosterReportSerializer = inline_serializer(
    "RosterReport",
    {
        "committed": serializers.BooleanField(),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "rejected": RosterIssueSerializer(many=True),
        "unmapped_columns": serializers.ListField(child=serializers.CharField()),
        "passwords": serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
    },
)


class RosterUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    commit = serializers.BooleanField(default=False)


class RosterImportViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """POST a roster file; `commit=true` writes it (all or nothing), otherwise it is a dry run."""

    parser_classes = [MultiPartParser]
    serializer_class = RosterUploadSerializer

    @extend_schema(
        responses={200: RosterReportSerializer, 201: RosterReportSerializer, 400: error_with_report("RosterReport")}
    )
    def create(self, request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied(_("只有单位安全员和区卫健局管理员可以导入花名册。"))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        data = upload.read()
        commit = serializer.validated_data["commit"]
        try:
            if commit:
                result = services.roster_import(data=data, filename=upload.name, actor=request.user)
                plan, passwords = result.plan, [list(p) for p in result.passwords]
            else:
                plan, passwords = roster_plan(data=data, filename=upload.name, actor=request.user), []
        except RosterRejected as exc:
            report = _report(exc.plan, committed=False)
            detail = _("花名册有 %(count)d 行被拒绝，未写入任何内容。") % {"count": len(report["rejected"])}
            return Response(error_body("rows_rejected", detail, report=report), status=status.HTTP_400_BAD_REQUEST)
        except SpreadsheetError as exc:
            return Response(error_body("unreadable", exc), status=status.HTTP_400_BAD_REQUEST)
        body = _report(plan, committed=commit, passwords=passwords)
        return Response(body, status=status.HTTP_201_CREATED if commit else status.HTTP_200_OK)


def _report(plan, *, committed, passwords=()):
    """The roster report; `plan` is None when the file could not be read at all."""
    return {
        "committed": committed,
        "counts": plan.counts() if plan else {},
        "rejected": [{"row": i.row, "column": i.column, "reason": i.reason} for i in plan.rejected] if plan else [],
        "unmapped_columns": plan.unmapped_columns if plan else [],
        "passwords": list(passwords),
    }
