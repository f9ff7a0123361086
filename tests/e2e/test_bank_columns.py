"""Issue 14 in a browser: a district admin uploads a bank whose header is not recognised, reads which rows were seen,
maps the columns on the preview page, previews again, commits; re-types a question and sees old -> new values."""

from quizzes.bank.models import BankColumnMapping, Question
from tests.quizzes.bank_files import xlsx


def test_admin_maps_columns_then_sees_old_and_new_values(server, desktop, login, shot, district_admin, tmp_path):
    upload = tmp_path / "培训中心题库.xlsx"
    upload.write_bytes(
        xlsx(
            [
                ["2026 年安全生产月题库"],
                ["序", "问", "备选", "标准", "备注"],
                [
                    "1",
                    "安全色中蓝色表示（ ）。",
                    "**A强制性**B科学性**C.指令、必须遵守的意思**D通行、安全",
                    "C",
                    "见 GB 2893",
                ],
                ["2", "火警电话是（ ）。", "A.110 B.119 C.120", "B", ""],
            ]
        )
    )
    login(desktop, district_admin, next_path="/admin/")
    desktop.goto(server + "/admin/bank/import/")
    desktop.set_input_files("input[type=file]", str(upload))
    desktop.click("form[data-bank-upload] button[type=submit]")
    desktop.wait_for_selector("[data-column-mapping]")
    assert "第 2 行：序 | 问 | 备选 | 标准 | 备注" in desktop.inner_text('[data-issues="rejected"]')
    for index, field in ((1, "stem"), (2, "options"), (3, "answer"), (4, "explanation")):
        desktop.select_option(f"select[name=col_{index}]", field)
    shot(desktop, "bank-import-columns", full_page=False)
    desktop.click("text=按此对应关系重新预览")
    desktop.wait_for_selector('[data-count="new"]')
    desktop.wait_for_function("document.querySelector('[data-count=\"new\"]').innerText === '2'")
    assert desktop.inner_text('[data-count="rejected"]') == "0"
    desktop.click("text=确认导入")
    desktop.wait_for_selector("[data-bank-done]")
    assert Question.objects.count() == 2 and BankColumnMapping.objects.count() == 1

    # The same header again, one answer and one explanation changed: applied on its own, old -> new shown.
    upload.write_bytes(
        xlsx(
            [
                ["2026 年安全生产月题库"],
                ["序", "问", "备选", "标准", "备注"],
                [
                    "1",
                    "安全色中蓝色表示（ ）。",
                    "**A强制性**B科学性**C.指令、必须遵守的意思**D通行、安全",
                    "C",
                    "见 GB 2893-2008",
                ],
                ["2", "火警电话是（ ）。", "A.110 B.119 C.120", "A", ""],
            ]
        )
    )
    desktop.goto(server + "/admin/bank/import/")
    desktop.set_input_files("input[type=file]", str(upload))
    desktop.click("form[data-bank-upload] button[type=submit]")
    desktop.wait_for_selector("[data-updates]")
    assert "已自动套用上次为这个表头保存的列对应关系" in desktop.inner_text("[data-notice]")
    updates = desktop.inner_text("[data-updates]")
    assert "见 GB 2893" in updates and "见 GB 2893-2008" in updates and "答案" in updates
    shot(desktop, "bank-import-old-new")
