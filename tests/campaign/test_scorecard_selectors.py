"""The scorecard's reads (campaign/scorecard/selectors.py) on real rows: study and exam figures from the campaign
reports, 五个一 from campaign.tasks, drills from drills, ranks and scope. Figures worked out in scorecard_world."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from campaign.scorecard import rules, selectors
from tests.campaign.scorecard_world import build_world, drill, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(inst_a, inst_b, officer_a, officer_b):
    return build_world(inst_a, inst_b, officer_a, officer_b)


def by_name(card):
    return {line.key: line for line in card.lines}


def test_district_scorecard_by_hand(world, district_admin, inst_a, inst_b):
    data = selectors.scorecard(district_admin, world["campaign"])
    assert data.exams == [world["exam"]] and data.ranked
    cards = {card.institution.pk: card for card in data.cards}
    a, b, c = cards[inst_a.pk], cards[inst_b.pk], cards[world["inst_c"].pk]

    lines = by_name(a)
    assert (lines["study"].result.done, lines["study"].result.of, lines["study"].result.value) == (3, 5, 60.0)
    assert lines["study"].state == rules.UNMET and lines["study"].missing_text == "还差 2 人完成必修"
    assert (lines["exam_participation"].result.value, lines["exam_participation"].missing_text) == (
        60.0,
        "还差 2 人参考",
    )
    assert (lines["exam_pass"].result.value, lines["exam_pass"].missing_text) == (66.7, "还差 1 人合格")
    assert (lines["tasks"].result.done, lines["tasks"].result.of, lines["tasks"].state) == (5, 5, rules.MET)
    assert lines["drills"].state == lines["trainings"].state == rules.MET
    assert lines["drills"].value_text == "1 次" and lines["drills"].requirement_text == "≥ 1 次"
    assert (a.total, a.rank) == (78.1, 1)

    lines = by_name(b)
    assert (lines["study"].result.value, lines["exam_participation"].result.value) == (33.3, 33.3)
    assert (lines["exam_pass"].result.value, lines["exam_pass"].result.points) == (0.0, 0.0)
    assert (lines["tasks"].result.done, lines["tasks"].result.of) == (1, 3), "waiting and returned are not done"
    assert (b.tasks.submitted, b.tasks.returned) == (1, 1)
    assert lines["drills"].missing_text == "还差 1 次演练", "a drill before the campaign does not count"
    assert lines["trainings"].missing_text == "还差 1 次培训"
    assert (b.total, b.rank) == (21.7, 2)

    assert c.no_roster and c.total is None and c.rank is None
    assert a.ranked_among == 2


def test_officer_sees_only_their_institution_and_no_rank(world, officer_a, inst_a, inst_b):
    data = selectors.scorecard(officer_a, world["campaign"])
    assert [card.institution.pk for card in data.cards] == [inst_a.pk]
    assert data.cards[0].total == 78.1 and data.cards[0].rank is None and not data.ranked
    with pytest.raises(PermissionDenied):
        selectors.scorecard(officer_a, world["campaign"], institution_id=inst_b.pk)
    with pytest.raises(PermissionDenied):
        selectors.card_for(officer_a, world["campaign"], inst_b.pk)
    assert selectors.card_for(officer_a, world["campaign"], inst_a.pk).total == 78.1


def test_equal_totals_share_a_rank(world, district_admin, inst_a, inst_b):
    """Two institutions of one person each who did nothing: both 0.0, both third; the unranked one stays unranked."""
    from tests.factories import InstitutionFactory, UserFactory

    d, e = InstitutionFactory(name="丁镇卫生院"), InstitutionFactory(name="戊镇卫生院")
    UserFactory(institution=d)
    UserFactory(institution=e)
    cards = {card.institution.pk: card for card in selectors.scorecard(district_admin, world["campaign"]).cards}
    assert [(cards[i.pk].total, cards[i.pk].rank) for i in (inst_a, inst_b, d, e)] == [
        (78.1, 1),
        (21.7, 2),
        (0.0, 3),
        (0.0, 3),
    ]
    assert cards[world["inst_c"].pk].rank is None and cards[d.pk].ranked_among == 4


def test_one_institution_for_the_district_admin_keeps_its_district_rank(world, district_admin, inst_b):
    card = selectors.card_for(district_admin, world["campaign"], inst_b.pk)
    assert (card.total, card.rank, card.ranked_among) == (21.7, 2, 2)
    assert selectors.card_for(district_admin, world["campaign"], 999_999) is None


def test_kind_filter_keeps_district_ranks(world, district_admin, inst_b):
    from elearn.org.models import Institution

    Institution.objects.filter(pk=inst_b.pk).update(kind=Institution.Kind.HOSPITAL)
    data = selectors.scorecard(district_admin, world["campaign"], kind=Institution.Kind.HOSPITAL)
    assert [(card.institution.pk, card.rank) for card in data.cards] == [(inst_b.pk, 2)]


def test_more_drills_and_changed_requirements(world, district_admin, inst_b):
    campaign = world["campaign"]
    drill(inst_b, title="燃气泄漏演练")
    campaign.required_trainings = 0  # 不考核
    campaign.study_target_percent = 30
    campaign.save()
    card = selectors.card_for(district_admin, campaign, inst_b.pk)
    lines = by_name(card)
    assert lines["drills"].state == rules.MET
    assert lines["trainings"].state == rules.NOT_APPLICABLE and lines["trainings"].requirement_text == "不考核"
    assert lines["study"].state == rules.MET  # 33.3 % >= 30 %
    # study 25 + participation 6.7 + pass 0 + tasks 6.7 + drills 10 (the points as shown), over 90 points
    assert card.total == round((25 + 6.7 + 0 + 6.7 + 10) * 100 / 90, 1)


def test_campaign_exam_is_the_latest_published_exam_overlapping_the_campaign(world):
    from quizzes.exams.models import Exam

    campaign = world["campaign"]
    assert selectors.campaign_exam(campaign) == world["exam"]
    old = make_campaign(
        name="去年",
        starts_on=campaign.starts_on - dt.timedelta(days=400),
        ends_on=campaign.starts_on - dt.timedelta(days=370),
    )
    assert selectors.campaign_exam(old) is None
    Exam.objects.filter(pk=world["exam"].pk).update(status=Exam.Status.DRAFT)
    assert selectors.campaign_exam(campaign) is None


def test_without_an_exam_the_exam_criteria_do_not_count(world, district_admin, inst_a):
    from quizzes.exams.models import Exam

    Exam.objects.filter(pk=world["exam"].pk).update(status=Exam.Status.DRAFT)
    card = selectors.card_for(district_admin, world["campaign"], inst_a.pk)
    lines = by_name(card)
    assert lines["exam_participation"].state == lines["exam_pass"].state == rules.NOT_APPLICABLE
    # study 15 + tasks 20 + drills 10 + trainings 10 = 55 of 65
    assert card.total == round(55 * 100 / 65, 1)


def test_links_to_the_underlying_lists(world, district_admin, inst_a):
    lines = by_name(selectors.card_for(district_admin, world["campaign"], inst_a.pk))
    assert lines["study"].link.startswith("/admin/reports/followup/?institution=")
    assert (
        lines["exam_participation"].link
        == f"/admin/exam-results/{world['exam'].pk}/?institution={inst_a.pk}&tab=absent"
    )
    assert lines["drills"].link == f"/admin/drills/?institution={inst_a.pk}&kind=drill"


def test_drills_held_lists_the_campaign_drills_by_date(world, officer_a, inst_a, inst_b):
    titles = [d.title for d in selectors.drills_held(officer_a, world["campaign"], inst_a.pk)]
    assert titles == ["门诊楼消防疏散演练", "心肺复苏自救互救培训"]
    with pytest.raises(PermissionDenied):
        selectors.drills_held(officer_a, world["campaign"], inst_b.pk)


def test_sorting(world, district_admin):
    cards = selectors.scorecard(district_admin, world["campaign"]).cards
    names = lambda cs: [c.institution.name for c in cs]  # noqa: E731
    assert names(selectors.sort_cards(cards, "score", True)) == ["甲镇卫生院", "乙镇卫生院", "丙镇卫生院"]
    assert names(selectors.sort_cards(cards, "score", False)) == ["乙镇卫生院", "甲镇卫生院", "丙镇卫生院"]
    assert names(selectors.sort_cards(cards, "study", False))[:2] == ["乙镇卫生院", "甲镇卫生院"]


def test_no_campaign(db):
    assert selectors.campaign_for() is None
    assert selectors.campaign_for(12345) is None


def test_current_campaign(world):
    assert selectors.campaign_for() == world["campaign"]
    assert timezone.localdate() <= world["campaign"].ends_on


def test_each_institution_is_judged_on_an_exam_for_it(world, district_admin, officer_b, inst_a, inst_b):
    """An exam for A only counts for A; B is judged on the district-wide exam (and never sees A's exam's title)."""
    from tests.quizzes.exam_factories import ExamCategoryFactory, exam_with_sections

    own = exam_with_sections(ExamCategoryFactory(name="甲院专项"), title="甲院专项考试")
    own.institutions.set([inst_a])
    own.save()  # a ParentalManyToManyField is written on save
    data = selectors.scorecard(district_admin, world["campaign"])
    cards = {card.institution.pk: card for card in data.cards}
    assert cards[inst_a.pk].exam == own and cards[inst_b.pk].exam == world["exam"]
    a = by_name(cards[inst_a.pk])
    assert (a["exam_participation"].result.done, a["exam_participation"].result.of) == (0, 5)
    assert by_name(cards[inst_b.pk])["exam_participation"].result.value == 33.3
    assert {e.title for e in data.exams} == {"甲院专项考试", "报表测试考试"}
    officer = selectors.scorecard(officer_b, world["campaign"])
    assert [e.title for e in officer.exams] == ["报表测试考试"]


def test_hazards_shown_and_overdue_ones_cost_points(world, district_admin, officer_b, inst_b):
    """Reports are shown; each one past its rectification deadline takes 2 points; reports sent straight to the
    bureau are left out (the officer must not learn of them from the score, and the score is the same for all)."""
    from hazards.models import HazardReport, State
    from tests.hazards.factories import submit

    for n in range(3):
        submit(world["b1"], inst_b, description=f"消防通道堵塞{n}")
    submit(world["b1"], inst_b, bureau=True, description="直报区卫健局")
    overdue = HazardReport.objects.filter(institution=inst_b, directed_to_bureau=False).order_by("pk")[:2]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    HazardReport.objects.filter(pk__in=[r.pk for r in overdue]).update(state=State.ACCEPTED, deadline=yesterday)
    HazardReport.objects.filter(directed_to_bureau=True).update(state=State.ACCEPTED, deadline=yesterday)
    for viewer in (district_admin, officer_b):
        card = selectors.card_for(viewer, world["campaign"], inst_b.pk)
        assert (card.hazards.reported, card.hazards.overdue) == (3, 2)
        assert card.score.penalty == 4.0 and card.total == 17.7  # 21.7 - 2 x 2
