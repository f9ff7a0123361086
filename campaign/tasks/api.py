"""API of the campaign tasks (/api/v1/campaign/...): a person's tasks and submitting one (multipart, idempotent on
client_uuid), and for officers (their institution) and the district admin: the submissions, approve, return and bulk
approve. The same services as the phone pages and the admin; refusals are {"error", "detail"(, "fields")}."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from campaign.tasks import selectors, services
from campaign.tasks.exceptions import TaskError
from campaign.tasks.models import CampaignTask, TaskSubmission
from elearn.api_errors import error_body
from elearn.org.disclosure import disclose
from elearn.org.permissions import can_manage_institution, is_manager


def _refusal(exc: TaskError) -> Response:
    extras = {"fields": exc.fields} if exc.fields else {}
    return Response(error_body(exc.code, exc.message, **extras), status=exc.status)


# --- serializers ------------------------------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.UUIDField()
    text = serializers.CharField()
    hint = serializers.CharField()


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)

    def get_url(self, photo) -> str:
        return reverse("campaign_tasks:photo", args=[photo.pk])


class FileSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()

    def get_url(self, stored) -> str:
        return reverse("campaign_tasks:file", args=[stored.pk])


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    task = serializers.IntegerField(source="task_id")
    task_title = serializers.CharField(source="task.title")
    user = serializers.IntegerField(source="user_id")
    user_name = serializers.CharField(source="user.real_name")
    institution = serializers.IntegerField(source="institution_id")
    institution_name = serializers.CharField(source="institution.name")
    state = serializers.ChoiceField(choices=TaskSubmission.State.choices)
    done = serializers.BooleanField(source="is_done")
    answers = serializers.DictField(
        child=serializers.DictField(), help_text='item key -> {"answer": "yes"|"no"|"na", "note": "..."}'
    )
    text = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_comment = serializers.CharField()
    photos = PhotoSerializer(many=True, source="photos.all")
    files = FileSerializer(many=True, source="files.all")


class MyTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="task.pk")
    campaign = serializers.CharField(source="task.campaign.name")
    title = serializers.CharField(source="task.title")
    guidance = serializers.CharField(source="task.guidance", help_text="rich text (HTML of Wagtail's editor)")
    per_institution = serializers.BooleanField(source="task.per_institution")
    opens_at = serializers.DateTimeField(source="task.opens_at")
    due_on = serializers.DateField(source="task.due_on")
    is_open = serializers.SerializerMethodField()
    needs_review = serializers.BooleanField(source="task.needs_review")
    checklist = ChecklistItemSerializer(many=True, source="task.items.all")
    photos_min = serializers.IntegerField(source="task.photos_min")
    photos_max = serializers.IntegerField(source="task.photos_max")
    text_label = serializers.CharField(source="task.text_label")
    text_required = serializers.BooleanField(source="task.text_required")
    file_label = serializers.CharField(source="task.file_label")
    file_required = serializers.BooleanField(source="task.file_required")
    state = serializers.ChoiceField(choices=["not_started", *TaskSubmission.State.values])
    submission = SubmissionSerializer(allow_null=True)

    def get_is_open(self, row) -> bool:
        return row.task.is_open()


class TaskSubmitSerializer(serializers.Serializer):
    answers = serializers.JSONField(
        required=False,
        help_text='JSON object: item key -> {"answer": "yes"|"no"|"na", "note": "..."} (or just the answer)',
    )
    text = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_TEXT)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, allow_empty=True)
    file = serializers.FileField(required=False, allow_null=True)
    client_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="a retry with the same uuid counts once"
    )


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_COMMENT)


class BulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), max_length=1000)


# --- a person's tasks -------------------------------------------------------------------------------------------------


class MyCampaignTaskViewSet(viewsets.GenericViewSet):
    """The tasks of the current campaign that I am to do, each with its state and my submission."""

    serializer_class = MyTaskSerializer
    queryset = CampaignTask.objects.none()  # for the schema's path parameter type; rows come from the selectors
    lookup_value_regex = r"\d+"
    pagination_class = None
    parser_classes = [MultiPartParser, FormParser]

    def _row(self, request, pk):
        task = selectors.task_for_user(request.user, pk)
        if task is None:
            raise NotFound()
        return selectors.MyTask(task, selectors.my_submission(task, request.user))

    @extend_schema(summary="My campaign tasks (current campaign)")
    def list(self, request):
        return Response(MyTaskSerializer(selectors.my_tasks(request.user), many=True).data)

    @extend_schema(summary="One of my campaign tasks")
    def retrieve(self, request, pk=None):
        return Response(MyTaskSerializer(self._row(request, pk)).data)

    @extend_schema(
        summary="Submit (or resubmit after a return) a task's evidence",
        request={"multipart/form-data": TaskSubmitSerializer},
        responses={200: MyTaskSerializer, 201: MyTaskSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=TaskSubmitSerializer)
    def submit(self, request, pk=None):
        task = selectors.task_for_user(request.user, pk)
        if task is None:
            raise NotFound()
        data = request.data
        answers = data.get("answers")
        if isinstance(answers, str):
            import json

            try:
                answers = json.loads(answers)
            except ValueError:
                return Response(
                    error_body("invalid", _("answers 不是有效的 JSON。"), fields={"answers": [_("不是有效的 JSON。")]}),
                    status=status.HTTP_400_BAD_REQUEST,
                )
        try:
            result = services.submission_submit(
                task=task,
                user=request.user,
                answers=answers if isinstance(answers, dict) else {},
                text=data.get("text", "") or "",
                photos=request.FILES.getlist("photos"),
                file=request.FILES.get("file"),
                client_uuid=data.get("client_uuid") or None,
            )
        except TaskError as exc:
            return _refusal(exc)
        row = self._row(request, pk)
        code = status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED
        return Response(MyTaskSerializer(row).data, status=code)


# --- review -----------------------------------------------------------------------------------------------------------

REVIEW_PARAMS = [
    OpenApiParameter("task", int, description="one task"),
    OpenApiParameter("institution", int, description="one institution (of those I manage)"),
    OpenApiParameter("state", str, enum=TaskSubmission.State.values),
]


class TaskSubmissionViewSet(viewsets.GenericViewSet):
    """Submissions for officers (their institution) and the district admin (all)."""

    serializer_class = SubmissionSerializer
    queryset = TaskSubmission.objects.none()  # for the schema's path parameter type; rows come from the selectors
    lookup_value_regex = r"\d+"

    def _manager(self, request):
        if not is_manager(request.user):
            raise PermissionDenied()

    def _int(self, raw):
        return int(raw) if isinstance(raw, str) and raw.isdigit() else None

    @extend_schema(summary="Submissions I review", parameters=REVIEW_PARAMS)
    def list(self, request):
        self._manager(request)
        institution = self._int(request.query_params.get("institution"))
        rows = selectors.review_queue(
            request.user,
            task_id=self._int(request.query_params.get("task")),
            institution_id=institution,
            state=request.query_params.get("state"),
        ).prefetch_related("photos", "files")
        page = self.paginate_queryset(rows)
        disclose(
            request,
            what=_("活动任务提交列表（接口）"),
            count=getattr(self.paginator, "count", None),
            institution=institution,
        )
        return self.get_paginated_response(SubmissionSerializer(page, many=True).data)

    def _submission(self, request, pk):
        self._manager(request)
        submission = selectors.submission_for_viewer(request.user, pk)
        if submission is None or not can_manage_institution(request.user, submission.institution_id):
            raise NotFound()
        return submission

    @extend_schema(summary="One submission")
    def retrieve(self, request, pk=None):
        submission = self._submission(request, pk)
        disclose(
            request, what=_("活动任务提交（接口）"), subject=submission.user_id, institution=submission.institution_id
        )
        return Response(SubmissionSerializer(submission).data)

    def _review(self, request, pk, change):
        submission = self._submission(request, pk)
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            change(submission_id=submission.pk, reviewer=request.user, comment=body.validated_data.get("comment", ""))
        except TaskError as exc:
            return _refusal(exc)
        return Response(SubmissionSerializer(self._submission(request, pk)).data)

    @extend_schema(summary="Approve a submission", request=CommentSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], serializer_class=CommentSerializer)
    def approve(self, request, pk=None):
        return self._review(request, pk, services.submission_approve)

    @extend_schema(
        summary="Return a submission with a comment", request=CommentSerializer, responses=SubmissionSerializer
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return", serializer_class=CommentSerializer)
    def return_(self, request, pk=None):
        return self._review(request, pk, services.submission_return)

    @extend_schema(
        summary="Approve many submitted ones at once (those I manage; others are skipped)",
        request=BulkApproveSerializer,
        responses=inline_serializer("BulkApproveResult", {"approved": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="bulk-approve", serializer_class=BulkApproveSerializer)
    def bulk_approve(self, request):
        self._manager(request)
        body = BulkApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approved = services.submissions_bulk_approve(reviewer=request.user, submission_ids=body.validated_data["ids"])
        return Response({"approved": approved})
