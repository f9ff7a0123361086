"""A blank bracket "（ ）" in an exam question's stem stays on one line on a phone, wherever it falls on the line
(the exam page draws its questions in JavaScript; practice and the live game already kept it whole). The screen walk
showed "应当（" ending one line and "）。" starting the next."""

import datetime as dt

from django.utils import timezone

from quizzes.bank.models import Question
from tests.e2e.test_screens_site import BRACKETS
from tests.quizzes.exam_factories import exam_with_sections, make_bank


def test_a_blank_bracket_in_an_exam_stem_stays_on_one_line(server, phone, login, shot, staff_a):
    category, _ = make_bank(singles=1, multiples=0, truefalse=0, fills=0)
    Question.objects.filter(category=category).update(stem="充电宝、手机充电完毕后，应当（ ）。")
    exam = exam_with_sections(
        category,
        title="括号考试",
        opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(hours=2),
    )
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    phone.click("[data-start]")
    phone.wait_for_selector(".stem")
    assert phone.locator(".stem .stem-blank").inner_text() == "（ ）"
    assert phone.evaluate(BRACKETS, 40) == []  # at every position on the line
    shot(phone, "exam-blank-bracket-phone", full_page=False)
