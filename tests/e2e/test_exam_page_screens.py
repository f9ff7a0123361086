"""The exam page on a 360x740 phone (issue 15): the offline badge shows in full with the number of answers kept on the
phone; the top of the page keeps each item on one line; the submit dialog summarises the unanswered questions instead
of listing every number; a mock exam says so while it is being taken and on its result."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.exams.models import Attempt
from tests.e2e.conftest import no_horizontal_scroll
from tests.quizzes.exam_factories import exam_with_sections, make_bank

TIMEOUT = 15_000

# Each element: is its text cut (scrollWidth beyond its box) or broken over more lines than one?
CUT_OR_WRAPPED = """(sel) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null).map(e => {
  const range = document.createRange(); range.selectNodeContents(e);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  const box = e.getBoundingClientRect();
  return {sel: e.className || e.tagName, text: e.innerText, cut: e.scrollWidth > e.clientWidth + 1, lines,
          right: box.right, width: window.innerWidth};
})"""


def _exam(questions: int, **kwargs):
    category, _ = make_bank(singles=questions, multiples=0, truefalse=0, fills=0)
    return exam_with_sections(
        category,
        shuffle_questions=False,
        shuffle_options=False,
        opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(hours=2),
        **kwargs,
    )


def test_offline_badge_header_and_submit_summary_on_a_phone(server, phone, login, shot, staff_a):
    staff_a.real_name = "欧阳明月"
    staff_a.save(update_fields=["real_name"])
    exam = _exam(20, title="二〇二六年度全区医疗卫生单位安全生产知识线上考试（第一场）")
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    phone.click("[data-start]")
    phone.wait_for_selector("[data-option]")
    attempt = Attempt.objects.get(user=staff_a, exam=exam)

    # The top bar and the exam bar: every item on one line, nothing cut, nothing beyond the screen.
    for item in phone.evaluate(CUT_OR_WRAPPED, ".topbar .brand, .topbar .who, .exam-bar > *, .exam-title"):
        assert not item["cut"] and item["lines"] == 1 and item["right"] <= item["width"], item
    assert no_horizontal_scroll(phone)

    # Offline with two answers queued: the badge says so in full, the count visible.
    phone.context.set_offline(True)
    phone.click('[data-option="1"]')
    phone.click("[data-next]")
    phone.click('[data-option="1"]')
    badge = phone.locator('[data-save-state="offline"]')
    expect(badge).to_be_visible(timeout=TIMEOUT)
    expect(badge).to_have_attribute("data-queued", "2")
    expect(badge).to_contain_text("2")
    expect(badge).to_contain_text("离线")
    cut = phone.evaluate(CUT_OR_WRAPPED, "[data-save-state]")[0]
    assert not cut["cut"] and cut["right"] <= cut["width"], cut
    shot(phone, "exam-page-offline-badge")
    for item in phone.evaluate(CUT_OR_WRAPPED, ".exam-bar > *"):
        assert item["right"] <= item["width"], item
    phone.context.set_offline(False)
    expect(phone.locator('[data-save-state="saved"]')).to_be_visible(timeout=30_000)

    # 18 unanswered: the dialog names the count and the first few numbers, then 等.
    phone.click("[data-submit]")
    text = phone.inner_text("[data-unanswered]")
    assert "还有 18 题未答" in text
    assert "第 3、4、5、6、7 题等" in text
    assert "20" not in text.split("：", 1)[1]
    shot(phone, "exam-page-submit-many")
    phone.click("[data-confirm-cancel]")

    # Three unanswered: all three numbers, no 等.
    for _ in range(15):
        phone.click("[data-next]")
        phone.click('[data-option="0"]')
    expect(phone.locator('[data-save-state="saved"]')).to_be_visible(timeout=30_000)
    phone.click("[data-submit]")
    text = phone.inner_text("[data-unanswered]")
    assert "还有 3 题未答：第 18、19、20 题。" in text, text
    assert "等" not in text
    assert attempt.pk


@pytest.mark.parametrize("language,large", [("zh-hans", False), ("zh-hans", True), ("en", False), ("en", True)])
def test_the_bars_keep_one_line_per_item(server, phone, login, shot, staff_a, language, large):
    """The site's top bar and the exam bar at 360 px, in both languages, at normal and large text: the brand, the
    name, the timer and the 题卡 button each stay on one line; only the save state may take two lines, never cut."""
    staff_a.real_name = "欧阳明月"
    staff_a.save(update_fields=["real_name"])
    exam = _exam(20, title="安全生产知识考试")
    phone.context.add_cookies([{"name": "django_language", "value": language, "url": server}])
    if large:
        phone.context.add_init_script("localStorage.setItem('elearn.largeText', '1')")
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    phone.click("[data-start]")
    phone.wait_for_selector("[data-option]")
    phone.context.set_offline(True)
    phone.click('[data-option="1"]')
    phone.click("[data-next]")
    phone.click('[data-option="1"]')
    expect(phone.locator('[data-save-state="offline"]')).to_have_attribute("data-queued", "2", timeout=TIMEOUT)
    shot(phone, f"exam-page-bars-{language}{'-large' if large else ''}", full_page=False)
    for item in phone.evaluate(CUT_OR_WRAPPED, ".topbar .brand, .topbar .who, .exam-timer, .nav-toggle"):
        assert not item["cut"] and item["lines"] == 1 and item["right"] <= item["width"], item
    badge = phone.evaluate(CUT_OR_WRAPPED, "[data-save-state]")[0]
    assert not badge["cut"] and badge["lines"] <= 2 and badge["right"] <= badge["width"], badge
    assert "2" in badge["text"]
    assert no_horizontal_scroll(phone)
    phone.context.set_offline(False)


def test_a_mock_exam_says_so(server, phone, login, shot, staff_a):
    exam = _exam(3, title="安全生产模拟测试")
    login(phone, staff_a, next_path="/practice/")
    phone.goto(f"{server}/practice/")
    phone.locator(f"form[action$='/practice/mock/{exam.pk}/'] button").click()
    phone.wait_for_selector("[data-option]")
    attempt = Attempt.objects.get(user=staff_a, exam=exam)
    assert attempt.is_mock
    expect(phone.locator("[data-mock-label]")).to_contain_text("模拟考试")
    shot(phone, "exam-page-mock")
    phone.click("[data-submit]")
    phone.click("[data-confirm-ok]")
    phone.wait_for_url(f"**/exams/attempt/{attempt.pk}/result/", timeout=20_000)
    expect(phone.locator("[data-mock-label]")).to_contain_text("模拟考试")


def test_a_real_exam_carries_no_mock_label(server, phone, login, staff_a):
    exam = _exam(2, title="正式考试")
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    phone.click("[data-start]")
    phone.wait_for_selector("[data-option]")
    assert phone.locator("[data-mock-label]").count() == 0
    assert "模拟" not in phone.inner_text("main")
