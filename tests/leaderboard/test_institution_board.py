"""The institution board of a district of thirty: a place, and a medal, are earned by taking part. Institutions with
nobody through the exam are listed last with "—", never tied for 2nd, never silver or bronze."""

import re

import pytest
from django.test import Client

from leaderboard.rankings import selectors
from tests.factories import InstitutionFactory, UserFactory
from tests.leaderboard.factories import make_exam, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(store):
    active = InstitutionFactory(name="区人民医院", short_name="区医院", headcount=4)
    idle = [InstitutionFactory(name=f"第{i}卫生院", short_name=f"卫生院{i}", headcount=30) for i in range(1, 23)]
    exam = make_exam(institutions=[active, *idle])
    nurse = UserFactory(institution=active)
    submit(exam, nurse, score=88)
    return exam, active, idle, nurse


def test_only_institutions_that_took_part_are_ranked(district):
    exam, active, idle, _nurse = district
    rows = selectors.exam_institution_ranking(exam)
    assert rows[0]["id"] == active.pk and rows[0]["rank"] == 1
    assert [r["rank"] for r in rows[1:]] == [None] * 22
    assert {r["id"] for r in rows[1:]} == {i.pk for i in idle}


def test_the_phone_board_shows_a_dash_for_the_unranked(district):
    exam, _active, _idle, nurse = district
    client = Client()
    client.force_login(nurse)
    html = client.get(f"/leaderboard/?exam={exam.pk}").content.decode()
    body = html[html.index("data-lb-institutions") :]
    ranks = re.findall(r"<tr><td>([^<]*)</td>", body)
    assert ranks[:2] == ["1", "—"] and ranks.count("—") == 22
