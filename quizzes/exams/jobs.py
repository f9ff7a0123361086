"""Scheduled work for exams, run by a django-tasks worker or cron (`manage.py sweep_attempts [--enqueue]`): the
sweeper that submits overdue attempts. An entry point like a view: it calls the exam services and decides nothing."""

from django_tasks import task

from quizzes.exams.services import attempt_sweep


@task()
def sweep_overdue_attempts() -> int:
    """Submit expired attempts (finish time = deadline). Safe to enqueue while another sweep runs."""
    return attempt_sweep()
