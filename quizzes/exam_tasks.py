"""Background work for exams (django-tasks): the sweeper that submits overdue attempts."""

from django_tasks import task

from quizzes.exam_services import attempt_submitted_send, attempt_sweep


@task()
def sweep_overdue_attempts() -> int:
    """Submit expired attempts (finish time = deadline). Safe to enqueue while another sweep runs."""
    return attempt_sweep()


@task()
def announce_attempt_submitted(attempt_id: int) -> None:
    """Send quizzes.signals.attempt_submitted once a submission is committed (enqueued by exam_services)."""
    attempt_submitted_send(attempt_id)
