"""SIGTERM in the middle of a batch: the worker finishes the message in hand, hands the rest
back and exits 0; started again, it sends every email once and posts every webhook once."""

from __future__ import annotations

import pytest

from ombuds.notify.models import OutboxEmail, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from ombuds.notify.outbox import queue_email
from ombuds.notify.webhooks import queue_webhook
from tests.notify.workers import (
    SlowReceiver,
    SMTPCounter,
    email_context,
    env_for,
    forget_redis_keys,
    no_traceback,
    redis_client,
    running,
    wait_until,
)

EMAILS = 120
WEBHOOKS = 12


@pytest.fixture
def smtp():
    server = SMTPCounter(delay=0.02)  # 120 emails: over two seconds, more than one batch
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def receiver():
    server = SlowReceiver(delay=0.25)  # 12 webhooks: three seconds, more than one batch
    yield server
    server.close()


def _nothing_held() -> None:
    """After a stop, nothing is left claimed (a lease would bring it back only later) and no
    post was left unfinished."""
    assert not OutboxEmail.objects.filter(status="sending").exists()
    assert not WebhookDelivery.objects.filter(status="sending").exists()
    assert not WebhookAttempt.objects.filter(finished_at__isnull=True).exists()


@pytest.mark.parametrize("backend", ["database", "rq"])
@pytest.mark.django_db(transaction=True)
def test_sigterm_mid_batch_exits_0_and_a_restart_sends_each_message_once(
    backend, smtp, receiver, tmp_path
):
    if backend == "rq":
        redis_client()  # skips without Redis
    WebhookEndpoint.objects.create(url=receiver.url)
    for index in range(EMAILS):
        queue_email(
            to=f"member{index}@example.com", template="case_update", context=email_context(index)
        )
    for index in range(WEBHOOKS):
        queue_webhook("case.decided", {"case": f"CASE-{index}"})
    env = env_for(backend, smtp.controller.port)
    log = tmp_path / "worker.log"
    try:
        # 1. Stopped while sending emails.
        with running(env, log) as worker:
            wait_until(lambda: len(smtp.message_ids) >= 20, 60, "no email arrived")
            assert worker.stop() == 0, worker.log[-3000:]
        assert len(smtp.message_ids) < EMAILS, "the stop must land in the middle of the work"
        _nothing_held()

        # 2. Started again, stopped while posting webhooks.
        with running(env, log) as worker:
            wait_until(lambda: len(receiver.webhook_ids) >= 2, 60, "no webhook arrived")
            assert worker.stop() == 0, worker.log[-3000:]
        assert len(receiver.webhook_ids) < WEBHOOKS, "the stop must land in the middle of the work"
        _nothing_held()

        # 3. Started again: the rest goes out.
        with running(env, log) as worker:
            wait_until(
                lambda: (
                    not OutboxEmail.objects.exclude(status="sent").exists()
                    and not WebhookDelivery.objects.exclude(status="delivered").exists()
                ),
                60,
                "not everything was sent",
            )
            assert worker.stop() == 0, worker.log[-3000:]
        _nothing_held()
        if backend == "rq":  # and nothing in RQ's failed registries
            client = redis_client()
            prefix = env["RQ_KEY_PREFIX"]
            assert [key for key in client.scan_iter(f"{prefix}:failed:*")] == []
    finally:
        if backend == "rq":
            forget_redis_keys(env["RQ_KEY_PREFIX"])

    log_text = log.read_text()
    assert log_text.count("Worker stopped.") == 3
    assert no_traceback(log_text), log_text[-3000:]
    emails = smtp.message_ids
    assert (len(emails) - len(set(emails)), EMAILS - len(set(emails))) == (0, 0), "twice, lost"
    hooks = receiver.webhook_ids
    assert (len(hooks) - len(set(hooks)), WEBHOOKS - len(set(hooks))) == (0, 0), "twice, lost"
    assert set(hooks) == set(WebhookDelivery.objects.values_list("message_id", flat=True))
    # Each delivery tried once: its one attempt in the log, finished, answered 200.
    assert sorted(WebhookAttempt.objects.values_list("status_code", flat=True)) == [200] * WEBHOOKS
