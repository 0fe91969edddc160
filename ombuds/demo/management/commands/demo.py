from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ombuds.demo.complaints import ensure_demo_complaints
from ombuds.demo.marketplace import demo_jsonl
from ombuds.demo.users import DEMO_PASSWORD, ensure_demo_users
from ombuds.directory.importer import import_text


class Command(BaseCommand):
    help = "Create (or refresh) the demo marketplace and a user for every role. Idempotent."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            report = import_text(demo_jsonl(), fmt="jsonl")
            if not report.written:
                raise CommandError("demo data is invalid: " + "; ".join(map(str, report.errors)))
            people = ensure_demo_users()
            filed = ensure_demo_complaints()
        self.stdout.write(f"Demo marketplace ready: {report.summary()}.")
        if filed:
            self.stdout.write(f"Filed {filed} demo complaints.")
        self.stdout.write("")
        self.stdout.write(
            f"Open {settings.OMBUDS_BASE_URL}/ and log in as (password: {DEMO_PASSWORD}):"
        )
        for person in people:
            self.stdout.write(f"  {person.username:28} {person.role}")
        self.stdout.write(f"Administration: {settings.OMBUDS_BASE_URL}/admin/ (as operator)")
