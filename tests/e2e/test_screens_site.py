"""The site's pages as staff and officers see them on a 360x740 phone (and 1366x768): Wagtail's user bar never on the
bottom navigation, the officer's study progress readable at 360 px, a blank bracket "（ ）" never split across lines,
and a lesson's 学完了 unlocking at its end as the README says. Screenshots go to test-artifacts/screens-*.png."""

import pytest

from content.demo import seed_home
from courses.models import CoursePage, LessonProgress
from tests.courses.factories import make_course, make_lesson, paragraph
from tests.e2e.conftest import no_horizontal_scroll
from tests.quizzes.exam_factories import BankQuestionFactory

USERBAR_VS_NAV = """() => {
  const host = document.querySelector('wagtail-userbar');
  const trigger = host && host.shadowRoot && host.shadowRoot.querySelector('.w-userbar-trigger');
  if (!trigger) return {present: false};
  const t = trigger.getBoundingClientRect();
  const shown = t.width > 0 && t.height > 0 && getComputedStyle(host).display !== 'none';
  const overlaps = [...document.querySelectorAll('.bottom-nav, .bottom-nav a')].some(el => {
    const r = el.getBoundingClientRect();
    return t.left < r.right && t.right > r.left && t.top < r.bottom && t.bottom > r.top; });
  return {present: true, shown, overlaps, bottom: t.bottom};
}"""


@pytest.mark.parametrize("who", ["officer_a", "district_admin"])
def test_the_user_bar_never_covers_the_bottom_navigation(request, server, phone, desktop, browser, login, shot, who):
    seed_home()
    lesson = make_lesson(make_course(lessons=0), slug="ward-fire", body=[paragraph("发现火情，立即报警。" * 40)])
    user = request.getfixturevalue(who)
    tablet = browser.new_context(viewport={"width": 960, "height": 740}, locale="zh-CN").new_page()
    for name, page in (("phone", phone), ("tablet", tablet), ("desktop", desktop)):
        login(page, user)
        for path in ("/", lesson.url):
            page.goto(server + path)
            page.wait_for_load_state("networkidle")
            bar = page.evaluate(USERBAR_VS_NAV)
            assert bar["present"], "officers and admins get Wagtail's user bar"
            assert not (bar["shown"] and bar["overlaps"]), (name, path, bar)
        if name == "desktop":
            assert bar["shown"], "on a wide screen it stays, above the navigation"
        shot(page, f"screens-userbar-{who}-{name}", full_page=False)
    tablet.context.close()


def test_the_officer_reads_study_progress_on_a_phone(server, phone, desktop, login, shot, officer_a, staff_a):
    make_course(title="医疗机构消防安全管理（必学）", lessons=2, required=CoursePage.Required.ALL)
    staff_a.department = "急诊科与重症医学科联合病区"
    staff_a.save(update_fields=["department"])
    login(phone, officer_a, next_path="/study/progress/")
    phone.goto(server + "/study/progress/")
    cells = phone.evaluate("""() => [...document.querySelectorAll('[data-progress-table] tbody tr')].map(tr => {
      const box = el => el.getBoundingClientRect();
      const module = box(tr.querySelector('td.module')), status = box(tr.querySelector('td.status'));
      return {right: Math.max(module.right, status.right), visible: module.width > 0 && status.width > 0,
              label: getComputedStyle(tr.querySelector('td.status'), '::before').content}; })""")
    assert len(cells) == 2  # the officer and staff_a
    assert all(c["visible"] and c["right"] <= 360 for c in cells), cells  # module and status within the screen
    assert all(c["label"].startswith('"状态') for c in cells), cells  # each figure says what it is
    assert no_horizontal_scroll(phone)
    assert phone.evaluate("(() => { const t = document.querySelector('[data-progress-table]'); "
                          "return t.scrollWidth <= t.clientWidth + 1; })()")  # fmt: skip
    shot(phone, "screens-study-progress-phone", full_page=False)

    login(desktop, officer_a, next_path="/study/progress/")
    desktop.goto(server + "/study/progress/")
    assert desktop.locator("[data-progress-table] thead").is_visible()  # a table again on a desktop
    shot(desktop, "screens-study-progress-desktop", full_page=False)


BRACKETS = """pad => {
  const stem = document.querySelector('.stem'); const original = stem.innerHTML; const split = [];
  for (let n = 0; n < pad; n++) {
    stem.innerHTML = '安'.repeat(n) + original;
    const walk = document.createTreeWalker(stem, NodeFilter.SHOW_TEXT), tops = [];
    while (walk.nextNode()) { const t = walk.currentNode;
      for (const ch of ['（', '）']) { const i = t.textContent.indexOf(ch); if (i < 0) continue;
        const r = document.createRange(); r.setStart(t, i); r.setEnd(t, i + 1); tops.push(r.getBoundingClientRect().top); } }
    if (tops.length === 2 && Math.abs(tops[0] - tops[1]) > 2) split.push(n);
  }
  stem.innerHTML = original; return split; }"""


def test_a_blank_bracket_stays_on_one_line(server, phone, desktop, login, shot, staff_a):
    question = BankQuestionFactory(stem="生产经营单位的主要负责人对本单位的安全生产工作（ ）负责。")
    login(phone, staff_a, next_path="/practice/")
    phone.goto(f"{server}/practice/seq/?category={question.category_id}")
    assert phone.locator(".stem .blank").inner_text() == "（ ）"
    assert phone.evaluate(BRACKETS, 40) == []  # at every position on the line
    shot(phone, "screens-blank-bracket-phone", full_page=False)
    phone.click("label.choice >> nth=0")
    phone.click("button[type=submit]")
    phone.wait_for_selector(".verdict")
    assert phone.locator(".stem .blank").count() == 1  # the feedback page too
    login(desktop, staff_a, next_path="/practice/")
    desktop.goto(f"{server}/practice/random/?category={question.category_id}")
    assert desktop.evaluate(BRACKETS, 60) == []


def test_reaching_the_end_of_a_lesson_unlocks_it(server, phone, login, shot, staff_a):
    """A module asks 60 s a lesson; this one is 20 short points (80 characters: 10 s to read). Before its end is in
    view, 学完了 waits for the module's 60 s; scrolled to the end, it unlocks once the lesson's own 10 s are up."""
    course = make_course(title="灭火器的使用", lessons=0, min_reading_seconds=60)
    lesson = make_lesson(course, slug="extinguisher", body=[paragraph(f"第{n}点：拔销。") for n in range(20)])
    login(phone, staff_a)
    phone.goto(server + lesson.url)
    button = phone.locator("[data-complete-button]")
    phone.wait_for_timeout(11500)
    assert button.is_disabled(), "the end is not in view: the module's 60 s apply"
    assert "秒后可点击" in phone.inner_text("[data-complete-hint]")
    shot(phone, "screens-lesson-before-end-phone", full_page=False)
    phone.locator("[data-lesson-end]").scroll_into_view_if_needed()
    phone.wait_for_selector("[data-complete-button]:not([disabled])", timeout=4000)
    assert "已读到本课结尾" in phone.inner_text("[data-complete-hint]")
    shot(phone, "screens-lesson-at-end-phone", full_page=False)
    button.click()
    phone.wait_for_selector("[data-complete-state]", timeout=10000)
    progress = LessonProgress.objects.get(user=staff_a, lesson=lesson)
    assert progress.completed_at is not None and 10 <= progress.active_seconds < 60


def test_a_short_lesson_on_one_screen_unlocks_without_scrolling(server, phone, login, staff_a):
    course = make_course(title="报警", lessons=0, min_reading_seconds=60)
    lesson = make_lesson(course, slug="call-119", body=[paragraph("发现火灾，先报警，再扑救初起火灾。")])
    login(phone, staff_a)
    phone.goto(server + lesson.url)
    phone.wait_for_selector("[data-complete-button]:not([disabled])", timeout=16000)  # 10 s, not 60
    phone.click("[data-complete-button]")
    phone.wait_for_selector("[data-complete-state]", timeout=10000)
    assert LessonProgress.objects.get(user=staff_a, lesson=lesson).completed_at is not None
