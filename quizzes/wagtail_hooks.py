"""Wagtail hooks of the quizzes app, for Wagtail's discovery: each capability keeps its admin (viewsets, menu items,
admin URLs) in its own `admin` module; this module only imports them."""

from quizzes.bank import admin as bank_admin  # noqa: F401  question bank: viewsets, bulk actions, import/export
from quizzes.competitions import admin as competitions_admin  # noqa: F401  live competitions and the host console
from quizzes.exams import admin as exams_admin  # noqa: F401  exam definitions: rules, paper sections, review policy
from quizzes.results import admin as results_admin  # noqa: F401  results, 未参考名单, exports for managers
