"""Values the database cannot hold are refused with a reason (400), never a server error; pages have a ceiling."""

import pytest

from tests.quizzes.bank_factories import QuestionFactory

HUGE = "9" * 30


@pytest.mark.parametrize(
    "path",
    [f"/api/v1/exams/{HUGE}/", f"/api/v1/attempts/{HUGE}/", f"/api/v1/bank/questions/{HUGE}/"],
)
def test_an_id_beyond_64_bits_is_a_400(api_for, district_admin, path):
    response = api_for(district_admin).get(path)
    assert response.status_code in (400, 404), response.content[:200]
    if response.status_code == 400:
        assert response.json()["error"] == "invalid_value"


def test_huge_offsets_and_limits(api_for, district_admin):
    QuestionFactory.create_batch(3)
    api = api_for(district_admin)
    beyond = api.get("/api/v1/bank/questions/", {"offset": HUGE})
    assert beyond.status_code == 400 or beyond.json()["results"] == []
    assert api.get("/api/v1/bank/questions/", {"offset": 10**6}).json()["results"] == []
    assert api.get("/api/v1/bank/questions/", {"limit": 10**9}).status_code == 200


def test_the_page_size_has_a_ceiling():
    from elearn.pagination import LimitOffsetPagination

    assert LimitOffsetPagination.max_limit == 500


def test_a_nul_character_in_a_search_is_not_a_server_error(api_for, district_admin, is_postgres):
    response = api_for(district_admin).get("/api/v1/bank/questions/", {"search": "火\x00灾"})
    assert response.status_code == (400 if is_postgres else 200)


def test_a_report_range_open_at_the_end_is_capped(api_for, district_admin):
    response = api_for(district_admin).get("/api/v1/reports/dashboard/", {"from": "1900-01-01"})
    assert response.status_code == 400
    assert "366" in response.content.decode()
