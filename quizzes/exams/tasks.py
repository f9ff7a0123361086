"""Background work for exams (django-tasks) that the exam services queue: telling the other areas (wrong-answer
book, leaderboards, certificates) that a submission was committed. It lives below the services and never calls back
into them; the sweeper, which does, is an entry point (quizzes.exams.jobs)."""

from django_tasks import task

from quizzes.exams.models import Attempt
from quizzes.signals import attempt_submitted


@task()
def announce_attempt_submitted(attempt_id: int) -> None:
    """Send quizzes.signals.attempt_submitted once a submission is committed (enqueued by the exam services)."""
    attempt = Attempt.objects.select_related("exam", "user").get(pk=attempt_id)
    attempt_submitted.send(sender=Attempt, attempt=attempt)
