"""Papers drawn ahead no longer freeze a picture that failed to render as no picture (quizzes.exams.papers
.picture_urls): the exam keeps the pictures that stopped its last preparation run for the admin's list, and the
unclaimed papers drawn before that froze a question's picture as none are discarded here (the next refresh draws them
again; until then starts draw their own papers). Claimed papers are left as they are."""

from django.db import migrations, models


def discard_papers_missing_a_picture(apps, schema_editor):
    Question = apps.get_model("quizzes", "Question")
    PreparedPaper = apps.get_model("quizzes", "PreparedPaper")
    with_picture = set(Question.objects.filter(image__isnull=False).values_list("pk", flat=True))
    if not with_picture:
        return
    lost = [
        pk
        for pk, items in PreparedPaper.objects.filter(claimed_by__isnull=True).values_list("pk", "items").iterator(500)
        if any(i["question_id"] in with_picture and not i["snapshot"].get("image_url") for i in items)
    ]
    for start in range(0, len(lost), 500):
        PreparedPaper.objects.filter(pk__in=lost[start : start + 500], claimed_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0004_prepared_papers_database_versions")]

    operations = [
        migrations.AddField(
            model_name="exam",
            name="papers_pictures_failed",
            field=models.JSONField(blank=True, default=list, editable=False, verbose_name="无法生成的图片"),
        ),
        migrations.RunPython(discard_papers_missing_a_picture, migrations.RunPython.noop),
    ]
