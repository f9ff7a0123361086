"""The screen walk's machine checks (tests/e2e/walk.py check_page) in every `make test`.

First the checks themselves, on pages made to fail each one (a check that cannot fail checks nothing): horizontal
overflow, a sticky bar defeated by `overflow-x: hidden` (issue 15's exam timer and top bar), a projector page that
scrolls, a button and a link with no name, a cut name without a title, a serious axe-core violation, a console error
and a failed request. Then a representative part of `make screenshots`' walk on the seeded demo: staff pages on a
phone, the exam in progress, officer and district admin screens, and the projector's lobby at 1366x768 and
1920x1080, each with every check (the full walk: `make screenshots`)."""

import pytest

from tests.e2e import walk as w

BROKEN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>坏页面</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; } .page { overflow-x: hidden; } .bar { position: sticky; top: 0; height: 40px; background: #eee; }
.wide { width: 900px; } .cut { width: 80px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }</style></head>
<body><div class="page"><header class="bar">计时 30:00</header><main>
<button type="button"><svg width="16" height="16"></svg></button>
<a href="/x" style="display:inline-block;width:44px;height:44px"></a>
<p class="cut">区妇幼保健院急诊科与重症医学科联合病区</p>
<p class="cut" title="区妇幼保健院急诊科与重症医学科联合病区（完整）">区妇幼保健院急诊科与重症医学科联合病区</p>
<p style="color:#ccc;background:#fff">看不清的字</p>
<div style="height:3000px"></div></main></div><div class="wide">很宽的内容</div></body></html>"""

CLEAN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>好页面</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>html, body { overflow-x: clip; margin: 0; } .bar { position: sticky; top: 0; height: 40px; background: #eee; }
.cut { width: 80px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }</style></head>
<body><header class="bar">计时 30:00</header><main><h1>标题</h1>
<button type="button" aria-label="关闭"><svg width="16" height="16"></svg></button>
<a href="/x">下一题</a>
<p class="cut" title="区妇幼保健院急诊科与重症医学科联合病区">区妇幼保健院急诊科与重症医学科联合病区</p>
<div style="height:3000px"></div></main></body></html>"""


def test_each_check_finds_what_it_looks_for(phone):
    phone.set_content(BROKEN)
    found = w.check_page(phone, fit=True)
    text = "\n".join(found)
    assert "horizontal overflow" in text
    assert "sticky bar scrolled away: header.bar" in text  # overflow-x: hidden on its container defeats sticky
    assert "projector:" in text and "(scrolls)" in text
    assert sum("no accessible name" in p for p in found) == 2  # the icon button and the empty link
    assert sum("text cut by ellipsis" in p for p in found) == 1  # the one with a title reads in full
    assert "axe serious color-contrast" in text
    assert "axe critical button-name" in text  # axe-core agrees about the icon button

    phone.set_content(CLEAN)
    assert w.check_page(phone, fit=False) == []


def test_the_recorder_hears_console_errors_and_failed_requests(server, phone):
    recorder = w.Recorder(phone)
    phone.goto(server + "/accounts/login/")
    assert recorder.take() == []
    phone.evaluate("console.error('坏了')")
    phone.evaluate("fetch('/no-such-thing/').catch(() => null)")
    phone.wait_for_timeout(500)
    events = recorder.take()
    assert any(e == "console error: 坏了" for e in events), events
    assert any(e.startswith("HTTP 404: GET ") and "/no-such-thing/" in e for e in events), events
    recorder.expect(r"HTTP 404")
    phone.evaluate("fetch('/no-such-thing/').catch(() => null)")
    phone.wait_for_timeout(500)
    assert not [e for e in recorder.take() if e.startswith("HTTP")]  # an expected refusal is not a finding


# The part of PAGES walked in every `make test` (each must be in PAGES, so the two walks stay one).
SUBSET = [
    ("staff", "phone", "/"),
    ("staff", "phone", "/practice/"),
    ("staff", "phone", "/exams/{exam}/"),
    ("staff", "phone", "/me/"),
    ("officer", "phone", "/study/progress/"),
    ("officer", "desktop", "/admin/staff/"),
    ("admin", "desktop", "/admin/bank/questions/"),
    ("admin", "desktop", "/admin/reports/"),
]


@pytest.mark.slow
def test_a_walk_through_the_demo_passes_every_check(server, browser, tmp_path):
    passwords = w.seed_demo()
    ids = w.demo_ids()
    pages = {(p.role, p.size, p.path): p for p in w.PAGES}
    walk = w.Walk(browser, server, tmp_path, passwords)
    try:
        for key in SUBSET:
            walk.visit(pages[key], ids)
        exam = w.exam_flow(walk, server, ids, offline=False)
        lobby = w.game_flow(walk, server, until="lobby")["lobby"]
    finally:
        walk.close()
    assert exam.caption == "考试：作答中" and lobby.size == "projector"
    assert (
        len(walk.entries) == len(SUBSET) + 4 + 4
    )  # exam: 3 states and the result; game: the join, the lobby on 2 projectors and a phone
    assert walk.problems == [], "\n".join(walk.problems)
