"""A candidate who passed finds the certificate where they read 合格 (the result page), not only under 练习; and
the certificate's sentence never breaks a line before a closing bracket or inside a number."""

import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from quizzes.exams.models import Attempt
from quizzes.exams.services import answer_save, attempt_submit
from quizzes.practice.services import mock_start
from quizzes.results.certificates import NO_LINE_END, NO_LINE_START, _font, _wrap
from tests.quizzes.exam_factories import exam_with_sections, make_bank
from tests.quizzes.test_exam_results import sit

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam():
    category, _ = make_bank(singles=3, multiples=1, truefalse=1, fills=1)
    return exam_with_sections(category, title="2026年安全生产知识考试", attempts_allowed=3)


def result_html(client_for, user, attempt) -> str:
    response = client_for(user).get(f"/exams/attempt/{attempt.pk}/result/")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_result_page_of_a_pass_links_to_the_certificate(exam, staff_a, client_for):
    attempt = sit(exam, staff_a, correct=True)
    html = result_html(client_for, staff_a, attempt)
    assert "合格" in html and f'href="/certificates/{exam.pk}/" data-certificate' in html
    pdf = client_for(staff_a).get(f"/certificates/{exam.pk}/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_no_certificate_link_for_a_fail_or_a_mock(exam, staff_a, client_for):
    failed = sit(exam, staff_a, correct=False)
    assert "data-certificate" not in result_html(client_for, staff_a, failed)
    mock = mock_start(user=staff_a, exam_id=exam.pk)
    for seq, aq in enumerate(mock.paper.order_by("position"), start=1):
        snap = aq.snapshot
        response = [snap["accepted_answers"][0][0]] if snap["type"] == "fill" else snap["correct"]
        answer_save(attempt_id=mock.pk, user=staff_a, position=aq.position, response=response, seq=seq)
    attempt_submit(attempt_id=mock.pk, user=staff_a)
    assert Attempt.objects.get(pk=mock.pk).is_mock
    html = result_html(client_for, staff_a, mock)
    assert "模拟考试已交卷" in html and "data-certificate" not in html


def test_certificate_lines_never_start_with_closing_marks_nor_split_numbers():
    c = canvas.Canvas("/dev/null")
    font = _font()
    body = "于2026年6月18日参加“2026年安全生产月全区卫生健康系统安全生产知识网络考试”，成绩100分（满分100分），考试合格，特发此证。"
    widths = [w * mm for w in range(60, 210, 1)]
    for width in widths:
        lines = _wrap(c, body, font, 16, width)
        assert "".join(lines) == body
        for before, after in zip(lines, lines[1:], strict=False):
            assert after[0] not in NO_LINE_START, (width, lines)
            assert before[-1] not in NO_LINE_END, (width, lines)
            assert not (before[-1].isdigit() and after[0].isdigit()), (width, lines)
