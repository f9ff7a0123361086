"""The bottom navigation on a 360 px phone in both languages: five labels, each on one line, none broken inside a
word (English broke "Competitio/n")."""

import pytest

from content.demo import seed_home

ONE_LINE = """() => [...document.querySelectorAll('.bottom-nav a')].map(a => {
  const label = [...a.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
  const range = document.createRange(); range.selectNodeContents(a.lastChild);
  return {label, lines: range.getClientRects().length, fits: a.scrollWidth <= a.clientWidth + 1};
})"""


@pytest.mark.parametrize("language,labels", [("zh-hans", ["学习", "考试", "竞赛", "排行", "我的"]),
                                             ("en", ["Study", "Exams", "Live", "Ranking", "Me"])])  # fmt: skip
def test_every_tab_label_is_whole_on_one_line(server, phone, login, staff_a, language, labels):
    seed_home()
    phone.context.add_cookies([{"name": "django_language", "value": language, "url": server}])
    login(phone, staff_a)
    tabs = phone.evaluate(ONE_LINE)
    assert [t["label"] for t in tabs] == labels
    assert all(t["lines"] == 1 and t["fits"] for t in tabs), tabs
