"""The RQ side of `ombuds worker` (OMBUDS_TASK_BACKEND=rq); imported only with that backend.

One RQ worker per process for its whole life (registered once, listening with a blocking pop,
so an idle worker costs Redis next to nothing). Tasks run in the worker's own process
(`SimpleWorker`: no fork per job), which lets a batch see the stop request and hand back
what it has not reached.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import django_rq
from django.db import close_old_connections
from django_tasks_rq.backend import Job as TaskJob
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.results import Result
from rq.utils import now as rq_now
from rq.worker import SimpleWorker

from ombuds.notify.budget import stop_requested

logger = logging.getLogger("ombuds.worker")
ABANDONED = "AbandonedJobError"  # what RQ writes for a job whose worker died under it


class OmbudsRQWorker(SimpleWorker):
    """SIGTERM or SIGINT: idle, stop now; busy, the batch stops at its next message, hands
    back the rest and the worker stops after it. A second signal (a second later or more)
    stops at once; the leases bring back what the batch held."""

    # Our tasks, set by `run()`: those of them a dead worker left are forgotten (see below).
    task_paths: frozenset[str] = frozenset()

    def _install_signal_handlers(self) -> None:
        super()._install_signal_handlers()
        if stop_requested.is_set():  # asked to stop before the loop began
            self._stop_requested = True

    def request_stop(self, signum: int, frame: Any) -> None:
        if not stop_requested.is_set():
            stop_requested.set()
            logger.info("Stop requested: finishing the current batch, then stopping.")
        super().request_stop(signum, frame)  # idle: raises StopRequested, which ends work()

    def request_force_stop(self, signum: int, frame: Any) -> None:
        since = self._shutdown_requested_date
        if since is not None and rq_now() - since < timedelta(seconds=1):
            return  # the same stop, delivered twice (a terminal's process group)
        logger.warning("Stop requested again: stopping at once.")
        logging.shutdown()
        os._exit(1)

    def subscribe(self) -> None:
        """RQ's listener for commands (`rq shutdown`...) waits up to 60 s for a message while
        holding the lock that its unsubscribing at the stop needs: a stop took a minute. Here
        it looks every half second (a wait on the socket, no Redis command)."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=0.5, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def clean_registries(self) -> None:
        """RQ's own clean-up moves the jobs of dead workers to the failed registry (and logs
        each as a failed task): forget ours first."""
        try:
            forget_abandoned_jobs(self.queues, set(self.task_paths))
        except Exception as exc:  # Redis away: RQ's clean-up says so too
            logger.warning("Could not forget the jobs of dead workers: %s", exc)
        super().clean_registries()

    def execute_job(self, job: Any, queue: Any) -> None:
        close_old_connections()
        try:
            super().execute_job(job, queue)
        finally:
            close_old_connections()


def run(name: str, queue_names: Iterable[str], *, once: bool, task_paths: set[str]) -> None:
    worker = django_rq.get_worker(
        *queue_names, job_class=TaskJob, worker_class=OmbudsRQWorker, name=name
    )
    worker.task_paths = frozenset(task_paths)
    worker.work(burst=once, logging_level=None, with_scheduler=False)
    if not once and not stop_requested.is_set():
        raise RuntimeError("the RQ worker stopped by itself (see the lines above)")


_kept: set[str] = set()  # failed jobs looked at and kept (real failures), not to fetch again


def forget_abandoned_jobs(queues: Iterable[Queue], task_paths: set[str]) -> int:
    """Jobs of our tasks whose worker died under them (kill -9, a lost machine): RQ would keep
    them a year in its failed registry, where they raise alarms, though the lease has already
    brought their emails and webhooks back and every one of these tasks is idempotent. Delete
    them, whether still in the started registry past their heartbeat or already moved to the
    failed one (by any worker's or dashboard's clean-up). Jobs that failed with an exception,
    and other programs' jobs, stay. Returns how many were deleted."""
    removed = 0
    for queue in queues:
        for job_id in StartedJobRegistry(queue=queue).get_expired_job_ids():
            job = _fetch(job_id, queue.connection)
            if (
                job is not None
                and job.func_name in task_paths
                and job.get_status(refresh=False) == JobStatus.STARTED
            ):
                job.delete()
                removed += 1
        for job_id in FailedJobRegistry(queue=queue).get_job_ids():
            if job_id in _kept:
                continue
            job = _fetch(job_id, queue.connection)
            if job is None:
                continue
            result = job.latest_result()
            if (
                job.func_name in task_paths
                and result is not None
                and result.type == Result.Type.FAILED
                and ABANDONED in (result.exc_string or "")
            ):
                job.delete()
                removed += 1
            else:
                _kept.add(job_id)
    return removed


def forget_abandoned_tasks(queue_names: Iterable[str], task_paths: set[str]) -> int:
    return forget_abandoned_jobs([django_rq.get_queue(name) for name in queue_names], task_paths)


def _fetch(job_id: str, connection: Any) -> Job | None:
    try:
        return Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None
