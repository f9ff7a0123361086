"""Changes to the question bank: committing an import plan, bulk move and retire. Keyword-only, atomic.

Views, the API, the admin and the management commands call these; none of them writes questions itself.

Pictures that came with imported questions (`ParsedQuestion.image`, from any format) are stored here, when the
import is committed: checked again (`quizzes.bank.importers.images.check_image`: an invalid one is a warning naming
the question, never an error), stored once per content (an identical picture already in Wagtail's library, by its
file_hash, is reused) and attached to new questions and to matched questions that have no picture yet. A picture
never replaces one a question already has. Files written by an import that then fails are deleted again.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.files.images import ImageFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from taggit.models import Tag
from wagtail.images import get_image_model

from quizzes.bank.exceptions import BankError, ImportRejected
from quizzes.bank.importers import ImportPlan, Issue, ParseResult, parse_upload
from quizzes.bank.importers.images import CheckedImage, ImageProblem, check_image
from quizzes.bank.importers.plan import CategoryIndex, PlannedQuestion, build_plan_from
from quizzes.bank.links import lesson_url
from quizzes.bank.models import BankImportLock, Category, Question, QuestionTag

BATCH = 1000
UPDATE_FIELDS = [
    "image",
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
    images_attached: int = 0  # questions that got a picture
    images_stored: int = 0  # new pictures in Wagtail's library (identical ones are stored once)
    stored_files: list = field(default_factory=list, repr=False)  # (storage, name) written by this import

    def report(self, *, limit: int | None = None) -> dict:
        body = self.plan.report(limit=limit)
        body["committed"] = True
        body["written"] = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "categories_created": self.categories_created,
            "images_attached": self.images_attached,
            "images_stored": self.images_stored,
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
    stored_files: list = []
    try:
        with transaction.atomic():
            parsed = parse_upload(data=data, filename=filename, fmt=fmt, default_category=default_category)
            return _commit(
                parsed, actor=actor, skip_rejected=skip_rejected, progress=progress, stored_files=stored_files
            )
    except BaseException:
        _delete_files(stored_files)
        raise


def bank_import_parsed(*, parsed: ParseResult, actor, skip_rejected: bool = False) -> ImportResult:
    """Commit questions that did not come from a file (the demo seeder, other apps): same plan, same rules."""
    stored_files: list = []
    try:
        with transaction.atomic():
            return _commit(parsed, actor=actor, skip_rejected=skip_rejected, progress=None, stored_files=stored_files)
    except BaseException:
        _delete_files(stored_files)
        raise


def _commit(parsed: ParseResult, *, actor, skip_rejected: bool, progress, stored_files: list) -> ImportResult:
    """Plan inside the caller's transaction and write it (all or nothing). Imports take the bank lock first, so
    the plan is made against a bank no other import is changing."""
    BankImportLock.acquire()
    plan = build_plan_from(parsed, progress=progress)
    if plan.rejected and not skip_rejected:
        raise ImportRejected(plan)
    result = ImportResult(plan=plan, unchanged=len(plan.unchanged), stored_files=stored_files)
    # Pictures: one pass over the plan; no query at all when no question brought one.
    pictured = [p for p in (*plan.new, *plan.updated, *plan.unchanged) if p.parsed.image is not None]
    images = _store_images(pictured, plan=plan, actor=actor, result=result) if pictured else {}
    if not plan.new and not plan.updated and not images:
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
            image_id=images.get(id(planned)),
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
        if id(planned) in images and question.image_id is None:
            question.image_id = images[id(planned)]
        if not question.source_url:
            question.source_url = resolve(question.source_law, question.source_article)
        question.updated_at = now
        question.prepare_for_save()
        updated_questions.append(question)
    Question.objects.bulk_update(updated_questions, UPDATE_FIELDS, batch_size=BATCH)
    result.updated = len(updated_questions)

    # Matched questions whose only change is the picture they lacked: an update of that field alone.
    pictured_only = [
        Question(pk=p.existing_id, image_id=images[id(p)], updated_at=now) for p in plan.unchanged if id(p) in images
    ]
    Question.objects.bulk_update(pictured_only, ["image", "updated_at"], batch_size=BATCH)
    result.updated += len(pictured_only)
    result.unchanged -= len(pictured_only)

    tag_changes = [(q, p.tags) for q, p in zip(new_questions, plan.new, strict=True) if p.tags]
    tag_changes += [(stored[p.existing_id], p.tags) for p in plan.updated if "标签" in p.changes]
    _write_tags(tag_changes, replace_ids=[stored[p.existing_id].pk for p in plan.updated if "标签" in p.changes])
    return result


def _store_images(pictured: list[PlannedQuestion], *, plan: ImportPlan, actor, result: ImportResult) -> dict[int, int]:
    """Store the pictures of `pictured` that will be attached: {id(planned question): Wagtail image id}.

    A matched question that already has a picture keeps it (the file's picture is not stored). Each picture is
    checked; an invalid one is a warning naming the question's row, and the question is written without it."""
    existing_ids = [p.existing_id for p in pictured if p.existing_id is not None]
    without_picture: set[int] = set()
    for start in range(0, len(existing_ids), BATCH):
        without_picture.update(
            Question.objects.filter(pk__in=existing_ids[start : start + BATCH], image__isnull=True).values_list(
                "pk", flat=True
            )
        )
    wanted: list[tuple[PlannedQuestion, CheckedImage]] = []
    for planned in pictured:
        if planned.existing_id is not None and planned.existing_id not in without_picture:
            continue
        try:
            wanted.append((planned, check_image(planned.parsed.image)))
        except ImageProblem as exc:
            plan.warnings.append(
                Issue(plan.filename, planned.row, _("图片"), _("题目图片未导入：%(reason)s") % {"reason": exc.reason})
            )
    if not wanted:
        return {}
    Image = get_image_model()
    hashes = list({checked.sha1 for _p, checked in wanted})
    by_hash: dict[str, int] = {}
    for start in range(0, len(hashes), BATCH):
        for pk, file_hash in (
            Image.objects.filter(file_hash__in=hashes[start : start + BATCH])
            .order_by("pk")
            .values_list("pk", "file_hash")
        ):
            by_hash.setdefault(file_hash, pk)
    uploader = actor if getattr(actor, "pk", None) else None
    attached: dict[int, int] = {}
    for planned, checked in wanted:
        if checked.sha1 not in by_hash:
            image = Image(
                title=_image_title(planned, checked),
                file_size=len(planned.parsed.image.data),
                file_hash=checked.sha1,
                uploaded_by_user=uploader,
            )
            image.file = ImageFile(io.BytesIO(planned.parsed.image.data), name=checked.name)
            image.save()
            result.stored_files.append((image.file.storage, image.file.name))
            result.images_stored += 1
            by_hash[checked.sha1] = image.pk
        attached[id(planned)] = by_hash[checked.sha1]
    result.images_attached = len(attached)
    return attached


def _image_title(planned: PlannedQuestion, checked: CheckedImage) -> str:
    stem = " ".join(planned.parsed.stem.split())
    stem = stem if len(stem) <= 60 else stem[:59] + "…"
    return (_("题目图片：%(stem)s（%(name)s）") % {"stem": stem, "name": checked.name})[:255]


def _delete_files(stored: list) -> None:
    """Files of pictures an import stored before it failed: their rows were rolled back, so nothing uses them."""
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            pass


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


def question_sources_relink(*, law_title: str) -> int:
    """Link the questions citing `law_title` to the lessons where their articles are read, once, when the statute is
    imported (courses.signals.statute_imported): a question imported before its statute gets its link then, so no
    read has to look it up. A stored link is kept unless it is one this linking made (a lesson's article anchor),
    which is brought up to date (an article that moved to another chapter). Returns the number of questions changed."""
    resolve = _source_resolver()
    changed = []
    with transaction.atomic():
        for question in (
            Question.objects.select_for_update()
            .filter(source_law=law_title)
            .exclude(source_article="")
            .only("pk", "source_law", "source_article", "source_url")
        ):
            current = question.source_url or ""
            if current and not (current.startswith("/") and "#article-" in current):
                continue  # a link someone typed: theirs
            url = resolve(question.source_law, question.source_article)
            if url and url != current:
                question.source_url = url
                changed.append(question)
        Question.objects.bulk_update(changed, ["source_url"], batch_size=BATCH)
    return len(changed)


def on_statute_imported(sender, *, law_title: str, **kwargs) -> None:
    """Receiver of courses.signals.statute_imported (connected in QuizzesConfig.ready)."""
    question_sources_relink(law_title=law_title)
