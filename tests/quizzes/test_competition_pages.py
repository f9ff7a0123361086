"""Pages of the live competition: the 竞赛 tab, joining (staff and guests), QR code, host pages, admin."""

import pytest
from django.urls import reverse

from quizzes.competitions import services as svc
from quizzes.competitions.models import Competition, Game, Player
from quizzes.competitions.selectors import player_cookie
from tests.quizzes.competition_factories import make_competition


@pytest.fixture
def game(district_admin, inst_a):
    return svc.competition_host(competition=make_competition(institutions=[inst_a]), actor=district_admin)


def test_play_tab_finds_a_game_by_pin_and_lists_live_games(client_for, staff_a, game):
    client = client_for(staff_a)
    page = client.get(reverse("quizzes:play"))
    assert page.status_code == 200 and game.competition.title in page.content.decode()
    assert client.get(reverse("quizzes:play"), {"pin": game.pin}).url == f"/play/{game.pin}/"
    assert "没有找到这场竞赛" in client.get(reverse("quizzes:play"), {"pin": "12"}, follow=True).content.decode()


def test_staff_joins_with_a_cookie_and_a_reload_is_the_same_player(client_for, staff_a, game):
    client = client_for(staff_a)
    url = reverse("quizzes:play_game", kwargs={"pin": game.pin})
    assert "加入竞赛" in client.get(url).content.decode()
    response = client.post(url)
    cookie = response.cookies[player_cookie(game.pk)]
    assert cookie["httponly"] and cookie.value
    page = client.get(url)
    assert f'data-ws="/ws/play/{game.pin}/"' in page.content.decode()
    client.post(url)  # joining again changes nothing
    assert Player.objects.filter(game=game, user=staff_a).count() == 1


def test_staff_of_another_institution_cannot_join(client_for, staff_b, game):
    client = client_for(staff_b)
    url = reverse("quizzes:play_game", kwargs={"pin": game.pin})
    assert "只对指定单位的职工开放" in client.get(url).content.decode()
    client.post(url)
    assert not Player.objects.filter(game=game).exists()


def test_anonymous_visitor_of_a_staff_game_is_sent_to_login(client, game):
    response = client.get(reverse("quizzes:play_game", kwargs={"pin": game.pin}))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_guest_joins_a_public_game_with_a_generated_nickname(client, district_admin):
    game = svc.competition_host(
        competition=make_competition(audience=Competition.Audience.PUBLIC), actor=district_admin
    )
    url = reverse("quizzes:play_game", kwargs={"pin": game.pin})
    page = client.get(url).content.decode()
    nickname = svc.nickname_choices(game=game, count=144)[0]
    assert 'name="nickname"' in page
    client.post(url, {"nickname": nickname})
    player = Player.objects.get(game=game)
    assert player.nickname == nickname and player.user is None
    assert "data-ws" in client.get(url).content.decode()


def test_qr_code_is_an_svg_of_the_join_address(client, game):
    response = client.get(reverse("quizzes:play_qr", kwargs={"pin": game.pin}))
    assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content


def test_host_pages_for_managers_only(client_for, staff_a, district_admin, inst_a):
    competition = make_competition(institutions=[inst_a])
    staff = client_for(staff_a)
    assert staff.get(reverse("quizzes:host_index")).status_code == 403
    assert staff.post(reverse("quizzes:host_start", args=[competition.pk])).status_code == 302
    assert not Game.objects.exists()
    admin = client_for(district_admin)
    assert competition.title in admin.get(reverse("quizzes:host_index")).content.decode()
    response = admin.post(reverse("quizzes:host_start", args=[competition.pk]))
    game = Game.objects.get()
    assert response.url == reverse("quizzes:host_game", args=[game.pk])
    console = admin.get(response.url).content.decode()
    assert game.pin in console and f"/ws/host/{game.pk}/" in console
    staff.force_login(staff_a)
    assert staff.get(response.url).status_code == 403


def _admin_form(inst, questions, seconds=20):
    data = {
        "title": "消防知识擂台",
        "description": "",
        "source": "picked",
        "draw_category": "",
        "draw_count": "15",
        "seconds_per_question": str(seconds),
        "scoring": "speed",
        "audience": "staff",
        "institutions": [str(inst.pk)],
        "institution_min_players": "3",
        "picked_questions-TOTAL_FORMS": str(len(questions)),
        "picked_questions-INITIAL_FORMS": "0",
        "picked_questions-MIN_NUM_FORMS": "0",
        "picked_questions-MAX_NUM_FORMS": "1000",
    }
    for i, question in enumerate(questions):
        data |= {
            f"picked_questions-{i}-question": str(question.pk),
            f"picked_questions-{i}-ORDER": str(i + 1),
            f"picked_questions-{i}-id": "",
            f"picked_questions-{i}-DELETE": "",
        }
    return data


def test_competition_admin_creates_a_competition_with_picked_questions(client_for, district_admin, inst_a):
    from tests.quizzes.competition_factories import GameQuestionSourceFactory

    admin = client_for(district_admin)
    form = admin.get("/admin/competitions/new/").content.decode()
    assert "seconds_per_question" in form and "picked_questions" in form
    first, second = GameQuestionSourceFactory(), GameQuestionSourceFactory()
    refused = admin.post("/admin/competitions/new/", _admin_form(inst_a, [second, first], seconds=300))
    assert refused.status_code == 200 and not Competition.objects.exists()
    response = admin.post("/admin/competitions/new/", _admin_form(inst_a, [second, first]))
    assert response.status_code == 302, response.content.decode()[:3000]
    competition = Competition.objects.get(title="消防知识擂台")
    picked = list(competition.picked_questions.order_by("sort_order").values_list("question_id", flat=True))
    assert picked == [second.pk, first.pk]
    assert list(competition.institutions.all()) == [inst_a]
    assert "消防知识擂台" in admin.get("/admin/competitions/").content.decode()


def test_home_page_offers_the_live_competition_to_staff_who_may_join(client_for, staff_a, staff_b, game):
    from content.demo import seed_home

    seed_home()
    assert game.pin in client_for(staff_a).get("/").content.decode()
    assert game.pin not in client_for(staff_b).get("/").content.decode()  # another institution's game
