"""Defects the screenshot walk saw, each pinned by a check that failed before the fix:
- the projector lobby's join address never breaks inside (1366x768 and 1920x1080);
- "第 1 / 15 题" shows once on a question screen, and not at all on the podium;
- the podium's unit table says so when no unit is ranked, instead of headers over nothing;
- the phone leaderboard keeps its "还没有人交卷。" line after the live script redraws the table."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.competitions.models import Game
from tests.factories import UserFactory
from tests.quizzes.competition_factories import CORRECT, make_competition

TIMEOUT = 15_000
# Lines the join address takes: 1 when it does not break (its height is one line-height).
URL_LINES = (
    "() => { const b = document.querySelector('.host-join [data-join-url]');"
    " const lh = parseFloat(getComputedStyle(b).lineHeight) || parseFloat(getComputedStyle(b).fontSize) * 1.5;"
    " return Math.round(b.getClientRects().length === 1 ? b.getBoundingClientRect().height / lh : b.getClientRects().length); }"
)
URL_INSIDE = (
    "() => { const b = document.querySelector('.host-join [data-join-url]').getBoundingClientRect();"
    " const box = document.querySelector('.host-join').getBoundingClientRect();"
    " return b.left >= box.left - 1 && b.right <= box.right + 1; }"
)
VISIBLE_QUESTION_NUMBERS = (
    "() => [...document.querySelectorAll('#host *')].filter(e => e.children.length === 0 && e.offsetParent !== null"
    " && /第 \\d+ \\/ \\d+ 题/.test(e.textContent)).length"
)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_projector_join_url_question_number_and_empty_units(server, browser, login, inst_a, district_admin, size):
    width, height = size
    competition = make_competition(questions=2, institutions=[inst_a])
    player = UserFactory(institution=inst_a, real_name="王芳")
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
        url = projector.locator(".host-join [data-join-url]")
        expect(url).to_contain_text(f"/play/{game.pin}/")
        assert projector.evaluate(URL_LINES) == 1, "the join address breaks over lines"
        assert projector.evaluate(URL_INSIDE), "the join address overflows its column"

        login(phone, player, next_path="/play/")
        phone.fill("#pin", game.pin)
        phone.click("button[type=submit]")
        phone.click("[data-join]")
        expect(projector.locator("[data-lobby-count]")).to_have_text("1", timeout=TIMEOUT)
        projector.click("[data-action=start]")
        expect(host).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
        expect(projector.locator("[data-view=question] [data-q-no]")).to_have_text("第 1 / 2 题")
        assert projector.evaluate(VISIBLE_QUESTION_NUMBERS) == 1
        phone.click(f".play-opt[data-choice='{CORRECT}']")
        expect(host).to_have_attribute("data-phase", "reveal", timeout=TIMEOUT)
        assert projector.evaluate(VISIBLE_QUESTION_NUMBERS) == 1

        # The host ends the game at question 1: the podium shows no question number, and the unit table (one
        # player: no unit has enough to be ranked) says so instead of headers over nothing.
        projector.on("dialog", lambda d: d.accept())
        projector.click("[data-action=end]")
        expect(host).to_have_attribute("data-phase", "finished", timeout=TIMEOUT)
        assert projector.evaluate(VISIBLE_QUESTION_NUMBERS) == 0
        expect(projector.locator("[data-view=finished] [data-inst]")).to_contain_text("暂无单位成绩")
        expect(projector.locator("[data-view=finished] [data-top]")).to_contain_text("王芳")
    finally:
        context.close()
        phone_context.close()


def test_phone_ranking_empty_states_survive_the_live_redraw(server, phone, login):
    from tests.factories import InstitutionFactory
    from tests.leaderboard.factories import make_exam

    inst = InstitutionFactory(name="丁镇卫生院", short_name="丁院", headcount=5)
    make_exam(title="无人交卷的考试", institutions=[inst])
    user = UserFactory(institution=inst, real_name="钱七")
    login(phone, user)
    with phone.expect_websocket() as socket:
        phone.goto(f"{server}/leaderboard/")
    # The live state, sent on connect, redraws the tables: the empty line must survive it.
    socket.value.wait_for_event("framereceived", timeout=TIMEOUT)
    phone.wait_for_timeout(300)  # the frame's handler has run
    expect(phone.locator("[data-lb-people]")).to_contain_text("还没有人交卷。")
    # One dash for "none" everywhere: the unranked unit's rank and average both read "—", never "–".
    unit = phone.locator("[data-lb-institutions] tr").first
    expect(unit).to_contain_text("丁院")
    assert "–" not in unit.inner_text()
    assert unit.locator("td").nth(3).inner_text() == "—"
    assert unit.locator("td").nth(2).inner_text() == "0%"


def test_exam_question_line_separates_points_from_the_section(server, phone, login, staff_a):
    import datetime as dt

    from django.utils import timezone

    from tests.quizzes.exam_factories import exam_with_sections, make_bank

    category, _ = make_bank(singles=1, multiples=0, truefalse=0, fills=0)
    exam = exam_with_sections(
        category,
        title="分隔考试",
        opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(hours=2),
    )
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    phone.click("[data-start]")
    meta = phone.locator(".q-meta")
    expect(meta).to_contain_text("综合题")
    text = meta.inner_text()
    # The section's title first, then the question and its points, each part apart: never "10 分 综合题".
    assert not re.search(r"分\s*综合题", text), text
    assert text.index("综合题") < text.index("10 分"), text
    expect(meta.locator(".q-section")).to_have_text("综合题")
