"""The one DRF router for /api/v1/. Each app keeps its viewsets in its own api.py and registers them here."""

from rest_framework.routers import DefaultRouter

from elearn.org.api import InstitutionViewSet, MeViewSet, RosterImportViewSet, StaffViewSet

router = DefaultRouter()
router.register("me", MeViewSet, basename="me")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("staff", StaffViewSet, basename="staff")
router.register("roster-import", RosterImportViewSet, basename="roster-import")
