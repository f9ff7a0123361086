"""The host console in a real browser: a double click on "下一步" acts once. The console sends the version of the state
it shows with every action and disables its buttons until the next state arrives (the server refuses a repeat as
stale_action anyway: tests/quizzes/test_host_actions.py)."""

import pytest
from playwright.sync_api import expect

from quizzes.competitions import services as svc
from quizzes.competitions.models import Game, GameQuestion
from tests.quizzes.competition_factories import make_competition

TIMEOUT = 15_000


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield context.new_page()
    context.close()


def question_one_on_screen(projector, login, inst_a, district_admin):
    """A 3-question game hosted on the projector, started: question 1 is open. Returns (game, the console). (Made
    without players: a join broadcasts, which the test's thread, running Playwright's loop, cannot do.)"""
    game = svc.competition_host(competition=make_competition(questions=3, institutions=[inst_a]), actor=district_admin)
    login(projector, district_admin, next_path=f"/play/host/game/{game.pk}/")
    host = projector.locator("#host")
    expect(host).to_have_attribute("data-phase", "lobby", timeout=TIMEOUT)
    projector.click("[data-action=start]")
    expect(host).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
    return game, host


def test_a_double_click_on_next_never_skips_a_question(server, projector, login, inst_a, district_admin):
    game, host = question_one_on_screen(projector, login, inst_a, district_admin)

    # During question 1 "next" closes it: a double click must not also move on to the leaderboard.
    projector.dblclick("[data-action=next]")
    expect(host).to_have_attribute("data-phase", "reveal", timeout=TIMEOUT)
    projector.wait_for_timeout(1000)
    expect(host).to_have_attribute("data-phase", "reveal")
    assert Game.objects.values_list("phase", "index").get(pk=game.pk) == (Game.Phase.REVEAL, 0)

    projector.click("[data-action=next]")
    expect(host).to_have_attribute("data-phase", "leaderboard", timeout=TIMEOUT)
    # On the leaderboard "next" opens question 2: a double click must not close it at once with no answers.
    projector.dblclick("[data-action=next]")
    expect(host).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
    projector.wait_for_timeout(1000)
    expect(host).to_have_attribute("data-phase", "question")
    expect(projector.locator("[data-view=question] [data-q-no]")).to_contain_text("第 2 / 3 题")
    assert Game.objects.values_list("phase", "index").get(pk=game.pk) == (Game.Phase.QUESTION, 1)
    assert GameQuestion.objects.get(game=game, index=1).closed_at is None
    # The buttons are usable again once the new state is on screen.
    expect(projector.locator("[data-action=skip]")).to_be_enabled()


def test_the_second_click_of_a_double_click_is_ignored_even_after_the_new_state_arrived(
    server, projector, login, inst_a, district_admin
):
    # A fast server answers the first click before the second: the buttons are enabled again and "next" now means
    # "close question 2". The second click of a double click (detail 2) must still do nothing. Found in CI: the
    # double click above closed question 2 at once when the state came back between Playwright's two clicks.
    game, host = question_one_on_screen(projector, login, inst_a, district_admin)
    next_button = projector.locator("[data-action=next]")
    expect(next_button).to_be_enabled(timeout=TIMEOUT)

    next_button.dispatch_event("click", {"detail": 2})
    projector.wait_for_timeout(1000)
    expect(host).to_have_attribute("data-phase", "question")
    assert Game.objects.values_list("phase", "index").get(pk=game.pk) == (Game.Phase.QUESTION, 0)

    # A single click (or one from the keyboard, detail 0) still acts.
    next_button.dispatch_event("click", {"detail": 0})
    expect(host).to_have_attribute("data-phase", "reveal", timeout=TIMEOUT)
