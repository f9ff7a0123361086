"""The host console at 1366x768 (issue 15): 下一步 and 跳过本题 sat side by side, so a host driving the projector could
cut a question short by hitting the wrong one. Skip (and 结束竞赛) now sit apart on the right, look different, and ask
first; dismissing the question leaves the question open."""

import pytest
from playwright.sync_api import expect

from quizzes.competitions import services as svc
from quizzes.competitions.models import Game
from tests.quizzes.competition_factories import make_competition

TIMEOUT = 15_000
BOX = (
    "(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return {left: r.left, right: r.right}; }"
)


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield context.new_page()
    context.close()


def test_skip_is_apart_from_next_and_asks_first(server, laptop, login, shot, inst_a, district_admin):
    game = svc.competition_host(competition=make_competition(questions=3, institutions=[inst_a]), actor=district_admin)
    login(laptop, district_admin, next_path=f"/play/host/game/{game.pk}/")
    host = laptop.locator("#host")
    expect(host).to_have_attribute("data-phase", "lobby", timeout=TIMEOUT)
    laptop.click("[data-action=start]")
    expect(host).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
    expect(laptop.locator("[data-action=skip]")).to_be_visible()
    shot(laptop, "host-controls-question", full_page=False)

    # Apart: at least 48 px between 下一步 and the nearest button that stops something, and skip looks different.
    nxt = laptop.evaluate(BOX, "[data-action=next]")
    nearest = min(laptop.evaluate(BOX, f"[data-action={a}]")["left"] for a in ("pause", "skip", "end"))
    assert nearest - nxt["right"] >= 48, (nxt, nearest)
    style = "(sel) => getComputedStyle(document.querySelector(sel)).color"
    assert laptop.evaluate(style, "[data-action=skip]") != laptop.evaluate(style, "[data-action=next]")
    assert laptop.evaluate(style, "[data-action=skip]") != laptop.evaluate(style, "[data-action=pause]")

    # Asked first: dismissing leaves question 1 open.
    asked = []
    laptop.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    laptop.click("[data-action=skip]")
    laptop.wait_for_timeout(1000)
    assert asked and "本题" in asked[0]
    expect(host).to_have_attribute("data-phase", "question")
    assert Game.objects.values_list("phase", "index").get(pk=game.pk) == (Game.Phase.QUESTION, 0)

    # Accepting closes it (the answer is revealed).
    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.click("[data-action=skip]")
    expect(host).to_have_attribute("data-phase", "reveal", timeout=TIMEOUT)
    assert Game.objects.values_list("phase", "index").get(pk=game.pk) == (Game.Phase.REVEAL, 0)
