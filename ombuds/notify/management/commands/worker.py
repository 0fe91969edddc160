import signal
import time

from django.core.management.base import BaseCommand, CommandParser

from ombuds.cases.handling import sweep_deadlines
from ombuds.notify.outbox import deliver_outbox
from ombuds.notify.webhooks import deliver_webhooks

SWEEP_EVERY_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Deliver queued emails and webhooks and check deadlines every minute; runs until "
        "stopped (or once with --once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver what is due, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args: object, once: bool, interval: float, **options: object) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("Worker started: delivering notifications.")
        next_sweep = 0.0
        while not stopping:
            if time.monotonic() >= next_sweep:
                counts = sweep_deadlines()
                if any(counts.values()):
                    self.stdout.write(f"Deadlines: {counts}")
                next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
            sent = deliver_outbox()
            delivered = deliver_webhooks()
            if sent or delivered:
                self.stdout.write(f"Sent {sent} email(s), delivered {delivered} webhook(s).")
            if once:
                break
            if not (sent or delivered):
                time.sleep(interval)
        self.stdout.write("Worker stopped.")
