"""python manage.py import_law FILE_OR_DIR [...] [--dry-run]

Turns statutes (Markdown or plain text: 第X章 chapters, 第X节 sections, 第X条 articles) into study modules, one
lesson per chapter. Re-running it updates the modules in place and prints the articles added, changed, removed.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.exceptions import LawImportError
from courses.law_import import import_statute, read_statute_file, statute_files
from courses.models import CourseIndexPage


class Command(BaseCommand):
    help = "Import statutes (.md/.txt) as study modules; re-import reports added/changed/removed articles."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="statute files, or directories holding .md/.txt files")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
        parser.add_argument("--index", type=int, help="id of the CourseIndexPage to put new modules under")

    def handle(self, *args, paths, dry_run=False, index=None, **options):
        index_page = None
        if index is not None:
            index_page = CourseIndexPage.objects.filter(pk=index).first()
            if index_page is None:
                raise CommandError(f"no CourseIndexPage with id {index}")
        files = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files.extend(statute_files(path))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"not found: {raw}")
        failed = 0
        for path in files:
            try:
                report = import_statute(
                    text=read_statute_file(path), filename=path.name, index_page=index_page, dry_run=dry_run
                )
            except LawImportError as exc:
                failed += 1
                self.stderr.write(self.style.ERROR(f"{path.name}: {exc}"))
                continue
            prefix = "[dry run] " if dry_run else ""
            self.stdout.write(f"{prefix}{path.name}: {report.summary()}")
        if failed:
            raise CommandError(f"{failed} file(s) could not be imported")
