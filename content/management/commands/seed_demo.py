"""python manage.py seed_demo [--laws DIR]: demo institutions, staff, campaign and every app's demo content.

Idempotent: running it again updates what it made and adds nothing twice. Apps add their own step to
settings.ELEARN_DEMO_SEEDERS (dotted paths of callables taking (stdout, options, context)).
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from content.demo import seed_home
from elearn.org.demo import DEMO_PASSWORD, seed_organisation
from elearn.org.selectors import demo_logins


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
        self.stdout.write(self.style.SUCCESS("Demo ready. Log in with (工号 / 密码):"))
        labels = {"admin": "district admin ", "officer": "safety officer ", "staff": "staff member   "}
        for user in demo_logins():  # the same accounts the login pages show
            where = "-> /admin/" if user.role == "admin" else f"({user.institution})"
            self.stdout.write(f"  {labels[user.role]}: {user.employee_no} / {DEMO_PASSWORD}   {where}")
        self.stdout.write(
            self.style.WARNING(
                f"Every demo account shares the published password {DEMO_PASSWORD} and is flagged as a demo account: "
                "the login pages say so while one is active. Never seed demo data into a real install."
            )
        )
