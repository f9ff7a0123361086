"""The one DRF router for /api/v1/. Each app keeps its viewsets in its own api.py and registers them here."""

from rest_framework.routers import DefaultRouter

from campaign.scorecard.api import ScorecardViewSet
from campaign.tasks.api import MyCampaignTaskViewSet, TaskSubmissionViewSet
from courses.api import CourseViewSet, LessonViewSet, MyProgressViewSet, StudyProgressViewSet
from drills.api import DrillViewSet, MyDrillViewSet
from elearn.org.api import InstitutionViewSet, MeViewSet, RosterImportViewSet, StaffViewSet
from elearn.privacy.api import AccessLogViewSet, DepartureViewSet, MyDataViewSet, NoticeViewSet, RevealViewSet
from hazards.api import HazardFollowViewSet, HazardHandlingViewSet, HazardReportViewSet
from leaderboard.reports.api import ReportExportViewSet, ReportViewSet
from quizzes.bank.api import BankCategoryViewSet, BankExportViewSet, BankImportViewSet, BankQuestionViewSet
from quizzes.competitions.api import CompetitionViewSet, GameViewSet
from quizzes.exams.api import AttemptViewSet, ExamViewSet
from quizzes.practice.api import (
    CertificateViewSet,
    ExamResultViewSet,
    PracticeViewSet,
    SelfCheckViewSet,
    WrongBookViewSet,
)

# No format-suffix twins (staff.json, ...): the API is JSON and described by /api/schema/ without them, and most
# viewsets' actions do not take the `format` argument those routes pass (500).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("me", MeViewSet, basename="me")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("staff", StaffViewSet, basename="staff")
router.register("roster-import", RosterImportViewSet, basename="roster-import")
router.register("privacy/notice", NoticeViewSet, basename="privacy-notice")
router.register("my-data", MyDataViewSet, basename="my-data")
router.register("privacy/reveal", RevealViewSet, basename="privacy-reveal")
router.register("access-log", AccessLogViewSet, basename="access-log")
router.register("departures", DepartureViewSet, basename="departure")
router.register("courses", CourseViewSet, basename="course")
router.register("lessons", LessonViewSet, basename="lesson")
router.register("my-progress", MyProgressViewSet, basename="my-progress")
router.register("study-progress", StudyProgressViewSet, basename="study-progress")
router.register("self-check", SelfCheckViewSet, basename="self-check")
router.register("practice", PracticeViewSet, basename="practice")
router.register("wrongbook", WrongBookViewSet, basename="wrongbook")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("exam-results", ExamResultViewSet, basename="exam-result")
router.register("exams", ExamViewSet, basename="exam")
router.register("attempts", AttemptViewSet, basename="attempt")
router.register("bank/categories", BankCategoryViewSet, basename="bank-category")
router.register("bank/questions", BankQuestionViewSet, basename="bank-question")
router.register("bank/import", BankImportViewSet, basename="bank-import")
router.register("bank/export", BankExportViewSet, basename="bank-export")
router.register("competitions", CompetitionViewSet, basename="competition")
router.register("games", GameViewSet, basename="game")
router.register("reports", ReportViewSet, basename="report")
router.register("report-exports", ReportExportViewSet, basename="report-export")
router.register("drills", DrillViewSet, basename="drill")
router.register("my-drills", MyDrillViewSet, basename="my-drill")
router.register("campaign/tasks", MyCampaignTaskViewSet, basename="campaign-task")
router.register("campaign/submissions", TaskSubmissionViewSet, basename="campaign-submission")
router.register("campaign/scorecard", ScorecardViewSet, basename="scorecard")
router.register("hazards/reports", HazardReportViewSet, basename="hazard-report")
router.register("hazards/follow", HazardFollowViewSet, basename="hazard-follow")
router.register("hazards/handling", HazardHandlingViewSet, basename="hazard-handling")
