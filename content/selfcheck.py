"""Checking a self-check answer. Pure: no database."""

from quizzes.normalise import normalise_text


def check_answer(question, answer: list) -> bool:
    """`answer`: 0-based option indexes for choice questions, one string per blank for fill-in questions."""
    if question.type == "fill":
        blanks = question.accepted_answers or []
        if len(answer) != len(blanks):
            return False
        return all(
            normalise_text(str(given)) in {normalise_text(str(a)) for a in accepted}
            for given, accepted in zip(answer, blanks, strict=True)
        )
    try:
        chosen = sorted({int(i) for i in answer})
    except (TypeError, ValueError):
        return False
    return bool(chosen) and chosen == sorted(question.correct_options)
