"""The scorecard's admin pages, Excel export, 活动总结 PDF and API: what each role may see, and what they show.
Figures worked out in tests/campaign/scorecard_world.py."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse

from elearn.org.models import Institution
from tests.campaign.scorecard_world import build_world, drill

pytestmark = pytest.mark.django_db

DISTRICT = "/admin/scorecard/"


@pytest.fixture
def world(inst_a, inst_b, officer_a, officer_b):
    return build_world(inst_a, inst_b, officer_a, officer_b)


def page(inst_id, suffix=""):
    return f"/admin/scorecard/{inst_id}/{suffix}"


def refused(response) -> bool:
    """403, or Wagtail's refusal: a redirect to the admin home (with "no permission") or to a login page."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and (response["Location"] == "/admin/" or "/login/" in response["Location"])


# --- who may see what ---------------------------------------------------------------------------------------------


def test_urls_are_named():
    assert reverse("campaign_scorecard") == DISTRICT
    assert reverse("campaign_scorecard_institution", args=[7]) == page(7)
    assert reverse("campaign_scorecard_pdf", args=[7]) == page(7, "summary.pdf")
    assert reverse("campaign_scorecard_export") == "/admin/scorecard/export.xlsx"


def test_anonymous_and_staff_are_refused_everywhere(world, client, client_for, inst_a):
    urls = [DISTRICT, "/admin/scorecard/export.xlsx", page(inst_a.pk), page(inst_a.pk, "summary.pdf")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    staff = client_for(world["a1"])
    for url in urls:
        assert refused(staff.get(url)), url


def test_officer_is_sent_to_their_own_page_and_refused_anothers(world, client_for, officer_a, inst_a, inst_b):
    client = client_for(officer_a)
    response = client.get(DISTRICT)
    assert response.status_code == 302 and response["Location"] == page(inst_a.pk)
    assert client.get(page(inst_a.pk)).status_code == 200
    assert refused(client.get(page(inst_b.pk)))
    pdf = client.get(page(inst_b.pk, "summary.pdf"))
    assert refused(pdf) and not pdf.content.startswith(b"%PDF")
    export = client.get("/admin/scorecard/export.xlsx")
    assert refused(export) and not export.content.startswith(b"PK")
    own = client.get(page(inst_a.pk)).content.decode()
    assert "乙镇卫生院" not in own and "全区排名" not in own


def test_unknown_campaign_or_institution(world, client_for, district_admin):
    client = client_for(district_admin)
    assert client.get(DISTRICT + "?campaign=999999").status_code == 404
    assert client.get(DISTRICT + "?campaign=abc").status_code == 404
    assert client.get(DISTRICT + "?campaign=99999999999999999999").status_code == 404
    assert client.get(page(999999)).status_code == 404
    assert client.get(DISTRICT + "?kind=<script>&sort=nope&dir=x").status_code == 200


def test_without_a_campaign_the_pages_say_so(client_for, district_admin, inst_a):
    client = client_for(district_admin)
    assert "还没有设置活动" in client.get(DISTRICT).content.decode()
    assert "还没有设置活动" in client.get(page(inst_a.pk)).content.decode()
    assert client.get(page(inst_a.pk, "summary.pdf")).status_code == 404
    assert client.get("/admin/scorecard/export.xlsx").status_code == 404


# --- the district table -----------------------------------------------------------------------------------------------


def test_district_table_ranks_marks_and_no_roster(world, client_for, district_admin, inst_a, inst_b):
    html = client_for(district_admin).get(DISTRICT).content.decode()
    order = [html.index(name) for name in ("甲镇卫生院", "乙镇卫生院", "丙镇卫生院")]
    assert order == sorted(order), "ranked: A (78.1), B (21.7), then C without a score"
    assert "78.1" in html and "21.7" in html
    assert html.count('data-criterion="study" data-state="unmet"') == 2
    assert html.count('data-criterion="drills" data-state="met"') == 1
    assert "无在册人员" in html
    row_c = html[html.index(f'data-institution="{world["inst_c"].pk}"') :]
    assert "0.0%" not in row_c[: row_c.index("</tr>")], "an institution without people shows no 0 %"


def test_district_table_sorts_and_filters_by_kind(world, client_for, district_admin, inst_b):
    client = client_for(district_admin)
    html = client.get(DISTRICT + "?sort=score&dir=asc").content.decode()
    assert html.index("乙镇卫生院") < html.index("甲镇卫生院")
    Institution.objects.filter(pk=inst_b.pk).update(kind=Institution.Kind.HOSPITAL)
    html = client.get(DISTRICT + "?kind=hospital").content.decode()
    assert "乙镇卫生院" in html and "甲镇卫生院" not in html


# --- one institution ----------------------------------------------------------------------------------------------------


def test_institution_page_shows_each_criterion_and_what_is_missing(world, client_for, district_admin, inst_b):
    html = client_for(district_admin).get(page(inst_b.pk)).content.decode()
    for text in (
        "还差 2 人完成必修",
        "还差 1 次演练",
        "还差 1 次培训",
        "33.3%（1/3）",
        "21.7",
        "待审核 1 项",
        "已退回 1 项",
    ):
        assert text in html, text
    assert "data-rank>2<" in html
    assert "/admin/drills/?institution=" in html and "/admin/exam-results/" in html


def test_institution_page_lists_the_drills_held(world, client_for, officer_a, inst_a):
    html = client_for(officer_a).get(page(inst_a.pk)).content.decode()
    assert "门诊楼消防疏散演练" in html and "心肺复苏自救互救培训" in html


# --- the Excel export ---------------------------------------------------------------------------------------------------


def test_export_is_the_district_table_and_formula_safe(world, client_for, district_admin, inst_b):
    from openpyxl import load_workbook

    Institution.objects.filter(pk=inst_b.pk).update(name='=HYPERLINK("http://evil.example","点我")')
    response = client_for(district_admin).get("/admin/scorecard/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("排名", "单位", "类型", "在册人数") and header[-2] == "综合得分"
    by_name = {row[1]: row for row in rows[1:]}
    a = by_name["甲镇卫生院"]
    assert (a[0], a[3], a[4], a[-2]) == (1, 5, 60, 78.1)
    evil = next(row for name, row in by_name.items() if "HYPERLINK" in name)
    assert evil[1].startswith("'="), "a formula-like name is written as text"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    c = by_name["丙镇卫生院"]
    assert c[0] is None and c[-2] is None and c[-1] == "无在册人员"


# --- the 活动总结 PDF -----------------------------------------------------------------------------------------------


def pdf_pages(data: bytes, tmp_path) -> tuple[int, str]:
    assert shutil.which("pdfinfo") and shutil.which("pdftotext"), "poppler-utils (scripts/install-system-deps.sh)"
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


def test_summary_pdf_is_one_page_with_the_figures(world, client_for, officer_a, inst_a, tmp_path, artifacts_dir):
    response = client_for(officer_a).get(page(inst_a.pk, "summary.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    pages, text = pdf_pages(response.content, tmp_path)
    assert pages == 1
    squeezed = "".join(text.split())
    for expected in ("甲镇卫生院", "2026年安全生产月活动总结", "60.0%（3/5）", "66.7%（2/3）", "78.1分", "门诊楼消防疏散演练",
                     "单位负责人（签字）", "安全员（签字）", "还差2人完成必修"):  # fmt: skip
        assert expected in squeezed, expected
    (artifacts_dir / "scorecard-summary.pdf").write_bytes(response.content)


def test_summary_pdf_stays_one_page_with_many_drills_and_long_names(
    world, client_for, district_admin, inst_b, tmp_path, artifacts_dir
):
    Institution.objects.filter(pk=inst_b.pk).update(name="乙" * 60 + "卫生院")
    for n in range(25):
        drill(inst_b, title=f"第{n + 1}次消防疏散演练" + "（门诊楼、住院楼、行政楼全员参加）" * 3)
    response = client_for(district_admin).get(page(inst_b.pk, "summary.pdf"))
    pages, text = pdf_pages(response.content, tmp_path)
    assert pages == 1
    squeezed = "".join(text.split())
    assert "另有" in squeezed and "全区第2名" in squeezed
    (artifacts_dir / "scorecard-summary-long.pdf").write_bytes(response.content)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", str(tmp_path / "summary.pdf"),
             str(artifacts_dir / "scorecard-summary-long")],
            check=True,
        )  # fmt: skip


# --- the API ------------------------------------------------------------------------------------------------------


def test_api_district_list_for_the_district_admin(world, api_for, district_admin, inst_a):
    data = api_for(district_admin).get("/api/v1/campaign/scorecard/").json()
    assert data["campaign"]["name"] == "2026年安全生产月" and data["ranked"] is True
    rows = {row["institution"]: row for row in data["institutions"]}
    a = rows["甲镇卫生院"]
    assert (a["total"], a["rank"], a["roster"]) == (78.1, 1, 5)
    study = next(c for c in a["criteria"] if c["key"] == "study")
    assert (study["value"], study["done"], study["of"], study["requirement"], study["state"]) == (
        60.0,
        3,
        5,
        100,
        "unmet",
    )
    assert a["drills"]["drills"] == 1 and a["tasks"]["done"] == 5
    assert rows["丙镇卫生院"]["no_roster"] is True and rows["丙镇卫生院"]["total"] is None


def test_api_scope(world, api_for, officer_a, inst_a, inst_b):
    officer = api_for(officer_a)
    assert officer.get("/api/v1/campaign/scorecard/").status_code == 403
    own = officer.get(f"/api/v1/campaign/scorecard/{inst_a.pk}/")
    assert own.status_code == 200
    body = own.json()
    assert [row["institution_id"] for row in body["institutions"]] == [inst_a.pk]
    assert body["institutions"][0]["rank"] is None and body["institutions"][0]["total"] == 78.1
    assert officer.get(f"/api/v1/campaign/scorecard/{inst_b.pk}/").status_code == 404
    assert api_for(world["a1"]).get(f"/api/v1/campaign/scorecard/{inst_a.pk}/").status_code == 403
    assert officer.get(f"/api/v1/campaign/scorecard/{inst_a.pk}/?campaign=abc").status_code == 404


def test_api_without_a_campaign(api_for, district_admin):
    assert api_for(district_admin).get("/api/v1/campaign/scorecard/").status_code == 404
