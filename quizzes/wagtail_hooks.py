"""Wagtail hooks of the quizzes app. Each area keeps its admin hooks in its own module; add one import line here."""

from . import (
    admin_competitions,  # noqa: F401  live competitions (知识竞赛) and the host console link
    admin_exams,  # noqa: F401  exam definitions (在线考试): rules, paper sections, review policy
    admin_results,  # noqa: F401  exam results, 未参考名单, exports (officers and the district admin)
    bank_admin,  # noqa: F401  question bank: viewsets, bulk actions, import/export pages
)
