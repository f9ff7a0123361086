"""One language at a time, in the browser (issue 15, item 4): staff, a safety officer and a district admin sign in with
English chosen and walk the site's main pages and this platform's admin pages; no Chinese may be left in the UI chrome.
The same walk in Chinese fails on leftover English words (a short allowlist: PDF, Excel, PIN, ...).

The rule for what counts as chrome (written by the templates and the code, so it must follow the language):
- text of navigation links, buttons, form labels, table headers, term names (dt), legends, summaries, section
  headings (h2, h3), the Wagtail admin's menu and header titles, placeholders, aria-labels and titles;
- minus user content: anything inside an element marked `data-content` (page bodies, question stems and options,
  titles and names typed by people), inside Wagtail rich text (`.rich-text`), form fields' values, and options of a
  select (institution names, exam titles). A template that shows people's words inside a chrome element marks it
  `data-content`; people's words that chrome quotes (names, titles, stems, categories, institutions: read from the
  database) are removed from a text before it is checked.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from content.demo import seed_home
from tests.leaderboard.report_factories import build_campaign
from tests.quizzes.exam_factories import exam_with_sections, make_bank

CHROME = """() => {
  const sel = 'nav a, button, label, th, dt, legend, summary, h2, h3, .w-header__title, .sidebar-menu-item__link, '
    + '.bottom-nav a, .topbar .brand, .kpi-label, .muted, .callout';
  const skip = '[data-content], [data-content] *, .rich-text, .rich-text *, select, option, script, style, [hidden], [aria-hidden="true"]';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('[data-content], .rich-text, [hidden]')) continue;
    if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(' ').trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (el.closest('[data-content], .rich-text') || el.matches(skip)) continue;
    for (const a of ['placeholder', 'aria-label', 'title']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
  }
  return out;
}"""
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
ALLOWED_EN = {"PDF", "Excel", "PIN", "URL", "API", "CSV", "JSON", "Word", "Wagtail", "OK", "Moodle", "XML", "GIFT",
              "WPS", "ID", "AA", "English", "Language", "xlsx", "xls", "docx", "csv", "txt", "Chromium"}  # fmt: skip
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def _data(inst_a, inst_b, officer_a, officer_b, staff_a):
    seed_home()
    category, _ = make_bank(singles=3, multiples=0, truefalse=0, fills=0)
    exam = exam_with_sections(
        category, title="语言检查考试", opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(days=2),
    )  # fmt: skip
    campaign = build_campaign(inst_a, inst_b, officer_a, officer_b)
    _new_apps_data(inst_a, officer_a, staff_a)
    return exam, campaign


def _new_apps_data(inst_a, officer_a, staff_a):
    """A campaign task (活动任务), a drill and a verified hazard report, so that their pages show rows, not only
    their empty states."""
    from tests.campaign.factories import make_task
    from tests.drills.factories import DrillFactory
    from tests.hazards.factories import submit, to_verified

    make_task(title="语言检查任务")
    DrillFactory(institution=inst_a, title="语言检查演练", recorded_by=officer_a)
    to_verified(submit(staff_a, inst_a, description="语言检查隐患").report.pk, officer_a)


def new_app_pages(who, inst_a):
    """The pages of one task, drill and hazard report made by _new_apps_data, as each role may open them."""
    from campaign.tasks.models import CampaignTask
    from drills.models import Drill
    from hazards.models import HazardReport

    task, drill, report = CampaignTask.objects.first(), Drill.objects.first(), HazardReport.objects.first()
    managed = [f"/admin/drills/{drill.pk}/", f"/admin/hazards/{report.pk}/", f"/admin/scorecard/{inst_a.pk}/"]
    return {"staff": [f"/campaign/tasks/{task.pk}/", f"/hazards/{report.pk}/"],
            "officer": [f"/campaign/tasks/{task.pk}/", *managed], "admin": managed}[who]  # fmt: skip


def site_pages(exam):
    return ["/", "/study/", "/exams/", f"/exams/{exam.pk}/", "/practice/", "/practice/wrongbook/", "/leaderboard/",
            "/play/", "/me/", "/me/data/", "/privacy/notice/", "/accounts/password/",
            "/campaign/tasks/", "/drills/mine/", "/hazards/new/", "/hazards/mine/", "/hazards/board/",
            "/hazards/follow/"]  # fmt: skip


ADMIN_PAGES = ["/admin/", "/admin/institutions/", "/admin/staff/", "/admin/roster/import/", "/admin/bank/questions/",
               "/admin/bank/import/", "/admin/bank/categories/", "/admin/exams/", "/admin/exam-results/",
               "/admin/competitions/", "/admin/reports/", "/admin/courses/import-law/", "/admin/account/",
               "/admin/campaign/campaigns/", "/admin/campaign/tasks/", "/admin/campaign-tasks/review/",
               "/admin/campaign-tasks/missing/", "/admin/drills/", "/admin/drills/new/", "/admin/drills/missing/",
               "/admin/hazards/", "/admin/scorecard/"]  # fmt: skip
OFFICER_ADMIN = ["/admin/", "/admin/staff/", "/admin/exam-results/", "/admin/reports/", "/admin/campaign-tasks/review/",
                 "/admin/drills/", "/admin/drills/new/", "/admin/hazards/", "/admin/scorecard/"]  # fmt: skip


def user_content() -> list[str]:
    """People's words that chrome may quote (Wagtail's "More options for '甲一'", a name in a header): removed from a
    text before it is checked, longest first."""
    from campaign.tasks.models import Campaign, CampaignTask, ChecklistItem
    from drills.models import Drill
    from elearn.org.models import Institution, User
    from hazards.models import HazardReport
    from quizzes.bank.models import Category, Question
    from quizzes.competitions.models import Competition
    from quizzes.exams.models import Exam

    words = set()
    for model, fields in [(User, ["real_name", "department"]), (Institution, ["name", "short_name"]),
                          (Exam, ["title"]), (Competition, ["title"]), (Question, ["stem"]), (Category, ["name"]),
                          (Campaign, ["name", "theme"]), (CampaignTask, ["title"]), (ChecklistItem, ["text"]),
                          (Drill, ["title", "place"]), (HazardReport, ["location", "place", "description"])]:  # fmt: skip
        for row in model.objects.values_list(*fields):
            words.update(w for w in row if w)
    return sorted(words, key=len, reverse=True)


def _walk(page, server, paths, language):
    found = {}
    content = user_content()
    for path in paths:
        response = page.goto(server + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        page.wait_for_load_state("networkidle")
        for text in page.evaluate(CHROME):
            for word in content:
                text = text.replace(word, " ")
            if language == "en":
                bad = CJK.findall(text)
            else:
                bad = [w for w in ENGLISH_WORD.findall(text) if w not in ALLOWED_EN]
            if bad:
                found.setdefault(path, set()).add(text[:80])
    return found


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("who", ["staff", "officer", "admin"])
def test_the_ui_chrome_is_in_one_language(
    server, desktop, login, inst_a, inst_b, officer_a, officer_b, staff_a, district_admin, language, who
):
    exam, _ = _data(inst_a, inst_b, officer_a, officer_b, staff_a)
    user = {"staff": staff_a, "officer": officer_a, "admin": district_admin}[who]
    desktop.context.add_cookies([{"name": "django_language", "value": language, "url": server}])
    login(desktop, user)
    paths = site_pages(exam) + {"staff": [], "officer": OFFICER_ADMIN, "admin": ADMIN_PAGES}[who]
    paths += new_app_pages(who, inst_a)
    found = _walk(desktop, server, paths, language)
    report = "\n".join(f"{path}: {sorted(texts)}" for path, texts in found.items())
    assert not found, f"{'Chinese' if language == 'en' else 'English'} left in the chrome:\n{report}"
