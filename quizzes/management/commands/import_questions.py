"""Import a question bank file: a dry run by default, `--commit` writes it in one transaction.

manage.py import_questions bank.xlsx                    # dry run: counts, rejected rows, warnings
manage.py import_questions bank.xlsx --commit           # write (refused while rows are rejected)
manage.py import_questions old.csv --commit --skip-rejected --category "消防安全"
manage.py import_questions moodle.xml --format moodle_xml --json
manage.py import_questions update.xlsx --commit --clear-empty   # empty cells clear 解析/出处/标签/限时 on updates

A header whose columns were mapped by hand on the import page is mapped the same way here.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.exceptions import ImportRejected
from quizzes.bank.importers import FORMAT_LABELS, build_plan_from, parse_upload
from quizzes.bank.importers.common import split_category
from quizzes.bank.models import BankColumnMapping
from quizzes.bank.services import bank_import_parsed


class Command(BaseCommand):
    help = "Import questions (Excel/CSV template or Chinese bank layouts, Kahoot!, GIFT, Aiken, Moodle XML)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=list(FORMAT_LABELS), help="default: recognised from the file")
        parser.add_argument("--category", default="", help="category for rows without one, e.g. '消防安全 > 医院'")
        parser.add_argument("--commit", action="store_true", help="write the import (default: dry run)")
        parser.add_argument("--skip-rejected", action="store_true", help="with --commit: import the valid rows")
        parser.add_argument("--actor", default="", help="employee number recorded as author")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--clear-empty",
            action="store_true",
            help="on updates, an empty cell clears the field (default: it leaves the stored value, like a missing column)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = None
        if options["actor"]:
            from elearn.org.models import User

            actor = User.objects.filter(employee_no=options["actor"]).first()
            if actor is None:
                raise CommandError(f"no user with employee number {options['actor']}")
        kwargs = {
            "data": path.read_bytes(),
            "filename": path.name,
            "fmt": options["format"],
            "default_category": split_category(options["category"]) or None,
        }
        last = [0]

        def progress(done, total):
            if options["verbosity"] >= 2 and (done - last[0] >= 2000 or done == total):
                last[0] = done
                self.stderr.write(f"  {done}/{total}")

        try:
            parsed = parse_upload(
                **kwargs, clear_empty=options["clear_empty"], saved_mappings=BankColumnMapping.for_fingerprints
            )
            if options["commit"]:
                result = bank_import_parsed(parsed=parsed, actor=actor, skip_rejected=options["skip_rejected"])
                report = result.report()
            else:
                report = {**build_plan_from(parsed, progress=progress).report(), "committed": False}
        except SpreadsheetError as exc:
            raise CommandError(str(exc))
        except ImportRejected as exc:
            self._print({**exc.plan.report(), "committed": False}, options)
            raise CommandError("rows were rejected: nothing written (fix them, or use --skip-rejected)")
        self._print(report, options)

    def _print(self, report, options):
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        c = report["counts"]
        mode = "committed" if report.get("committed") else "dry run (nothing written)"
        self.stdout.write(f"{report['filename']} [{report['format']}/{report['layout']}] {mode}")
        self.stdout.write(
            f"new {c['new']}  updated {c['updated']}  unchanged {c['unchanged']}  rejected {c['rejected']}  "
            f"skipped {c['skipped']}  warnings {c['warnings']}"
        )
        if report["new_categories"]:
            self.stdout.write("new categories: " + ", ".join(report["new_categories"]))
        for title, key in (("REJECTED", "rejected"), ("SKIPPED", "skipped"), ("WARNING", "warnings")):
            for issue in report[key]:
                self.stdout.write(f"{title} {issue['file']} row {issue['row']} [{issue['column']}]: {issue['reason']}")
