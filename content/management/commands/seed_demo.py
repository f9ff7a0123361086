"""python manage.py seed_demo [--laws DIR]: demo institutions, staff, campaign and every app's demo content.

Idempotent: running it again updates what it made and adds nothing twice. Apps add their own step to
settings.ELEARN_DEMO_SEEDERS (dotted paths of callables taking (stdout, options, context)).
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from content.demo import seed_home
from elearn.org.demo import ADMIN_LOGIN, DEMO_PASSWORD, seed_organisation


class Command(BaseCommand):
    help = "Create (or refresh) the demo campaign: institutions, ~200 staff, home page, study, questions, exams, games."

    def add_arguments(self, parser):
        parser.add_argument("--laws", metavar="DIR", help="Also import every statute (.md/.txt) found in DIR.")

    def handle(self, *args, **options):
        self.stdout.write("Seeding demo data ...")
        with transaction.atomic():
            context = seed_organisation(self.stdout)
            context["home"] = seed_home(self.stdout)
        for dotted in getattr(settings, "ELEARN_DEMO_SEEDERS", []):
            with transaction.atomic():
                import_string(dotted)(self.stdout, options, context)
        officer, staff = context["officer"], context["staff"]
        self.stdout.write(self.style.SUCCESS("Demo ready. Log in with (工号 / 密码):"))
        self.stdout.write(f"  district admin : {ADMIN_LOGIN} / {DEMO_PASSWORD}   -> /admin/")
        self.stdout.write(f"  safety officer : {officer.employee_no} / {DEMO_PASSWORD}   ({officer.institution})")
        self.stdout.write(f"  staff member   : {staff.employee_no} / {DEMO_PASSWORD}   ({staff.institution})")
        self.stdout.write(
            self.style.WARNING(
                f"Every demo account shares the published password {DEMO_PASSWORD} and is flagged as a demo account: "
                "the login pages say so while one is active. Never seed demo data into a real install."
            )
        )
