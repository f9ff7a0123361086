"""POST /api/v1/self-check/: check the answer to a self-check block's question.

The page never carries the answer. Only questions placed in a self-check block of a live page can be checked,
so the endpoint cannot be used to read the answers of the rest of the question bank (exam questions).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from wagtail.models import Page

from .blocks import self_check_question_ids
from .selfcheck import check_answer


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

    @extend_schema(request=SelfCheckSerializer, responses=SelfCheckResultSerializer)
    def create(self, request):
        data = SelfCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        page = get_object_or_404(Page.objects.live().public(), pk=data.validated_data["page"]).specific
        body = getattr(page, "body", None)
        question_id = data.validated_data["question"]
        if question_id not in self_check_question_ids(body):
            raise ValidationError({"question": _("该题不在此页面的随堂自测中。")})
        from quizzes.models import Question

        question = get_object_or_404(Question.objects.active(), pk=question_id)
        correct = check_answer(question, data.validated_data["answer"])
        return Response(
            {
                "correct": correct,
                "correct_options": list(question.correct_options) if question.type != "fill" else [],
                "accepted_answers": [" / ".join(a) for a in question.accepted_answers]
                if question.type == "fill"
                else [],
                "explanation": question.explanation,
                "source": question.source,
            }
        )
