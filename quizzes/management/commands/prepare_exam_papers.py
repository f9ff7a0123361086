"""python manage.py prepare_exam_papers [--exam ID] [--loop SECONDS] [--enqueue]: draw exam papers ahead (预生成试卷).

Brings each published exam that has not closed (or the one named) to one unclaimed paper per expected candidate plus
a margin, discarding papers drawn under rules that changed or holding a question changed in the bank since. The exam
admin already runs it for an exam when it is saved; run this from cron (every few minutes), as a long-running
process with --loop 300, or once before a big exam opens, so that bank edits, new questions and new staff reach the
stock too. Two at once are safe.
"""

import time

from django.core.management.base import BaseCommand

from quizzes.exams.jobs import prepare_exam_papers, refresh_prepared_papers
from quizzes.exams.services import exam_papers_prepare, exam_papers_refresh


class Command(BaseCommand):
    help = "Draw exam papers ahead of the opening rush (one per expected candidate plus a margin)."

    def add_arguments(self, parser):
        parser.add_argument("--exam", type=int, default=None, metavar="ID", help="Only this exam.")
        parser.add_argument("--loop", type=float, default=0, metavar="SECONDS", help="Repeat every SECONDS.")
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the django-tasks task instead.")

    def handle(self, *args, exam=None, loop=0, enqueue=False, **options):
        while True:
            if enqueue:
                result = prepare_exam_papers.enqueue(exam) if exam else refresh_prepared_papers.enqueue()
                self.stdout.write(f"enqueued {result.task.name} {result.id}")
            else:
                results = [exam_papers_prepare(exam_id=exam)] if exam else exam_papers_refresh()
                for r in results:
                    self.stdout.write(
                        f"exam {r.exam_id}: {r.stock} paper(s) ready (target {r.target}), "
                        f"{r.drawn} drawn, {r.discarded} discarded"
                    )
                    if r.pictures_failed:
                        ids = ", ".join(map(str, r.pictures_failed))
                        self.stderr.write(
                            f"exam {r.exam_id}: no paper showing the picture(s) {ids} was drawn ahead: they could "
                            "not be rendered (file missing or unreadable, or storage unavailable); upload them again"
                        )
                if not results:
                    self.stdout.write("no published exam is open or upcoming")
            if not loop:
                return
            time.sleep(loop)
