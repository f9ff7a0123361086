"""Exam API (/api/v1/exams/, /api/v1/attempts/): thin translation to quizzes.exams.services.

Errors come back as {"error": code, "detail": message} with the status the error class names.
Before submission no response contains a correct answer or an explanation (see quizzes.exams.payloads).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from elearn.api_errors import validation_body
from elearn.api_schema_errors import error_with_field_errors, or_field_errors
from quizzes.exams import services as svc
from quizzes.exams.exceptions import QuizError
from quizzes.exams.models import Attempt
from quizzes.exams.payloads import attempt_payload, review_payload
from quizzes.exams.selectors import exam_status, exams_for_user, review_options, visible_exam


def error_response(exc: QuizError) -> Response:
    return Response({"error": exc.code, "detail": str(exc.message)}, status=exc.status)


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    detail = serializers.CharField()


class ExamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ExamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="exam.pk")
    title = serializers.CharField(source="exam.title")
    opens_at = serializers.DateTimeField(source="exam.opens_at")
    closes_at = serializers.DateTimeField(source="exam.closes_at")
    time_limit_minutes = serializers.IntegerField(source="exam.time_limit_minutes", allow_null=True)
    attempts_allowed = serializers.IntegerField(source="exam.attempts_allowed", help_text="0 = unlimited")
    pass_mark = serializers.DecimalField(source="exam.pass_mark", max_digits=5, decimal_places=2)
    phase = serializers.ChoiceField(choices=["upcoming", "open", "closed"])
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField(allow_null=True)
    can_start = serializers.BooleanField()
    open_attempt_id = serializers.SerializerMethodField()
    grade = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField(allow_null=True)

    def get_open_attempt_id(self, obj) -> int | None:
        return obj.open_attempt.pk if obj.open_attempt else None


class PaperQuestionSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    type = serializers.ChoiceField(choices=["single", "multiple", "truefalse", "fill"])
    section = serializers.CharField()
    stem = serializers.CharField()
    image_url = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())
    blanks = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)


class SavedAnswerSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    response = serializers.JSONField()
    flagged = serializers.BooleanField()
    seq = serializers.IntegerField()


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exam = ExamRefSerializer()
    number = serializers.IntegerField()
    is_mock = serializers.BooleanField()
    state = serializers.ChoiceField(choices=Attempt.State.choices)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    seconds_remaining = serializers.IntegerField(allow_null=True, help_text="Count down from this; server time rules")
    max_score = serializers.DecimalField(max_digits=7, decimal_places=2)
    questions = PaperQuestionSerializer(many=True)
    answers = SavedAnswerSerializer(many=True)
    max_seq = serializers.IntegerField(help_text="Continue client sequence numbers above this")
    tab_switches = serializers.IntegerField()
    tab_switch_policy = serializers.CharField()
    tab_switch_limit = serializers.IntegerField()


class AnswerInSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    response = serializers.JSONField(help_text="Option indexes as shown (choice) or one string per blank (fill-in)")
    seq = serializers.IntegerField(min_value=1, help_text="Client sequence number; older ones never overwrite")
    flagged = serializers.BooleanField(required=False, allow_null=True, default=None)


class AnswerOutSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    seq = serializers.IntegerField()
    response = serializers.JSONField()
    flagged = serializers.BooleanField()
    stored = serializers.BooleanField(help_text="False: an older or repeated save; the stored answer is returned")
    saved_at = serializers.DateTimeField()
    seconds_remaining = serializers.IntegerField(allow_null=True)


class ReviewQuestionSerializer(PaperQuestionSerializer):
    response = serializers.JSONField()
    is_correct = serializers.BooleanField(required=False)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    correct = serializers.ListField(child=serializers.IntegerField(), required=False)
    accepted_answers = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), required=False)
    explanation = serializers.CharField(required=False)
    source = serializers.CharField(required=False)
    source_url = serializers.CharField(required=False)


class ReviewFlagsSerializer(serializers.Serializer):
    score = serializers.BooleanField()
    correctness = serializers.BooleanField()
    answers = serializers.BooleanField()
    explanations = serializers.BooleanField()


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exam = ExamRefSerializer()
    number = serializers.IntegerField()
    is_mock = serializers.BooleanField()
    state = serializers.ChoiceField(choices=Attempt.State.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    finish_reason = serializers.CharField()
    review = ReviewFlagsSerializer()
    withheld = serializers.BooleanField(
        help_text="true: nothing is shown while I sit a counting exam attempt (exam integrity); it shows once submitted"
    )
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    max_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    questions = ReviewQuestionSerializer(many=True)


class StartInSerializer(serializers.Serializer):
    mock = serializers.BooleanField(required=False, default=False, help_text="模拟考试: does not count")


ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 403, 404, 409)}
# start validates its body with raise_exception (DRF's field errors); answer wraps the field errors in invalid_answer
START_ERRORS = {**ERRORS, 400: or_field_errors("Error")}
ANSWER_ERRORS = {
    **ERRORS,
    400: {"anyOf": [{"$ref": "#/components/schemas/Error"}, error_with_field_errors("invalid_answer")]},
}


class ExamViewSet(viewsets.GenericViewSet):
    """Exams available to me (published, my institution and role), with my attempts and grade."""

    lookup_value_regex = r"\d+"

    serializer_class = ExamSerializer
    pagination_class = None

    @extend_schema(responses=ExamSerializer(many=True), summary="Exams available to me")
    def list(self, request):
        return Response(ExamSerializer(exams_for_user(request.user), many=True).data)

    @extend_schema(responses={200: ExamSerializer, 404: ErrorSerializer}, summary="One exam with my status")
    def retrieve(self, request, pk=None):
        exam = visible_exam(request.user, pk)
        if exam is None:
            return Response({"error": "not_found", "detail": "考试不存在。"}, status=404)
        return Response(ExamSerializer(exam_status(exam, request.user)).data)

    @extend_schema(
        request=StartInSerializer,
        responses={201: AttemptSerializer, 200: AttemptSerializer, **START_ERRORS},
        summary="Start (or resume) my attempt",
        description="Returns my open attempt if there is one (resume on another device); 201 when a new one starts. "
        "If the open attempt's time ran out it is submitted and returned with state=submitted.",
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        exam = visible_exam(request.user, pk)
        if exam is None:
            return Response({"error": "not_found", "detail": "考试不存在。"}, status=404)
        params = StartInSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            attempt = svc.attempt_start(exam=exam, user=request.user, mock=params.validated_data["mock"])
        except QuizError as exc:
            return error_response(exc)
        code = status.HTTP_200_OK if getattr(attempt, "resumed", True) else status.HTTP_201_CREATED
        return Response(attempt_payload(attempt), status=code)  # shape: AttemptSerializer (schema only)


class AttemptViewSet(viewsets.GenericViewSet):
    """My attempts: the paper without answers while in progress; save, submit, tab switches, review."""

    lookup_value_regex = r"\d+"

    serializer_class = AttemptSerializer
    pagination_class = None

    def _attempt(self, request, pk):
        return svc.attempt_access(attempt_id=pk, user=request.user)

    @extend_schema(responses={200: AttemptSerializer, 404: ErrorSerializer}, summary="My attempt (no answers)")
    def retrieve(self, request, pk=None):
        try:
            attempt = self._attempt(request, pk)
        except QuizError as exc:
            return error_response(exc)
        return Response(attempt_payload(attempt))

    @extend_schema(
        request=AnswerInSerializer, responses={200: AnswerOutSerializer, **ANSWER_ERRORS}, summary="Save an answer"
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        params = AnswerInSerializer(data=request.data)
        if not params.is_valid():
            return Response(validation_body(params.errors, code="invalid_answer"), status=400)
        data = params.validated_data
        try:
            result = svc.answer_save(
                attempt_id=pk,
                user=request.user,
                position=data["position"],
                response=data["response"],
                seq=data["seq"],
                flagged=data.get("flagged"),
            )
        except QuizError as exc:
            return error_response(exc)
        return Response(
            {
                "position": result.position,
                "seq": result.seq,
                "response": result.response,
                "flagged": result.flagged,
                "stored": result.stored,
                "saved_at": result.saved_at.isoformat(),
                "seconds_remaining": result.seconds_remaining,
            }
        )

    @extend_schema(
        request=None,
        responses={200: ReviewSerializer, **ERRORS},
        summary="Submit my attempt",
        description="While I sit a counting attempt, submitting a mock (or another exam's attempt) returns nothing "
        "about the result (withheld=true); the review shows it once the counting attempt is submitted.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        try:
            attempt = svc.attempt_submit(attempt_id=pk, user=request.user)
        except QuizError as exc:
            return error_response(exc)
        return Response(ReviewSerializer(review_payload(attempt, review_options(attempt))).data)

    @extend_schema(request=None, responses={200: AttemptSerializer, **ERRORS}, summary="Report a switch away")
    @action(detail=True, methods=["post"], url_path="tab-switch")
    def tab_switch(self, request, pk=None):
        try:
            attempt = svc.attempt_tab_switch(attempt_id=pk, user=request.user)
        except QuizError as exc:
            return error_response(exc)
        return Response(attempt_payload(attempt))

    @extend_schema(responses={200: ReviewSerializer, **ERRORS}, summary="Result and review (per review policy)")
    @action(detail=True, methods=["get"])
    def review(self, request, pk=None):
        try:
            attempt = self._attempt(request, pk)
        except QuizError as exc:
            return error_response(exc)
        return Response(ReviewSerializer(review_payload(attempt, review_options(attempt))).data)
