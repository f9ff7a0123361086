"""The 题库 list: every row opens (the stem links to the edit view) and has its action menu (编辑, 预览 as staff see
it, 使用情况, 删除); 题型 and 状态 stay on one line. The stem was plain text, so no question could be opened."""

import re

import pytest

from tests.quizzes.exam_factories import BankQuestionFactory

pytestmark = pytest.mark.django_db


def test_each_row_links_to_its_edit_view_with_an_action_menu(client_for, district_admin):
    question = BankQuestionFactory(stem="发现火灾应立即拨打（ ）。" + "请选择正确的号码。" * 10)
    html = client_for(district_admin).get("/admin/bank/questions/").content.decode()
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*?" + re.escape(f"snippet_{question.pk}_title") + r".*?</tr>", html, re.S)
    assert row, "no row for the question"
    row = row.group(0)
    title = re.search(r'<td class="[^"]*title">.*?</td>', row, re.S).group(0)
    assert f'href="/admin/bank/questions/edit/{question.pk}/"' in title
    assert "发现火灾应立即拨打（ ）。" in title and "…" in title  # shortened to 60 characters
    for url in (f"/admin/bank/preview/{question.pk}/", f"/admin/bank/usage/{question.pk}/",
                f"/admin/bank/questions/delete/{question.pk}/"):  # fmt: skip
        assert url in title, url  # in the row's action menu
    assert re.search(r'<td class="w-whitespace-nowrap"[^>]*>\s*单选题\s*</td>', row)
    assert re.search(r'<td class="w-whitespace-nowrap"[^>]*>.*?启用.*?</td>', row, re.S)
