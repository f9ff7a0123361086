"""A campaign whose scorecard is worked out by hand (tests/campaign/test_scorecard_*.py).

Study and exam come from tests/leaderboard/report_factories.build_campaign:
    甲 (A): a1 a2 a3 a4 officer_a, roster 5: required module done 3/5, exam sat 3/5, passed 2/3;
    乙 (B): b1 b2 officer_b, roster 3: done 1/3, sat 1/3, passed 0/1.
Campaign requirements (the defaults): study 100 %, participation 100 %, pass 90 %, 五个一 100 %, 1 drill, 1 training.
One 五个一 task for everyone: A all 5 approved; B b1 approved, b2 waiting for review, officer_b returned.
A held one fire drill and one self-rescue training in the campaign; B nothing. 丙 (C) has nobody on its roster.

    A: 25 x 0.6 + 20 x 0.6 + 15 x (66.67 / 90) + 20 + 10 + 10 = 78.1   rank 1
    B: 25 / 3 + 20 / 3 + 0 + 20 / 3 + 0 + 0                    = 21.7   rank 2
    C: 无在册人员, no score, no rank
"""

import datetime as dt

from django.utils import timezone

from campaign.tasks.models import Campaign, CampaignTask, TaskSubmission
from drills.models import Drill
from tests.factories import InstitutionFactory
from tests.leaderboard.report_factories import build_campaign


def make_campaign(**kwargs) -> Campaign:
    today = timezone.localdate()
    values = {
        "name": "2026年安全生产月",
        "theme": "人人讲安全、个个会应急",
        "starts_on": today - dt.timedelta(days=10),
        "ends_on": today + dt.timedelta(days=20),
    }
    return Campaign.objects.create(**{**values, **kwargs})


def drill(inst, *, kind=Drill.Kind.DRILL, category=Drill.Category.FIRE, title="消防疏散演练", date=None):
    return Drill.objects.create(
        institution=inst,
        kind=kind,
        category=category,
        title=title,
        date=date or timezone.localdate(),
        starts_at=dt.time(9, 0),
        ends_at=dt.time(10, 0),
    )


def build_world(inst_a, inst_b, officer_a, officer_b) -> dict:
    world = build_campaign(inst_a, inst_b, officer_a, officer_b)
    campaign = make_campaign()
    task = CampaignTask.objects.create(
        campaign=campaign,
        title="读一本安全应急科普书",
        audience=CampaignTask.Audience.EVERYONE,
        opens_at=timezone.now() - dt.timedelta(days=5),
        due_on=campaign.ends_on,
        needs_review=True,
    )
    S = TaskSubmission.State
    states = {"a1": S.APPROVED, "a2": S.APPROVED, "a3": S.APPROVED, "a4": S.APPROVED, "officer_a": S.APPROVED}
    states |= {"b1": S.APPROVED, "b2": S.SUBMITTED, "officer_b": S.RETURNED}
    for key, state in states.items():
        user = world[key]
        TaskSubmission.objects.create(task=task, user=user, institution=user.institution, state=state)
    drills = [
        drill(inst_a, title="门诊楼消防疏散演练", date=timezone.localdate() - dt.timedelta(days=3)),
        drill(
            inst_a,
            kind=Drill.Kind.TRAINING,
            category=Drill.Category.SELF_RESCUE,
            title="心肺复苏自救互救培训",
            date=timezone.localdate() - dt.timedelta(days=1),
        ),
    ]
    # Outside the campaign: never counted.
    drill(inst_b, title="去年的演练", date=campaign.starts_on - dt.timedelta(days=1))
    empty = InstitutionFactory(name="丙镇卫生院", short_name="丙院")
    return {**world, "campaign": campaign, "task": task, "drills": drills, "inst_c": empty}
