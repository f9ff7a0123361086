"""The screen walk (`make screenshots`) and the checks a machine makes on every page of it.

PAGES is the one list of plain pages (who, screen size, path, caption): add a page there and both the contact sheet
and the checks pick it up. Paths may name demo objects in braces ({exam}, {question}, ...: see demo_ids()). The
states a plain URL cannot reach (an exam in progress, offline, the submit dialog; practice right and wrong; a live
game's phases on phone and projector; upload previews) are driven by the flows in tests/e2e/test_screenshots.py.

check_page() is the machine's eye, used by the walk and by tests/e2e/test_walk_checks.py (in every `make test`):
- no horizontal overflow (document.scrollingElement.scrollWidth <= the viewport's width: on a phone a wider page
  widens innerWidth itself, zoomed out, so the width the browser was given is the measure);
- the bars a page pins (position: sticky or fixed, touching the top or bottom edge of the viewport, inside the
  page's own scroll, not inside another scroll container) are still in the viewport after scrolling to the bottom;
- projector pages: nothing to scroll (scrollHeight <= innerHeight), checked at 1366x768 and 1920x1080;
- every visible button and link has an accessible name (aria-label, aria-labelledby, text, title, an image's alt,
  an svg <title>, an input's value);
- no text cut by `text-overflow: ellipsis` (scrollWidth > clientWidth) unless the element or an ancestor carries a
  title attribute with the whole text (the way a cut name still reads in full on hover and to screen readers);
- axe-core (tools/axe, from npm; `make install-dev` installs it) finds no serious or critical violation;
- the Recorder attached to each page: no console error, no uncaught page error, no failed request and no response
  >= 400 except those a step declares expected (the offline state's failing sync, a refusal the step provokes).
  Aborted requests (net::ERR_ABORTED: a navigation that cancels a pending fetch) are not failures.
The server's 5xx are read from its access log (tests/e2e/conftest.server_errors).
"""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"

SIZES = {
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "projector": {"viewport": {"width": 1366, "height": 768}},
    "projector-hd": {"viewport": {"width": 1920, "height": 1080}},
}
SIZE_LABELS = {
    "phone": "phone 360x740",
    "desktop": "desktop 1366x768",
    "projector": "projector 1366x768",
    "projector-hd": "projector 1920x1080",
}
ROLE_LABELS = {"staff": "staff (职工)", "officer": "safety officer (单位安全员)", "admin": "district admin (区卫健局)"}


@dataclass(frozen=True)
class Page:
    role: str  # staff | officer | admin
    size: str  # phone | desktop (projector pages come from the game flow)
    path: str  # may name demo objects: {exam}, {question}, {category}, {institution}, {staff_user}, {lesson}, ...
    caption: str
    expect_status: int = 200  # a page that is meant to answer otherwise (the 404 page) says so
    discovered: bool = False  # found by discovered_pages(): skipped if it turns out not to be a page (a POST action)


# The one list of plain pages. Keep captions short: they label the contact sheet.
PAGES: list[Page] = [
    # Staff on a phone: the tabs and what they lead to.
    Page("staff", "phone", "/", "首页"),
    Page("staff", "phone", "/study/", "学习"),
    Page("staff", "phone", "/study/mine/", "我的学习"),
    Page("staff", "phone", "{course}", "学习模块"),
    Page("staff", "phone", "{lesson}", "一课"),
    Page("staff", "phone", "/library/", "资料库"),
    Page("staff", "phone", "/search/?q=第二十一条", "搜索 第二十一条"),
    Page("staff", "phone", "/practice/", "练习"),
    Page("staff", "phone", "/practice/wrongbook/", "错题本"),
    Page("staff", "phone", "/exams/", "考试列表"),
    Page("staff", "phone", "/exams/{exam}/", "考试说明"),
    Page("staff", "phone", "/play/", "竞赛：输入 PIN"),
    Page("staff", "phone", "/leaderboard/", "排行"),
    Page("staff", "phone", "/me/", "我的"),
    Page("staff", "phone", "/me/data/", "我的数据"),
    Page("staff", "phone", "/accounts/password/", "修改密码"),
    Page("staff", "phone", "/privacy/notice/", "个人信息保护告知"),
    Page("staff", "phone", "/no-such-page/", "404 页面", expect_status=404),
    Page("staff", "desktop", "/", "首页（电脑）"),
    Page("staff", "desktop", "/exams/{exam}/", "考试说明（电脑）"),
    # The safety officer: the site's report and the admin.
    Page("officer", "phone", "/study/progress/", "学习进度（手机）"),
    Page("officer", "desktop", "/admin/", "管理首页"),
    Page("officer", "desktop", "/admin/staff/", "人员"),
    Page("officer", "desktop", "/admin/roster/import/", "导入花名册"),
    Page("officer", "desktop", "/admin/exam-results/", "考试成绩"),
    Page("officer", "desktop", "/admin/exam-results/{exam}/", "考试成绩：一场考试"),
    Page("officer", "desktop", "/study/progress/", "学习进度"),
    Page("officer", "desktop", "/admin/reports/", "活动报表"),
    Page("officer", "desktop", "/admin/privacy/access-log/", "访问记录"),
    Page("officer", "desktop", "/admin/privacy/departures/", "人员离职"),
    # The district admin.
    Page("admin", "desktop", "/admin/", "管理首页"),
    Page("admin", "desktop", "/admin/institutions/", "单位"),
    Page("admin", "desktop", "/admin/institutions/edit/{institution}/", "单位：编辑"),
    Page("admin", "desktop", "/admin/staff/", "人员"),
    Page("admin", "desktop", "/admin/staff/edit/{staff_user}/", "人员：编辑"),
    Page("admin", "desktop", "/admin/roster/import/", "导入花名册"),
    Page("admin", "desktop", "/admin/bank/questions/", "题库：题目"),
    Page("admin", "desktop", "/admin/bank/questions/edit/{question}/", "题库：编辑题目"),
    Page("admin", "desktop", "/admin/bank/preview/{question}/", "题库：手机预览"),
    Page("admin", "desktop", "/admin/bank/usage/{question}/", "题库：使用情况"),
    Page("admin", "desktop", "/admin/bank/categories/", "题库：分类"),
    Page("admin", "desktop", "/admin/bank/import/", "导入题库"),
    Page("admin", "desktop", "/admin/exams/", "在线考试"),
    Page("admin", "desktop", "/admin/exams/edit/{exam}/", "在线考试：编辑"),
    Page("admin", "desktop", "/admin/exam-results/", "考试成绩"),
    Page("admin", "desktop", "/admin/exam-results/{exam}/", "考试成绩：一场考试"),
    Page("admin", "desktop", "/admin/certificates/", "合格证书"),
    Page("admin", "desktop", "/admin/competitions/", "知识竞赛"),
    Page("admin", "desktop", "/admin/competitions/edit/{competition}/", "知识竞赛：编辑"),
    Page("admin", "desktop", "/play/host/", "主持竞赛"),
    Page("admin", "desktop", "/admin/reports/", "活动报表"),
    Page("admin", "desktop", "/admin/reports/followup/", "活动报表：跟进名单"),
    Page("admin", "desktop", "/admin/reports/exams/{exam}/items/", "活动报表：试题分析"),
    Page("admin", "desktop", "/study/progress/", "学习进度"),
    Page("admin", "desktop", "/admin/courses/import-law/", "导入法规"),
    Page("admin", "desktop", "/admin/privacy/retention/", "保存期限与清理"),
    Page("admin", "desktop", "/admin/pages/", "页面"),
    Page("admin", "phone", "/admin/", "管理首页（手机）"),
    Page("admin", "phone", "/admin/reports/", "活动报表（手机）"),
]

# Apps being added (campaign tasks, drills, hazards, scorecard): their parameter-free pages are walked as staff on a
# phone and as the officer on a desktop as soon as their URLs exist (see discovered_pages()).
NEW_APPS = ("campaign", "drills", "hazards")
SKIP_IN_DISCOVERY = re.compile(
    r"export|download|ping|api/|status|approve|reject|return|delete|undo|submit|complete|\.(xlsx|csv|pdf|svg|json)"
)


def discovered_pages(known: list[Page]) -> list[Page]:
    """Parameter-free GET pages of the new apps' URL configurations (site and admin) not already in `known`."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLResolver

    def walk(patterns, prefix, module):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                name = getattr(p.urlconf_module, "__name__", "") if not isinstance(p.urlconf_module, list) else module
                yield from walk(p.url_patterns, prefix + route, name or module)
            else:
                yield prefix + route, module, p

    seen = {page.path for page in known}
    found = []
    for route, module, pattern in walk(get_resolver().url_patterns, "", ""):
        callback_module = getattr(pattern.callback, "__module__", "")
        owner = callback_module or module
        if not owner.startswith(NEW_APPS) or "<" in route or "(?P" in route or SKIP_IN_DISCOVERY.search(route):
            continue
        path = "/" + route.lstrip("^").rstrip("$")
        if path in seen:
            continue
        seen.add(path)
        if path.startswith("/admin/"):
            found.append(Page("officer", "desktop", path, f"{owner.split('.')[0]}: {path}", discovered=True))
        else:
            found.append(Page("staff", "phone", path, f"{owner.split('.')[0]}: {path}", discovered=True))
    return found


def demo_ids() -> dict:
    """The demo objects PAGES' paths name, read from the seeded database."""
    from courses.models import CoursePage, LessonPage
    from elearn.org.selectors import demo_logins
    from quizzes.bank.models import Category, Question
    from quizzes.competitions.models import Competition
    from quizzes.exams.models import Exam

    logins = {user.role: user for user in demo_logins()}
    staff = logins["staff"]
    exam = Exam.objects.order_by("pk").first()
    question = Question.objects.filter(type="single").order_by("pk").first()
    return {
        "exam": exam.pk,
        "question": question.pk,
        "category": question.category_id,
        "competition": Competition.objects.order_by("pk").first().pk,
        "institution": staff.institution_id,
        "staff_user": staff.pk,
        "course": CoursePage.objects.live().order_by("path").first().url,
        "lesson": LessonPage.objects.live().order_by("path").first().url,
        "first_category": Category.objects.order_by("pk").first().pk,
    }


# ---------------------------------------------------------------------------------------------------------------
# The checks

# Findings in code this project does not own, each accepted with its reason: the contact sheet lists them as known,
# and they do not fail the walk. Keep this short and specific (the rule and where).
KNOWN: list[tuple[re.Pattern, str]] = [
    (
        re.compile(r"^axe critical label \(1x\).*\.ui-autocomplete-input"),
        "Wagtail's tag field (jQuery UI tag-it) adds its own text input with no label; the field's <label> names the "
        "hidden input Wagtail submits",
    ),
    (
        re.compile(r"^axe serious aria-input-field-name \(1x\).*\.notranslate"),
        "Wagtail's Draftail rich-text editor (考试说明) renders its editable area as role=textbox without a name",
    ),
]


def known(problem: str) -> str | None:
    return next((reason for pattern, reason in KNOWN if pattern.search(problem)), None)


class Recorder:
    """Console errors, page errors, failed requests and responses >= 400 of one browser page, since the last take()."""

    def __init__(self, page):
        self.events: list[str] = []
        self.expected: list[re.Pattern] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.events.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message):
        if message.type == "error":
            self.events.append(f"console error: {message.text[:300]}")

    def _failed(self, request):
        failure = request.failure or ""
        if "ERR_ABORTED" in failure:
            return
        self.events.append(f"request failed: {request.method} {request.url} ({failure})")

    def _response(self, response):
        if response.status >= 400:
            self.events.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def expect(self, *patterns: str):
        """Events matching these (regular expressions) are expected until the next take()."""
        self.expected.extend(re.compile(p) for p in patterns)

    def take(self) -> list[str]:
        events = [e for e in self.events if not any(p.search(e) for p in self.expected)]
        self.events, self.expected = [], []
        return events


CHECK_JS = r"""(opts) => {
  const problems = [];
  const visible = el => { const s = getComputedStyle(el), r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : '');
  const doc = document.scrollingElement || document.documentElement;
  // The viewport's size as the browser was given it: on a phone (is_mobile) a page wider than the screen widens the
  // layout viewport (innerWidth) to fit, zoomed out, so innerWidth alone would hide the overflow.
  const W = Math.min(innerWidth, opts.width), H = Math.min(innerHeight, opts.height);
  if (doc.scrollWidth > W + 1) problems.push(`horizontal overflow: ${doc.scrollWidth} px wide in ${W}`);
  if (opts.fit && doc.scrollHeight > H + 1) problems.push(`projector: ${doc.scrollHeight} px tall in ${H} (scrolls)`);
  const text = el => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
  const nameOf = el => {
    const label = (el.getAttribute('aria-label') || '').trim(); if (label) return label;
    const by = el.getAttribute('aria-labelledby');
    if (by) { const t = by.split(/\s+/).map(id => document.getElementById(id)).filter(Boolean).map(text).join(' ').trim(); if (t) return t; }
    const own = text(el); if (own) return own;
    const title = (el.getAttribute('title') || '').trim(); if (title) return title;
    const alt = [...el.querySelectorAll('img[alt]')].map(i => i.alt.trim()).join(' ').trim(); if (alt) return alt;
    const svg = [...el.querySelectorAll('svg title')].map(t => t.textContent.trim()).join(' ').trim(); if (svg) return svg;
    if (el.tagName === 'INPUT') return (el.value || '').trim();
    if (el.id) { const l = document.querySelector(`label[for="${CSS.escape(el.id)}"]`); if (l) return text(l); }
    return '';
  };
  for (const el of document.querySelectorAll('a[href], button, [role=button], input[type=submit], input[type=button], summary')) {
    if (!visible(el)) continue;
    if (!nameOf(el)) problems.push(`no accessible name: ${describe(el)} ${el.outerHTML.slice(0, 120)}`);
  }
  for (const el of document.querySelectorAll('body *')) {
    const s = getComputedStyle(el);
    if (s.textOverflow !== 'ellipsis' || !visible(el) || el.scrollWidth <= el.clientWidth + 1) continue;
    const whole = text(el), titled = el.closest('[title]');
    if (titled && titled.getAttribute('title').replace(/\s+/g, ' ').includes(whole)) continue;
    problems.push(`text cut by ellipsis: ${describe(el)} "${whole.slice(0, 60)}"`);
  }
  return problems;
}"""

# Bars the page pins to an edge of the viewport, measured before and after scrolling to the bottom.
BARS_JS = r"""() => {
  const visible = el => { const s = getComputedStyle(el), r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0' && r.width > 0 && r.height > 0; };
  const inOwnScroller = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p); if (/(auto|scroll|hidden)/.test(o.overflowY) && p.scrollHeight > p.clientHeight + 1) return true; }
    return false; };
  const H = innerHeight, bars = [];
  for (const el of document.querySelectorAll('body *')) {
    const pos = getComputedStyle(el).position;
    if ((pos !== 'sticky' && pos !== 'fixed') || !visible(el) || inOwnScroller(el)) continue;
    if (bars.some(b => b.contains(el))) continue;
    const r = el.getBoundingClientRect();
    const atEdge = (r.top <= 2 && r.bottom > 0) || (r.bottom >= H - 2 && r.top < H);
    if (!atEdge || r.height > H / 2) continue;
    if (pos === 'sticky' && el.parentElement.getBoundingClientRect().height < (document.scrollingElement.scrollHeight * 0.8)) continue;
    bars.push(el);
  }
  return bars.map((el, i) => { el.setAttribute('data-walk-bar', String(i));
    return (el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/)[0] : '')); });
}"""

BARS_AFTER_JS = r"""(count) => { const H = innerHeight, out = [];
  for (let i = 0; i < count; i++) { const el = document.querySelector(`[data-walk-bar="${i}"]`);
    if (!el) { out.push(false); continue; }
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    out.push(s.display !== 'none' && r.bottom > 0 && r.top < H && r.height > 0); el.removeAttribute('data-walk-bar'); }
  return out; }"""

AXE_RUN_JS = r"""async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], iframes: false});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.split('\n').slice(1, 2).join(' ').trim() : '')),
    count: v.nodes.length })); }"""


def sticky_bars_stay(page) -> list[str]:
    """Scroll to the bottom and back: the bars pinned at the top or bottom edge must still be in sight."""
    if page.evaluate("document.scrollingElement.scrollHeight <= innerHeight + 1"):
        return []
    names = page.evaluate(BARS_JS)
    if not names:
        return []
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    page.wait_for_timeout(150)
    still = page.evaluate(BARS_AFTER_JS, len(names))
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(50)
    return [f"sticky bar scrolled away: {name}" for name, ok in zip(names, still, strict=True) if not ok]


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations. The script is evaluated through the DevTools protocol, which the
    page's CSP does not govern (a <script> tag would be refused), so the page under test keeps its real CSP."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    out = []
    for v in page.evaluate(AXE_RUN_JS):
        out.append(f"axe {v['impact']} {v['id']} ({v['count']}x): {v['help']} — {'; '.join(v['nodes'])}")
    return out


def check_page(page, *, fit: bool = False, axe: bool = True, sticky: bool = True) -> list[str]:
    """Every machine check on the page as it is now (fit: a projector page that must not scroll)."""
    size = page.viewport_size or {"width": 10**6, "height": 10**6}
    problems = list(page.evaluate(CHECK_JS, {"fit": fit, **size}))
    if sticky:
        problems += sticky_bars_stay(page)
    if axe:
        problems += axe_violations(page)
    return problems


# ---------------------------------------------------------------------------------------------------------------
# The walk: contexts per (role, size), screenshots, the contact sheet


@dataclass
class Entry:
    name: str
    role: str
    size: str
    caption: str
    url: str
    png: str
    problems: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # findings in KNOWN


class Walk:
    def __init__(self, browser, base_url: str, out: Path, passwords: dict[str, tuple[str, str]], axe: bool = True):
        self.browser, self.base, self.out, self.axe = browser, base_url, out, axe
        self.passwords = passwords  # role -> (工号, password)
        self.out.mkdir(parents=True, exist_ok=True)
        self.entries: list[Entry] = []
        self.pages: dict[tuple[str, str], object] = {}
        self.recorders: dict[int, Recorder] = {}
        self.states: dict[str, dict] = {}
        self.started = time.monotonic()

    def context(self, role: str, size: str):
        base = {k: v for k, v in SIZES[size].items()}
        context = self.browser.new_context(
            **base, locale="zh-CN", timezone_id="Asia/Shanghai", storage_state=self.states.get(role)
        )
        return context

    def page(self, role: str, size: str):
        """One browser page per (role, size), signed in through the login form the first time."""
        key = (role, size)
        if key not in self.pages:
            context = self.context(role, size)
            page = context.new_page()
            self.recorders[id(page)] = Recorder(page)
            if role not in self.states:
                self.sign_in(page, role)
                self.states[role] = context.storage_state()
            self.pages[key] = page
        return self.pages[key]

    def sign_in(self, page, role: str):
        username, password = self.passwords[role]
        page.goto(f"{self.base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        if "/accounts/login/" in page.url:
            raise RuntimeError(f"could not sign in as {role} ({username})")
        self.recorders[id(page)].take()

    def recorder(self, page) -> Recorder:
        return self.recorders[id(page)]

    def visit(self, item: Page, ids: dict) -> Entry | None:
        page = self.page(item.role, item.size)
        path = item.path.format(**ids)
        recorder = self.recorder(page)
        if item.expect_status != 200:
            recorder.expect(
                rf"HTTP {item.expect_status}: GET {re.escape(self.base + path)}",
                rf"console error: Failed to load resource: .*status of {item.expect_status}",
            )
        try:
            response = page.goto(self.base + path)
        except Exception as exc:  # Chromium refuses to show some answers (an empty 405, a download)
            recorder.take()
            if item.discovered:
                return None
            response, problem = None, f"{path}: {str(exc).splitlines()[0]}"
            self.entries.append(
                Entry(f"{len(self.entries) + 1:03d}-failed", item.role, item.size, item.caption, path, "", [problem])
            )
            return self.entries[-1]
        if item.discovered and (response is None or response.status in (404, 405)):
            recorder.take()
            return None
        try:
            page.wait_for_load_state("networkidle", timeout=8000)
        except Exception:  # a page that keeps a connection busy (a WebSocket poll) is still shown
            pass
        problems = []
        if response is None or response.status != item.expect_status:
            problems.append(f"{path} answered {response.status if response else 'nothing'}, not {item.expect_status}")
        return self.capture(page, item.role, item.size, item.caption, extra=problems)

    def capture(
        self,
        page,
        role: str,
        size: str,
        caption: str,
        *,
        fit: bool = False,
        extra: list[str] | None = None,
        check: bool = True,
        name: str | None = None,
    ) -> Entry:
        """Screenshot (the viewport: what a person sees first) and check the page as it is now."""
        index = len(self.entries) + 1
        slug = name or re.sub(r"[^a-z0-9]+", "-", page.url.split("://", 1)[-1].split("/", 1)[-1].lower()).strip("-")
        file = f"{index:03d}-{role}-{size}-{slug or 'home'}"[:90] + ".png"
        screenshot(page, self.out / file, full_page=False)
        problems = list(extra or [])
        if check:
            problems += check_page(page, fit=fit, axe=self.axe)
        problems += self.recorder(page).take()
        accepted = [f"known: {p} ({known(p)})" for p in problems if known(p)]
        problems = [p for p in problems if not known(p)]
        entry = Entry(file[:-4], role, size, caption, page.url.replace(self.base, ""), file, problems, accepted)
        self.entries.append(entry)
        return entry

    @property
    def problems(self) -> list[str]:
        return [f"{e.name} ({e.url}): {p}" for e in self.entries for p in e.problems]

    def write_index(self, server_errors: list[str] | None = None) -> Path:
        """index.html: thumbnails with captions, grouped by role and screen size, each page's findings under it."""
        seconds = time.monotonic() - self.started
        groups: dict[tuple[str, str], list[Entry]] = {}
        for entry in self.entries:
            groups.setdefault((entry.role, entry.size), []).append(entry)
        order = list(ROLE_LABELS) + sorted({r for r, _ in groups} - set(ROLE_LABELS))
        parts = [
            "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>elearn screens</title>",
            "<style>body{font:14px/1.4 system-ui,'Noto Sans CJK SC',sans-serif;margin:1rem 2rem;color:#222}"
            "h2{margin-top:2rem;border-bottom:1px solid #ccc}.grid{display:flex;flex-wrap:wrap;gap:1rem}"
            "figure{margin:0;width:220px}figure img{width:220px;border:1px solid #bbb;background:#fafafa}"
            "figcaption{font-size:12px}figcaption code{color:#555}.bad{color:#b00020}.ok{color:#1b5e20}"
            "ul.p{margin:.2rem 0 0 1rem;padding:0;font-size:11px;color:#b00020;word-break:break-word}li.known{color:#666}</style>",
            "<h1>elearn: what people see</h1>",
            f"<p>{len(self.entries)} screens, {sum(bool(e.problems) for e in self.entries)} with findings; "
            f"{seconds:.0f} s. Checks: tests/e2e/walk.py.</p>",
        ]
        if server_errors:
            parts.append("<p class='bad'>Server errors: " + html.escape("; ".join(server_errors[:10])) + "</p>")
        for role in order:
            for size in SIZES:
                entries = groups.get((role, size))
                if not entries:
                    continue
                parts.append(
                    f"<h2>{html.escape(ROLE_LABELS.get(role, role))} — {SIZE_LABELS[size]}</h2><div class='grid'>"
                )
                for e in entries:
                    status = (
                        f"<span class='bad'>{len(e.problems)} finding(s)</span>"
                        if e.problems
                        else "<span class='ok'>checks pass</span>"
                    )
                    items = "".join(f"<li>{html.escape(p[:400])}</li>" for p in e.problems)
                    items += "".join(f"<li class='known'>{html.escape(p[:400])}</li>" for p in e.accepted)
                    parts.append(
                        (
                            f"<figure><a href='{e.png}'><img loading='lazy' src='{e.png}' "
                            f"alt='{html.escape(e.caption)}'></a>"
                            if e.png
                            else "<figure>"
                        )
                        + f"<figcaption><b>{html.escape(e.caption)}</b><br><code>{html.escape(e.url)}</code><br>{status}"
                        f"{'<ul class=p>' + items + '</ul>' if items else ''}</figcaption></figure>"
                    )
                parts.append("</div>")
        path = self.out / "index.html"
        path.write_text("\n".join(parts), encoding="utf-8")
        (self.out / "findings.json").write_text(
            json.dumps([e.__dict__ for e in self.entries], ensure_ascii=False, indent=1), encoding="utf-8"
        )
        return path

    def close(self):
        for page in self.pages.values():
            page.context.close()


# ---------------------------------------------------------------------------------------------------------------
# The demo and the flows through the states a URL cannot reach

TIMEOUT = 20_000


def seed_demo() -> dict:
    """seed_demo into the current (test) database; returns role -> (工号, password) of the demo accounts."""
    import io

    from django.core.management import call_command

    from elearn.org.demo import DEMO_PASSWORD
    from elearn.org.selectors import demo_logins

    call_command("seed_demo", stdout=io.StringIO())
    return {user.role: (user.employee_no, DEMO_PASSWORD) for user in demo_logins()}


def practice_flow(walk, server):
    """Practice on a phone: a question, answered wrong, then the next one answered right."""
    from quizzes.demo.practice import seed_practice_sets

    questions = seed_practice_sets()  # idempotent: the demo's own practice set
    first = questions[0]  # a fill-in: 预防为主
    page = walk.page("staff", "phone")
    page.goto(f"{server}/practice/seq/?category={first.category_id}")
    walk.capture(page, "staff", "phone", "练习：一道题", name="practice-question")
    page.fill("input[name=blank]", "综合治理")
    page.click("button[type=submit]")
    page.wait_for_selector(".verdict")
    walk.capture(page, "staff", "phone", "练习：答错", name="practice-wrong")
    page.click("a[data-next]")
    page.click("label.choice:has-text('主要负责人')")
    page.click("button[type=submit]")
    page.wait_for_selector(".verdict")
    walk.capture(page, "staff", "phone", "练习：答对", name="practice-right")
    page.goto(f"{server}/practice/wrongbook/")
    walk.capture(page, "staff", "phone", "错题本（有一题）", name="wrongbook-one")


def answer_current(page):
    """Answer the exam question on screen: its first option, or a word in its blanks."""
    options = page.locator(".question [data-option], [data-option]")
    if options.count():
        options.first.click()
    else:
        page.locator("[data-blank]").first.fill("安全")
        page.locator("[data-blank]").first.blur()


def exam_flow(walk, server, ids, offline: bool = True):
    """The campaign exam on a phone: in progress, offline (the browser's offline mode: the answer is queued on the
    phone, then sent), the navigator, the submit dialog, the result. Returns the in-progress entry."""
    page = walk.page("staff", "phone")
    recorder = walk.recorder(page)
    page.goto(f"{server}/exams/{ids['exam']}/")
    page.click("[data-start]")
    page.wait_for_selector("[data-option], [data-blank]", timeout=TIMEOUT)
    answer_current(page)
    page.wait_for_selector('[data-save-state="saved"]', timeout=TIMEOUT)
    in_progress = walk.capture(page, "staff", "phone", "考试：作答中", name="exam-in-progress")

    if offline:
        page.context.set_offline(True)
        page.click("[data-next]")
        answer_current(page)
        page.wait_for_selector('[data-save-state="offline"]', timeout=TIMEOUT)
        recorder.expect(r"ERR_INTERNET_DISCONNECTED", r"request failed: .*/exams/")
        walk.capture(page, "staff", "phone", "考试：离线（答案暂存）", name="exam-offline")
        page.context.set_offline(False)
        page.wait_for_selector('[data-save-state="saved"]', timeout=45_000)
        recorder.expect(r"ERR_INTERNET_DISCONNECTED", r"request failed: .*/exams/")
    leftover = recorder.take()  # what happened between two captures is reported on the next

    page.click("[data-nav-toggle]")
    walk.capture(page, "staff", "phone", "考试：题卡", name="exam-navigator", extra=leftover)
    page.click("[data-nav-toggle]")
    page.click("[data-submit]")
    page.wait_for_selector("[data-confirm-ok]", state="visible")
    walk.capture(page, "staff", "phone", "考试：交卷确认", name="exam-submit-dialog")
    page.click("[data-confirm-ok]")
    page.wait_for_url(re.compile(r"/exams/attempt/\d+/result/"), timeout=TIMEOUT)
    walk.capture(page, "staff", "phone", "考试：成绩", name="exam-result")
    return in_progress


def game_flow(walk, server, until: str = "podium") -> dict:
    """The demo competition: the host on the projector (each phase at 1366x768 and 1920x1080), a player's phone.
    Returns the projector's 1366x768 entry of each phase walked (up to `until`)."""
    from quizzes.competitions.models import Game

    projector = walk.page("admin", "projector")
    projector.on("dialog", lambda dialog: dialog.accept())
    phone = walk.page("staff", "phone")
    projector.goto(server + "/play/host/")
    projector.locator("text=开始一场（打开大屏）").first.click()
    projector.wait_for_url(re.compile(r"/play/host/game/\d+/$"), timeout=TIMEOUT)
    game = Game.objects.get(pk=int(projector.url.rstrip("/").rsplit("/", 1)[1]))
    host = projector.locator("#host")
    expect(host).to_have_attribute("data-phase", "lobby", timeout=TIMEOUT)
    phone.goto(server + "/play/")
    phone.fill("#pin", game.pin)
    phone.click("button[type=submit]")
    walk.capture(phone, "staff", "phone", "竞赛：加入", name="game-join")
    phone.click("[data-join]")
    expect(phone.locator("#play")).to_have_attribute("data-phase", "lobby", timeout=TIMEOUT)
    expect(projector.locator("[data-lobby-count]")).to_have_text("1", timeout=TIMEOUT)
    play = phone.locator("#play")
    entries = {}

    def both(phase, caption):
        shots = []
        for size, viewport in (("projector", (1366, 768)), ("projector-hd", (1920, 1080))):
            projector.set_viewport_size({"width": viewport[0], "height": viewport[1]})
            projector.wait_for_timeout(300)
            shots.append(walk.capture(projector, "admin", size, f"大屏：{caption}", fit=True, name=f"host-{phase}"))
        projector.set_viewport_size({"width": 1366, "height": 768})
        walk.capture(phone, "staff", "phone", f"竞赛手机：{caption}", name=f"play-{phase}")
        entries[phase] = shots[0]
        return phase == until

    if both("lobby", "等待加入"):
        return entries
    projector.click("[data-action=start]")
    expect(host).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
    expect(play).to_have_attribute("data-phase", "question", timeout=TIMEOUT)
    if both("question", "题目"):
        return entries
    phone.locator(".play-opt").first.click()
    if phone.locator("[data-submit]").is_visible():
        phone.click("[data-submit]")
    expect(host).to_have_attribute("data-phase", "reveal", timeout=TIMEOUT)
    if both("reveal", "揭晓答案"):
        return entries
    projector.click("[data-action=next]")
    expect(host).to_have_attribute("data-phase", "leaderboard", timeout=TIMEOUT)
    if both("leaderboard", "排行榜"):
        return entries
    projector.click("[data-action=end]")
    expect(host).to_have_attribute("data-phase", "finished", timeout=TIMEOUT)
    expect(play).to_have_attribute("data-phase", "finished", timeout=TIMEOUT)
    both("podium", "颁奖台")
    return entries


def upload_flows(walk, server, ids, folder: Path):
    """The admin's import previews: a roster with one bad row, a bank with a rejected question; the bank list's menu."""
    from elearn.org.models import Institution
    from elearn.org.roster import TEMPLATE_HEADER
    from elearn.spreadsheets import workbook_bytes
    from tests.quizzes.bank_files import template_row, template_xlsx

    folder.mkdir(parents=True, exist_ok=True)
    institution = Institution.objects.get(pk=ids["institution"])
    roster = folder / "花名册.xlsx"
    roster.write_bytes(
        workbook_bytes(
            [
                (
                    "Sheet1",
                    TEMPLATE_HEADER,
                    [
                        ["王新来", "W90001", "13800138000", institution.name, "护理部", "职工"],
                        ["李无单位", "W90002", "", "不存在的医院", "药剂科", "职工"],
                    ],
                )
            ]
        )
    )
    for role in ("admin", "officer"):
        page = walk.page(role, "desktop")
        page.goto(server + "/admin/roster/import/")
        page.set_input_files("input[type=file]", str(roster))
        page.click("button[name=action][value=preview]")
        page.wait_for_load_state("networkidle")
        walk.capture(page, role, "desktop", "导入花名册：预览（一行有错）", name="roster-preview")

    bank = folder / "题库.xlsx"
    bank.write_bytes(
        template_xlsx(
            [
                template_row("单选题", "发现火灾应立即拨打（ ）。", ["110", "119", "120"], "B", "见消防法第四十四条。"),
                template_row("判断题", "电梯可以用于火灾逃生。", [], "错", "", "消防安全"),
                template_row("单选题", "答案越界的题", ["甲", "乙"], "E", "", "消防安全"),
                template_row("多选题", "", ["甲", "乙"], "AB", "", "消防安全"),
            ]
        )
    )
    page = walk.page("admin", "desktop")
    page.goto(server + "/admin/bank/import/")
    page.set_input_files("input[type=file]", str(bank))
    page.click("form[data-bank-upload] button[type=submit]")
    page.wait_for_selector("[data-bank-counts]", timeout=TIMEOUT)
    walk.capture(page, "admin", "desktop", "导入题库：预览（有错误）", name="bank-import-preview")

    page.goto(server + "/admin/bank/questions/")
    page.locator("tbody tr").first.locator("td button[aria-label]").first.click()
    walk.capture(page, "admin", "desktop", "题库：操作菜单", name="bank-list-menu")
