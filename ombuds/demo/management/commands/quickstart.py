import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from ombuds.notify.outbox import deliver_outbox
from ombuds.notify.webhooks import deliver_webhooks


class Command(BaseCommand):
    help = "Migrate, load the demo marketplace and start the server: what `make run` does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument("--noreload", action="store_true", help="no auto-reloader")

    def handle(self, *args: object, addr: str, noreload: bool, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("demo", stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Starting Ombuds on http://{addr}/ (Ctrl-C stops it).")
        threading.Thread(target=_deliver_forever, name="outbox", daemon=True).start()
        call_command("runserver", addr, use_reloader=not noreload, skip_checks=False)


def _deliver_forever() -> None:
    """The demo sends its emails from the server process; production runs `ombuds worker`."""
    while True:
        try:
            if not (deliver_outbox() + deliver_webhooks()):
                time.sleep(2)
        except Exception:  # a demo without a database or SMTP server yet keeps serving
            time.sleep(10)
        finally:
            close_old_connections()
