"""What a candidate receives about an attempt. The one place that turns frozen paper rows into payloads for the
HTML page, the API and anything else: before submission nothing here contains a correct answer, an explanation
or per-option correctness; after submission the exam's review policy decides what is added."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from quizzes.exams.models import Attempt, AttemptQuestion, ReviewOptions

TYPE_LABELS = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题", "fill": "填空题"}


def question_payload(aq: AttemptQuestion) -> dict:
    """The question as the candidate sees it: no answer, no explanation, no source."""
    snap = aq.snapshot
    return {
        "position": aq.position,
        "type": snap["type"],
        "section": aq.section_title,
        "stem": snap["stem"],
        "image_url": snap.get("image_url") or "",
        "options": list(snap.get("options") or []) if snap["type"] != "fill" else [],
        "blanks": aq.blanks,
        "points": str(aq.points),
    }


def _answers(attempt: Attempt, paper: list[AttemptQuestion]) -> list[dict]:
    position = {aq.pk: aq.position for aq in paper}
    rows = [
        {"position": position[a.attempt_question_id], "response": a.response, "flagged": a.flagged, "seq": a.seq}
        for a in attempt.answers.all()
        if a.attempt_question_id in position
    ]
    return sorted(rows, key=lambda r: r["position"])


def attempt_payload(attempt: Attempt, now: dt.datetime | None = None) -> dict:
    """An attempt in progress: the paper without answers, the candidate's saved answers, seconds remaining."""
    now = now or timezone.now()
    exam = attempt.exam
    paper = sorted(attempt.paper.all(), key=lambda aq: aq.position) if attempt.is_open else []
    answers = _answers(attempt, paper)
    return {
        "id": attempt.pk,
        "exam": {"id": exam.pk, "title": exam.title},
        "number": attempt.number,
        "is_mock": attempt.is_mock,
        "state": attempt.state,
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
        "seconds_remaining": attempt.seconds_remaining(now),
        "max_score": str(attempt.max_score),
        "questions": [question_payload(aq) for aq in paper] if attempt.is_open else [],
        "answers": answers if attempt.is_open else [],
        "max_seq": max((a["seq"] for a in answers), default=0),
        "tab_switches": attempt.tab_switches,
        "tab_switch_policy": exam.tab_switch_policy,
        "tab_switch_limit": exam.tab_switch_limit,
    }


def review_payload(attempt: Attempt, options: ReviewOptions) -> dict:
    """A submitted attempt as the review policy allows now (only what `options` permits)."""
    data = {
        "id": attempt.pk,
        "exam": {"id": attempt.exam_id, "title": attempt.exam.title},
        "number": attempt.number,
        "is_mock": attempt.is_mock,
        "state": attempt.state,
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "finish_reason": attempt.finish_reason,
        "review": {
            "score": options.score,
            "correctness": options.correctness,
            "answers": options.answers,
            "explanations": options.explanations,
        },
        # Nothing is shown because the candidate is sitting a counting attempt (quizzes.exams.selectors.review_options)
        "withheld": options.withheld,
        "score": None,
        "max_score": None,
        "percent": None,
        "passed": None,
        "questions": [],
    }
    if attempt.state != Attempt.State.SUBMITTED:
        return data
    if options.score:
        data.update(
            score=str(attempt.score),
            max_score=str(attempt.max_score),
            percent=str(attempt.percent),
            passed=attempt.passed,
        )
    if not (options.correctness or options.answers or options.explanations):
        return data
    answers = {a.attempt_question_id: a for a in attempt.answers.all()}
    for aq in attempt.paper.order_by("position"):
        item = question_payload(aq)
        answer = answers.get(aq.pk)
        item["response"] = answer.response if answer else []
        if options.correctness:
            item["is_correct"] = bool(answer and answer.is_correct)
            item["score"] = str(answer.score) if answer and answer.score is not None else "0.00"
        if options.answers:
            snap = aq.snapshot
            item["correct"] = list(snap.get("correct") or [])
            item["accepted_answers"] = [list(b) for b in snap.get("accepted_answers") or []]
        if options.explanations:
            item["explanation"] = aq.snapshot.get("explanation", "")
            item["source"] = aq.snapshot.get("source", "")
            item["source_url"] = aq.snapshot.get("source_url", "")
        data["questions"].append(item)
    return data
