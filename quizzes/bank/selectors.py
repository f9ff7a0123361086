"""Reads across the question bank: filtering (admin listing, API, exports) and "where is this question used".

`question_usage` finds users of a question generically, through every relation that points at Question (exam
papers, competition picks, practice answers ...) and at its Category (exam sections and competitions drawing
from it), so it keeps working as exams and competitions add models.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from quizzes.bank.models import Category, Question, QuestionTag


def bank_questions(
    *,
    category: int | str | None = None,
    type: str | None = None,
    difficulty: int | str | None = None,
    status: str | None = None,
    tag: str | None = None,
    search: str | None = None,
    queryset: QuerySet | None = None,
) -> QuerySet:
    """Questions filtered the way the admin listing, the API and exports filter them (category includes its
    sub-categories)."""
    qs = queryset if queryset is not None else Question.objects.all()
    if category not in (None, ""):
        node = Category.objects.filter(pk=int(category)).first()
        qs = qs.filter(category_id__in=node.descendant_ids()) if node else qs.none()
    if type:
        qs = qs.filter(type=type)
    if difficulty not in (None, ""):
        qs = qs.filter(difficulty=int(difficulty))
    if status:
        qs = qs.filter(status=status)
    if tag:
        qs = qs.filter(tags__name=tag)
    if search:
        qs = qs.filter(
            Q(stem__icontains=search)
            | Q(explanation__icontains=search)
            | Q(source_law__icontains=search)
            | Q(options__icontains=search)
        )
    return qs.distinct() if tag else qs


@dataclass
class Usage:
    model: str  # verbose name of the model that refers to the question (考试题目, 竞赛题目 ...)
    via: str  # "question" (picked directly) or "category" (drawn from the question's category)
    owner: str  # the exam / competition / paper it belongs to, or "" when only counted
    count: int


def _owner_field(model) -> str | None:
    """The first foreign key of `model` to something other than the bank or a user: exam, competition, game."""
    for field in model._meta.get_fields():
        if not getattr(field, "many_to_one", False) or not field.concrete:
            continue
        target = field.related_model
        if target in (Question, Category, QuestionTag) or target._meta.label == settings.AUTH_USER_MODEL:
            continue
        return field.name
    return None


def _reverse_relations(model):
    for field in model._meta.get_fields(include_hidden=True):
        if field.auto_created and not field.concrete and (field.one_to_many or field.many_to_many):
            yield field


def question_usage(question: Question, *, limit: int = 20) -> list[Usage]:
    usages: list[Usage] = []
    targets = [(question, "question", Question)]
    if question.category_id:
        ancestors, node = [], question.category
        while node is not None and node.pk not in {a.pk for a in ancestors}:
            ancestors.append(node)
            node = node.parent
        targets += [(c, "category", Category) for c in ancestors]
    for target, via, model in targets:
        for relation in _reverse_relations(model):
            related = relation.related_model
            if related in (Question, Category, QuestionTag) or related._meta.app_label == "taggit":
                continue
            lookup = relation.field.name
            qs = related._default_manager.filter(**{lookup: target})
            owner = _owner_field(related)
            name = str(related._meta.verbose_name)
            if owner:
                rows = list(qs.values(owner).annotate(n=Count("pk")).order_by("-n")[:limit])
                owners = related._meta.get_field(owner).related_model._default_manager.in_bulk(
                    [r[owner] for r in rows if r[owner] is not None]
                )
                for r in rows:
                    label = str(owners.get(r[owner], "")) if r[owner] is not None else ""
                    usages.append(Usage(model=name, via=via, owner=label, count=r["n"]))
            else:
                count = qs.count()
                if count:
                    usages.append(Usage(model=name, via=via, owner="", count=count))
    return usages


def active_question(question_id: int) -> Question:
    """One active question (in use: not a draft, not retired); Http404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Question.objects.active(), pk=question_id)
