"""What `ombuds worker` runs: one long-lived backend worker, and a ticker beside it.

The main thread runs the task backend's worker (django-tasks-db's, or one RQ worker) for the
life of the process; it takes tasks in the order of `QUEUES`: emails, the periodic checks,
webhooks. A ticker thread looks every `--interval` for emails and webhooks due (or held by a
worker that died), and enqueues a channel's task when its last one is done; it enqueues the
periodic tasks on the deployment's single schedule (`ombuds.notify.schedule`) and, once a
minute, forgets the tasks of workers that died (their work came back by the lease).

SIGTERM or SIGINT: the batch in progress stops at its next message and hands the rest back,
the worker finishes it and exits 0; an idle worker exits at once. A second signal, a second or
more after the first, ends it at once (exit 1): what it held comes back after the lease.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, models
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from ombuds.notify.budget import stop_requested
from ombuds.notify.models import OutboxEmail, WebhookDelivery, due_now, lease_run_out
from ombuds.notify.schedule import Schedule
from ombuds.notify.tasks import (
    QUEUES,
    deliver_notifications,
    periodic_schedule,
    send_emails,
    send_webhooks,
)

logger = logging.getLogger("ombuds.worker")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HOUSEKEEPING_EVERY_SECONDS = 60
# Libraries that log a line or three per task: warnings only, unless LOG_LEVEL=DEBUG.
CHATTY_LOGGERS = ("rq", "rq.worker", "rq.job", "django_tasks", "django_tasks_db")


def worker_name() -> str:
    host = socket.gethostname().split(".")[0][:30]
    return f"ombuds-{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def configure_logging() -> None:
    """Every line with its date and time, the level and where it comes from; no line per poll
    or per task."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    formatter = logging.Formatter(LOG_FORMAT)
    for handler in root.handlers:
        handler.setFormatter(formatter)
    if root.getEffectiveLevel() > logging.DEBUG:
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


class Channel:
    """Emails or webhooks: a task enqueued when work waits and the last one is done, so a
    worker keeps at most one of each channel in the queue."""

    def __init__(self, task: Any, model: type[models.Model], priority: int) -> None:
        self.task = task
        self.model = model
        self.priority = priority
        self.last: Any = None
        self.enqueued_at = 0.0

    def work_waiting(self, now: datetime) -> bool:
        manager = self.model._default_manager
        return manager.filter(due_now(now) | lease_run_out(now)).exists()

    def last_one_done(self) -> bool:
        if self.last is None:
            return True
        if time.monotonic() - self.enqueued_at > settings.OMBUDS_OUTBOX_LEASE_SECONDS:
            return True  # a batch lasts seconds: whoever took it died with it
        try:
            self.last.refresh()
        except TaskResultDoesNotExist:
            return True
        return bool(self.last.is_finished)

    def enqueue(self) -> None:
        task = self.task
        if task.get_backend().supports_priority:
            task = task.using(priority=self.priority)
        self.last = task.enqueue()
        self.enqueued_at = time.monotonic()


class Ticker:
    def __init__(self, name: str, interval: float) -> None:
        self.name = name
        self.interval = interval
        self.channels = [
            Channel(send_emails, OutboxEmail, priority=10),
            Channel(send_webhooks, WebhookDelivery, priority=-10),
        ]
        self.schedule = Schedule(name)
        self.next_housekeeping = 0.0
        self.thread: threading.Thread | None = None
        self._last_problem = ("", 0.0)

    def tick(self) -> None:
        now = timezone.now()
        for channel in self.channels:
            if channel.work_waiting(now) and channel.last_one_done():
                channel.enqueue()
        for periodic, every in periodic_schedule():
            if self.schedule.due(periodic.module_path, every, now):
                try:
                    periodic.enqueue()
                except Exception:
                    self.schedule.give_back(periodic.module_path, now)
                    raise
        if time.monotonic() >= self.next_housekeeping:
            self.next_housekeeping = time.monotonic() + HOUSEKEEPING_EVERY_SECONDS
            forgotten = forget_abandoned_tasks()
            if forgotten:
                logger.info(
                    "Forgot %d task(s) of workers that died; their emails and webhooks came "
                    "back by the lease.",
                    forgotten,
                )

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="ombuds-ticker", daemon=True)
        self.thread.start()

    def join(self, timeout: float) -> None:
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        try:
            while not stop_requested.is_set():
                self.tick_safely()
                stop_requested.wait(self.interval)
        finally:
            connection.close()

    def tick_safely(self) -> None:
        close_old_connections()
        try:
            self.tick()
        except Exception as exc:  # the database or Redis away for a moment: the next tick
            problem = f"{type(exc).__name__}: {exc}"
            last, at = self._last_problem
            if problem != last or time.monotonic() - at > 60:
                logger.warning("Could not look for work (%s); trying again.", problem)
                self._last_problem = (problem, time.monotonic())
            connection.close()


def channel_task_paths() -> set[str]:
    return {t.module_path for t in (send_emails, send_webhooks, deliver_notifications)}


def our_task_paths() -> set[str]:
    """Every task the worker enqueues: all idempotent, their work safe to run again."""
    return channel_task_paths() | {t.module_path for t, _ in periodic_schedule()}


def forget_abandoned_tasks() -> int:
    """The tasks of workers that died, which would stay as failed (RQ) or running (database)."""
    if settings.TASK_BACKEND == "rq":
        from ombuds.notify import rq_worker

        return rq_worker.forget_abandoned_tasks(QUEUES, our_task_paths())
    if settings.TASK_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        now = timezone.now()
        ours = DBTaskResult.objects.filter(task_path__in=channel_task_paths())
        # A batch lasts seconds: one "running" for an hour had its worker die under it.
        dead = ours.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(hours=1))
        forgotten = dead.delete()[0]
        ours.filter(  # and the record of batches done, after a day (failures stay)
            status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - timedelta(days=1)
        ).delete()
        return forgotten
    return 0


class Stopper:
    """The signal handler while the backend's own is not in place."""

    def __init__(self) -> None:
        self.first_at: float | None = None
        self.on_stop: list[Callable[[], None]] = []

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self)
        signal.signal(signal.SIGINT, self)

    def __call__(self, signum: int, frame: object) -> None:
        now = time.monotonic()
        if not stop_requested.is_set():
            self.first_at = now
            stop_requested.set()
            logger.info("Stop requested: finishing the current batch, then stopping.")
            for callback in self.on_stop:
                callback()
        elif self.first_at is None:
            self.first_at = now
        elif now - self.first_at >= 1:
            logger.warning("Stop requested again: stopping at once.")
            logging.shutdown()
            os._exit(1)


def run(*, interval: float, once: bool) -> None:
    name = worker_name()
    backend = settings.TASK_BACKEND
    stop_requested.clear()
    stopper = Stopper()
    stopper.install()
    logger.info(
        "Worker started (%s task backend) as %s, taking %s.", backend, name, ", ".join(QUEUES)
    )
    ticker = Ticker(name, interval)
    if once:
        ticker.tick()
    else:
        ticker.start()
    try:
        if backend == "rq":
            from ombuds.notify import rq_worker

            try:
                rq_worker.run(name, QUEUES, once=once, task_paths=our_task_paths())
            finally:
                stopper.install()  # RQ's handlers would raise outside its loop
        elif backend == "database":
            _run_database(name, interval=interval, once=once, stopper=stopper)
        elif not once:  # the immediate backend runs each task as the ticker enqueues it
            while not stop_requested.wait(interval):
                pass
    finally:
        stop_requested.set()
        ticker.join(timeout=30)
    logger.info("Worker stopped.")


def _run_database(name: str, *, interval: float, once: bool, stopper: Stopper) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=list(QUEUES),
        interval=interval,
        batch=once,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=name[:64],
        excluded_queue_names=[],
    )
    stopper.on_stop.append(lambda: setattr(worker, "running", False))
    if not stop_requested.is_set():
        worker.run()
