"""The 排行 tab and the projector page render the same state the WebSocket sends."""

import pytest
from django.urls import reverse

from leaderboard.rankings import boards, services
from tests.factories import AdminFactory, InstitutionFactory, UserFactory
from tests.leaderboard.factories import make_exam, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(store):
    inst = InstitutionFactory(name="甲镇卫生院", short_name="甲院", headcount=3)
    exam = make_exam(title="安全生产知识竞赛", institutions=[inst])
    alice = UserFactory(institution=inst, real_name="张三")
    bob = UserFactory(institution=inst, real_name="李四")
    services.exam_attempt_record(attempt=submit(exam, alice, score=70))
    services.exam_attempt_record(attempt=submit(exam, bob, score=90))
    return {"exam": exam, "alice": alice, "bob": bob, "inst": inst}


def test_index_shows_ranking_my_rank_and_institutions(client_for, contest):
    response = client_for(contest["alice"]).get(reverse("leaderboard:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "安全生产知识竞赛" in html
    table = html[html.index("data-lb-people") :]
    assert table.index("李四") < table.index("张三")
    assert "第 <strong>2</strong> 名 / 共 2 人" in html
    assert "66.7%" in html  # 2 of 3 on the roster
    assert f'data-ws-path="/ws/leaderboard/exam.{contest["exam"].pk}/"' in html


def test_index_before_any_submission(client_for, store):
    make_exam()
    html = client_for(UserFactory()).get(reverse("leaderboard:index")).content.decode()
    assert "交卷后即可看到自己的排名" in html


def test_index_without_exam(client_for, store):
    assert "暂无开放" in client_for(UserFactory()).get(reverse("leaderboard:index")).content.decode()


def test_index_needs_login(client):
    assert client.get(reverse("leaderboard:index")).status_code == 302


def test_projector_page_and_state(client_for, contest):
    board = boards.exam_board(contest["exam"].pk)
    client = client_for(contest["alice"])
    page = client.get(reverse("leaderboard:live", args=[board]))
    assert page.status_code == 200
    assert b"lb-projector" in page.content and b'id="lb-state"' in page.content
    state = client.get(reverse("leaderboard:state", args=[board])).json()
    assert [r["name"] for r in state["top"]] == ["李四", "张三"]


def test_outsider_is_refused(client_for, contest):
    outsider = UserFactory(institution=InstitutionFactory(name="外单位"))
    board = boards.exam_board(contest["exam"].pk)
    assert client_for(outsider).get(reverse("leaderboard:live", args=[board])).status_code == 403
    assert client_for(outsider).get(reverse("leaderboard:state", args=[board])).status_code == 403


def test_rebuild_is_for_managers(client_for, contest):
    board = boards.exam_board(contest["exam"].pk)
    assert client_for(contest["alice"]).post(reverse("leaderboard:rebuild", args=[board])).status_code == 403
    admin = AdminFactory(institution=None)
    response = client_for(admin).post(reverse("leaderboard:rebuild", args=[board]), HTTP_ACCEPT="application/json")
    assert response.json() == {"board": board, "members": 2}
