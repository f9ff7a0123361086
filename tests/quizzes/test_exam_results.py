"""Results and 未参考名单 for safety officers and the district admin: an officer of institution A never sees
institution B's people, results or absentees, in HTML, API or Excel export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from quizzes.exams.services import answer_save, attempt_start, attempt_submit
from quizzes.results.selectors import exam_absentees, exam_results, exam_summary
from tests.factories import UserFactory
from tests.quizzes.exam_factories import exam_with_sections, make_bank

pytestmark = pytest.mark.django_db


def sit(exam, user, *, correct: bool):
    attempt = attempt_start(exam=exam, user=user)
    for seq, aq in enumerate(attempt.paper.order_by("position"), start=1):
        snap = aq.snapshot
        if snap["type"] == "fill":
            response = [snap["accepted_answers"][0][0] if correct else "错"]
        else:
            wrong = [next(i for i in range(len(snap["options"])) if i not in snap["correct"])]
            response = snap["correct"] if correct else wrong
        answer_save(attempt_id=attempt.pk, user=user, position=aq.position, response=response, seq=seq)
    return attempt_submit(attempt_id=attempt.pk, user=user)


@pytest.fixture
def campaign(inst_a, inst_b, officer_a, officer_b, district_admin):
    category, _questions = make_bank(singles=3, multiples=1, truefalse=1, fills=1)
    exam = exam_with_sections(category, title="安全生产知识考试")
    a_pass = UserFactory(institution=inst_a, real_name="甲合格", department="内科", mobile="13700000001")
    a_fail = UserFactory(institution=inst_a, real_name="甲不合格")
    a_absent = UserFactory(institution=inst_a, real_name="甲未考", department="药剂科", mobile="13700000003")
    b_pass = UserFactory(institution=inst_b, real_name="乙合格")
    b_absent = UserFactory(institution=inst_b, real_name="乙未考", mobile="13700000005")
    sit(exam, a_pass, correct=True)
    sit(exam, a_fail, correct=False)
    sit(exam, b_pass, correct=True)
    return {
        "exam": exam,
        "a_pass": a_pass,
        "a_fail": a_fail,
        "a_absent": a_absent,
        "b_pass": b_pass,
        "b_absent": b_absent,
    }


def names(users):
    return {u.real_name for u in users}


def test_officer_sees_only_their_institution(campaign, officer_a):
    exam = campaign["exam"]
    rows = exam_results(exam, officer_a)
    assert names(r.user for r in rows) == {"甲合格", "甲不合格"}
    status = {r.user.real_name: r.status for r in rows}
    assert status == {"甲合格": "passed", "甲不合格": "failed"}
    absent = names(exam_absentees(exam, officer_a))
    assert "甲未考" in absent and "乙未考" not in absent and "乙合格" not in absent
    assert [s.institution.name for s in exam_summary(exam, officer_a)] == ["甲镇卫生院"]


def test_officer_asking_for_another_institution_gets_nothing(campaign, officer_a, inst_b):
    exam = campaign["exam"]
    assert exam_results(exam, officer_a, institution_id=inst_b.pk) == []
    assert not exam_absentees(exam, officer_a, institution_id=inst_b.pk).exists()


def test_district_admin_sees_everyone(campaign, district_admin, inst_a, inst_b):
    exam = campaign["exam"]
    assert {"甲合格", "甲不合格", "乙合格"} == names(r.user for r in exam_results(exam, district_admin))
    assert {"甲未考", "乙未考"} <= names(exam_absentees(exam, district_admin))
    summary = {s.institution.pk: s for s in exam_summary(exam, district_admin)}
    assert summary[inst_a.pk].sat == 2 and summary[inst_a.pk].passed == 1
    assert summary[inst_b.pk].sat == 1 and summary[inst_b.pk].passed == 1


def test_mock_attempts_do_not_count_as_sitting(campaign, officer_a):
    exam = campaign["exam"]
    attempt = attempt_start(exam=exam, user=campaign["a_absent"], mock=True)
    attempt_submit(attempt_id=attempt.pk, user=campaign["a_absent"])
    assert "甲未考" in names(exam_absentees(exam, officer_a))
    assert "甲未考" not in names(r.user for r in exam_results(exam, officer_a))


def test_admin_html_pages_are_scoped(campaign, client_for, officer_a, inst_b):
    exam = campaign["exam"]
    client = client_for(officer_a)
    html = client.get(reverse("quizzes_results_exam", args=[exam.pk])).content.decode()
    assert "甲合格" in html and "乙合格" not in html
    html = client.get(reverse("quizzes_results_exam", args=[exam.pk]), {"tab": "absent"}).content.decode()
    # The number is masked; one tap reveals it (tests/privacy/test_masking.py).
    assert "甲未考" in html and "药剂科" in html and "137****0003" in html and "13700000003" not in html
    assert "乙未考" not in html and "13700000005" not in html
    forbidden = client.get(reverse("quizzes_results_exam", args=[exam.pk]), {"institution": inst_b.pk})
    assert forbidden.status_code in (302, 403)  # Wagtail turns PermissionDenied into a redirect to /admin/
    assert "乙" not in forbidden.content.decode()
    assert client.get(reverse("quizzes_results")).status_code == 200


def test_staff_cannot_open_the_results_pages(campaign, client_for):
    client = client_for(campaign["a_pass"])
    for url in (
        reverse("quizzes_results"),
        reverse("quizzes_results_exam", args=[campaign["exam"].pk]),
        reverse("quizzes_results_export", args=[campaign["exam"].pk, "absent"]),
    ):
        assert client.get(url).status_code in (302, 403)


def _sheet_rows(content: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_excel_exports_are_scoped(campaign, client_for, officer_a, inst_b):
    exam = campaign["exam"]
    client = client_for(officer_a)
    absent = client.get(reverse("quizzes_results_export", args=[exam.pk, "absent"]))
    assert absent.status_code == 200 and absent["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet_rows(absent.content)
    assert rows[0] == ["单位", "姓名", "工号", "科室/岗位"]  # no mobile column unless asked for (含手机号)
    people = {r[1] for r in rows[1:]}
    assert "甲未考" in people and "乙未考" not in people
    assert ["甲镇卫生院", "甲未考", campaign["a_absent"].employee_no, "药剂科"] in rows
    with_mobile = _sheet_rows(
        client.get(reverse("quizzes_results_export", args=[exam.pk, "absent"]), {"mobile": "1"}).content
    )
    assert with_mobile[0] == ["单位", "姓名", "工号", "科室/岗位", "手机号"]
    assert ["甲镇卫生院", "甲未考", campaign["a_absent"].employee_no, "药剂科", "13700000003"] in with_mobile
    results = _sheet_rows(client.get(reverse("quizzes_results_export", args=[exam.pk, "results"])).content)
    assert {r[1] for r in results[1:]} == {"甲合格", "甲不合格"}
    refused = client.get(reverse("quizzes_results_export", args=[exam.pk, "absent"]), {"institution": inst_b.pk})
    assert refused.status_code in (302, 403) and "乙未考".encode() not in refused.content


def test_api_is_scoped(campaign, api_for, officer_a, officer_b, inst_b):
    exam = campaign["exam"]
    api = api_for(officer_a)
    results = api.get("/api/v1/exam-results/", {"exam": exam.pk}).json()
    assert {r["user"]["real_name"] for r in results["results"]} == {"甲合格", "甲不合格"}
    absentees = api.get("/api/v1/exam-results/absentees/", {"exam": exam.pk}).json()
    assert "乙未考" not in {r["real_name"] for r in absentees["results"]}
    assert "甲未考" in {r["real_name"] for r in absentees["results"]}
    narrowed = api.get("/api/v1/exam-results/absentees/", {"exam": exam.pk, "institution": inst_b.pk}).json()
    assert narrowed["results"] == []
    summary = api.get("/api/v1/exam-results/summary/", {"exam": exam.pk}).json()
    assert [s["institution"] for s in summary] == ["甲镇卫生院"]
    b = api_for(officer_b).get("/api/v1/exam-results/", {"exam": exam.pk}).json()
    assert {r["user"]["real_name"] for r in b["results"]} == {"乙合格"}


def test_api_refuses_staff_and_unknown_exams(campaign, api_for, officer_a):
    assert api_for(campaign["a_pass"]).get("/api/v1/exam-results/", {"exam": campaign["exam"].pk}).status_code == 403
    assert api_for(officer_a).get("/api/v1/exam-results/", {"exam": 999999}).status_code == 404
