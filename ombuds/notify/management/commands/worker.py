import signal
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from ombuds.notify.models import OutboxEmail, WebhookDelivery, due_now, lease_run_out
from ombuds.notify.tasks import deliver_notifications, periodic_tasks

SCHEDULE_EVERY_SECONDS = 60


def _work_waiting() -> bool:
    """Emails or webhooks due now, or held by a worker that died (its lease ran out)."""
    now = timezone.now()
    return any(
        model.objects.filter(due_now(now) | lease_run_out(now)).exists()
        for model in (OutboxEmail, WebhookDelivery)
    )


class Command(BaseCommand):
    help = (
        "Run background work: send emails and webhooks, check deadlines every minute. "
        "Tasks go through the configured backend (OMBUDS_TASK_BACKEND: database or rq)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Do what is due, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args: object, once: bool, interval: float, **options: object) -> None:
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.worker_id = f"ombuds-{uuid.uuid4().hex[:8]}"
        self.stdout.write(f"Worker started ({settings.TASK_BACKEND} task backend).")
        next_schedule = 0.0
        while not self.stopping:
            if time.monotonic() >= next_schedule:
                for periodic in periodic_tasks():
                    periodic.enqueue()
                next_schedule = time.monotonic() + SCHEDULE_EVERY_SECONDS
            if _work_waiting():
                deliver_notifications.enqueue()
            ran = self._run_queued_tasks()
            close_old_connections()
            if once:
                break
            if not ran:
                time.sleep(interval)
        self.stdout.write("Worker stopped.")

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _run_queued_tasks(self) -> bool:
        """Run every task waiting in the backend's queue; True if any ran."""
        if settings.TASK_BACKEND == "rq":
            import django_rq
            from django_tasks_rq.backend import Job

            worker = django_rq.get_worker("default", job_class=Job)
            return bool(worker.work(burst=True, with_scheduler=False))
        if settings.TASK_BACKEND != "database":
            return False  # the immediate backend has already run them
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals = lambda: None  # type: ignore[method-assign]
        worker.reset_signals = lambda: None  # type: ignore[method-assign]
        before = worker._run_tasks
        worker.run()
        return worker._run_tasks > before
