"""Scheduled and triggered work for exams, run by a django-tasks worker, cron or the management commands: the sweeper
that submits overdue attempts (`manage.py sweep_attempts [--enqueue]`) and the papers drawn ahead of an exam's opening
(`manage.py prepare_exam_papers [--enqueue]`, and enqueued by the exam admin when an exam is saved). Entry points like
views: they call the exam services and decide nothing."""

from django_tasks import task

from quizzes.exams.services import attempt_sweep, exam_papers_prepare, exam_papers_refresh


@task()
def sweep_overdue_attempts() -> int:
    """Submit expired attempts (finish time = deadline). Safe to enqueue while another sweep runs."""
    return attempt_sweep()


@task()
def prepare_exam_papers(exam_id: int) -> dict:
    """Bring one exam's papers drawn ahead up to date (stale ones discarded, the stock filled). Safe to run twice."""
    result = exam_papers_prepare(exam_id=exam_id)
    return {"exam": result.exam_id, "target": result.target, "stock": result.stock, "drawn": result.drawn,
            "discarded": result.discarded, "pictures_failed": list(result.pictures_failed)}  # fmt: skip


@task()
def refresh_prepared_papers() -> int:
    """prepare_exam_papers for every published exam that has not closed; returns the papers drawn."""
    return sum(r.drawn for r in exam_papers_refresh())
