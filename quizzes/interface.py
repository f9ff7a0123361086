"""What the courses app may use of the quizzes app, and nothing else (an import-linter contract holds it to that):
the demo's self-check questions, which the study demo places on its pages. content imports nothing of quizzes."""

from __future__ import annotations

from quizzes.demo.bank import demo_questions_upsert

__all__ = ["demo_questions_upsert"]
