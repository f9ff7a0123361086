"""Drawing an exam paper: the one implementation of the paper rules (sections, type, category with its subcategories,
difficulty, count, points, fixed lists, never a question twice, question and option shuffles), shared by the start
of an attempt (quizzes.exams.services.attempt_start, drawing on the spot) and the papers drawn ahead of an exam's
opening (quizzes.exams.services.exam_papers_prepare, 预生成试卷).

A helper module below the services: it reads the bank and the exam's sections and returns frozen papers as plain data;
it writes nothing. The steps, each used by both callers:

    paper_rules(exam)            the sections, the category tree below them, and a key that changes with any of them
    section_pools(exam, rules)   the question ids each section may draw from (one id-only query per drawing section)
    choose(exam, rules, pools)   the random part: which ids, in which order (no database)
    paper_rows(ids)              the chosen questions' fields, in one query
    assemble(...)                the paper in order, with points and section titles
    paper_pictures(papers)       the library pictures' URLs (two queries), and the ones that failed to render
    freeze(exam, paper)          each question's snapshot, options in the order this candidate sees them

Questions held by a paper drawn ahead are checked against the bank again when the paper is handed out
(stale_count_sql, inside the claim's own query, and the refresh's): a question edited, moved, retired or deleted since
the draw makes the paper stale.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models.expressions import RawSQL

from quizzes.bank.models import Category, Question
from quizzes.exams.models import Exam, ExamSection

logger = logging.getLogger("elearn.quizzes.exams")

SNAPSHOT_FIELDS = (
    "id", "type", "stem", "image_id", "options", "correct_options", "accepted_answers", "explanation",
    "source_law", "source_article", "source_url",
)  # fmt: skip

# What makes a bank question "the same" as when a paper was drawn: its content fingerprint (type, stem, options,
# answers, explanation, source, difficulty), whether it may still be drawn, where it sits, its picture (the link and
# the picture's file: a new file uploaded over a library image keeps its id) and study link, and the bank's own change
# stamp (every bank service sets updated_at, bulk writers included). The database computes a question's version from
# them (VERSION_SQL): the same expression when a paper is drawn, when it is handed out (inside the claim's query: no
# row comes back to Python) and when the refresh looks for stale papers. An image or category deleted in the bank
# nulls the link without touching updated_at; the link itself is part of the version.
VERSION_SQL = {
    "postgresql": "left(md5(concat_ws('|', {q}.status, {q}.content_hash, coalesce({q}.category_id::text, ''), "
    "coalesce({q}.image_id::text, ''), {q}.source_url, extract(epoch from {q}.updated_at)::text, "
    "coalesce((SELECT concat_ws('|', i.file, i.file_hash) FROM {img} i WHERE i.id = {q}.image_id), ''))), 16)",
    "sqlite": "substr(MD5(coalesce({q}.status, '') || '|' || coalesce({q}.content_hash, '') || '|' || "
    "coalesce({q}.category_id, '') || '|' || coalesce({q}.image_id, '') || '|' || coalesce({q}.source_url, '') || "
    "'|' || coalesce({q}.updated_at, '') || '|' || coalesce((SELECT i.file || '|' || coalesce(i.file_hash, '') "
    "FROM {img} i WHERE i.id = {q}.image_id), '')), 1, 16)",  # MD5: Django registers it on its SQLite connections
}


# --------------------------------------------------------------------------- the rules


@dataclass
class PaperRules:
    """An exam's paper rules as stored now: its sections in order, the categories each section draws from (the
    section's category and every category below it), and `key`, a fingerprint of everything a paper depends on
    except the bank's questions themselves (shuffles, every section field, the category tree below the sections)."""

    sections: list[ExamSection]
    descendants: dict[int, list[int]] = field(default_factory=dict)
    key: str = ""


def _digest(data) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _descendants(root: int, children: dict[int | None, list[int]]) -> list[int]:
    ids, frontier, seen = [root], [root], {root}
    while frontier:
        frontier = [c for parent in frontier for c in children.get(parent, ()) if c not in seen]
        seen.update(frontier)
        ids.extend(frontier)
    return ids


def paper_rules(exam: Exam) -> PaperRules:
    """Read the exam's sections (one query) and, when a section names a category, the category tree (one query)."""
    sections = list(ExamSection.objects.filter(exam_id=exam.pk).order_by("sort_order", "pk"))
    descendants: dict[int, list[int]] = {}
    if any(s.category_id for s in sections):
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Category.objects.order_by("pk").values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        for s in sections:
            if s.category_id and s.category_id not in descendants:
                descendants[s.category_id] = sorted(_descendants(s.category_id, children))
    key = _digest(
        {
            "shuffle_questions": exam.shuffle_questions,
            "shuffle_options": exam.shuffle_options,
            "sections": [
                [
                    s.title,
                    s.question_type,
                    s.category_id,
                    s.difficulty,
                    s.count,
                    str(Decimal(s.points).quantize(Decimal("0.01"))),
                    s.fixed_question_ids,
                    descendants.get(s.category_id) if s.category_id else None,
                ]
                for s in sections
            ],
        }
    )
    return PaperRules(sections=sections, descendants=descendants, key=key)


# --------------------------------------------------------------------------- drawing


@dataclass
class Pools:
    """Per section (in order): the ids it may draw from, or its fixed list. `key` fingerprints the drawable ids, so
    that a question added to (or removed from) a section's pool is noticed by the background refresh."""

    ids: list[tuple[ExamSection, list[int], bool]]  # (section, ids, fixed)
    key: str


def section_pools(exam: Exam, rules: PaperRules) -> Pools:
    pools = []
    for section in rules.sections:
        fixed = section.fixed_ids
        if fixed:
            pools.append((section, list(dict.fromkeys(fixed)), True))
            continue
        qs = Question.objects.active()
        if section.question_type:
            qs = qs.filter(type=section.question_type)
        if section.category_id:
            qs = qs.filter(category_id__in=rules.descendants[section.category_id])
        if section.difficulty:
            qs = qs.filter(difficulty=section.difficulty)
        pools.append((section, list(qs.order_by().values_list("pk", flat=True)), False))
    return Pools(ids=pools, key=_digest([[sorted(ids), fixed] for _s, ids, fixed in pools]))


def choose(exam: Exam, pools: Pools, rng: random.Random) -> list[tuple[ExamSection, list[int]]]:
    """Which questions, section by section: up to `count` drawn at random from the pool (fewer when the pool has
    fewer), or the fixed list; never a question twice in one paper. No database."""
    chosen: set[int] = set()
    plan = []
    for section, pool, fixed in pools.ids:
        if fixed:
            ids = [i for i in pool if i not in chosen]
        else:
            candidates = [i for i in pool if i not in chosen]
            ids = rng.sample(candidates, min(section.count, len(candidates)))
            if not exam.shuffle_questions:
                ids.sort()
        chosen.update(ids)
        plan.append((section, ids))
    return plan


def paper_rows(ids) -> dict[int, dict]:
    """The chosen questions' SNAPSHOT_FIELDS and their "version" (VERSION_SQL), in one query, so that a paper's
    versions describe exactly the rows it was frozen from (fixed lists may name retired questions: not filtered)."""
    rows = Question.objects.filter(pk__in=set(ids)).order_by().annotate(version=_version_expression())
    return {r["id"]: r for r in rows.values(*SNAPSHOT_FIELDS, "version")}


def assemble(
    exam: Exam, plan: list[tuple[ExamSection, list[int]]], rows: dict[int, dict], rng: random.Random
) -> list[tuple[dict, Decimal, str]]:
    """[(question fields, points, section title)], sections in order, questions shuffled within their section."""
    paper = []
    for section, ids in plan:
        picked = [rows[i] for i in ids if i in rows]
        if exam.shuffle_questions:
            rng.shuffle(picked)
        title = section.title or section.get_question_type_display()
        paper.extend((q, section.points, title) for q in picked)
    return paper


def draw_paper(exam: Exam, *, rng: random.Random, rules: PaperRules | None = None) -> list[tuple[dict, Decimal, str]]:
    """Questions for one new paper: [(question as a dict of SNAPSHOT_FIELDS, points, section title)]."""
    return draw_papers(exam, 1, rng=rng, rules=rules)[0]


def draw_papers(
    exam: Exam, count: int, *, rng: random.Random, rules: PaperRules | None = None, pools: Pools | None = None
) -> list[list[tuple[dict, Decimal, str]]]:
    """`count` papers drawn independently by the same rules, the pools and the chosen rows read once."""
    rules = rules or paper_rules(exam)
    pools = pools or section_pools(exam, rules)
    plans = [choose(exam, pools, rng) for _ in range(count)]
    rows = paper_rows(i for plan in plans for _s, ids in plan for i in ids)
    return [assemble(exam, plan, rows, rng) for plan in plans]


# --------------------------------------------------------------------------- freezing


PICTURE_FILTER = "max-800x800"  # the rendition a paper shows a question's library picture in


def picture_urls(image_ids, *, check_files: bool = False) -> tuple[dict[int, str], set[int]]:
    """({image id: URL of its PICTURE_FILTER rendition}, {ids whose rendition failed}): the images and their existing
    renditions read in two queries. A picture fails when its file is missing or unreadable or storage is down (each
    failure is logged and gets no URL); with `check_files`, also when its rendition's row exists but the rendition's
    file does not (media restored without it: the URL would lead nowhere; a new upload of the picture renders it
    again). An image deleted meanwhile has no URL and is no failure: deleting it unlinks its questions, so a paper
    drawn with it is stale anyway."""
    from wagtail.images import get_image_model

    ids = {i for i in image_ids if i}
    urls: dict[int, str] = {}
    failed: set[int] = set()
    if not ids:
        return urls, failed
    images = {i.pk: i for i in get_image_model().objects.filter(pk__in=ids).prefetch_renditions(PICTURE_FILTER)}
    for pk, image in sorted(images.items()):
        try:
            rendition = image.get_rendition(PICTURE_FILTER)
            if check_files and not rendition.file.storage.exists(rendition.file.name):
                raise FileNotFoundError(f"rendition file {rendition.file.name} is missing")
            urls[pk] = rendition.url
        except Exception:  # whatever storage raises: the caller decides (a start goes on without it)
            logger.warning("image %s: rendition failed", pk, exc_info=True)
            failed.add(pk)
    return urls, failed


def question_snapshot(
    question, *, shuffle_options: bool, rng: random.Random, pictures: dict[int, str] | None = None
) -> tuple[dict, list[int]]:
    """A frozen copy of a bank question (a Question, or a dict of SNAPSHOT_FIELDS) with its options in the order
    this candidate sees them. Returns (snapshot, option_order): option_order[i] is the bank index of displayed
    option i, and the snapshot's "correct" indexes refer to the displayed order. `pictures`: picture_urls' URLs
    (read here when not given); a picture without one is frozen as no picture (a start goes on without it)."""
    q = question if isinstance(question, dict) else {f: getattr(question, f) for f in SNAPSHOT_FIELDS}
    if pictures is None:
        pictures = picture_urls([q["image_id"]])[0]
    options = list(q["options"] or [])
    order = list(range(len(options)))
    if shuffle_options and q["type"] in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        rng.shuffle(order)
    position_of = {bank_index: shown for shown, bank_index in enumerate(order)}
    snapshot = {
        "type": q["type"],
        "stem": q["stem"],
        "image_url": pictures.get(q["image_id"], ""),
        "options": [options[i] for i in order],
        "correct": sorted(position_of[i] for i in q["correct_options"] or [] if i in position_of),
        "accepted_answers": [list(b) for b in q["accepted_answers"] or []] if q["type"] == "fill" else [],
        "explanation": q["explanation"],
        "source": " ".join(p for p in (q["source_law"], q["source_article"]) if p),
        "source_url": q["source_url"],
        "question_id": q["id"],
    }
    return snapshot, order


def paper_pictures(papers, *, check_files: bool = False) -> tuple[dict[int, str], set[int]]:
    """picture_urls for every question of these drawn papers."""
    return picture_urls((q["image_id"] for paper in papers for q, _points, _title in paper), check_files=check_files)


def holds_picture(paper, image_ids: set[int]) -> bool:
    """Does this drawn paper show any of these pictures?"""
    return any(q["image_id"] in image_ids for q, _points, _title in paper)


def freeze(
    exam: Exam, paper: list[tuple[dict, Decimal, str]], *, rng: random.Random, pictures: dict[int, str] | None = None
) -> list[dict]:
    """The paper as stored: one item per question in position order, JSON-ready
    {"question_id", "points" (text), "section_title", "option_order", "snapshot"}. `pictures`: paper_pictures'
    URLs (read here when not given)."""
    if pictures is None:
        pictures = paper_pictures([paper])[0]
    items = []
    for question, points, section_title in paper:
        snapshot, order = question_snapshot(question, shuffle_options=exam.shuffle_options, rng=rng, pictures=pictures)
        items.append(
            {
                "question_id": question["id"],
                "points": str(points),
                "section_title": str(section_title)[:60],
                "option_order": order,
                "snapshot": snapshot,
            }
        )
    return items


# --------------------------------------------------------------------------- is a frozen paper still current?


def version_sql(table: str) -> str:
    """VERSION_SQL for this database, over the question table (or alias) `table` (quoted as it should appear)."""
    from wagtail.images import get_image_model

    pictures = connection.ops.quote_name(get_image_model()._meta.db_table)
    return VERSION_SQL[connection.vendor].format(q=table, img=pictures)


def _version_expression() -> RawSQL:
    return RawSQL(version_sql(connection.ops.quote_name(Question._meta.db_table)), ())


def paper_versions(paper: list[tuple[dict, Decimal, str]]) -> dict[str, str]:
    """{question id (text): version} of the rows a drawn paper holds (read with them by paper_rows)."""
    return {str(q["id"]): q["version"] for q, _points, _title in paper}


def stale_count_sql(versions: str) -> str:
    """A scalar SQL subquery: how many of the questions in the JSON object `versions` ({id: version}, the column of
    the paper's row as it should appear) changed or vanished in the bank since the paper was drawn. 0: current."""
    q = connection.ops.quote_name(Question._meta.db_table)
    each, key, distinct = {  # IS DISTINCT FROM / IS NOT: a null on either side counts as changed
        "postgresql": (f"jsonb_each_text({versions}) v", "v.key::bigint", "IS DISTINCT FROM"),
        "sqlite": (f"json_each({versions}) v", "CAST(v.key AS integer)", "IS NOT"),
    }[connection.vendor]
    return (
        f"(SELECT count(*) FROM {each} LEFT JOIN {q} ON {q}.id = {key} "
        f"WHERE {q}.id IS NULL OR {version_sql(q)} {distinct} v.value)"
    )
