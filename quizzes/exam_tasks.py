"""Background work for exams (django-tasks): the sweeper that submits overdue attempts."""

from django_tasks import task

from quizzes.exam_services import attempt_sweep


@task()
def sweep_overdue_attempts() -> int:
    """Submit expired attempts (finish time = deadline). Safe to enqueue while another sweep runs."""
    return attempt_sweep()
