"""A question's version in a paper drawn ahead is now computed by the database (quizzes.exams.papers.VERSION_SQL)
instead of in Python: every unclaimed paper drawn before holds versions in the old form and would look stale at its
claim. They are discarded here; the next refresh (`manage.py prepare_exam_papers`, the periodic job, or saving the
exam) draws them again, and until then starts draw their own papers as usual. Claimed papers are left as they are
(they hold nothing but the link to their attempt)."""

from django.db import migrations


def discard_unclaimed(apps, schema_editor):
    apps.get_model("quizzes", "PreparedPaper").objects.filter(claimed_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0003_exam_prepared_papers")]

    operations = [migrations.RunPython(discard_unclaimed, migrations.RunPython.noop)]
