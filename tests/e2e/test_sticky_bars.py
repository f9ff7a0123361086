"""Bars that must stay in sight: the site's top bar on any long page, and the exam's timer/save-state bar on a long
question with large text. `overflow-x: hidden` on html/body made body a scroll container and both scrolled away."""

import datetime as dt

from django.utils import timezone

from content.demo import seed_home
from quizzes.bank.models import Question
from tests.quizzes.exam_factories import exam_with_sections, make_bank

IN_SIGHT = (
    "sel => { const r = document.querySelector(sel).getBoundingClientRect(); return r.top >= 0 && r.bottom <= 120; }"
)


def scroll_to_bottom(page):
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(150)
    return page.evaluate("window.scrollY")


def test_top_bar_stays_at_the_top_of_a_long_page(server, phone, login, staff_a):
    seed_home()
    login(phone, staff_a)
    phone.goto(server + "/")
    phone.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<div style=\"height:3000px\"></div>')"
    )
    assert scroll_to_bottom(phone) > 1000
    assert phone.evaluate(IN_SIGHT, ".topbar")


def test_exam_bar_stays_in_sight_on_a_long_question_in_large_text(server, phone, login, staff_a):
    category, _ = make_bank(singles=2, multiples=0, truefalse=0, fills=0)
    Question.objects.filter(category=category).update(stem="发生火灾时，" + "医务人员应当先报警并组织病人疏散，" * 60)
    exam = exam_with_sections(
        category,
        title="长题干考试",
        opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(hours=2),
    )
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    phone.click("[data-text-toggle]")
    phone.click("[data-start]")
    phone.wait_for_selector("[data-option]")
    assert scroll_to_bottom(phone) > 300
    assert phone.evaluate(IN_SIGHT, ".exam-bar")
    assert phone.is_visible("[data-timer]")
