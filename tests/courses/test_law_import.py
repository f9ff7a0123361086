"""Law import: statutes parse to their exact article counts in the right chapters, a second import reports no
change, and an amended text reports what was added, changed and removed.

Two sets of texts: the invented statutes in tests/fixtures/laws (always present; messy like real files: a UTF-8
BOM with CRLF line endings, full-width spaces, a .txt with a table of contents), and the five official statutes in
../shared/data/laws (`shared_data`; those tests skip in a clone without them)."""

import pytest
from django.core.management import call_command

from content.numerals import cn_to_int, int_to_cn
from courses.exceptions import LawImportError
from courses.law_import import import_statute, parse_statute, read_statute_file, statute_files
from courses.models import CoursePage, LessonPage
from tests.courses.factories import make_index

# (file name, full title, articles per chapter) — derived from the texts and checked by hand against them.
STATUTES = [
    ("安全生产法(2021-06-10).md", "中华人民共和国安全生产法", [19, 32, 10, 17, 11, 27, 3]),
    ("消防法(2021-04-29).md", "中华人民共和国消防法", [7, 27, 8, 9, 6, 15, 2]),
    ("危险化学品安全管理条例(2013-12-07).md", "危险化学品安全管理条例", [10, 17, 5, 10, 23, 9, 22, 6]),
    ("生产安全事故应急条例(2019-02-17).md", "生产安全事故应急条例", [4, 12, 12, 5, 2]),
    ("突发事件应对法(2024-06-28).md", "中华人民共和国突发事件应对法", [15, 10, 32, 13, 15, 9, 8, 4]),
]


@pytest.mark.parametrize("number", [1, 9, 10, 11, 19, 20, 21, 100, 103, 110, 119, 1000, 1010])
def test_chinese_numerals_round_trip(number):
    assert cn_to_int(int_to_cn(number)) == number


def test_chinese_numerals_examples():
    assert cn_to_int("一百一十九") == 119
    assert cn_to_int("十二") == 12
    assert cn_to_int("一百零三") == 103
    assert int_to_cn(21) == "二十一"
    with pytest.raises(ValueError):
        cn_to_int("第一")


@pytest.mark.parametrize(("filename", "title", "per_chapter"), STATUTES)
def test_reference_statutes_parse_to_exact_counts(shared_data, filename, title, per_chapter):
    path = shared_data / "laws" / filename
    statute = parse_statute(read_statute_file(path), path.name)
    assert statute.title == title
    assert [len(c.articles) for c in statute.chapters] == per_chapter
    numbers = [a.number for a in statute.articles]
    assert numbers == list(range(1, sum(per_chapter) + 1))
    assert all(a.paragraphs and a.paragraphs[0] for a in statute.articles)


def test_work_safety_and_fire_law_totals(shared_data):
    laws = shared_data / "laws"
    safety = parse_statute(read_statute_file(laws / STATUTES[0][0]), STATUTES[0][0])
    fire = parse_statute(read_statute_file(laws / STATUTES[1][0]), STATUTES[1][0])
    assert len(safety.articles) == 119 and len(fire.articles) == 74
    # Article 21 (主要负责人职责) is in chapter 2 with its numbered items kept as paragraphs.
    art21 = next(a for a in safety.articles if a.number == 21)
    chapter = next(c for c in safety.chapters if art21 in c.articles)
    assert chapter.number == 2 and chapter.title == "生产经营单位的安全生产保障"
    assert art21.paragraphs[0].startswith("生产经营单位的主要负责人对本单位安全生产工作负有下列职责")
    assert any(p.startswith("（七）") for p in art21.paragraphs)
    assert next(c for c in fire.chapters if c.number == 1).title == "总则"  # "总 则" tidied


@pytest.mark.django_db
def test_importing_all_five_twice_reports_no_change(shared_data):
    index = make_index()
    files = statute_files(shared_data / "laws")
    assert len(files) == 5
    first = [import_statute(text=read_statute_file(p), filename=p.name, index_page=index) for p in files]
    assert all(r.created for r in first)
    for report, (_f, title, per_chapter) in zip(
        sorted(first, key=lambda r: r.title), sorted(STATUTES, key=lambda s: s[1]), strict=True
    ):
        assert report.title == title
        assert [n for _t, n in report.chapter_counts] == per_chapter
        course = CoursePage.objects.get(law_title=title)
        lessons = list(LessonPage.objects.child_of(course).live().order_by("path"))
        assert [ls.slug for ls in lessons] == [f"chapter-{n}" for n in range(1, len(per_chapter) + 1)]
        blocks = [[b for b in ls.body if b.block_type == "law_article"] for ls in lessons]
        assert [len(b) for b in blocks] == per_chapter
    second = [import_statute(text=read_statute_file(p), filename=p.name, index_page=index) for p in files]
    assert all(r.unchanged for r in second), [r.summary() for r in second]
    assert all("no change" in r.summary() for r in second)


@pytest.mark.django_db
def test_article_anchor_and_url(shared_data):
    index = make_index()
    path = shared_data / "laws" / STATUTES[0][0]
    report = import_statute(text=read_statute_file(path), filename=path.name, index_page=index)
    url = report.course.article_url(21)
    assert url.endswith("/chapter-2/#article-21")
    lesson = LessonPage.objects.child_of(report.course).get(slug="chapter-2")
    from django.test import Client

    html = Client().get(lesson.url).content.decode()
    assert 'id="article-21"' in html and "第二十一条" in html


# The invented statutes in tests/fixtures/laws: (file name, full title, version, [(chapter, articles)]).
COMMUNITY, WAREHOUSE, STORAGE = (
    "社区消防互助条例(2022-03-15).md",
    "仓库动火作业管理办法(2020-09-01).md",
    "危险物品临时存放规定.txt",
)
FIXTURES = [
    (
        COMMUNITY,
        "示范市社区消防互助条例",
        "2022-03-15",
        [("第一章 总则", 5), ("第二章 互助组织", 9), ("第三章 保障措施", 7), ("第四章 附则", 2)],
    ),
    (
        WAREHOUSE,  # UTF-8 with BOM, CRLF line endings
        "示范县仓库动火作业管理办法",
        "2020-09-01",
        [("第一章 总则", 3), ("第二章 作业审批", 5), ("第三章 现场监护", 4), ("第四章 附则", 1)],
    ),
    (
        STORAGE,  # plain text: table of contents, U+3000 indents and gaps, no version in the name, no final newline
        "示范区危险物品临时存放规定",
        "",
        [("第一章 总则", 2), ("第二章 存放要求", 4), ("第三章 附则", 1)],
    ),
]


def test_fixture_statutes_are_messy_like_real_files(statute_fixtures):
    """Guards the fixtures themselves: an editor that strips the BOM or the CRLFs would silently weaken the tests."""
    assert [p.name for p in statute_files(statute_fixtures)] == sorted([COMMUNITY, WAREHOUSE, STORAGE])
    warehouse = (statute_fixtures / WAREHOUSE).read_bytes()
    assert warehouse.startswith(b"\xef\xbb\xbf#") and warehouse.count(b"\r\n") == warehouse.count(b"\n")
    storage = (statute_fixtures / STORAGE).read_text(encoding="utf-8")
    assert "第五条\u3000\u3000不同" in storage and "\u3000\u3000第一条\u3000为了" in storage
    assert "## 第一章 总 则" in (statute_fixtures / COMMUNITY).read_text(encoding="utf-8")
    text = read_statute_file(statute_fixtures / WAREHOUSE)
    assert text.startswith("# 示范县") and "\r\n" in text  # BOM dropped on reading; the parser handles CRLF


@pytest.mark.parametrize(
    ("filename", "title", "version", "chapters"), FIXTURES, ids=["community", "warehouse-bom-crlf", "storage-txt"]
)
def test_fixture_statutes_parse_to_exact_counts(statute_fixtures, filename, title, version, chapters):
    path = statute_fixtures / filename
    statute = parse_statute(read_statute_file(path), path.name)
    assert (statute.title, statute.version) == (title, version)
    assert [(c.full_title, len(c.articles)) for c in statute.chapters] == chapters  # "总 则" / "总　　则" -> "总则"
    assert [c.slug for c in statute.chapters] == [f"chapter-{n}" for n in range(1, len(chapters) + 1)]
    total = sum(n for _c, n in chapters)
    assert [a.number for a in statute.articles] == list(range(1, total + 1))
    assert [a.label for a in statute.articles] == [f"第{int_to_cn(n)}条" for n in range(1, total + 1)]
    for article in statute.articles:
        assert article.paragraphs and all(p and p == p.strip() for p in article.paragraphs), article
        assert not any(ch in article.text for ch in "\ufeff\r\u3000"), article


def test_fixture_paragraphs_items_and_sections_are_kept(statute_fixtures):
    def parsed(name):
        statute = parse_statute(read_statute_file(statute_fixtures / name), name)
        return {a.number: a for a in statute.articles}

    community = parsed(COMMUNITY)
    assert community[4].paragraphs == [
        "街道办事处负责指导本辖区的社区消防互助工作。",
        "居民委员会协助做好组织、宣传和登记工作。",
    ]
    art11 = community[11]
    assert art11.label == "第十一条" and art11.paragraphs[0].endswith("下列事项：")
    assert [p[:3] for p in art11.paragraphs[1:]] == ["（一）", "（二）", "（三）", "（四）"]
    art21 = community[21]
    assert art21.label == "第二十一条" and len(art21.paragraphs) == 5
    assert art21.paragraphs[3] == "（三）演练和巡查记录。" and art21.paragraphs[4].startswith("检查结果")
    assert art21.text.count("\n") == 4
    sections = {n: a.section for n, a in community.items()}
    assert [sections[n] for n in (5, 6, 9, 10, 14, 15)] == [
        "",
        "第一节 组建",
        "第一节 组建",
        "第二节 职责",
        "第二节 职责",
        "",
    ]

    warehouse = parsed(WAREHOUSE)  # CRLF: no stray "\r", items still one paragraph each
    assert warehouse[5].paragraphs == [
        "动火申请表应当载明下列内容：",
        "（一）作业地点和时间；",
        "（二）作业内容和方法；",
        "（三）现场监护人；",
        "（四）防火措施。",
    ]
    assert warehouse[10].label == "第十条" and len(warehouse[11].paragraphs) == 2

    storage = parsed(STORAGE)  # U+3000 after the article number, as an indent, and at the end of a line
    assert storage[1].paragraphs == ["为了规范危险物品的临时存放，保障人员和财产安全，制定本规定。"]
    assert storage[2].paragraphs[0].endswith("情形。")
    assert storage[4].paragraphs[1:] == ["（一）相应类型的灭火器；", "（二）泄漏应急处置用品；", "（三）个人防护用品。"]
    assert storage[5].paragraphs == ["不同性质的危险物品应当分开存放，不得混存。"]
    assert storage[6].paragraphs == ["临时存放点应当由专人管理，每日检查并记录。", "发现包装破损的，应当立即处置。"]
    assert storage[7].paragraphs == ["本规定自印发之日起施行。"]  # the file has no final newline


def long_statute(per_chapter=(40, 40, 40)) -> str:
    """A generated statute long enough for three-digit article numbers (第一百零三条, 第一百一十条)."""
    lines, number = ["# 示范长篇条例", "", "<!-- INFO END -->", ""], 0
    for chapter, count in enumerate(per_chapter, start=1):
        lines += [f"## 第{int_to_cn(chapter)}章 第{chapter}部分", ""]
        for _ in range(count):
            number += 1
            lines += [f"第{int_to_cn(number)}条 这是生成的第{number}条。", ""]
    return "\n".join(lines)


@pytest.mark.django_db
def test_three_digit_article_numbers_parse_and_link():
    statute = parse_statute(long_statute(), "示范长篇条例(2023-01-01).md")
    assert [len(c.articles) for c in statute.chapters] == [40, 40, 40]
    labels = {a.number: a.label for a in statute.articles}
    assert [a.number for a in statute.articles] == list(range(1, 121))
    assert (labels[100], labels[103], labels[110], labels[119]) == (
        "第一百条",
        "第一百零三条",
        "第一百一十条",
        "第一百一十九条",
    )
    assert next(a for a in statute.articles if a.number == 103).paragraphs == ["这是生成的第103条。"]
    report = import_statute(text=long_statute(), filename="示范长篇条例(2023-01-01).md", index_page=make_index())
    assert report.created and report.article_count == 120
    assert report.course.article_url(103).endswith("/chapter-3/#article-103")
    assert report.course.article_url(40).endswith("/chapter-1/#article-40")


@pytest.mark.django_db
def test_importing_the_fixture_statutes_twice_reports_no_change(statute_fixtures):
    index = make_index()
    files = statute_files(statute_fixtures)
    first = {
        r.title: r
        for r in (import_statute(text=read_statute_file(p), filename=p.name, index_page=index) for p in files)
    }
    assert sorted(first) == sorted(title for _f, title, _v, _c in FIXTURES)
    for _f, title, version, chapters in FIXTURES:
        report = first[title]
        assert report.created and report.chapter_counts == chapters
        course = CoursePage.objects.get(law_title=title)
        assert course.live and course.law_version == version
        lessons = list(LessonPage.objects.child_of(course).live().order_by("path"))
        assert [(ls.slug, ls.title) for ls in lessons] == [
            (f"chapter-{n}", name) for n, (name, _count) in enumerate(chapters, start=1)
        ]
        blocks = [[b for b in ls.body if b.block_type == "law_article"] for ls in lessons]
        assert [len(b) for b in blocks] == [count for _name, count in chapters]
        assert all(b.value["law_name"] == title for lesson_blocks in blocks for b in lesson_blocks)
    community = CoursePage.objects.get(law_title="示范市社区消防互助条例")
    chapter2 = LessonPage.objects.child_of(community).get(slug="chapter-2")
    assert [b.value["text"] for b in chapter2.body if b.block_type == "heading"] == ["第一节 组建", "第二节 职责"]
    art11 = next(b for b in chapter2.body if b.block_type == "law_article" and b.value["number"] == "第十一条")
    assert art11.value["text"].split("\n")[1:] == [
        "（一）楼道、安全出口是否堆放杂物；",
        "（二）电动自行车是否在室内或者楼道充电；",
        "（三）消火栓、灭火器是否完好有效；",
        "（四）其他可能引发火灾的隐患。",
    ]
    second = [import_statute(text=read_statute_file(p), filename=p.name, index_page=index) for p in files]
    assert all(r.unchanged for r in second), [r.summary() for r in second]
    assert all(r.summary().endswith("; no change") for r in second)


@pytest.mark.django_db
def test_fixture_article_anchor_and_url(statute_fixtures):
    from django.test import Client

    path = statute_fixtures / COMMUNITY
    report = import_statute(text=read_statute_file(path), filename=path.name, index_page=make_index())
    course = report.course
    assert course.article_url(21).endswith("/chapter-3/#article-21")
    assert course.article_url(11).endswith("/chapter-2/#article-11")
    assert course.article_url(1).endswith("/chapter-1/#article-1")
    assert course.article_url(24) is None
    lesson = LessonPage.objects.child_of(course).get(slug="chapter-3")
    html = Client().get(lesson.url).content.decode()
    assert 'id="article-21"' in html and "第二十一条" in html and "（三）演练和巡查记录。" in html
    assert 'id="article-15"' in html and 'id="article-11"' not in html  # article 11 is in chapter 2


@pytest.mark.django_db
def test_import_law_command_and_dry_run_on_the_fixtures(statute_fixtures, capsys):
    make_index()
    path = statute_fixtures / WAREHOUSE
    call_command("import_law", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert f"[dry run] {WAREHOUSE}: 示范县仓库动火作业管理办法: 13 articles in 4 chapter(s); created" in out
    assert not CoursePage.objects.filter(law_title="示范县仓库动火作业管理办法").exists()
    call_command("import_law", str(path))
    assert "示范县仓库动火作业管理办法: 13 articles in 4 chapter(s); created" in capsys.readouterr().out
    assert CoursePage.objects.filter(law_title="示范县仓库动火作业管理办法").count() == 1
    call_command("import_law", str(statute_fixtures), "--dry-run")
    out = capsys.readouterr().out
    assert "[dry run] " + WAREHOUSE + ": 示范县仓库动火作业管理办法: 13 articles in 4 chapter(s); no change" in out
    assert "示范市社区消防互助条例: 23 articles in 4 chapter(s); created" in out
    assert CoursePage.objects.exclude(law_title="").count() == 1
    call_command("import_law", str(statute_fixtures))
    out = capsys.readouterr().out
    assert "示范县仓库动火作业管理办法: 13 articles in 4 chapter(s); no change" in out
    assert "示范市社区消防互助条例: 23 articles in 4 chapter(s); created" in out
    assert "示范区危险物品临时存放规定: 7 articles in 3 chapter(s); created" in out
    assert CoursePage.objects.exclude(law_title="").count() == 3


AMENDABLE = """# 示例安全条例

<!-- INFO END -->

## 第一章 总则

第一条 为了示例，制定本条例。

第二条 本条例适用于示例单位。

## 第二章 管理

### 第一节 一般规定

第三条 单位应当建立制度。

第四条 单位应当组织培训。

### 第二节 特别规定

第五条 重点部位应当每日巡查。
"""


@pytest.mark.django_db
def test_reimport_reports_added_changed_removed():
    index = make_index()
    first = import_statute(text=AMENDABLE, filename="示例安全条例(2020-01-01).md", index_page=index)
    assert first.created and first.article_count == 5
    lesson = LessonPage.objects.child_of(first.course).get(slug="chapter-2")
    headings = [b.value["text"] for b in lesson.body if b.block_type == "heading"]
    assert headings == ["第一节 一般规定", "第二节 特别规定"]
    amended = (
        AMENDABLE.replace("单位应当组织培训。", "单位应当每年组织培训。")
        .replace("第五条 重点部位应当每日巡查。\n", "")
        .rstrip("\n")
        + "\n\n第五条 重点部位应当每日两次巡查。\n\n第六条 本条例自公布之日起施行。\n"
    ).replace("第二条 本条例适用于示例单位。\n", "")
    # Renumber: 3->2, 4->3, 5->4, 6->5 would be a real amendment; here we keep numbers and drop article 2.
    amended = (
        amended.replace("第三条", "第二条")
        .replace("第四条", "第三条")
        .replace("第五条", "第四条")
        .replace("第六条", "第五条")
    )
    amended = amended.replace("第五条 本条例自公布之日起施行。", "第五条 本条例自公布之日起施行。\n\n第六条 新增一条。")
    report = import_statute(text=amended, filename="示例安全条例(2021-01-01).md", index_page=index)
    assert not report.created
    assert report.added == [6]
    assert report.removed == []
    assert report.changed == [2, 3, 4, 5]
    course = CoursePage.objects.get(pk=first.course.pk)
    assert course.law_version == "2021-01-01"
    again = import_statute(text=amended, filename="示例安全条例(2021-01-01).md", index_page=index)
    assert again.unchanged


@pytest.mark.django_db
def test_removed_article_and_chapter_reported():
    index = make_index()
    import_statute(text=AMENDABLE, filename="示例安全条例.md", index_page=index)
    shorter = AMENDABLE.split("## 第二章")[0]
    report = import_statute(text=shorter, filename="示例安全条例.md", index_page=index)
    assert report.removed == [3, 4, 5] and report.added == [] and report.changed == []
    course = report.course
    assert not LessonPage.objects.child_of(course).get(slug="chapter-2").live


def test_plain_text_without_chapters_and_with_table_of_contents():
    text = "某某管理办法\r\n\r\n目　　录\r\n第一章　总　　则\r\n第二章　附　　则\r\n\r\n第一章　总　　则\r\n第一条　为了管理，制定本办法。\r\n第二条　本办法适用于本区。\r\n第二章　附　　则\r\n第三条　本办法自发布之日起施行。\r\n"
    statute = parse_statute(text, "办法.txt")
    assert statute.title == "某某管理办法"
    assert [(c.full_title, len(c.articles)) for c in statute.chapters] == [("第一章 总则", 2), ("第二章 附则", 1)]
    flat = parse_statute("某办法\n第一条 一。\n第二条 二。\n第三条 三。\n", "x.txt")
    assert len(flat.chapters) == 1 and flat.chapters[0].slug == "full-text" and len(flat.articles) == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("某办法\n第一条 一。\n第一条 重复。\n", "第 3 行"),
        ("某办法\n第二条 二。\n第一条 倒序。\n", "第 3 行"),
        ("某办法\n第一章 总则\n第一条 一。\n第一章 总则\n第二条 二。\n", "第 4 行"),
        ("某办法\n没有条文\n", "没有找到"),
        ("某办法\n第一章 总则\n这一行不属于任何条文\n第一条 一。\n", "第 3 行"),
    ],
)
def test_bad_statutes_are_refused_with_the_line(text, message):
    with pytest.raises(LawImportError) as exc:
        parse_statute(text, "x.txt")
    assert message in str(exc.value)


@pytest.mark.django_db
def test_import_law_command_and_dry_run(shared_data, capsys):
    make_index()
    path = shared_data / "laws" / STATUTES[1][0]
    call_command("import_law", str(path), "--dry-run")
    assert "[dry run]" in capsys.readouterr().out
    assert not CoursePage.objects.filter(law_title="中华人民共和国消防法").exists()
    call_command("import_law", str(path))
    assert "74 articles in 7 chapter(s); created" in capsys.readouterr().out
    call_command("import_law", str(shared_data / "laws"))
    out = capsys.readouterr().out
    assert "中华人民共和国消防法: 74 articles in 7 chapter(s); no change" in out
    assert "中华人民共和国安全生产法: 119 articles in 7 chapter(s); created" in out


# --- forms real copies of statutes have (web pages, Word documents, PDFs) ------------------------------------------


def _shape(text: str) -> list[tuple[str, str, list[tuple[int, list[str]]]]]:
    statute = parse_statute(text, "某办法.md")
    return [(c.label, c.title, [(a.number, a.paragraphs) for a in c.articles]) for c in statute.chapters]


@pytest.mark.parametrize(
    "article_two",
    [
        "第二条：二。",
        "第二条:二。",
        "第二条 ：二。",
        "第二条为二。",
        "**第二条** 二。",
        "\u200b第二条 二。",
        "第二条\u00a0二。",
    ],
)
def test_article_forms_are_read_and_never_swallowed(article_two):
    """A colon, no separator, bold, a zero-width or no-break space: each used to be swallowed silently into the
    previous article (the article vanished) or refused."""
    shape = _shape(f"# 某办法\n## 第一章 总则\n第一条 一。\n{article_two}\n第三条 三。\n")
    numbers = [n for _label, _title, articles in shape for n, _p in articles]
    assert numbers == [1, 2, 3]
    assert shape[0][2][0] == (1, ["一。"])
    assert shape[0][2][1][1][0].endswith("二。") and "第二条" not in shape[0][2][1][1][0]


@pytest.mark.parametrize("heading", ["## 第二章：管理", "## 第二章管理", "**第二章 管理**", "第二章　管理"])
def test_chapter_heading_forms(heading):
    shape = _shape(f"# 某办法\n## 第一章 总则\n第一条 一。\n{heading}\n第二条 二。\n")
    assert [(label, title) for label, title, _a in shape] == [("第一章", "总则"), ("第二章", "管理")]


def test_a_section_heading_without_a_space():
    statute = parse_statute("# 某办法\n## 第一章 总则\n### 第一节一般规定\n第一条 一。\n", "x.md")
    assert statute.articles[0].section == "第一节 一般规定"


def test_a_paragraph_that_begins_by_citing_an_article_stays_a_paragraph():
    shape = _shape("# 某办法\n## 第一章 总则\n第一条 一。\n第二条 二。\n第一条规定的单位应当报告。\n第三条 三。\n")
    assert shape[0][2][1] == (2, ["二。", "第一条规定的单位应当报告。"])


def test_a_gap_in_the_numbering_is_refused_naming_the_line():
    """An article the parser cannot see must not vanish: official texts number their articles without gaps."""
    with pytest.raises(LawImportError, match="第 5 行：第三条之前缺少第二条"):
        parse_statute("# 某办法\n## 第一章 总则\n第一条 一。\n第 二 条 二。\n第三条 三。\n", "x.md")


def test_an_inserted_article_is_refused_with_a_reason():
    with pytest.raises(LawImportError, match="第一条之一"):
        parse_statute("# 某办法\n## 第一章 总则\n第一条 一。\n第一条之一 插入。\n第二条 二。\n", "x.md")


def test_a_table_of_contents_heading_is_not_the_summary():
    statute = parse_statute(
        "# 某办法\n目　　录\n第一章　总则\n第二章　附则\n## 第一章 总则\n第一条 一。\n## 第二章 附则\n第二条 二。\n",
        "x.md",
    )
    assert statute.preamble == [] and [c.title for c in statute.chapters] == ["总则", "附则"]
