"""python manage.py apply_retention [--dry-run] [--enqueue] [--loop SECONDS]: delete what has expired, anonymise
people who left once their period has passed, purge old access-log entries (periods: 个人信息保存期限 in the admin).

Run it daily from cron (`0 3 * * * manage.py apply_retention --enqueue` with a db_worker, or without --enqueue), or
as a long-running process with --loop 86400. --dry-run lists what would be removed and changes nothing."""

import time

from django.core.management.base import BaseCommand

from elearn.privacy.jobs import apply_retention
from elearn.privacy.services import retention_apply


class Command(BaseCommand):
    help = "Apply the retention periods: delete expired personal data, anonymise people who left (--dry-run lists it)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed; change nothing.")
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the django-tasks task instead.")
        parser.add_argument("--loop", type=float, default=0, metavar="SECONDS", help="Repeat every SECONDS.")

    def handle(self, *args, dry_run=False, enqueue=False, loop=0, **options):
        while True:
            if enqueue and not dry_run:
                result = apply_retention.enqueue()
                self.stdout.write(f"enqueued retention task {result.id}")
            else:
                self.report(retention_apply(dry_run=dry_run))
            if not loop:
                return
            time.sleep(loop)

    def report(self, result) -> None:
        verb = "would remove" if result.dry_run else "removed"
        plan = result.plan
        self.stdout.write(
            f"retention at {plan.now.isoformat(timespec='seconds')} ({'dry run' if result.dry_run else 'applied'})"
        )
        for expiry in plan.expiries:
            count = result.removed.get(expiry.key, 0)
            self.stdout.write(
                f"  {expiry.kind:<10} {expiry.key:<28} {verb} {count:>7}  ({expiry.label}; before "
                f"{expiry.cutoff.date().isoformat()}{'; ' + expiry.note if expiry.note else ''})"
            )
        self.stdout.write(
            f"  {'access_log':<10} {'privacy.AccessLog':<28} {verb} {result.access_log_removed:>7}  "
            f"(访问记录; before {plan.access_log_cutoff.date().isoformat()})"
        )
        people = {d.user_id: d for d in plan.departures}
        verb_people = "would anonymise" if result.dry_run else "anonymised"
        self.stdout.write(f"  {'left':<10} {'org.User':<28} {verb_people} {len(result.anonymised):>3} people")
        for user_id in result.anonymised:
            departure = people.get(user_id)
            if departure is not None:
                self.stdout.write(f"    user #{user_id} left on {departure.left_on.isoformat()}")
