"""The demo bank: 300+ valid questions across the nine campaign categories, every cited article exists in the
reference law texts, and seeding twice changes nothing."""

import io
from collections import Counter

import pytest

from quizzes.bank.models import Question
from quizzes.demo.bank import CATEGORIES, LAW_FILES, cited_articles_missing, demo_questions, seed_demo_bank

CAMPAIGN = [
    "安全生产法律法规",
    "消防安全",
    "应急处置与自救互救",
    "危险化学品",
    "动火作业",
    "特种设备",
    "医学装备",
    "燃气安全",
    "用电安全",
]


def test_demo_bank_is_valid_and_covers_every_category():
    parsed = demo_questions()
    assert parsed.rejected == [] and parsed.warnings == []
    assert len(parsed.questions) >= 300
    per_category = Counter(q.category[0] for q in parsed.questions)
    assert [name for name, _b, _d in CATEGORIES] == CAMPAIGN
    assert all(per_category[name] >= 25 for name in CAMPAIGN), per_category
    assert all(q.explanation for q in parsed.questions)
    assert {q.type for q in parsed.questions} == {"single", "multiple", "truefalse", "fill"}
    cited = [q for q in parsed.questions if q.source_law]
    assert len(cited) >= 120
    stems = Counter(q.stem for q in parsed.questions)
    assert [s for s, n in stems.items() if n > 1] == []


def test_every_citation_exists_in_the_law_texts(shared_data):
    assert cited_articles_missing(shared_data / "laws") == []


@pytest.mark.django_db
def test_seeding_is_idempotent(district_admin, shared_data):
    out = io.StringIO()
    seed_demo_bank(out, {"laws": str(shared_data / "laws")}, {"admin": district_admin})
    count = Question.objects.count()
    assert count >= 300 and "not found" not in out.getvalue()
    first = list(Question.objects.order_by("pk").values_list("pk", "content_hash", "updated_at"))
    out = io.StringIO()
    seed_demo_bank(out, {"laws": None}, {"admin": district_admin})
    assert "new 0, updated 0" in out.getvalue()
    assert list(Question.objects.order_by("pk").values_list("pk", "content_hash", "updated_at")) == first
    law = Question.objects.filter(source_article="第五条", source_law="中华人民共和国安全生产法").first()
    assert law is not None and [t.name for t in law.tags.all()] == ["安全生产法"]


def test_citation_check_reads_the_law_directory(tmp_path):
    """cited_articles_missing on generated statutes (articles 1..N, N the highest cited), so it runs without
    ../shared/data; a statute one article short misses its highest citation."""
    from content.numerals import cn_to_int, int_to_cn

    cited = sorted({(q.source_law, q.source_article) for q in demo_questions().questions if q.source_law})
    assert {law for law, _a in cited} <= set(LAW_FILES)
    assert len(cited_articles_missing(tmp_path)) == len([q for q in demo_questions().questions if q.source_law])
    highest = {}
    for law, article in cited:
        highest[law] = max(highest.get(law, 0), cn_to_int(article.removeprefix("第").removesuffix("条")))

    def write(law, count):
        lines = [f"# {law}", "", "<!-- INFO END -->", ""] + [
            f"第{int_to_cn(n)}条 生成的条文。" for n in range(1, count + 1)
        ]
        (tmp_path / f"{LAW_FILES[law]}(2000-01-01).md").write_text("\n".join(lines) + "\n", encoding="utf-8")

    for law in LAW_FILES:
        write(law, highest.get(law, 1))
    assert cited_articles_missing(tmp_path) == []
    law = cited[0][0]
    write(law, highest[law] - 1)
    assert f"{law}第{int_to_cn(highest[law])}条" in cited_articles_missing(tmp_path)


@pytest.mark.django_db
def test_seeding_is_idempotent_without_the_law_texts(district_admin, statute_fixtures):
    out = io.StringIO()
    seed_demo_bank(out, {"laws": str(statute_fixtures)}, {"admin": district_admin})
    count = Question.objects.count()
    assert count >= 300
    assert "citations not found in" in out.getvalue()  # the fixture statutes are not the five cited ones
    first = list(Question.objects.order_by("pk").values_list("pk", "content_hash", "updated_at"))
    out = io.StringIO()
    seed_demo_bank(out, {"laws": None}, {"admin": district_admin})
    assert "new 0, updated 0" in out.getvalue() and "not found" not in out.getvalue()
    assert list(Question.objects.order_by("pk").values_list("pk", "content_hash", "updated_at")) == first
    law = Question.objects.filter(source_article="第五条", source_law="中华人民共和国安全生产法").first()
    assert law is not None and [t.name for t in law.tags.all()] == ["安全生产法"]
