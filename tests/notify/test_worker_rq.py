"""The RQ worker: one for the life of the process, quiet when idle, and the jobs of a worker
that died are forgotten rather than kept a year as failures."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.notify.workers import (
    REDIS_URL,
    SMTPCounter,
    env_for,
    forget_redis_keys,
    no_traceback,
    redis_client,
    running,
    timestamped,
    wait_until,
)


@pytest.mark.django_db(transaction=True)
def test_an_idle_rq_worker_is_one_worker_quiet_and_stops_at_once(tmp_path):
    client = redis_client()
    smtp = SMTPCounter()
    env = env_for("rq", smtp.controller.port)
    prefix = env["RQ_KEY_PREFIX"]
    log = tmp_path / "worker.log"
    try:
        with running(env, log, interval=0.2) as worker:
            worker.wait_started()
            wait_until(lambda: client.scard(f"{prefix}:workers") == 1, 30, "never registered")
            time.sleep(1)  # its first tick's periodic checks are done
            lines_before = len(worker.log.splitlines())
            names, counts = set(), []
            for _ in range(20):  # four seconds, twenty looks for work
                members = client.smembers(f"{prefix}:workers")
                counts.append(len(members))
                names |= members
                time.sleep(0.2)
            quiet_lines = worker.log.splitlines()[lines_before:]
            assert worker.stop() == 0, worker.log[-3000:]
        assert counts == [1] * 20, counts
        assert len(names) == 1, f"a new RQ worker per poll: {sorted(names)[:5]}..."
        assert client.scard(f"{prefix}:workers") == 0, "it unregistered when it stopped"
        assert quiet_lines == [], quiet_lines
        text = log.read_text()
        assert timestamped(text), text
        assert no_traceback(text), text
        assert "Worker started (rq task backend)" in text and "Worker stopped." in text
    finally:
        forget_redis_keys(prefix)


def explode() -> None:  # a task of ours that fails for real
    raise ValueError("boom")


@pytest.fixture
def queue():
    """A queue of its own on the test Redis database (this process's RQ keys start `rq:`);
    every key the test made (the queue's, its jobs', their executions', the workers') is
    deleted after."""
    from redis import Redis
    from rq.queue import Queue

    client = redis_client()
    name = f"ombuds-test-{uuid.uuid4().hex[:12]}"
    queue = Queue(name=name, connection=Redis.from_url(REDIS_URL))
    queue.test_job_ids = []  # type: ignore[attr-defined]
    yield queue
    marks = [name, *queue.test_job_ids]  # type: ignore[attr-defined]
    keys = [key for key in client.scan_iter("rq:*", count=1000) if any(m in key for m in marks)]
    client.srem("rq:queues", f"rq:queue:{name}")
    if keys:
        client.delete(*keys)


def _started_by_a_worker_that_died(queue, path: str):  # type: ignore[no-untyped-def]
    """A job a worker took and died with (kill -9): started, its heartbeat long gone."""
    from rq.registry import StartedJobRegistry
    from rq.worker import SimpleWorker

    job = queue.enqueue(path)
    queue.test_job_ids.append(job.id)
    worker = SimpleWorker([queue], connection=queue.connection, name=f"{queue.name}-worker")
    queue.dequeue_any([queue], None, connection=queue.connection)
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)
    registry = StartedJobRegistry(queue=queue)
    entries = queue.connection.zrange(registry.key, 0, -1)
    queue.connection.zadd(registry.key, dict.fromkeys(entries, 1))  # expired long ago
    return job


def test_jobs_of_dead_workers_are_forgotten_real_failures_and_others_jobs_kept(queue):
    from rq.job import Job
    from rq.job_lifecycle import record_job_failure
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    from ombuds.notify.rq_worker import forget_abandoned_jobs

    ours = {
        "ombuds.notify.tasks.send_emails",
        "ombuds.notify.tasks.send_webhooks",
        f"{__name__}.explode",
    }
    # One RQ's own clean-up (any worker's, a dashboard's) already moved to its failed registry.
    moved = _started_by_a_worker_that_died(queue, "ombuds.notify.tasks.send_webhooks")
    someone_elses = _started_by_a_worker_that_died(queue, "elsewhere.tasks.report")
    StartedJobRegistry(queue=queue).cleanup()
    still_started = _started_by_a_worker_that_died(queue, "ombuds.notify.tasks.send_emails")
    failed = FailedJobRegistry(queue=queue)
    assert set(failed.get_job_ids()) == {moved.id, someone_elses.id}
    real = queue.enqueue(f"{__name__}.explode")
    queue.test_job_ids.append(real.id)
    with queue.connection.pipeline() as pipeline:
        record_job_failure(real, "Traceback (most recent call last):\nValueError: boom", pipeline)
        pipeline.execute()

    assert forget_abandoned_jobs([queue], ours) == 2
    assert not Job.exists(still_started.id, connection=queue.connection)
    assert not Job.exists(moved.id, connection=queue.connection)
    assert set(failed.get_job_ids()) == {someone_elses.id, real.id}
    StartedJobRegistry(queue=queue).cleanup()  # RQ's clean-up finds nothing of ours after
    assert set(failed.get_job_ids()) == {someone_elses.id, real.id}
    assert forget_abandoned_jobs([queue], ours) == 0
