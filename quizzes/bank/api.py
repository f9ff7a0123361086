"""Question bank API (/api/v1/bank/...): management, import (dry run and commit), export, template.

Every endpoint here is for district admins only (IsBankManager): staff and officers get 403, so no endpoint
available to staff ever returns which option is correct. Views translate; bank_services and bank_selectors decide.
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from elearn.api_errors import error_body
from elearn.api_schema_errors import error_with_report, or_field_errors
from elearn.org.bank_permissions import IsBankManager
from elearn.spreadsheets import SpreadsheetError
from quizzes.bank import services as bank_services
from quizzes.bank.exceptions import BankError, ImportRejected
from quizzes.bank.export import EXPORT_FORMATS, export_bank
from quizzes.bank.importers import FORMAT_LABELS, parse_upload
from quizzes.bank.importers.common import FIELD_CHOICES, split_category
from quizzes.bank.importers.plan import build_plan_from
from quizzes.bank.importers.spreadsheet import header_key, normalise_column_map
from quizzes.bank.importers.template import template_bytes
from quizzes.bank.models import BankColumnMapping, Category, Question
from quizzes.bank.selectors import bank_questions, question_usage


def duplicate_category_message() -> str:
    return _("同一上级分类下已有同名的分类。")


class BankCategorySerializer(serializers.ModelSerializer):
    path = serializers.CharField(read_only=True)
    question_count = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "parent", "description", "sort_order", "path", "question_count"]

    def get_question_count(self, obj) -> int:
        return obj.questions.count()

    def validate(self, attrs):
        """A name is unique among its siblings (the root's children included), also on a partial update."""
        name = attrs.get("name", getattr(self.instance, "name", None))
        parent = attrs["parent"] if "parent" in attrs else getattr(self.instance, "parent", None)
        siblings = Category.objects.filter(name=name, parent=parent)
        if self.instance is not None:
            siblings = siblings.exclude(pk=self.instance.pk)
        if siblings.exists():
            raise ValidationError({"name": [duplicate_category_message()]})
        return attrs


class NotNullJSONField(serializers.JSONField):
    """A JSON value that may not be null, also when a form sends the string "null" (parsed after the null check)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value is None:
            self.fail("null")
        return value


class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=100)

    def to_representation(self, data):
        return sorted(t.name for t in data.all())


class BankQuestionSerializer(serializers.ModelSerializer):
    """The full question, answers included: for bank managers only."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.JSONField: NotNullJSONField,
    }

    # Plain values, the same enum as the practice and exam payloads (labels would make a second "TypeEnum").
    type = serializers.ChoiceField(choices=[c for c, _l in Question.Type.choices])
    tags = TagListField(required=False)
    category_path = serializers.CharField(source="category.path", read_only=True)
    answer = serializers.CharField(read_only=True, help_text="answer letters, 正确/错误, or fill-in answers")

    class Meta:
        model = Question
        fields = [
            "id",
            "type",
            "category",
            "category_path",
            "stem",
            "options",
            "correct_options",
            "accepted_answers",
            "answer",
            "explanation",
            "difficulty",
            "source_law",
            "source_article",
            "source_url",
            "time_limit",
            "status",
            "tags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance):
        from quizzes.bank.importers.common import answer_to_text

        data = super().to_representation(instance)
        data["answer"] = answer_to_text(instance)
        return data

    def validate(self, attrs):
        probe = Question(**{k: v for k, v in attrs.items() if k != "tags"})
        if self.instance is not None:
            for name in ("type", "options", "correct_options", "accepted_answers"):
                if name not in attrs:
                    setattr(probe, name, getattr(self.instance, name))
        try:
            probe.clean()
        except Exception as exc:  # django ValidationError -> DRF
            raise serializers.ValidationError(getattr(exc, "message_dict", {"non_field_errors": [str(exc)]}))
        if probe.type == Question.Type.TRUE_FALSE:
            attrs["options"] = probe.options
        return attrs

    def _save_tags(self, question, tags):
        if tags is not None:
            question.tags.set(tags)
            question.save()

    def create(self, validated_data):
        tags = validated_data.pop("tags", None)
        question = Question(**validated_data, author=self.context["request"].user)
        question.save()
        self._save_tags(question, tags)
        return question

    def update(self, instance, validated_data):
        tags = validated_data.pop("tags", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        self._save_tags(instance, tags)
        return instance


def _question_ids():
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1))


class QuestionIdsSerializer(serializers.Serializer):
    ids = _question_ids()

    class Meta:
        ref_name = "QuestionIds"


class QuestionMoveSerializer(serializers.Serializer):
    ids = _question_ids()
    category = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="target category id")

    class Meta:
        ref_name = "QuestionMove"


Changed = inline_serializer("BankChanged", {"changed": serializers.IntegerField()})
BULK_RESPONSES = {200: Changed, 400: or_field_errors()}
UsageListSerializer = inline_serializer(
    "QuestionUsage",
    many=True,
    fields={
        "model": serializers.CharField(),
        "via": serializers.ChoiceField(choices=["question", "category"]),
        "owner": serializers.CharField(),
        "count": serializers.IntegerField(),
    },
)

FILTERS = [
    OpenApiParameter("category", int, required=False, description="category id (sub-categories included)"),
    OpenApiParameter("type", str, required=False, enum=[c for c, _l in Question.Type.choices]),
    OpenApiParameter("difficulty", int, required=False, enum=[1, 2, 3, 4, 5]),
    OpenApiParameter("status", str, required=False, enum=[c for c, _l in Question.Status.choices]),
    OpenApiParameter("tag", str, required=False),
    OpenApiParameter("search", str, required=False),
]


def _filters(params) -> dict:
    out = {}
    for name in ("category", "difficulty"):
        value = params.get(name, "")
        if value.isdigit():
            out[name] = int(value)
    for name in ("type", "status", "tag", "search"):
        if params.get(name):
            out[name] = params[name]
    return out


@extend_schema_view(
    create=extend_schema(responses={201: BankCategorySerializer, 400: or_field_errors()}),
    update=extend_schema(responses={200: BankCategorySerializer, 400: or_field_errors()}),
    partial_update=extend_schema(responses={200: BankCategorySerializer, 400: or_field_errors()}),
)
class BankCategoryViewSet(viewsets.ModelViewSet):
    serializer_class = BankCategorySerializer
    permission_classes = [IsBankManager]
    queryset = Category.objects.select_related("parent").order_by("sort_order", "name")

    def _save(self, serializer):
        """The serializer refuses a duplicate name; a concurrent request can still win the race to the constraint."""
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError as exc:
            raise ValidationError({"name": [duplicate_category_message()]}) from exc

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def destroy(self, request, *args, **kwargs):
        category = self.get_object()
        if category.questions.exists() or category.children.exists():
            return Response(
                {"error": "category_in_use", "detail": _("分类下还有题目或子分类，不能删除。")},
                status=status.HTTP_409_CONFLICT,
            )
        return super().destroy(request, *args, **kwargs)


@extend_schema_view(
    create=extend_schema(responses={201: BankQuestionSerializer, 400: or_field_errors()}),
    update=extend_schema(responses={200: BankQuestionSerializer, 400: or_field_errors()}),
    partial_update=extend_schema(responses={200: BankQuestionSerializer, 400: or_field_errors()}),
)
class BankQuestionViewSet(viewsets.ModelViewSet):
    serializer_class = BankQuestionSerializer
    permission_classes = [IsBankManager]

    def get_queryset(self):
        qs = Question.objects.select_related("category").prefetch_related("tags").order_by("pk")
        if self.action == "list":
            qs = bank_questions(queryset=qs, **_filters(self.request.query_params))
        return qs

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        """Questions are retired, not deleted: exams and competitions keep referring to them."""
        question = self.get_object()
        bank_services.questions_retire(question_ids=[question.pk], actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=QuestionMoveSerializer, responses=BULK_RESPONSES)
    @action(detail=False, methods=["post"])
    def move(self, request):
        params = QuestionMoveSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        ids = params.validated_data["ids"]
        category = Category.objects.filter(pk=params.validated_data["category"]).first()
        if category is None:
            return Response({"error": "no_category", "detail": _("目标分类不存在。")}, status=400)
        try:
            changed = bank_services.questions_move(question_ids=ids, category=category, actor=request.user)
        except BankError as exc:
            return Response({"error": "bank", "detail": str(exc)}, status=400)
        return Response({"changed": changed})

    @extend_schema(request=QuestionIdsSerializer, responses=BULK_RESPONSES)
    @action(detail=False, methods=["post"])
    def retire(self, request):
        params = QuestionIdsSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        ids = params.validated_data["ids"]
        try:
            changed = bank_services.questions_retire(question_ids=ids, actor=request.user)
        except BankError as exc:
            return Response({"error": "bank", "detail": str(exc)}, status=400)
        return Response({"changed": changed})

    @extend_schema(responses=UsageListSerializer, summary="Where the question is used (a list, never paginated)")
    @action(detail=True, methods=["get"], pagination_class=None)
    def usage(self, request, pk=None):
        return Response([u.__dict__ for u in question_usage(self.get_object())])


class BankImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    file_format = serializers.ChoiceField(choices=list(FORMAT_LABELS), required=False, help_text="default: detect")
    default_category = serializers.CharField(
        required=False, help_text="category for rows without one, e.g. 消防安全 > 医院"
    )
    commit = serializers.BooleanField(default=False, help_text="false: dry run, nothing written")
    skip_rejected = serializers.BooleanField(
        default=False, help_text="commit the valid rows of a file that has rejected ones"
    )
    column_map = serializers.JSONField(
        required=False,
        binary=True,
        help_text=(
            "tables: a JSON object mapping header names to fields, overriding the names recognised, e.g. "
            '{"题目选项": "options", "备注": ""} ("" = ignore). Fields: ' + ", ".join(FIELD_CHOICES) + ". "
            "Without it, a mapping saved for the same header is applied (report.notices says so)."
        ),
    )
    remember_mapping = serializers.BooleanField(
        default=True, help_text="save column_map for the next file with the same header (when it found the header)"
    )
    clear_empty = serializers.BooleanField(
        default=False,
        help_text="updates: an empty cell clears the stored field (default: an empty cell, like a missing column, "
        "leaves it unchanged)",
    )

    def validate_column_map(self, value):
        if value is None:
            return None
        try:
            normalise_column_map(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc))
        if not all(isinstance(v, str | None) for v in value.values()):
            raise serializers.ValidationError(_("列对应关系的字段应是文字。"))
        return value


class BankImportIssueSerializer(serializers.Serializer):
    file = serializers.CharField()
    row = serializers.IntegerField()
    column = serializers.CharField()
    reason = serializers.CharField()


ImportReport = inline_serializer(
    "BankImportReport",
    {
        "committed": serializers.BooleanField(),
        "filename": serializers.CharField(),
        "format": serializers.CharField(),
        "layout": serializers.CharField(),
        "format_label": serializers.CharField(),
        "ok": serializers.BooleanField(),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "rejected": BankImportIssueSerializer(many=True),
        "skipped": BankImportIssueSerializer(many=True),
        "warnings": BankImportIssueSerializer(many=True),
        "unmapped_columns": serializers.ListField(child=serializers.CharField()),
        "new_categories": serializers.ListField(child=serializers.CharField()),
        "updates": serializers.ListField(
            child=serializers.DictField(),
            help_text="per updated question: row, question, stem, changes (labels) and fields "
            "[{field, label, old, new}]",
        ),
        "notices": serializers.ListField(child=serializers.CharField()),
        "header": serializers.DictField(
            allow_null=True,
            help_text="tables: row (null when not found), fingerprint, source (auto | manual | remembered), "
            "column_map and columns [{index, name, field, label}]",
        ),
        "clear_empty": serializers.BooleanField(),
    },
)


class BankImportViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """POST a bank file. `commit=false` (default) is a dry run; `commit=true` writes it in one transaction —
    refused (400, nothing written) while rows are rejected, unless `skip_rejected=true`."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [IsBankManager]
    serializer_class = BankImportUploadSerializer

    @extend_schema(
        request={"multipart/form-data": BankImportUploadSerializer},
        responses={200: ImportReport, 201: ImportReport, 400: error_with_report("BankImportReport")},
    )
    def create(self, request, *args, **kwargs):
        serializer = BankImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        body = upload.read()
        try:
            parsed = parse_upload(
                data=body,
                filename=upload.name,
                fmt=data.get("file_format") or None,
                default_category=split_category(data.get("default_category", "")) or None,
                column_map=data.get("column_map") or None,
                clear_empty=data["clear_empty"],
                saved_mappings=BankColumnMapping.for_fingerprints,
            )
            header = parsed.header
            if (
                data.get("column_map")
                and data["remember_mapping"]
                and header
                and header.row
                and header.source == "manual"
            ):
                BankColumnMapping.remember(
                    fingerprint=header.fingerprint,
                    header=header.names,
                    columns={header_key(n): f for n, f in header.column_map.items()},
                    user=request.user,
                )
            if data["commit"]:
                result = bank_services.bank_import_parsed(
                    parsed=parsed, actor=request.user, skip_rejected=data["skip_rejected"]
                )
                return Response(result.report(), status=status.HTTP_201_CREATED)
            plan = build_plan_from(parsed)
        except ImportRejected as exc:
            report = {**exc.plan.report(), "committed": False}
            detail = _("有 %(count)d 行被拒绝，未写入任何内容。") % {"count": len(report["rejected"])}
            return Response(error_body("rows_rejected", detail, report=report), status=status.HTTP_400_BAD_REQUEST)
        except SpreadsheetError as exc:
            return Response(error_body("unreadable", exc), status=status.HTTP_400_BAD_REQUEST)
        return Response({**plan.report(), "committed": False})


class BankExportViewSet(viewsets.GenericViewSet):
    """GET the bank (filtered like the question list) as the Excel template, CSV, GIFT or Moodle XML."""

    permission_classes = [IsBankManager]
    serializer_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "file_format",
                str,
                required=False,
                enum=list(EXPORT_FORMATS),
                description="default xlsx ('format' is taken by DRF)",
            ),
            *FILTERS,
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def list(self, request):
        fmt = request.query_params.get("file_format", "xlsx")
        if fmt not in EXPORT_FORMATS:
            return Response({"error": "format", "detail": _("不支持的导出格式。")}, status=400)
        queryset = bank_questions(**_filters(request.query_params))
        body, filename, content_type = export_bank(queryset, fmt)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def template(self, request):
        response = HttpResponse(template_bytes(), content_type=EXPORT_FORMATS["xlsx"][1])
        response["Content-Disposition"] = 'attachment; filename="question-bank-template.xlsx"'
        return response


__all__ = [
    "BankCategoryViewSet",
    "BankExportViewSet",
    "BankImportViewSet",
    "BankQuestionViewSet",
]
