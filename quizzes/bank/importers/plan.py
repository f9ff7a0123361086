"""Matching parsed questions against the bank: what an import would create, update or leave unchanged.

A question is "the same question" when its identity fingerprint (type + stem + options, normalised) matches.
An update never blanks data: fields a format or a file does not carry (Aiken has no explanation, a sheet without a
解析 column ...) keep their stored value, and so do fields a row leaves empty, unless the import was asked to clear
empty fields (`ParseResult.clear_empty`). Every change is listed as field, old value, new value.
Read-only: `quizzes.bank.services.bank_import` writes a plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils.translation import gettext as _

from quizzes.bank.importers.common import (
    FORMAT_LABELS,
    LAYOUT_LABELS,
    TYPE_LABELS,
    HeaderInfo,
    Issue,
    ParsedQuestion,
    ParseResult,
    answer_to_text,
    clean,
    fill_answers_to_text,
)
from quizzes.bank.importers.images import image_note
from quizzes.bank.models import OPTION_LETTERS, TRUE_FALSE_OPTIONS, Category, Question, QuestionTag, question_hashes
from quizzes.normalise import normalise_text

CHUNK = 500
FIELD_LABELS = {
    "explanation": "解析",
    "difficulty": "难度",
    "source_law": "出处（法规）",
    "source_article": "出处（条款）",
    "time_limit": "限时",
    "correct_options": "答案",
    "accepted_answers": "答案",
    "category": "分类",
    "tags": "标签",
}


@dataclass
class PlannedQuestion:
    parsed: ParsedQuestion
    values: dict  # model field values to write (merged with the stored question for an update)
    category_path: tuple[str, ...]
    tags: list[str]
    existing_id: int | None = None
    changes: list[str] = field(default_factory=list)  # labels of the changed fields (解析, 难度 ...)
    diffs: list[dict] = field(default_factory=list)  # {"field", "label", "old", "new"} for each change, as shown
    hashes: tuple[str, str] | None = None  # (identity, content) of `values`, for new questions

    @property
    def row(self) -> int:
        return self.parsed.row


@dataclass
class ImportPlan:
    filename: str
    format: str
    layout: str = ""
    new: list[PlannedQuestion] = field(default_factory=list)
    updated: list[PlannedQuestion] = field(default_factory=list)
    unchanged: list[PlannedQuestion] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    new_categories: list[tuple[str, ...]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    header: HeaderInfo | None = None
    clear_empty: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "rejected": len({issue.row for issue in self.rejected}),
            "skipped": len(self.skipped),
            "warnings": len(self.warnings),
        }

    def preview(self) -> list[dict]:
        """Every recognised question as it will be stored (new, updated, unchanged), in file order: what the admin
        checks before committing."""
        rows = [_preview(p, "new") for p in self.new]
        rows += [_preview(p, "updated") for p in self.updated]
        rows += [_preview(p, "unchanged") for p in self.unchanged]
        return sorted(rows, key=lambda r: r["row"])

    def report(self, *, limit: int | None = None) -> dict:
        """JSON-ready summary for the admin page, the API and the management command."""

        def cut(items):
            return items if limit is None else items[:limit]

        return {
            "filename": self.filename,
            "format": self.format,
            "layout": self.layout,
            "format_label": str(LAYOUT_LABELS.get(self.layout) or FORMAT_LABELS.get(self.format, self.format)),
            "ok": self.ok,
            "counts": self.counts(),
            "rejected": [i.as_dict() for i in cut(self.rejected)],
            "skipped": [i.as_dict() for i in cut(self.skipped)],
            "warnings": [i.as_dict() for i in cut(self.warnings)],
            "unmapped_columns": list(self.unmapped_columns),
            "new_categories": [" > ".join(p) for p in self.new_categories],
            "updates": [
                {
                    "row": p.row,
                    "question": p.existing_id,
                    "stem": p.values.get("stem", "")[:60],
                    "changes": p.changes,
                    "fields": p.diffs,
                }
                for p in cut(self.updated)
            ],
            "preview": cut(self.preview()),
            "notices": list(self.notices),
            "header": self.header.as_dict() if self.header else None,
            "clear_empty": self.clear_empty,
        }


STATUS_LABELS = {"new": "新建", "updated": "更新", "unchanged": "未变化"}


def _preview(planned: PlannedQuestion, status: str) -> dict:
    values = planned.values  # exactly what will be stored
    correct = set(values["correct_options"])
    return {
        "row": planned.row,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "question": planned.existing_id,
        "type": values["type"],
        "type_label": str(TYPE_LABELS.get(values["type"], values["type"])),
        "stem": values["stem"],
        "options": [
            {"letter": OPTION_LETTERS[i], "text": text, "correct": i in correct}
            for i, text in enumerate(values["options"] if values["type"] != Question.Type.FILL else [])
        ],
        "answer": answer_to_text(SimpleNamespace(**values)),
        "explanation": values["explanation"],
        "category": " > ".join(planned.category_path),
        "tags": list(planned.tags),
        "image": image_note(planned.parsed),
    }


class CategoryIndex:
    """Category paths ("消防安全", "医疗机构消防") -> id, loaded once."""

    def __init__(self):
        rows = list(Category.objects.values_list("pk", "name", "parent_id"))
        by_id = {pk: (name, parent) for pk, name, parent in rows}
        self.by_path: dict[tuple[str, ...], int] = {}
        self.path_of: dict[int, tuple[str, ...]] = {}
        for pk in by_id:
            names, node, seen = [], pk, set()
            while node is not None and node not in seen:
                seen.add(node)
                name, parent = by_id[node]
                names.append(name)
                node = parent
            path = tuple(reversed(names))
            self.path_of[pk] = path
            self.by_path.setdefault(self._key(path), pk)

    @staticmethod
    def _key(path) -> tuple[str, ...]:
        return tuple(p.strip().casefold() for p in path)

    def get(self, path) -> int | None:
        return self.by_path.get(self._key(path))


def _clean_value(value):
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_clean_value(v) for v in value]
    return value


def build_plan_from(parsed: ParseResult, *, progress=None) -> ImportPlan:
    plan = ImportPlan(
        filename=parsed.filename,
        format=parsed.format,
        layout=parsed.layout,
        rejected=list(parsed.rejected),
        skipped=list(parsed.skipped),
        warnings=list(parsed.warnings),
        unmapped_columns=list(parsed.unmapped_columns),
        notices=list(parsed.notices),
        header=parsed.header,
        clear_empty=parsed.clear_empty,
    )
    questions = parsed.questions
    total = len(questions)
    categories = CategoryIndex()

    hashed = []
    for q in questions:
        values = q.model_values()
        if q.type == Question.Type.TRUE_FALSE:
            values["options"] = list(TRUE_FALSE_OPTIONS)
        values.pop("time_limit")
        hashed.append((q, question_hashes(**values)))
    identities = list({identity for _q, (identity, _c) in hashed})
    stored: dict[str, dict] = {}
    fields = ["pk", "identity_hash", "category_id", *MODEL_FIELDS]
    for start in range(0, len(identities), CHUNK):
        for row in (
            Question.objects.filter(identity_hash__in=identities[start : start + CHUNK]).order_by("pk").values(*fields)
        ):
            stored.setdefault(row["identity_hash"], row)
    stored_tags: dict[int, list[str]] = {}
    ids = [row["pk"] for row in stored.values()]
    for start in range(0, len(ids), CHUNK):
        for qid, name in QuestionTag.objects.filter(content_object_id__in=ids[start : start + CHUNK]).values_list(
            "content_object_id", "tag__name"
        ):
            stored_tags.setdefault(qid, []).append(name)

    stem_index: dict[str, int] | None = None
    seen_identity: dict[str, int] = {}
    seen_stem: dict[str, int] = {}
    new_paths: dict[tuple[str, ...], None] = {}

    for done, (q, (identity, content)) in enumerate(hashed, start=1):
        if progress and (done % 500 == 0 or done == total):
            progress(done, total)
        if identity in seen_identity:
            plan.skipped.append(
                Issue(
                    plan.filename,
                    q.row,
                    _("题干"),
                    _("与第 %(r)d 行是同一道题，已跳过。") % {"r": seen_identity[identity]},
                )
            )
            continue
        seen_identity[identity] = q.row
        path = tuple(q.category)
        values = q.model_values()
        existing = stored.get(identity)
        if existing is None:
            category_id = categories.get(path)
            if category_id is None:
                for depth in range(1, len(path) + 1):
                    if categories.get(path[:depth]) is None:
                        new_paths.setdefault(path[:depth], None)
            planned = PlannedQuestion(
                parsed=q, values=values, category_path=path, tags=q.tags, hashes=(identity, content)
            )
            stem_key = normalise_text(q.stem)
            if stem_index is None:
                stem_index = _stem_index()
            if stem_key in stem_index:
                plan.warnings.append(
                    Issue(
                        plan.filename,
                        q.row,
                        _("题干"),
                        _("可能与题目 #%(id)d 重复（题干相同，选项或题型不同）。") % {"id": stem_index[stem_key]},
                    )
                )
            elif stem_key in seen_stem:
                plan.warnings.append(
                    Issue(
                        plan.filename,
                        q.row,
                        _("题干"),
                        _("可能与第 %(r)d 行重复（题干相同，选项或题型不同）。") % {"r": seen_stem[stem_key]},
                    )
                )
            seen_stem.setdefault(stem_key, q.row)
            plan.new.append(planned)
            continue
        seen_stem.setdefault(normalise_text(q.stem), q.row)
        merged = {k: existing[k] for k in values}
        changes: list[str] = []
        diffs: list[dict] = []
        # A field the row leaves empty is kept, unless the admin asked for empty cells to clear it.
        provided = q.provided if parsed.clear_empty else q.provided - q.blank

        present = {
            "correct_options": "answer" in provided,
            "accepted_answers": "answer" in provided,
            "explanation": "explanation" in provided,
            "difficulty": "difficulty" in provided,
            "source_law": "source" in provided,
            "source_article": "source" in provided,
            "time_limit": "time_limit" in provided,
        }
        for name, given in present.items():
            if given and _clean_value(existing[name]) != _clean_value(values[name]):
                merged[name] = values[name]
                _record(
                    changes, diffs, name, _shown(name, existing[name], existing), _shown(name, values[name], values)
                )
        # Identity fields (type, stem, options) match after normalisation; keep the file's spelling only if it
        # differs in more than that (it never does, by definition), so stored spelling stays.
        stored_path = categories.path_of.get(existing["category_id"], ())
        category_path = stored_path
        if "category" in provided and categories._key(path) != categories._key(stored_path):
            category_path = path
            _record(changes, diffs, "category", " > ".join(stored_path), " > ".join(path))
            if categories.get(path) is None:
                for depth in range(1, len(path) + 1):
                    if categories.get(path[:depth]) is None:
                        new_paths.setdefault(path[:depth], None)
        tags = sorted(stored_tags.get(existing["pk"], []), key=str.casefold)
        if "tags" in provided and sorted(t.casefold() for t in q.tags) != sorted(t.casefold() for t in tags):
            _record(changes, diffs, "tags", "、".join(tags), "、".join(q.tags))
            tags = q.tags
        planned = PlannedQuestion(
            parsed=q,
            values=merged,
            category_path=category_path,
            tags=tags,
            existing_id=existing["pk"],
            changes=changes,
            diffs=diffs,
        )
        (plan.updated if changes else plan.unchanged).append(planned)

    plan.new_categories = list(new_paths)
    return plan


MODEL_FIELDS = [
    "type",
    "stem",
    "options",
    "correct_options",
    "accepted_answers",
    "explanation",
    "difficulty",
    "source_law",
    "source_article",
    "time_limit",
]


def _record(changes: list[str], diffs: list[dict], name: str, old, new) -> None:
    label = FIELD_LABELS.get(name, name)
    if label not in changes:
        changes.append(label)
    diffs.append({"field": name, "label": label, "old": old, "new": new})


def _shown(name: str, value, question: dict) -> str:
    """A field's value as the preview shows it: answers as letters (or 正确/错误, or the fill-in text)."""
    if name == "correct_options":
        if question.get("type") == Question.Type.TRUE_FALSE:
            return "、".join(TRUE_FALSE_OPTIONS[i] for i in value if 0 <= i < len(TRUE_FALSE_OPTIONS))
        return "".join(OPTION_LETTERS[i] for i in sorted(value) if 0 <= i < len(OPTION_LETTERS))
    if name == "accepted_answers":
        return fill_answers_to_text(value or [])
    if value is None:
        return ""
    return str(value)


def _stem_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for pk, stem in Question.objects.order_by("pk").values_list("pk", "stem").iterator(chunk_size=2000):
        index.setdefault(normalise_text(stem), pk)
    return index
