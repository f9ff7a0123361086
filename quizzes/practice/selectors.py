"""Reads for practice and the wrong-answer book (what to ask next, what is in the book, what a question shows).

`question_public_data` is the only shape a practice question leaves the server in before it is answered: no
correct options, accepted answers or explanation. `question_feedback_data` adds them after the answer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db.models import Count, Q

from quizzes.bank.models import OPTION_LETTERS, Category, Question
from quizzes.exams.selectors import is_sitting_exam  # noqa: F401  (the exam core's one rule; practice pauses on it)
from quizzes.practice.models import PracticeMode, PracticeProgress, WrongBookEntry

SAFE_URL_PREFIXES = ("/", "https://", "http://")


@dataclass
class PracticeCategory:
    category: Category
    depth: int
    total: int  # active questions in the category and its descendants
    done: int  # answered in sequential practice
    correct: int
    last_question_id: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


def practice_categories(user) -> list[PracticeCategory]:
    """The category tree (depth-first) with the number of active questions under each node and the person's
    sequential progress; categories without any active question are left out."""
    categories = list(Category.objects.all())
    own = dict(Question.objects.active().values("category_id").annotate(n=Count("pk")).values_list("category_id", "n"))
    children: dict[int | None, list[Category]] = {}
    for cat in categories:
        children.setdefault(cat.parent_id, []).append(cat)
    progress = (
        {p.category_id: p for p in PracticeProgress.objects.filter(user=user)}
        if getattr(user, "is_authenticated", False)
        else {}
    )
    totals: dict[int, int] = {}

    def total(cat: Category, seen: frozenset) -> int:
        if cat.pk in seen:
            return 0
        totals[cat.pk] = own.get(cat.pk, 0) + sum(total(c, seen | {cat.pk}) for c in children.get(cat.pk, []))
        return totals[cat.pk]

    for root in children.get(None, []):
        total(root, frozenset())
    out: list[PracticeCategory] = []

    def walk(cat: Category, depth: int, seen: frozenset) -> None:
        if cat.pk in seen or not totals.get(cat.pk):
            return
        p = progress.get(cat.pk)
        out.append(
            PracticeCategory(
                category=cat,
                depth=depth,
                total=totals[cat.pk],
                done=min(p.answered, totals[cat.pk]) if p else 0,
                correct=p.correct if p else 0,
                last_question_id=p.last_question_id if p else 0,
            )
        )
        for child in children.get(cat.pk, []):
            walk(child, depth + 1, seen | {cat.pk})

    for root in children.get(None, []):
        walk(root, 0, frozenset())
    return out


def practice_pool(category: Category | None):
    questions = Question.objects.active()
    if category is not None:
        questions = questions.filter(category_id__in=category.descendant_ids())
    return questions


def practice_next(
    *, user, mode: str, category: Category | None = None, exclude_id: int | None = None, rng=random
) -> Question | None:
    """The next question to ask: sequential continues after the last one answered in this category; random picks
    any active question of the category; wrong-answer redo takes the book's questions, oldest mistake first,
    moving past the one just answered while others remain. None when there is nothing (left) to ask."""
    if mode == PracticeMode.SEQUENTIAL:
        if category is None:
            return None
        progress = PracticeProgress.objects.filter(user=user, category=category).first()
        after = progress.last_question_id if progress else 0
        return practice_pool(category).filter(pk__gt=after).order_by("pk").first()
    if mode == PracticeMode.RANDOM:
        ids = list(practice_pool(category).values_list("pk", flat=True))
        if exclude_id in ids and len(ids) > 1:
            ids.remove(exclude_id)
        return Question.objects.get(pk=rng.choice(ids)) if ids else None
    if mode == PracticeMode.WRONGBOOK:
        entries = wrongbook_entries(user, category=category).order_by("last_wrong_at", "pk")
        first_two = list(entries.values_list("question_id", flat=True)[:2])
        if not first_two:
            return None
        pick = first_two[1] if first_two[0] == exclude_id and len(first_two) > 1 else first_two[0]
        return Question.objects.get(pk=pick)
    return None


def wrongbook_entries(user, *, category: Category | None = None):
    """The person's wrong-answer book: active entries whose question is still in use."""
    entries = WrongBookEntry.objects.active().filter(user=user, question__status=Question.Status.ACTIVE)
    if category is not None:
        entries = entries.filter(question__category_id__in=category.descendant_ids())
    return entries.select_related("question", "question__category")


def wrongbook_summary(user) -> dict:
    counts = WrongBookEntry.objects.filter(user=user, question__status=Question.Status.ACTIVE).aggregate(
        active=Count("pk", filter=Q(cleared_at__isnull=True)), cleared=Count("pk", filter=Q(cleared_at__isnull=False))
    )
    return {"active": counts["active"] or 0, "cleared": counts["cleared"] or 0}


def safe_source_url(question: Question) -> str:
    url = (question.source_url or "").strip()
    return url if url.startswith(SAFE_URL_PREFIXES) and not url.startswith("//") else ""


def question_public_data(question: Question) -> dict:
    """A practice question as it may be shown before it is answered: never the answer or the explanation."""
    image = None
    if question.image_id:
        try:
            image = question.image.get_rendition("max-800x600").url
        except Exception:  # a missing file must not break practice
            image = None
    return {
        "id": question.pk,
        "type": question.type,
        "type_label": str(question.get_type_display()),
        "category": question.category.path,
        "stem": question.stem,
        "image": image,
        "options": list(question.options) if question.is_choice else [],
        "blanks": len(question.accepted_answers) if not question.is_choice else 0,
    }


def wrongbook_review(question: Question) -> dict:
    """One entry of the wrong-answer book opened: the options with the correct ones marked, the answer, the
    explanation and the article to study (the stored link)."""
    feedback = question_feedback_data(question)
    correct = set(feedback["correct_options"])
    feedback["options"] = [
        {"letter": OPTION_LETTERS[i], "text": text, "correct": i in correct}
        for i, text in enumerate(question.options if question.is_choice else [])
    ]
    return feedback


def question_feedback_data(question: Question) -> dict:
    """What is revealed after the person has answered: the answer, the explanation and the law article."""
    return {
        "correct_options": list(question.correct_options) if question.is_choice else [],
        "answer_letters": question.answer_letters if question.is_choice else "",
        "accepted_answers": [list(a) for a in question.accepted_answers] if not question.is_choice else [],
        "explanation": question.explanation,
        "source_law": question.source_law,
        "source_article": question.source_article,
        # Stored when the question or its statute is imported (quizzes.bank.services.question_sources_relink).
        "source_url": safe_source_url(question),
    }
