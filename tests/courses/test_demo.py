"""The seed_demo step: our own study modules and materials, idempotent; --laws imports every statute in DIR."""

import io

import pytest
from wagtail.models import Revision

from content.models import MaterialPage
from courses.demo.pages import seed_study
from courses.models import CourseIndexPage, CoursePage, LessonPage
from tests.courses.factories import home_page


def seed_twice_without_laws(home):
    """The demo's own modules and materials: seeding them again writes nothing."""
    seed_study(None, {"laws": None}, {"home": home})
    modules = {c.slug for c in CoursePage.objects.live()}
    assert {"work-safety-law-notes", "fire-law-notes", "hospital-fire-safety", "self-rescue"} <= modules
    assert MaterialPage.objects.live().count() >= 5
    notes = LessonPage.objects.live().get(slug="rights-and-duties")
    assert any(b.block_type == "self_check" for b in notes.body)
    pages, revisions = LessonPage.objects.count(), Revision.objects.count()
    seed_study(None, {"laws": None}, {"home": home})
    assert (LessonPage.objects.count(), Revision.objects.count()) == (pages, revisions)


@pytest.mark.slow
def test_seed_study_is_idempotent_and_imports_laws(db, shared_data):
    home = home_page()
    seed_twice_without_laws(home)
    seed_study(None, {"laws": str(shared_data / "laws")}, {"home": home})
    laws = CoursePage.objects.exclude(law_title="")
    assert laws.count() == 5
    revisions = Revision.objects.count()
    seed_study(None, {"laws": str(shared_data / "laws")}, {"home": home})
    assert Revision.objects.count() == revisions


@pytest.mark.slow
def test_seed_study_is_idempotent_and_imports_the_fixture_statutes(db, statute_fixtures):
    home = home_page()
    seed_twice_without_laws(home)
    out = io.StringIO()
    seed_study(out, {"laws": str(statute_fixtures)}, {"home": home})
    laws = CoursePage.objects.live().exclude(law_title="")
    assert sorted(laws.values_list("law_title", flat=True)) == sorted(
        ["示范市社区消防互助条例", "示范县仓库动火作业管理办法", "示范区危险物品临时存放规定"]
    )
    assert out.getvalue().count("; created") == 3
    index = CourseIndexPage.objects.get()
    assert all(course.get_parent().pk == index.pk for course in laws)  # beside the demo modules
    pages, revisions = LessonPage.objects.count(), Revision.objects.count()
    out = io.StringIO()
    seed_study(out, {"laws": str(statute_fixtures)}, {"home": home})
    assert (LessonPage.objects.count(), Revision.objects.count()) == (pages, revisions)
    assert out.getvalue().count("; no change") == 3
