"""我的 -> 我的数据: a person sees and downloads (JSON, Excel) everything kept about them, every row of theirs and
nobody else's; scores and correctness only once the exam's review policy shows them; the download is recorded."""

import datetime as dt
import io
import json
import secrets

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from elearn.privacy import services
from elearn.privacy.models import AccessLog
from elearn.privacy.notice import current_version
from elearn.privacy.registry import tables
from leaderboard.reports.models import ReportExport
from quizzes.competitions.models import GameQuestion, Player, PlayerAnswer, hash_token
from quizzes.exams.models import Attempt, Exam
from quizzes.practice import services as practice_services
from tests.leaderboard.report_factories import build_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(inst_a, inst_b, officer_a, officer_b, district_admin):
    c = build_campaign(inst_a, inst_b, officer_a, officer_b)
    a1, b1 = c["a1"], c["b1"]
    now = timezone.now()
    question = GameQuestion.objects.create(
        game=c["game"], index=0, type="single", stem="竞赛题", options=["甲", "乙"], correct_options=[1], seconds=20,
        opened_at=now, closes_at=now, closed_at=now,
    )  # fmt: skip
    for user in (a1, b1):
        player = Player.objects.get(game=c["game"], user=user)
        PlayerAnswer.objects.create(
            player=player, game_question=question, choice=[1], received_at=now, elapsed_ms=900, correct=True, points=800
        )
    practice_services.practice_answer(user=a1, question_id=c["questions"][0].pk, response=[0], token="mydata-1")
    practice_services.practice_answer(user=b1, question_id=c["questions"][0].pk, response=[0], token="mydata-2")
    practice_services.certificate_issue(user=a1, exam_id=c["exam"].pk)
    services.notice_acknowledge(user=a1, version=current_version())
    services.mobile_reveal(actor=officer_a, person=a1, context="电话通知")
    services.mobile_reveal(actor=officer_a, person=c["a2"], context="电话通知")
    ReportExport.objects.create(requested_by=officer_a, filename="x.csv", format="csv", content=b"13800000002")
    other = Player.objects.create(
        game=c["game"], user=c["a2"], nickname=c["a2"].real_name, institution=c["a2"].institution,
        token_hash=hash_token(secrets.token_hex(8)),
    )  # fmt: skip
    assert other.pk
    return c


def _others(person, campaign) -> set[str]:
    """What identifies everyone else in the campaign."""
    out = set()
    for user in campaign["people"].values():
        if user.pk != person.pk:
            out |= {user.real_name, user.employee_no, user.mobile}
    return {v for v in out if v}


def test_the_json_copy_holds_every_row_of_theirs_and_nobody_elses(campaign, client_for):
    a1 = campaign["a1"]
    response = client_for(a1).get(reverse("privacy:my_data_download", args=["json"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    document = json.loads(text)
    copies = {t["key"]: t for t in document["tables"]}
    # Every registered table that a person may see is there, with exactly this person's rows.
    for table in tables():
        if table.in_copy:
            assert len(copies[table.key]["rows"]) == table.rows_of(a1).count(), table.key
    assert len(copies["exam_attempts"]["rows"]) == 1 and copies["exam_attempts"]["rows"][0]["score"] == "30.00"
    assert len(copies["exam_answers"]["rows"]) == 3
    assert len(copies["lesson_progress"]["rows"]) == 2 and len(copies["course_completions"]["rows"]) == 1
    assert len(copies["practice_answers"]["rows"]) == 1 and len(copies["certificates"]["rows"]) == 1
    assert copies["game_answers"]["rows"][0]["points"] == 800
    assert copies["profile"]["rows"][0]["employee_no"] == a1.employee_no
    assert [r["action"] for r in copies["access_about_me"]["rows"]] == ["显示手机号"]
    assert copies["access_about_me"]["rows"][0]["by_role"] == "单位安全员"
    assert "exam_papers" not in copies, "the frozen paper carries the answer key: not part of the copy"
    leaked = [v for v in _others(a1, campaign) if v in text]
    assert not leaked, f"another person's data in the copy: {leaked}"
    entry = AccessLog.objects.filter(action=AccessLog.Action.OWN_DATA).get()
    assert entry.actor == a1 and entry.subject == a1


def test_the_excel_copy_has_a_sheet_per_kind_with_the_same_rows(campaign, client_for):
    a1 = campaign["a1"]
    client = client_for(a1)
    document = json.loads(client.get(reverse("privacy:my_data_download", args=["json"])).content)
    response = client.get(reverse("privacy:my_data_download", args=["xlsx"]))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(book.sheetnames) == len(document["tables"])
    for sheet, table in zip(book.worksheets, document["tables"], strict=True):
        rows = list(sheet.iter_rows(values_only=True))
        since = 1 if table["key"] == "access_about_me" else 0  # the JSON download, recorded in between
        assert len(rows) == 1 + len(table["rows"]) + since, table["key"]
    text = repr([list(s.iter_rows(values_only=True)) for s in book.worksheets])
    assert not [v for v in _others(a1, campaign) if v in text]
    assert AccessLog.objects.filter(action=AccessLog.Action.OWN_DATA, subject=a1).count() == 2


def test_an_officers_copy_lists_what_they_did_without_the_people_concerned(campaign, client_for, officer_a):
    document = json.loads(client_for(officer_a).get(reverse("privacy:my_data_download", args=["json"])).content)
    copies = {t["key"]: t for t in document["tables"]}
    mine = copies["access_by_me"]["rows"]
    assert [r["action"] for r in mine] == ["显示手机号", "显示手机号"]
    text = json.dumps(copies["access_by_me"], ensure_ascii=False) + json.dumps(
        copies["report_exports"], ensure_ascii=False
    )
    assert campaign["a1"].real_name not in text and campaign["a2"].real_name not in text
    assert "13800000002" not in json.dumps(document, ensure_ascii=False), "an export's contents are not in the copy"


def test_scores_are_in_the_copy_only_when_the_review_policy_shows_them(campaign, client_for):
    a1 = campaign["a1"]
    Exam.objects.filter(pk=campaign["exam"].pk).update(
        review_when=Exam.ReviewWhen.AFTER_CLOSE, closes_at=timezone.now() + dt.timedelta(days=1)
    )
    document = json.loads(client_for(a1).get(reverse("privacy:my_data_download", args=["json"])).content)
    copies = {t["key"]: t for t in document["tables"]}
    assert copies["exam_attempts"]["rows"][0]["score"] is None
    assert {r["is_correct"] for r in copies["exam_answers"]["rows"]} == {None}
    assert [r["response"] for r in copies["exam_answers"]["rows"]], "what they answered is theirs to see"
    assert Attempt.objects.get(user=a1).score is not None


def test_the_my_data_page_and_the_api(campaign, client_for, api_for):
    a1 = campaign["a1"]
    page = client_for(a1).get(reverse("privacy:my_data")).content.decode()
    for words in ("我的数据", "下载 Excel", "下载 JSON", "考试记录", "课时学习进度", "关于我的访问记录", "保存期限"):
        assert words in page, words
    assert reverse("privacy:my_data") in client_for(a1).get(reverse("org:me")).content.decode()
    body = api_for(a1).get("/api/v1/my-data/").json()
    assert body["person"]["employee_no"] == a1.employee_no
    assert {t["key"] for t in body["tables"]} >= {"profile", "exam_attempts", "game_answers", "access_about_me"}
    assert AccessLog.objects.filter(action=AccessLog.Action.OWN_DATA, subject=a1).count() == 1
    assert client_for(a1).get("/me/data/download.pdf").status_code == 403
