"""The seed_demo step: our own study modules and materials, idempotent; --laws imports every statute in DIR."""

import pytest
from wagtail.models import Revision

from content.models import MaterialPage
from courses.demo import seed_study
from courses.models import CoursePage, LessonPage
from tests.courses.factories import home_page


@pytest.mark.slow
def test_seed_study_is_idempotent_and_imports_laws(db, shared_data):
    home = home_page()
    seed_study(None, {"laws": None}, {"home": home})
    modules = {c.slug for c in CoursePage.objects.live()}
    assert {"work-safety-law-notes", "fire-law-notes", "hospital-fire-safety", "self-rescue"} <= modules
    assert MaterialPage.objects.live().count() >= 5
    notes = LessonPage.objects.live().get(slug="rights-and-duties")
    assert any(b.block_type == "self_check" for b in notes.body)
    pages, revisions = LessonPage.objects.count(), Revision.objects.count()
    seed_study(None, {"laws": None}, {"home": home})
    assert (LessonPage.objects.count(), Revision.objects.count()) == (pages, revisions)
    seed_study(None, {"laws": str(shared_data / "laws")}, {"home": home})
    laws = CoursePage.objects.exclude(law_title="")
    assert laws.count() == 5
    revisions = Revision.objects.count()
    seed_study(None, {"laws": str(shared_data / "laws")}, {"home": home})
    assert Revision.objects.count() == revisions
