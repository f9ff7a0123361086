"""A district admin uploads a question bank in the Wagtail admin, reads the dry run, commits it, and previews a
question as staff will see it."""

from quizzes.bank.models import Question
from tests.quizzes.bank_files import template_row, template_xlsx


def test_admin_imports_a_bank_with_dry_run_then_commit(server, desktop, login, shot, district_admin, tmp_path):
    upload = tmp_path / "旧题库.xlsx"
    upload.write_bytes(
        template_xlsx(
            [
                template_row(
                    "单选题",
                    "发现火灾应立即拨打（ ）。",
                    ["110", "119", "120"],
                    "B",
                    "见消防法第四十四条。",
                    "消防安全",
                ),
                template_row("判断题", "电梯可以用于火灾逃生。", [], "错", "", "消防安全"),
                template_row("单选题", "答案越界的题", ["甲", "乙"], "E", "", "消防安全"),
            ]
        )
    )
    login(desktop, district_admin, next_path="/admin/")
    desktop.goto(server + "/admin/bank/import/")
    desktop.set_input_files("input[type=file]", str(upload))
    desktop.click("form[data-bank-upload] button[type=submit]")
    desktop.wait_for_selector("[data-bank-counts]")
    assert desktop.inner_text('[data-count="new"]') == "2"
    assert desktop.inner_text('[data-count="rejected"]') == "1"
    rejected = desktop.inner_text('[data-issues="rejected"]')
    assert "4" in rejected and "答案“E”不在选项 A–B 中。" in rejected
    shot(desktop, "bank-import-dry-run")
    assert Question.objects.count() == 0
    desktop.check("input[name=skip_rejected]")
    desktop.click("text=确认导入")
    desktop.wait_for_selector("[data-bank-done]")
    assert "新建 2 道" in desktop.inner_text("[data-bank-done]")
    assert Question.objects.count() == 2

    question = Question.objects.get(type="single")
    desktop.goto(f"{server}/admin/bank/preview/{question.pk}/")
    phone = desktop.inner_text("[data-staff-view]")
    assert "发现火灾应立即拨打" in phone and "119" in phone
    shot(desktop, "bank-question-preview")
