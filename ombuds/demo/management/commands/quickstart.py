import os
import threading
import time

from django.conf import settings
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
        address = served_address(addr)
        if "OMBUDS_BASE_URL" not in os.environ:
            # The links printed, and those in the demo's emails, point where it serves.
            settings.OMBUDS_BASE_URL = address
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("demo", stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Starting Ombuds on {address}/ (Ctrl-C stops it).")
        threading.Thread(target=_deliver_forever, name="outbox", daemon=True).start()
        call_command("runserver", addr, use_reloader=not noreload, skip_checks=False)


def served_address(addr: str) -> str:
    """The address runserver listens on for `addr` ("9000", "0.0.0.0:9000", "[::1]:9000")."""
    host, _, port = addr.rpartition(":")
    if not host:
        host = "127.0.0.1"
    if host in ("0.0.0.0", "[::]"):
        host = "127.0.0.1" if host == "0.0.0.0" else "[::1]"
    return f"http://{host}:{port or '8000'}"


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
