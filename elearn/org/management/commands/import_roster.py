"""python manage.py import_roster FILE --as EMPLOYEE_NO [--commit] [--passwords-out FILE.xlsx]

Without --commit: a dry run printing what would be created/updated/unchanged and every rejected row.
With --commit: writes everything in one transaction, or nothing if any row is rejected (exit code 1).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from elearn.org.exceptions import RosterRejected
from elearn.org.models import User
from elearn.org.roster import roster_plan
from elearn.org.services import roster_import
from elearn.spreadsheets import SpreadsheetError, workbook_bytes


class Command(BaseCommand):
    help = "Import a staff roster (xlsx/csv: 姓名, 工号, 手机号, 单位, 科室/岗位, 角色)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as", dest="actor", required=True, help="工号 of the admin or officer importing")
        parser.add_argument("--commit", action="store_true", help="write the roster (default: dry run)")
        parser.add_argument("--passwords-out", help="where to write the initial passwords (xlsx)")

    def handle(self, *args, file, actor, commit, passwords_out, **options):
        try:
            actor_user = User.objects.get(employee_no=actor)
        except User.DoesNotExist as exc:
            raise CommandError(f"no user with employee number {actor!r}") from exc
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        data = path.read_bytes()
        try:
            if commit:
                if not passwords_out:
                    raise CommandError("--commit needs --passwords-out: initial passwords are shown only once")
                result = roster_import(data=data, filename=path.name, actor=actor_user)
                plan = result.plan
            else:
                plan = roster_plan(data=data, filename=path.name, actor=actor_user)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        except RosterRejected as exc:
            self._report(exc.plan)
            raise CommandError("rejected rows: nothing was written") from exc
        self._report(plan)
        if commit:
            Path(passwords_out).write_bytes(
                workbook_bytes([("初始密码", ["姓名", "工号", "单位", "初始密码"], result.passwords)])
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"committed: {result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
                    f"initial passwords in {passwords_out}"
                )
            )
        elif not plan.ok:
            raise CommandError("dry run found rejected rows")
        else:
            self.stdout.write("dry run: nothing written (add --commit to write)")

    def _report(self, plan):
        counts = plan.counts()
        self.stdout.write(
            f"{plan.filename}: create {counts['create']}, update {counts['update']}, "
            f"unchanged {counts['unchanged']}, rejected rows {counts['rejected_rows']}"
        )
        if plan.unmapped_columns:
            self.stdout.write(f"ignored columns: {', '.join(plan.unmapped_columns)}")
        for issue in plan.rejected:
            self.stderr.write(f"  row {issue.row}, column {issue.column}: {issue.reason}")
