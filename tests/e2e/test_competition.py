"""A host on a 1920x1080 projector and two players on phones play a three-question live competition in real
browsers against a real daphne process (WebSockets, per-process fan-out, the database as the only state)."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.competitions.models import Competition, Game
from tests.e2e.conftest import no_horizontal_scroll
from tests.factories import UserFactory
from tests.quizzes.competition_factories import CORRECT, make_competition

TIMEOUT = 15_000


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield context.new_page()
    context.close()


def _phone(browser):
    return browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )


@pytest.fixture
def phones(browser):
    contexts = [_phone(browser), _phone(browser)]
    yield [c.new_page() for c in contexts]
    for c in contexts:
        c.close()


def test_host_and_two_phones_play_three_questions(
    server, browser, projector, phones, login, shot, inst_a, district_admin
):
    competition = make_competition(questions=3, institutions=[inst_a], institution_min_players=2, streak_bonus=True)
    assert competition.audience == Competition.Audience.STAFF
    players = [UserFactory(institution=inst_a, real_name=name) for name in ("王芳", "李强")]

    # The host opens a game from 主持竞赛: the projector shows the PIN, the QR code and who has joined.
    login(projector, district_admin, next_path="/play/host/")
    projector.click("text=开始一场（打开大屏）")
    projector.wait_for_url(re.compile(r"/play/host/game/\d+/$"))
    game = Game.objects.get(competition=competition)
    host = projector.locator("#host")
    expect(host).to_have_attribute("data-phase", "lobby", timeout=TIMEOUT)
    expect(projector.locator(".host-pin span")).to_have_text(game.pin)
    assert projector.locator("img.host-qr").evaluate("img => img.complete && img.naturalWidth > 0")

    # Each player enters the PIN on the 竞赛 tab and joins.
    for phone, user in zip(phones, players, strict=True):
        login(phone, user, next_path="/play/")
        phone.fill("#pin", game.pin)
        phone.click("button[type=submit]")
        phone.click("[data-join]")
        expect(phone.locator("#play")).to_have_attribute("data-phase", "lobby", timeout=TIMEOUT)
        assert no_horizontal_scroll(phone)
    expect(projector.locator("[data-lobby-count]")).to_have_text("2", timeout=TIMEOUT)
    expect(projector.locator("[data-lobby-list]")).to_contain_text("王芳")
    shot(projector, "competition-host-lobby-1920", full_page=False)
    shot(phones[0], "competition-phone-lobby")

    projector.click("[data-action=start]")
    for index in range(3):
        expect(host).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
        for phone in phones:
            expect(phone.locator("#play")).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
            expect(phone.locator("[data-q-no]")).to_contain_text(f"第 {index + 1} / 3 题")
        if index == 0:
            shot(projector, "competition-host-question-1920", full_page=False)
            shot(phones[1], "competition-phone-question")
        if index == 1:
            # A reload mid-game rejoins as the same player with the same score.
            before = phones[0].locator("[data-me-score]").inner_text()
            phones[0].reload()
            expect(phones[0].locator("#play")).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
            expect(phones[0].locator("[data-me-score]")).to_have_text(before)
        # 王芳 answers right, 李强 wrong; when both have answered the question closes at once.
        phones[0].click(f".play-opt[data-choice='{CORRECT}']")
        expect(phones[0].locator("[data-answered]")).to_be_visible()
        phones[1].click(".play-opt[data-choice='0']")
        expect(host).to_have_attribute("data-phase", "reveal", timeout=TIMEOUT)
        expect(projector.locator("[data-view=reveal] .host-opt.correct")).to_contain_text("119")
        expect(phones[0].locator("[data-result]")).to_have_text("回答正确", timeout=TIMEOUT)
        expect(phones[1].locator("[data-result]")).to_have_text("回答错误", timeout=TIMEOUT)
        if index == 0:
            shot(projector, "competition-host-reveal-1920", full_page=False)
            shot(phones[0], "competition-phone-right")
            shot(phones[1], "competition-phone-wrong")
        projector.click("[data-action=next]")
        expect(host).to_have_attribute("data-phase", "leaderboard", timeout=TIMEOUT)
        expect(projector.locator("[data-view=leaderboard] [data-top] tr").nth(1)).to_contain_text("王芳")
        if index == 0:
            expect(projector.locator("[data-view=leaderboard] [data-inst]")).to_contain_text("甲院")
            shot(projector, "competition-host-leaderboard-1920", full_page=False)
        projector.click("[data-action=next]")

    expect(host).to_have_attribute("data-phase", "finished", timeout=TIMEOUT)
    expect(projector.locator(".podium .step-1")).to_contain_text("王芳")
    shot(projector, "competition-host-podium-1920", full_page=False)
    for phone in phones:
        expect(phone.locator("#play")).to_have_attribute("data-phase", "finished", timeout=TIMEOUT)
        assert no_horizontal_scroll(phone)
    expect(phones[0].locator("[data-final]")).to_contain_text("第 1 名")
    expect(phones[1].locator("[data-final]")).to_contain_text("第 2 名")
    shot(phones[0], "competition-phone-final")
    # Three correct answers in a row with the streak bonus, each within the 20 s window.
    winner = game.players.get(user=players[0])
    assert winner.correct_count == 3 and 1500 + 100 + 200 <= winner.score <= 3000 + 300
    assert game.players.get(user=players[1]).score == 0
