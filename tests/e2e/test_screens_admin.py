"""Admin screens as the district admin and a safety officer see them at 1366x768 (and 360x740): the 导入/导出题库
buttons, the 题库 list's rows and action menu, a question's edit page without failing requests, and the admin home
page's campaign panel. Screenshots go to test-artifacts/screens-*.png."""

import urllib.error
import urllib.request

import pytest

from tests.quizzes.exam_factories import BankQuestionFactory, exam_with_sections, make_bank

BUTTON_SHAPE = """sel => { const b = document.querySelector(sel); const r = b.getBoundingClientRect();
  const icon = b.querySelector('svg').getBoundingClientRect(); const range = document.createRange();
  const text = [...b.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim())[0];
  range.selectNodeContents(text); const t = range.getBoundingClientRect();
  return {label: b.innerText.trim(), height: r.height, iconW: icon.width, iconH: icon.height,
          textInside: t.left >= r.left - 1 && t.right <= r.right + 1 && t.top >= r.top - 1 && t.bottom <= r.bottom + 1,
          iconInside: icon.right <= r.right + 1 && icon.bottom <= r.bottom + 1}; }"""

LINES = """sel => [...document.querySelectorAll(sel)].map(td => {
  const tops = new Set(), walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) { if (!walk.currentNode.textContent.trim()) continue;
    const r = document.createRange(); r.selectNodeContents(walk.currentNode);
    for (const rect of r.getClientRects()) if (rect.width > 1) tops.add(Math.round(rect.bottom)); }
  return tops.size; })"""


def _errors(page):
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: failed.append(f"console: {m.text}") if m.type == "error" else None)
    return failed


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_bank_import_buttons_are_labelled_wagtail_buttons(request, server, login, shot, district_admin, size):
    page = request.getfixturevalue(size)
    failed = _errors(page)
    login(page, district_admin, next_path="/admin/")
    page.goto(server + "/admin/bank/import/")
    for selector, label, name in (("[data-bank-template]", "下载导入模板", "template"),
                                  ("form[data-bank-upload] button[type=submit]", "上传并预览", "upload")):  # fmt: skip
        page.locator(selector).scroll_into_view_if_needed()
        shape = page.evaluate(BUTTON_SHAPE, selector)
        assert shape["label"] == label, shape
        assert shape["iconW"] <= 24 and shape["iconH"] <= 24, shape  # was a 300x150 icon
        assert shape["height"] <= 56 and shape["textInside"] and shape["iconInside"], shape  # was clipped
        shot(page, f"screens-bank-import-{name}-{size}", full_page=False)
    assert not failed, failed


def test_bank_list_rows_open_and_keep_type_and_status_on_one_line(server, desktop, phone, login, shot, district_admin):
    question = BankQuestionFactory(stem="根据《消防法》，任何人发现火灾都应当（ ）。")
    failed = _errors(desktop)
    login(desktop, district_admin, next_path="/admin/")
    desktop.goto(server + "/admin/bank/questions/")
    assert desktop.evaluate(LINES, "tbody td.w-whitespace-nowrap") == [1, 1]  # 题型, 状态: one line each
    shot(desktop, "screens-bank-list-desktop", full_page=False)

    desktop.click(f"#snippet_{question.pk}_title >> xpath=ancestor::td//button[@aria-label]")
    menu = desktop.locator(f"#snippet_{question.pk}_title >> xpath=ancestor::td")
    for label in ("编辑", "预览", "使用情况", "删除"):
        assert menu.get_by_role("link", name=label).is_visible(), label
    shot(desktop, "screens-bank-list-menu-desktop", full_page=False)
    menu.get_by_role("link", name="预览").click()
    desktop.wait_for_url(f"**/admin/bank/preview/{question.pk}/")
    assert "任何人发现火灾都应当" in desktop.inner_text("[data-staff-view]")

    desktop.goto(server + "/admin/bank/questions/")
    desktop.click(f"#snippet_{question.pk}_title")
    desktop.wait_for_url(f"**/admin/bank/questions/edit/{question.pk}/")
    assert not failed, failed

    login(phone, district_admin, next_path="/admin/")
    phone.goto(server + "/admin/bank/questions/")
    assert phone.evaluate(LINES, "tbody td.w-whitespace-nowrap") == [1, 1]
    shot(phone, "screens-bank-list-phone", full_page=False)


def test_question_edit_page_pings_its_editing_session(server, desktop, login, district_admin):
    """Wagtail's edit pages post an empty FormData every few seconds; Twisted (under daphne) answered it with 400."""
    question = BankQuestionFactory()
    failed = _errors(desktop)
    login(desktop, district_admin, next_path="/admin/")
    with desktop.expect_response(lambda r: "/admin/editing-sessions/ping/" in r.url, timeout=20000) as ping:
        desktop.goto(f"{server}/admin/bank/questions/edit/{question.pk}/")
    assert ping.value.status == 200 and "session_id" in ping.value.json()
    desktop.wait_for_timeout(500)
    assert not failed, failed


def test_an_empty_multipart_body_reaches_django(server):
    """The cause, without a browser: a multipart body with no parts got Twisted's bare 400; Django now answers (403:
    no CSRF token)."""
    body = b"------WebKitFormBoundaryE2e--\r\n"
    request = urllib.request.Request(
        server + "/accounts/login/",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=----WebKitFormBoundaryE2e"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403 and b"CSRF" in refused.value.read()


@pytest.mark.parametrize("who", ["officer_a", "district_admin"])
def test_admin_home_shows_the_campaign(request, server, desktop, phone, login, shot, who):
    category, _ = make_bank(singles=3, multiples=0, truefalse=0, fills=0)
    exam_with_sections(category, title="安全生产知识考试")
    user = request.getfixturevalue(who)
    failed = _errors(desktop)
    login(desktop, user, next_path="/admin/")
    desktop.goto(server + "/admin/")
    panel = desktop.locator("[data-campaign-panel]")
    assert panel.is_visible()
    text = panel.inner_text()
    assert "在册人数" in text and "参考率" in text and "安全生产知识考试" in text
    assert panel.get_by_role("link", name="学习进度").is_visible()
    assert "Search all pages" not in desktop.inner_text("body") and "Pages" not in desktop.inner_text("main")
    shot(desktop, f"screens-admin-home-{who}-desktop", full_page=False)
    assert not failed, failed
    login(phone, user, next_path="/admin/")
    phone.goto(server + "/admin/")
    assert phone.locator("[data-campaign-panel]").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(phone, f"screens-admin-home-{who}-phone", full_page=False)
