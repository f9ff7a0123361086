"""Officers see their own institution's study progress (including who has not started a required module),
the district admin sees all; both export to Excel; staff see nothing."""

import io

import openpyxl
import pytest

from courses import selectors, services
from courses.models import CoursePage
from tests.courses.factories import lessons_of, make_course
from tests.factories import UserFactory


@pytest.fixture
def required_course(db):
    return make_course(title="全员必学消防", lessons=1, min_reading_seconds=0, required=CoursePage.Required.ALL)


@pytest.fixture
def studied(staff_a, required_course):
    lesson = lessons_of(required_course)[0]
    services.lesson_complete(user=staff_a, lesson=lesson)
    return staff_a


def test_officer_sees_only_own_institution(officer_a, staff_a, staff_b, studied, required_course):
    idle = UserFactory(institution=staff_a.institution, real_name="未学习的人")
    rows = selectors.institution_progress(viewer=officer_a)
    people = {r.user.pk: r.progress.status for r in rows}
    assert people[staff_a.pk] == "completed"
    assert people[idle.pk] == "not_started"
    assert staff_b.pk not in people
    assert selectors.institution_progress(viewer=officer_a, institution_id=staff_b.institution_id) == []
    not_started = selectors.institution_progress(viewer=officer_a, status="not_started")
    assert idle.pk in {r.user.pk for r in not_started} and staff_a.pk not in {r.user.pk for r in not_started}


def test_district_admin_sees_every_institution(district_admin, staff_a, staff_b, studied):
    people = {r.user.pk for r in selectors.institution_progress(viewer=district_admin)}
    assert {staff_a.pk, staff_b.pk} <= people
    only_b = selectors.institution_progress(viewer=district_admin, institution_id=staff_b.institution_id)
    assert {r.user.pk for r in only_b} == {staff_b.pk}


def test_staff_get_nothing(staff_a, studied):
    assert selectors.institution_progress(viewer=staff_a) == []


def test_report_page_and_export(client_for, officer_a, staff_a, staff_b, studied):
    client = client_for(officer_a)
    html = client.get("/study/progress/").content.decode()
    assert staff_a.real_name in html and staff_b.real_name not in html
    response = client.get("/study/progress/export/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("单位", "科室", "工号", "姓名")
    names = {r[3] for r in rows[1:]}
    assert staff_a.real_name in names and staff_b.real_name not in names
    mine = next(r for r in rows[1:] if r[3] == staff_a.real_name)
    assert mine[6] == "已完成" and mine[9] == 100


def test_export_neutralises_formulas(client_for, officer_a, inst_a, required_course):
    UserFactory(institution=inst_a, real_name='=HYPERLINK("http://x")')
    response = client_for(officer_a).get("/study/progress/export/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [r[3] for r in sheet.iter_rows(values_only=True)]
    assert not any(str(c).startswith("=") for c in cells)


def test_staff_cannot_open_the_report(client_for, staff_a):
    client = client_for(staff_a)
    assert client.get("/study/progress/").status_code == 403
    assert client.get("/study/progress/export/").status_code == 403


def test_report_api_is_scoped(api_for, officer_a, staff_a, staff_b, studied):
    data = api_for(officer_a).get("/api/v1/study-progress/").json()
    ids = {row["user_id"] for row in data["results"]}
    assert staff_a.pk in ids and staff_b.pk not in ids
    assert api_for(staff_a).get("/api/v1/study-progress/").status_code == 403
