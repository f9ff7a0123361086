"""Practice on a 360 px phone: pick a category, answer wrongly, see the answer and law article only then, redo
the mistake twice and watch it leave the wrong-answer book; a certificate's public verification page."""

from quizzes.demo.practice import seed_practice_sets
from tests.e2e.conftest import no_horizontal_scroll


def test_practice_and_wrongbook_on_a_phone(server, phone, login, shot, staff_a):
    questions = seed_practice_sets()
    first = questions[0]  # 安全生产法 fill-in: 预防为主
    login(phone, staff_a, next_path="/practice/")
    phone.goto(server + "/practice/")
    assert "按分类练习" in phone.inner_text("body")
    assert no_horizontal_scroll(phone)
    shot(phone, "practice-index-phone")

    phone.goto(f"{server}/practice/seq/?category={first.category_id}")
    body = phone.inner_text("body")
    assert first.stem in body and "预防为主" not in body and "第三条" not in body, "no answer before answering"
    assert no_horizontal_scroll(phone)
    shot(phone, "practice-question-phone")
    phone.fill("input[name=blank]", "综合治理")
    phone.click("button[type=submit]")
    phone.wait_for_selector(".verdict")
    body = phone.inner_text("body")
    assert "回答错误" in body and "预防为主" in body and "第三条" in body and "已加入错题本" in body
    assert no_horizontal_scroll(phone)
    shot(phone, "practice-feedback-wrong-phone")

    phone.click("a[data-next]")  # sequential practice moves on to the next question
    assert questions[1].stem in phone.inner_text("body")
    for option_text in ("主要负责人",):
        phone.click(f"label.choice:has-text('{option_text}')")
    phone.click("button[type=submit]")
    phone.wait_for_selector(".verdict")
    assert "回答正确" in phone.inner_text("body")

    for round_ in range(2):  # two consecutive correct answers take it out of the book
        phone.goto(server + "/practice/wrong/")
        assert first.stem in phone.inner_text("body")
        phone.fill("input[name=blank]", "预防为主")
        phone.click("button[type=submit]")
        phone.wait_for_selector(".verdict")
        if round_ == 0:
            assert "再答对 1 次即移出错题本" in phone.inner_text("body")
            shot(phone, "practice-redo-phone")
    assert "移出错题本" in phone.inner_text("body")
    phone.goto(server + "/practice/wrong/")
    assert "错题本已清空" in phone.inner_text("body")
    assert no_horizontal_scroll(phone)


def test_certificate_verification_page_on_a_phone(server, phone, shot, staff_a):
    from django.utils import timezone

    from quizzes.results.models import Certificate
    from tests.quizzes.exam_factories import ExamFactory

    exam = ExamFactory(title="2026年安全生产月线上安全生产知识考试")
    certificate = Certificate.objects.create(
        code="ABCD-EFGH-JKMN",
        user=staff_a,
        exam=exam,
        holder_name=staff_a.real_name,
        institution_name=staff_a.institution.name,
        exam_title=exam.title,
        score=92,
        max_score=100,
        passed_on=timezone.localdate(),
    )
    phone.goto(f"{server}/verify/{certificate.code}/")
    body = phone.inner_text("body")
    assert "有效证书" in body and staff_a.real_name in body and exam.title in body
    assert no_horizontal_scroll(phone)
    shot(phone, "certificate-verify-phone")


def test_officer_results_page_on_a_desktop(server, desktop, login, shot, officer_a, staff_a, staff_b):
    from quizzes.exams.services import attempt_start, attempt_submit
    from tests.factories import UserFactory
    from tests.quizzes.exam_factories import exam_with_sections, make_bank

    category, _ = make_bank(singles=3, multiples=0, truefalse=1, fills=0)
    exam = exam_with_sections(category, title="2026年安全生产知识考试")
    UserFactory(institution=officer_a.institution, real_name="未参考甲", department="药剂科")
    attempt = attempt_start(exam=exam, user=staff_a)
    attempt_submit(attempt_id=attempt.pk, user=staff_a)
    login(desktop, officer_a, next_path="/admin/")
    desktop.goto(f"{server}/admin/exam-results/{exam.pk}/")
    body = desktop.inner_text("body")
    assert staff_a.real_name in body and staff_b.real_name not in body
    shot(desktop, "exam-results-officer-desktop")
    desktop.goto(f"{server}/admin/exam-results/{exam.pk}/?tab=absent")
    body = desktop.inner_text("body")
    assert "未参考甲" in body and "药剂科" in body and staff_b.real_name not in body
    shot(desktop, "exam-absentees-officer-desktop")
