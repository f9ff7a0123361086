"""Changes to the question bank: committing an import plan, bulk move and retire. Keyword-only, atomic.

Views, the API, the admin and the management commands call these; none of them writes questions itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from taggit.models import Tag

from quizzes.bank.exceptions import BankError, ImportRejected
from quizzes.bank.importers import ImportPlan, ParseResult, parse_upload
from quizzes.bank.importers.plan import CategoryIndex, build_plan_from
from quizzes.bank.links import lesson_url
from quizzes.bank.models import BankImportLock, Category, Question, QuestionTag

BATCH = 1000
UPDATE_FIELDS = [
    "correct_options",
    "accepted_answers",
    "explanation",
    "difficulty",
    "source_law",
    "source_article",
    "source_url",
    "time_limit",
    "category",
    "identity_hash",
    "content_hash",
    "updated_at",
]


@dataclass
class ImportResult:
    plan: ImportPlan
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    categories_created: int = 0

    def report(self) -> dict:
        body = self.plan.report()
        body["committed"] = True
        body["written"] = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "categories_created": self.categories_created,
        }
        return body


def bank_import(
    *,
    data: bytes,
    filename: str,
    actor,
    fmt: str | None = None,
    default_category: list[str] | None = None,
    skip_rejected: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Parse, plan and write an import in one transaction. With rejected rows, nothing is written and
    ImportRejected carries the plan, unless `skip_rejected` (the user saw the dry run and chose to import the rest).
    Re-importing the same file finds every question unchanged and writes nothing."""
    with transaction.atomic():
        parsed = parse_upload(data=data, filename=filename, fmt=fmt, default_category=default_category)
        return _commit(parsed, actor=actor, skip_rejected=skip_rejected, progress=progress)


def bank_import_parsed(*, parsed: ParseResult, actor, skip_rejected: bool = False) -> ImportResult:
    """Commit questions that did not come from a file (the demo seeder, other apps): same plan, same rules."""
    with transaction.atomic():
        return _commit(parsed, actor=actor, skip_rejected=skip_rejected, progress=None)


def _commit(parsed: ParseResult, *, actor, skip_rejected: bool, progress) -> ImportResult:
    """Plan inside the caller's transaction and write it (all or nothing). Imports take the bank lock first, so
    the plan is made against a bank no other import is changing."""
    BankImportLock.acquire()
    plan = build_plan_from(parsed, progress=progress)
    if plan.rejected and not skip_rejected:
        raise ImportRejected(plan)
    result = ImportResult(plan=plan, unchanged=len(plan.unchanged))
    if not plan.new and not plan.updated:
        return result
    update_ids = [p.existing_id for p in plan.updated]
    categories = CategoryIndex()
    result.categories_created = _ensure_categories(plan, categories)
    resolve = _source_resolver()
    now = timezone.now()

    new_questions = []
    for planned in plan.new:
        question = Question(
            **planned.values,
            category_id=categories.get(planned.category_path),
            author=actor if getattr(actor, "pk", None) else None,
            status=Question.Status.ACTIVE,
        )
        question.source_url = resolve(question.source_law, question.source_article)
        if planned.hashes:  # values are canonical already (validated): reuse the plan's fingerprints
            question.identity_hash, question.content_hash = planned.hashes
        else:
            question.prepare_for_save()
        new_questions.append(question)
    Question.objects.bulk_create(new_questions, batch_size=BATCH)
    result.created = len(new_questions)

    updated_questions = []
    stored = {}
    for start in range(0, len(update_ids), BATCH):
        stored.update(Question.objects.in_bulk(update_ids[start : start + BATCH]))
    for planned in plan.updated:
        question = stored[planned.existing_id]
        for name, value in planned.values.items():
            setattr(question, name, value)
        question.category_id = categories.get(planned.category_path)
        if not question.source_url:
            question.source_url = resolve(question.source_law, question.source_article)
        question.updated_at = now
        question.prepare_for_save()
        updated_questions.append(question)
    Question.objects.bulk_update(updated_questions, UPDATE_FIELDS, batch_size=BATCH)
    result.updated = len(updated_questions)

    tag_changes = [(q, p.tags) for q, p in zip(new_questions, plan.new, strict=True) if p.tags]
    tag_changes += [(stored[p.existing_id], p.tags) for p in plan.updated if "标签" in p.changes]
    _write_tags(tag_changes, replace_ids=[stored[p.existing_id].pk for p in plan.updated if "标签" in p.changes])
    return result


def _ensure_categories(plan: ImportPlan, categories: CategoryIndex) -> int:
    created = 0
    for path in sorted(plan.new_categories, key=len):
        if categories.get(path) is not None:
            continue
        parent_id = categories.get(path[:-1]) if len(path) > 1 else None
        category = Category.objects.create(name=path[-1], parent_id=parent_id)
        categories.by_path[categories._key(path)] = category.pk
        categories.path_of[category.pk] = tuple(path)
        created += 1
    return created


def _write_tags(changes: list[tuple[Question, list[str]]], *, replace_ids: list[int]) -> None:
    for start in range(0, len(replace_ids), BATCH):
        QuestionTag.objects.filter(content_object_id__in=replace_ids[start : start + BATCH]).delete()
    names = {name for _q, tags in changes for name in tags}
    if not names:
        return
    tags_by_name = {t.name.casefold(): t for t in Tag.objects.filter(name__in=names)}
    for name in sorted(names):
        if name.casefold() not in tags_by_name:
            existing = Tag.objects.filter(name__iexact=name).first()
            tags_by_name[name.casefold()] = existing or Tag.objects.create(name=name)
    links = []
    for question, tags in changes:
        seen = set()
        for name in tags:
            tag = tags_by_name[name.casefold()]
            if tag.pk not in seen:
                seen.add(tag.pk)
                links.append((question.pk, tag.pk))
    # Two integer columns per link: a plain executemany is several times faster than building 20,000 model
    # instances for bulk_create (portable SQL, parameters quoted by the driver).
    table = connection.ops.quote_name(QuestionTag._meta.db_table)
    content = connection.ops.quote_name(QuestionTag._meta.get_field("content_object").column)
    tag_column = connection.ops.quote_name(QuestionTag._meta.get_field("tag").column)
    with connection.cursor() as cursor:
        for start in range(0, len(links), BATCH):
            cursor.executemany(
                f"INSERT INTO {table} ({content}, {tag_column}) VALUES (%s, %s)", links[start : start + BATCH]
            )


def _source_resolver() -> Callable[[str, str], str]:
    """Links a question's source to the study lesson covering that article (quizzes.bank.links), looked up once
    per (law, article) pair. `ELEARN_QUESTION_SOURCE_RESOLVER` (dotted path to callable(law, article) -> url)
    replaces it."""
    path = getattr(settings, "ELEARN_QUESTION_SOURCE_RESOLVER", "")
    func = import_string(path) if path else lesson_url
    cached = lru_cache(maxsize=None)(func)
    return lambda law, article: (cached(law, article) or "")[:300] if (law and article) else ""


def questions_move(*, question_ids: Iterable[int], category: Category, actor=None) -> int:
    """Move questions to `category`; returns how many moved."""
    ids = list(question_ids)
    if not ids:
        raise BankError(_("没有选择任何题目。"))
    with transaction.atomic():
        return (
            Question.objects.filter(pk__in=ids)
            .exclude(category=category)
            .update(category=category, updated_at=timezone.now())
        )


def questions_retire(*, question_ids: Iterable[int], actor=None) -> int:
    """Retire questions: they stay for history (exams keep their copies) but are no longer drawn."""
    ids = list(question_ids)
    if not ids:
        raise BankError(_("没有选择任何题目。"))
    with transaction.atomic():
        return (
            Question.objects.filter(pk__in=ids)
            .exclude(status=Question.Status.RETIRED)
            .update(status=Question.Status.RETIRED, updated_at=timezone.now())
        )
