"""import_questions / export_questions management commands, and "where used" through real exam and competition
relations (found generically, whatever relation names those models use)."""

import json

import pytest
from django.core.management import CommandError, call_command

from quizzes.bank.models import Question
from quizzes.bank.selectors import question_usage
from tests.quizzes.bank_files import template_row, template_xlsx

pytestmark = pytest.mark.django_db


def test_import_dry_run_commit_and_export(tmp_path, capsys, district_admin):
    source = tmp_path / "bank.xlsx"
    source.write_bytes(template_xlsx([template_row(stem="一"), template_row(stem="二", answer="Z")]))
    call_command("import_questions", str(source))
    out = capsys.readouterr().out
    assert "dry run" in out and "new 1" in out and "REJECTED bank.xlsx row 3 [答案]: 答案“Z”不在选项 A–D 中。" in out
    assert Question.objects.count() == 0
    with pytest.raises(CommandError, match="nothing written"):
        call_command("import_questions", str(source), "--commit")
    assert "REJECTED" in capsys.readouterr().out and Question.objects.count() == 0
    call_command(
        "import_questions", str(source), "--commit", "--skip-rejected", "--actor", district_admin.employee_no, "--json"
    )
    report = json.loads(capsys.readouterr().out)
    assert report["committed"] is True and report["written"]["created"] == 1
    assert Question.objects.get().author == district_admin

    target = tmp_path / "out.xlsx"
    call_command("export_questions", str(target))
    assert "1 questions" in capsys.readouterr().out
    call_command("import_questions", str(target), "--json")
    assert json.loads(capsys.readouterr().out)["counts"]["unchanged"] == 1
    for name in ("out.gift", "out.xml", "out.csv"):
        call_command("export_questions", str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 0


def test_import_command_reports_unreadable_files(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"")
    with pytest.raises(CommandError, match="空的"):
        call_command("import_questions", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_questions", str(tmp_path / "missing.xlsx"))


def test_where_used_finds_competitions_generically():
    from tests.quizzes.competition_factories import make_competition

    competition = make_competition(questions=2)
    picked = competition.picked_questions.first().question
    usages = question_usage(picked)
    assert any(u.via == "question" and u.owner == str(competition) and u.count == 1 for u in usages), usages
