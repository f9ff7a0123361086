"""python manage.py sweep_attempts [--loop SECONDS] [--enqueue]: submit overdue exam attempts.

Run it from cron every minute, or as a long-running process with --loop 30. Two sweepers at once are safe.
"""

import time

from django.core.management.base import BaseCommand

from quizzes.exams.jobs import sweep_overdue_attempts
from quizzes.exams.services import attempt_sweep


class Command(BaseCommand):
    help = "Submit exam attempts whose time (and grace period) has run out, with finish time = deadline."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, metavar="SECONDS", help="Repeat every SECONDS.")
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the django-tasks task instead.")

    def handle(self, *args, loop=0, enqueue=False, **options):
        while True:
            if enqueue:
                result = sweep_overdue_attempts.enqueue()
                self.stdout.write(f"enqueued sweep task {result.id}")
            else:
                count = attempt_sweep()
                self.stdout.write(f"submitted {count} overdue attempt(s)")
            if not loop:
                return
            time.sleep(loop)
