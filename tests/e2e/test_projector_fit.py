"""The host's screen is a projector: every phase of a game (lobby, question, reveal, leaderboard, podium) fits a
1366x768 laptop and a 1920x1080 projector with nothing to scroll, and the host's remove (×) buttons appear only in
the lobby, where removing a player makes sense."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.competitions.models import Game
from tests.factories import UserFactory
from tests.quizzes.competition_factories import CORRECT, make_competition

TIMEOUT = 15_000
FITS = "() => document.documentElement.scrollHeight <= window.innerHeight && document.documentElement.scrollWidth <= window.innerWidth + 1"
VISIBLE_REMOVE = "() => [...document.querySelectorAll('.host-remove')].filter(b => b.offsetParent !== null && getComputedStyle(b).opacity !== '0').length"


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_every_phase_fits_the_projector(server, browser, login, shot, inst_a, district_admin, size):
    width, height = size
    competition = make_competition(questions=1, institutions=[inst_a])
    names = ["王芳", "李强", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴霞", "徐涛", "孙丽"]
    players = [UserFactory(institution=inst_a, real_name=name) for name in names[:2]]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    projector = context.new_page()
    phone_context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    try:
        login(projector, district_admin, next_path="/play/host/")
        projector.click("text=开始一场（打开大屏）")
        projector.wait_for_url(re.compile(r"/play/host/game/\d+/$"))
        game = Game.objects.get(competition=competition)
        host = projector.locator("#host")
        expect(host).to_have_attribute("data-phase", "lobby", timeout=TIMEOUT)
        login(phone, players[0], next_path="/play/")
        phone.fill("#pin", game.pin)
        phone.click("button[type=submit]")
        phone.click("[data-join]")
        expect(projector.locator("[data-lobby-count]")).to_have_text("1", timeout=TIMEOUT)
        label = f"{width}x{height}"
        phases = {}

        def check(phase):
            phases[phase] = projector.evaluate(FITS)
            shot(projector, f"projector-{phase}-{label}", full_page=False)

        check("lobby")
        assert projector.evaluate(VISIBLE_REMOVE) == 0  # the audience sees no × ...
        projector.hover(".chip")
        assert projector.evaluate(VISIBLE_REMOVE) == 1  # ... the host's pointer on a name does
        expect(projector.get_by_role("button", name="移出 王芳")).to_be_visible()
        projector.mouse.move(0, 0)
        projector.click("[data-action=start]")
        expect(host).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
        check("question")
        phone.click(f".play-opt[data-choice='{CORRECT}']")
        expect(host).to_have_attribute("data-phase", "reveal", timeout=TIMEOUT)
        check("reveal")
        expect(projector.locator("[data-view=reveal] h2, [data-view=reveal] .host-stem").first).to_be_in_viewport()
        projector.click("[data-action=next]")
        expect(host).to_have_attribute("data-phase", "leaderboard", timeout=TIMEOUT)
        check("leaderboard")
        assert projector.evaluate(VISIBLE_REMOVE) == 0  # no × on the leaderboard
        projector.click("[data-action=next]")
        expect(host).to_have_attribute("data-phase", "finished", timeout=TIMEOUT)
        check("podium")
        assert projector.evaluate(VISIBLE_REMOVE) == 0
        assert phases == dict.fromkeys(phases, True), phases
    finally:
        context.close()
        phone_context.close()
