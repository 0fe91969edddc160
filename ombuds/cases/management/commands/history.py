from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds.cases.history import verify_all
from ombuds.cases.models import Case


class Command(BaseCommand):
    help = "Check the tamper-evident history of every case, and that each case is its replay."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify",
            help="Verify every case's hash chain and that its row equals the replay of its "
            "events; name the first broken event or differing field.",
        )

    def handle(self, *args: object, action: str, **options: object) -> None:
        broken = list(verify_all())
        for item in broken:
            self.stderr.write(str(item))
        if broken:
            raise CommandError(f"{len(broken)} case(s) with a broken history.")
        self.stdout.write(f"History intact: {Case.objects.count()} case(s) verified.")
