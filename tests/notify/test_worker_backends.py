"""`ombuds worker` runs its tasks through the database backend (default) or RQ on Redis."""

import subprocess
import sys
import uuid

import pytest
import redis

from ombuds.notify.models import OutboxEmail
from ombuds.notify.outbox import queue_email
from tests.notify.test_worker_crash import worker_env


@pytest.mark.parametrize("backend", ["database", "rq"])
@pytest.mark.django_db(transaction=True)
def test_worker_sends_queued_email_through_the_task_backend(backend, smtp_server, mailbox):
    controller, _ = smtp_server
    queue_email(
        to=f"{backend}@example.com",
        template="case_update",
        context={
            "title": f"Sent through {backend}",
            "text": "News",
            "link": "http://x/",
            "reference": "R1",
            "type_label": "Report",
        },
    )
    prefix = f"ombuds-test-{uuid.uuid4().hex[:12]}"  # no other run's jobs, nor ours left
    env = {
        **worker_env(controller.port),
        "OMBUDS_TASK_BACKEND": backend,
        "REDIS_URL": "redis://127.0.0.1:6379/7",
        "RQ_KEY_PREFIX": prefix,
    }
    try:
        result = subprocess.run(
            [sys.executable, "-m", "ombuds.cli", "worker", "--once"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        if backend == "rq":
            client = redis.Redis.from_url(env["REDIS_URL"])
            keys = list(client.scan_iter(f"{prefix}:*"))
            if keys:
                client.delete(*keys)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"Worker started ({backend} task backend)" in result.stderr
    assert OutboxEmail.objects.get().status == "sent"
    (message,) = mailbox.to(f"{backend}@example.com")
    assert message["Subject"] == f"Sent through {backend}"
