"""Export the question bank: the Excel template (re-imports unchanged), CSV, GIFT or Moodle XML.

manage.py export_questions bank.xlsx
manage.py export_questions fire.gift.txt --format gift --category 12 --status active
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from quizzes.bank.export import EXPORT_FORMATS, export_bank
from quizzes.bank.models import Question
from quizzes.bank.selectors import bank_questions

SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".gift": "gift", ".txt": "gift", ".xml": "xml"}


class Command(BaseCommand):
    help = "Export questions as the Excel template, CSV, GIFT or Moodle XML."

    def add_arguments(self, parser):
        parser.add_argument("output")
        parser.add_argument("--format", choices=list(EXPORT_FORMATS), help="default: from the file suffix")
        parser.add_argument("--category", type=int, help="category id (sub-categories included)")
        parser.add_argument("--status", choices=[c for c, _l in Question.Status.choices])
        parser.add_argument("--type", choices=[c for c, _l in Question.Type.choices])
        parser.add_argument("--tag")

    def handle(self, *args, **options):
        output = Path(options["output"])
        fmt = options["format"] or SUFFIXES.get(output.suffix.lower(), "xlsx")
        queryset = bank_questions(
            category=options["category"], status=options["status"], type=options["type"], tag=options["tag"]
        )
        body, _name, _type = export_bank(queryset, fmt)
        output.write_bytes(body)
        self.stdout.write(f"{queryset.count()} questions -> {output} ({fmt}, {len(body)} bytes)")
