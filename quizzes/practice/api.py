"""API for practice, self-check blocks on study pages, the wrong-answer book, mock exams, certificates and managers' exam results (/api/v1/).

Thin: services decide, selectors read; refusals come back as {"error": code, "detail": message}.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from wagtail.models import Page

from content.blocks import self_check_question_ids
from elearn.api_schema_errors import or_field_errors
from elearn.org.disclosure import disclose
from elearn.org.permissions import is_manager
from elearn.org.phones import mask_mobile
from quizzes.bank.models import Category
from quizzes.exams.exceptions import QuizError
from quizzes.practice import selectors, services
from quizzes.practice.models import PracticeMode
from quizzes.results import selectors as result_selectors


def _refusal(exc: QuizError) -> Response:
    return Response({"error": exc.code, "detail": str(exc.message)}, status=exc.status)


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else (value if isinstance(value, int) else None)


# --- serializers ----------------------------------------------------------------------------------------------------


class PracticeCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="category.pk")
    name = serializers.CharField(source="category.name")
    path = serializers.CharField(source="category.path")
    depth = serializers.IntegerField()
    total = serializers.IntegerField(help_text="active questions in the category and below")
    done = serializers.IntegerField(help_text="answered in sequential practice")
    correct = serializers.IntegerField()


class PracticeQuestionSerializer(serializers.Serializer):
    """A question before it is answered: never the answer or the explanation."""

    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=["single", "multiple", "truefalse", "fill"])
    type_label = serializers.CharField()
    category = serializers.CharField()
    stem = serializers.CharField()
    image = serializers.CharField(allow_null=True)
    options = serializers.ListField(child=serializers.CharField())
    blanks = serializers.IntegerField()


class NextQuestionSerializer(serializers.Serializer):
    question = PracticeQuestionSerializer(allow_null=True)


class PracticeAnswerInSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    response = serializers.ListField(
        child=serializers.JSONField(), help_text="option indexes (0-based) or one text per blank"
    )
    mode = serializers.ChoiceField(choices=PracticeMode.choices, default=PracticeMode.RANDOM)
    category = serializers.IntegerField(required=False, allow_null=True)
    token = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="a retry with the same token counts once"
    )


class PracticeFeedbackSerializer(serializers.Serializer):
    answer_id = serializers.IntegerField()
    question = PracticeQuestionSerializer()
    response = serializers.ListField(child=serializers.JSONField())
    is_correct = serializers.BooleanField()
    in_wrongbook = serializers.BooleanField()
    correct_streak = serializers.IntegerField()
    correct_options = serializers.ListField(child=serializers.IntegerField())
    answer_letters = serializers.CharField()
    accepted_answers = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    explanation = serializers.CharField()
    source_law = serializers.CharField()
    source_article = serializers.CharField()
    source_url = serializers.CharField()


def _feedback_data(feedback) -> dict:
    return {
        "answer_id": feedback.answer.pk,
        "question": selectors.question_public_data(feedback.question),
        "response": feedback.response,
        "is_correct": feedback.is_correct,
        "in_wrongbook": feedback.in_wrongbook,
        "correct_streak": feedback.correct_streak,
        **selectors.question_feedback_data(feedback.question),
    }


class WrongBookEntrySerializer(serializers.Serializer):
    question = PracticeQuestionSerializer()
    wrong_count = serializers.IntegerField()
    correct_streak = serializers.IntegerField()
    last_source = serializers.CharField()
    first_wrong_at = serializers.DateTimeField()
    last_wrong_at = serializers.DateTimeField()


MockInSerializer = inline_serializer("MockExamStart", {"exam": serializers.IntegerField()})
MockOutSerializer = inline_serializer(
    "MockExamAttempt", {"attempt": serializers.IntegerField(), "url": serializers.CharField()}
)
ErrorSerializer = inline_serializer(
    "PracticeError", {"error": serializers.CharField(), "detail": serializers.CharField()}
)


# --- practice -------------------------------------------------------------------------------------------------------


class PracticeViewSet(viewsets.GenericViewSet):
    """Practice by category: sequential, random or redo-my-mistakes, checked on the server. The correct answer,
    explanation and law article come only in the answer's response."""

    serializer_class = PracticeCategorySerializer
    pagination_class = None

    @extend_schema(summary="Categories available for practice, with my sequential progress")
    def list(self, request):
        return Response(PracticeCategorySerializer(selectors.practice_categories(request.user), many=True).data)

    @extend_schema(
        summary="The next question to practise (without its answer)",
        parameters=[
            OpenApiParameter("mode", str, enum=PracticeMode.values, required=False),
            OpenApiParameter("category", int, required=False),
            OpenApiParameter("after", int, required=False, description="the question just answered (skipped)"),
        ],
        responses={200: NextQuestionSerializer, 409: ErrorSerializer},
    )
    @action(detail=False, methods=["get"])
    def next(self, request):
        mode = request.query_params.get("mode") or PracticeMode.RANDOM
        if mode not in PracticeMode.values:
            return Response({"error": "invalid_mode", "detail": "mode"}, status=status.HTTP_400_BAD_REQUEST)
        category_id = _int(request.query_params.get("category"))
        category = Category.objects.filter(pk=category_id).first() if category_id else None
        if category_id and category is None:
            raise NotFound()
        try:
            services.practice_check_open(user=request.user)
        except QuizError as exc:
            return _refusal(exc)
        question = selectors.practice_next(
            user=request.user, mode=mode, category=category, exclude_id=_int(request.query_params.get("after"))
        )
        return Response({"question": selectors.question_public_data(question) if question else None})

    @extend_schema(
        summary="Answer a practice question: checked on the server, then the answer and explanation",
        request=PracticeAnswerInSerializer,
        responses={
            200: PracticeFeedbackSerializer,
            400: or_field_errors("PracticeError"),
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=False, methods=["post"])
    def answer(self, request):
        data = PracticeAnswerInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            feedback = services.practice_answer(
                user=request.user,
                question_id=values["question"],
                response=values["response"],
                mode=values["mode"],
                category_id=values.get("category"),
                token=values.get("token", ""),
            )
        except QuizError as exc:
            return _refusal(exc)
        return Response(_feedback_data(feedback))

    @extend_schema(
        summary="Start (or resume) a mock exam on an exam's rules; it never counts",
        request=MockInSerializer,
        responses={201: MockOutSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    @action(detail=False, methods=["post"])
    def mock(self, request):
        body = request.data if isinstance(request.data, dict) else {}  # a JSON list, string or number names no exam
        exam_id = _int(body.get("exam"))
        if exam_id is None:
            return Response({"error": "invalid", "detail": "exam"}, status=status.HTTP_400_BAD_REQUEST)
        try:
            attempt = services.mock_start(user=request.user, exam_id=exam_id)
        except QuizError as exc:
            return _refusal(exc)
        return Response(
            {"attempt": attempt.pk, "url": result_selectors.attempt_url(attempt)}, status=status.HTTP_201_CREATED
        )


class WrongBookViewSet(viewsets.GenericViewSet):
    """My wrong-answer book (错题本): questions stay until answered correctly twice in a row.
    Redo them with GET /practice/next/?mode=wrong and POST /practice/answer/ (mode "wrong")."""

    serializer_class = WrongBookEntrySerializer

    def get_queryset(self):
        category_id = _int(self.request.query_params.get("category"))
        category = Category.objects.filter(pk=category_id).first() if category_id else None
        return selectors.wrongbook_entries(self.request.user, category=category).order_by("-last_wrong_at", "pk")

    @extend_schema(
        summary="My wrong-answer book (closed while I sit a counting exam attempt: 409 practice_paused)",
        parameters=[OpenApiParameter("category", int, required=False)],
        responses={200: WrongBookEntrySerializer(many=True), 409: ErrorSerializer},
    )
    def list(self, request):
        try:
            services.practice_check_open(user=request.user)
        except QuizError as exc:
            return _refusal(exc)
        page = self.paginate_queryset(self.get_queryset())
        rows = [
            {
                "question": selectors.question_public_data(entry.question),
                "wrong_count": entry.wrong_count,
                "correct_streak": entry.correct_streak,
                "last_source": entry.last_source,
                "first_wrong_at": entry.first_wrong_at,
                "last_wrong_at": entry.last_wrong_at,
            }
            for entry in page
        ]
        return self.get_paginated_response(WrongBookEntrySerializer(rows, many=True).data)


# --- certificates ---------------------------------------------------------------------------------------------------


class CertificateSerializer(serializers.Serializer):
    exam = serializers.IntegerField()
    exam_title = serializers.CharField()
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    passed_at = serializers.DateTimeField(allow_null=True)
    pdf_url = serializers.CharField()


class CertificateVerifySerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    code = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    institution = serializers.CharField(allow_blank=True)
    exam = serializers.CharField(allow_blank=True)
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    date = serializers.DateField(allow_null=True)


class CertificateViewSet(viewsets.GenericViewSet):
    """Certificates of the exams I passed (PDF at pdf_url), and the public check of a verification code."""

    serializer_class = CertificateSerializer
    pagination_class = None

    @extend_schema(summary="Exams I passed, each with its certificate PDF")
    def list(self, request):
        rows = [
            {
                "exam": exam.pk,
                "exam_title": exam.title,
                "score": grade.score,
                "passed_at": grade.passed_at,
                "pdf_url": reverse("practice:certificate", args=[exam.pk]),
            }
            for exam, grade in result_selectors.certificates_available(request.user)
        ]
        return Response(CertificateSerializer(rows, many=True).data)

    @extend_schema(summary="Verify a certificate code (public)", responses=CertificateVerifySerializer)
    @action(
        detail=False,
        methods=["get"],
        url_path=r"verify/(?P<code>[A-Za-z0-9-]{1,20})",
        permission_classes=[AllowAny],
        authentication_classes=[],
    )
    def verify(self, request, code=None):
        certificate = result_selectors.certificate_by_code(code)
        valid = bool(certificate and certificate.is_valid)
        data = {
            "valid": valid,
            "code": certificate.code if certificate else code,
            "name": certificate.holder_name if valid else "",
            "institution": certificate.institution_name if valid else "",
            "exam": certificate.exam_title if valid else "",
            "score": certificate.score if valid else None,
            "date": certificate.passed_on if valid else None,
        }
        return Response(CertificateVerifySerializer(data).data)


# --- managers: results and 未参考名单 --------------------------------------------------------------------------------


class ResultUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    real_name = serializers.CharField()
    employee_no = serializers.CharField()
    institution = serializers.CharField(source="institution.name", default="")
    department = serializers.CharField()
    mobile = serializers.SerializerMethodField(help_text="masked (138****1234); POST /api/v1/privacy/reveal/ shows one")

    def get_mobile(self, user) -> str:
        return mask_mobile(user.mobile)


class ExamResultSerializer(serializers.Serializer):
    user = ResultUserSerializer()
    status = serializers.ChoiceField(choices=["passed", "failed", "in_progress", "absent"])
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, source="grade.score")
    passed = serializers.BooleanField(allow_null=True, source="grade.passed")
    attempts = serializers.IntegerField(source="grade.attempts", default=0)
    submitted_at = serializers.DateTimeField(allow_null=True, source="grade.last_submitted_at")


class InstitutionSummarySerializer(serializers.Serializer):
    institution = serializers.CharField(source="institution.name")
    institution_id = serializers.IntegerField(source="institution.pk")
    audience = serializers.IntegerField()
    sat = serializers.IntegerField()
    absent = serializers.IntegerField()
    passed = serializers.IntegerField()
    participation = serializers.DecimalField(max_digits=6, decimal_places=2)
    pass_rate = serializers.DecimalField(max_digits=6, decimal_places=2)
    average = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


REPORT_PARAMS = [
    OpenApiParameter("exam", int, required=True),
    OpenApiParameter("institution", int, required=False, description="one of the institutions I manage"),
]


class ExamResultViewSet(viewsets.GenericViewSet):
    """Exam results for safety officers (their institution only) and the district admin (all), through the
    one permission helper; ?exam=ID is required, ?institution=ID narrows."""

    serializer_class = ExamResultSerializer

    def _scope(self, request):
        if not is_manager(request.user):
            raise PermissionDenied()
        exam = result_selectors.report_exam(request.user, request.query_params.get("exam"))
        if exam is None:
            raise NotFound()
        institution = _int(request.query_params.get("institution"))
        return exam, institution

    @extend_schema(summary="Results of the candidates I manage", parameters=REPORT_PARAMS)
    def list(self, request):
        exam, institution = self._scope(request)
        rows = result_selectors.exam_results(exam, request.user, institution)
        page = self.paginate_queryset(rows)
        disclose(
            request,
            what=_("考试成绩（接口）：%(exam)s") % {"exam": exam.title},
            count=len(rows),
            institution=institution,
        )
        return self.get_paginated_response(ExamResultSerializer(page, many=True).data)

    @extend_schema(
        summary="未参考名单: who has not sat the exam",
        parameters=REPORT_PARAMS,
        responses=ResultUserSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def absentees(self, request):
        exam, institution = self._scope(request)
        absentees = result_selectors.exam_absentees(exam, request.user, institution)
        page = self.paginate_queryset(absentees)
        disclose(
            request,
            what=_("未参考名单（接口）：%(exam)s") % {"exam": exam.title},
            count=getattr(self.paginator, "count", None),
            institution=institution,
        )
        return self.get_paginated_response(ResultUserSerializer(page, many=True).data)

    @extend_schema(
        summary="Per-institution summary",
        parameters=REPORT_PARAMS[:1],
        responses=InstitutionSummarySerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def summary(self, request):
        exam, _institution = self._scope(request)
        return Response(InstitutionSummarySerializer(result_selectors.exam_summary(exam, request.user), many=True).data)


# --- self-check blocks on study pages (随堂自测) ----------------------------------------------------------------------
# The page never carries the answer. Only questions placed in a self-check block of a live page can be checked, so
# the endpoint cannot be used to read the answers of the rest of the question bank (exam questions).


class SelfCheckSerializer(serializers.Serializer):
    page = serializers.IntegerField(help_text="Id of the page showing the self-check block")
    question = serializers.IntegerField()
    answer = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        max_length=20,
        help_text="Option indexes (0-based) for choice questions; one text per blank for fill-in questions",
    )


class SelfCheckResultSerializer(serializers.Serializer):
    correct = serializers.BooleanField()
    correct_options = serializers.ListField(child=serializers.IntegerField())
    accepted_answers = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()
    source = serializers.CharField()


class SelfCheckViewSet(viewsets.GenericViewSet):
    serializer_class = SelfCheckSerializer

    @extend_schema(request=SelfCheckSerializer, responses={200: SelfCheckResultSerializer, 409: ErrorSerializer})
    def create(self, request):
        """Check an answer; refused with exam_in_progress while I sit a counting exam attempt."""
        data = SelfCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        page = get_object_or_404(Page.objects.live().public(), pk=data.validated_data["page"]).specific
        body = getattr(page, "body", None)
        question_id = data.validated_data["question"]
        if question_id not in self_check_question_ids(body):
            raise ValidationError({"question": _("该题不在此页面的随堂自测中。")})
        try:
            result = services.self_check(
                user=request.user, question_id=question_id, answer=data.validated_data["answer"]
            )
        except QuizError as exc:
            return _refusal(exc)
        return Response(result)
