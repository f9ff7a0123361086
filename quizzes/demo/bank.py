"""Demo question bank for `seed_demo`: 300+ questions written for this campaign across nine categories, with
explanations and the law articles they test. Goes through the importer's own plan and commit, so running it
again changes nothing (every question is found unchanged)."""

from __future__ import annotations

import re
from pathlib import Path

from quizzes.bank.importers.common import Issue, ParseResult, RawQuestion, Rejected, validate
from quizzes.bank.models import Category
from quizzes.bank.services import bank_import_parsed
from quizzes.demo.data import questions_equipment, questions_law, questions_practice

LAWS = {
    "安": "中华人民共和国安全生产法",
    "消": "中华人民共和国消防法",
    "危": "危险化学品安全管理条例",
    "应": "生产安全事故应急条例",
    "突": "中华人民共和国突发事件应对法",
}
# Law name -> file stem prefix in the reference law directory (seed_demo --laws DIR).
LAW_FILES = {
    "中华人民共和国安全生产法": "安全生产法",
    "中华人民共和国消防法": "消防法",
    "危险化学品安全管理条例": "危险化学品安全管理条例",
    "生产安全事故应急条例": "生产安全事故应急条例",
    "中华人民共和国突发事件应对法": "突发事件应对法",
}
TAGS = {name: LAW_FILES[name] for name in LAW_FILES}
TYPES = {"单": "单选题", "多": "多选题", "判": "判断题", "填": "填空题"}

CATEGORIES = [
    ("安全生产法律法规", questions_law.LAW, "安全生产法、突发事件应对法等法律法规的要点。"),
    ("消防安全", questions_law.FIRE, "消防法、火灾预防、初起火灾扑救与疏散逃生。"),
    ("应急处置与自救互救", questions_practice.EMERGENCY, "应急预案、事故报告、心肺复苏等现场急救。"),
    ("危险化学品", questions_practice.CHEMICALS, "危险化学品的储存、使用、运输与泄漏处置。"),
    ("动火作业", questions_practice.HOT_WORK, "动火审批、监火、气瓶与焊接安全。"),
    ("特种设备", questions_equipment.SPECIAL_EQUIPMENT, "电梯、压力容器、气瓶、医用氧舱等。"),
    ("医学装备", questions_equipment.MEDICAL_EQUIPMENT, "医疗设备使用安全、放射与磁共振安全、医用气体。"),
    ("燃气安全", questions_equipment.GAS, "燃气泄漏处置、燃气具使用与一氧化碳中毒预防。"),
    ("用电安全", questions_equipment.ELECTRICITY, "安全用电、触电急救与电气火灾预防。"),
]
FILENAME = "demo_bank"


def demo_questions() -> ParseResult:
    """The demo bank as a parse result (row = running number), validated by the importer's own rules."""
    result = ParseResult(filename=FILENAME, format="demo", layout="demo")
    row = 0
    for category, block, _description in CATEGORIES:
        for line in block.strip().splitlines():
            if not line.strip():
                continue
            row += 1
            kind, stem, options, answer, explanation, source, difficulty = line.split("#")
            law, article = "", ""
            if source:
                key, article = source.split(":")
                law = LAWS[key]
            raw = RawQuestion(
                row=row,
                type_text=TYPES[kind],
                stem=stem,
                options=options.split("^") if options else None,
                answer=answer,
                explanation=explanation,
                category=[category],
                difficulty=difficulty,
                source_law=law,
                source_article=article,
                tags=[TAGS[law]] if law else [],
                columns={},
                provided=frozenset(
                    {"type", "stem", "options", "answer", "explanation", "category", "difficulty", "source", "tags"}
                ),
            )
            try:
                result.questions.append(validate(raw, filename=FILENAME, warnings=result.warnings))
            except Rejected as exc:
                result.rejected.append(Issue(FILENAME, row, exc.column, exc.reason))
    return result


def cited_articles_missing(laws_dir: Path) -> list[str]:
    """Citations that do not exist in the reference law texts (`seed_demo --laws DIR`): should be none. The texts
    are read as the law importer reads them (any of its file forms), so a citation is checked against its articles."""
    from content.numerals import cn_to_int
    from courses.law_import import parse_statute, read_statute_file, statute_files

    files = statute_files(laws_dir)
    articles: dict[str, set[int]] = {}
    for name, stem in LAW_FILES.items():
        path = next((f for f in files if f.name.startswith(stem)), None)
        articles[name] = (
            {a.number for a in parse_statute(read_statute_file(path), path.name).articles} if path else set()
        )
    missing = []
    for q in demo_questions().questions:
        if not q.source_law:
            continue
        match = re.match(r"^第(.+?)条", q.source_article or "")
        if not match or cn_to_int(match.group(1)) not in articles.get(q.source_law, set()):
            missing.append(f"{q.source_law}{q.source_article}")
    return missing


def seed_demo_bank(stdout, options, context) -> None:
    for order, (name, _block, description) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            name=name, parent=None, defaults={"sort_order": order * 10, "description": description}
        )
    parsed = demo_questions()
    if parsed.rejected:
        raise RuntimeError(f"demo bank has invalid questions: {parsed.rejected}")
    result = bank_import_parsed(parsed=parsed, actor=context.get("admin"))
    laws = options.get("laws")
    if laws:
        missing = cited_articles_missing(Path(laws))
        if missing:
            stdout.write(f"  question bank: citations not found in {laws}: {', '.join(missing)}")
    stdout.write(
        f"  question bank: {len(parsed.questions)} questions in {len(CATEGORIES)} categories "
        f"(new {result.created}, updated {result.updated}, unchanged {result.unchanged})"
    )


def demo_questions_upsert(*, category_name: str, specs: list[dict]) -> dict[str, int]:
    """Create or update the demo's self-check questions (for study pages) in one top-level category, found by stem;
    returns {stem: question id}. Each spec: stem, type, options (default 正确/错误), correct, explanation, law,
    article."""
    from quizzes.bank.models import Question

    category, _ = Category.objects.get_or_create(name=category_name, parent=None, defaults={"sort_order": 90})
    ids = {}
    for spec in specs:
        question = Question.objects.filter(category=category, stem=spec["stem"]).first() or Question(
            category=category, stem=spec["stem"]
        )
        question.type = spec["type"]
        question.options = spec.get("options", ["正确", "错误"])
        question.correct_options = spec["correct"]
        question.explanation = spec["explanation"]
        question.source_law = spec["law"]
        question.source_article = spec["article"]
        question.status = Question.Status.ACTIVE
        question.full_clean(exclude=["identity_hash", "content_hash", "image", "author", "time_limit"])
        question.save()
        ids[spec["stem"]] = question.pk
    return ids
