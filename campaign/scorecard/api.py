"""Scorecard API (/api/v1/scorecard/...): the district table (district admin) and one institution's scorecard (its
safety officer or the district admin). Thin: campaign.scorecard.selectors reads, scoped by elearn.org.permissions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from campaign.scorecard import rules, selectors
from elearn.org.models import Institution
from elearn.org.permissions import can_manage_institution, is_manager, sees_every_institution


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    theme = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    required_drills = serializers.IntegerField()
    required_trainings = serializers.IntegerField()
    study_target_percent = serializers.IntegerField()
    exam_participation_target_percent = serializers.IntegerField()
    exam_pass_target_percent = serializers.IntegerField()
    tasks_target_percent = serializers.IntegerField()


class ScorecardExamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class CriterionSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(rules.CRITERIA))
    label = serializers.CharField()
    state = serializers.ChoiceField(
        choices=[rules.MET, rules.UNMET, rules.NOT_APPLICABLE, rules.UNAVAILABLE],
        help_text="met | unmet | na (not applicable: not counted) | unavailable (no data: not counted)",
    )
    value = serializers.FloatField(source="result.value", allow_null=True, help_text="% for rates, a count otherwise")
    done = serializers.IntegerField(source="result.done", allow_null=True)
    of = serializers.IntegerField(source="result.of", allow_null=True, help_text="the people a rate is over")
    requirement = serializers.IntegerField(source="result.target", help_text="% for rates, a count otherwise")
    missing = serializers.IntegerField(source="result.missing", help_text="people or events still needed")
    missing_text = serializers.CharField()
    weight = serializers.IntegerField(source="result.weight")
    points = serializers.FloatField(source="result.points", allow_null=True)
    link = serializers.CharField(help_text="the admin page listing the underlying rows")


class CountsSerializer(serializers.Serializer):
    reported = serializers.IntegerField()
    rectified = serializers.IntegerField()
    overdue = serializers.IntegerField()
    major = serializers.IntegerField()


class DrillCountsSerializer(serializers.Serializer):
    drills = serializers.IntegerField()
    trainings = serializers.IntegerField()
    special_trainings = serializers.IntegerField()
    attendances = serializers.IntegerField()


class TaskCountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    done = serializers.IntegerField()
    submitted = serializers.IntegerField()
    returned = serializers.IntegerField()


class CardSerializer(serializers.Serializer):
    institution_id = serializers.IntegerField(source="institution.pk")
    institution = serializers.CharField(source="institution.name")
    kind = serializers.CharField(source="institution.kind")
    roster = serializers.IntegerField(help_text="active staff and officers (0: 无在册人员, no score)")
    no_roster = serializers.BooleanField()
    total = serializers.FloatField(allow_null=True, help_text="0-100, scaled over the criteria that count")
    penalty = serializers.FloatField(source="score.penalty", help_text="points off for overdue hazards")
    rank = serializers.IntegerField(allow_null=True, help_text="district rank (district admin only); ties share")
    ranked_among = serializers.IntegerField()
    exam = ScorecardExamSerializer(allow_null=True, help_text="the exam its participation and pass rate are about")
    criteria = CriterionSerializer(source="lines", many=True)
    tasks = TaskCountsSerializer(allow_null=True)
    drills = DrillCountsSerializer(allow_null=True)
    hazards = CountsSerializer(allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    campaign = CampaignSerializer()
    exams = ScorecardExamSerializer(many=True, help_text="the campaign exams the institutions shown are judged on")
    ranked = serializers.BooleanField()
    unavailable = serializers.ListField(child=serializers.CharField(), help_text="figures shown as — for now")
    institutions = CardSerializer(source="cards", many=True)


DetailSerializer = inline_serializer("ScorecardDetail", {"detail": serializers.CharField()})
CAMPAIGN = OpenApiParameter("campaign", int, required=False, description="default: the current campaign")
INSTITUTION = OpenApiParameter("id", int, OpenApiParameter.PATH, description="the institution's id")
KIND = OpenApiParameter(
    "kind", str, required=False, enum=Institution.Kind.values, description="only institutions of this kind"
)


class ScorecardViewSet(viewsets.ViewSet):
    """单位考核: each institution's campaign figures against the notice's requirements, with a total and a rank."""

    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[0-9]{1,10}"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_manager(request.user):
            raise PermissionDenied()

    def _campaign(self):
        raw = str(self.request.query_params.get("campaign") or "").strip()
        if raw:
            campaign_id = selectors.parse_id(raw)
            if campaign_id is None:
                raise NotFound()
            campaign = selectors.campaign_for(campaign_id)
        else:
            campaign = selectors.campaign_for()
        if campaign is None:
            raise NotFound()
        return campaign

    @extend_schema(
        summary="The district scorecard (district admin)",
        parameters=[CAMPAIGN, KIND],
        responses={200: ScorecardSerializer, 403: DetailSerializer, 404: DetailSerializer},
    )
    def list(self, request):
        if not sees_every_institution(request.user):
            raise PermissionDenied()
        kind = request.query_params.get("kind", "")
        data = selectors.scorecard(
            request.user, self._campaign(), kind=kind if kind in Institution.Kind.values else None
        )
        return Response(ScorecardSerializer(data).data)

    @extend_schema(
        summary="One institution's scorecard (its safety officer or the district admin)",
        parameters=[INSTITUTION, CAMPAIGN],
        responses={200: ScorecardSerializer, 403: DetailSerializer, 404: DetailSerializer},
    )
    def retrieve(self, request, pk=None):
        institution_id = selectors.parse_id(pk)
        if institution_id is None or not can_manage_institution(request.user, institution_id):
            raise NotFound()
        if not Institution.objects.filter(pk=institution_id).exists():
            raise NotFound()
        try:
            data = selectors.scorecard(request.user, self._campaign(), institution_id=institution_id)
        except DjangoPermissionDenied:
            raise NotFound() from None
        return Response(ScorecardSerializer(data).data)
