"""A webhook receiver that takes 2.5 s a request does not hold up receipt emails: emails and
webhooks are separate tasks, and a batch of webhooks begins no new post after two seconds.
While it is being called, the receiver finds the attempt already in the delivery log."""

from __future__ import annotations

import time

import pytest

from ombuds.notify.models import WebhookAttempt, WebhookEndpoint
from ombuds.notify.outbox import queue_email
from ombuds.notify.webhooks import queue_webhook
from tests.notify.workers import (
    SlowReceiver,
    SMTPCounter,
    email_context,
    env_for,
    forget_redis_keys,
    in_own_connection,
    redis_client,
    running,
    wait_until,
)

SLOW = 2.5
WEBHOOKS = 5  # one task posting them all would hold the emails for 12.5 s
EMAILS_WITHIN = 5.0  # seconds, from queueing to the SMTP server


@pytest.mark.parametrize("backend", ["database", "rq"])
@pytest.mark.django_db(transaction=True)
def test_a_slow_webhook_receiver_does_not_delay_receipt_emails(backend, tmp_path):
    if backend == "rq":
        redis_client()
    logged_before_answer: list[bool] = []

    def attempt_is_logged(webhook_id: str) -> None:
        logged_before_answer.append(
            in_own_connection(  # type: ignore[arg-type]
                WebhookAttempt.objects.filter(
                    delivery__message_id=webhook_id, finished_at__isnull=True
                ).exists
            )
        )

    receiver = SlowReceiver(delay=SLOW, on_request=attempt_is_logged)
    smtp = SMTPCounter()
    smtp.controller.start()
    WebhookEndpoint.objects.create(url=receiver.url)
    for index in range(WEBHOOKS):
        queue_webhook("case.decided", {"case": f"CASE-{index}"})
    env = env_for(backend, smtp.controller.port)
    try:
        with running(env, tmp_path / "worker.log") as worker:
            wait_until(lambda: receiver.started, 60, "no webhook was posted")
            # A receiver is busy answering: complaints are filed now, their receipts queued.
            queued_at = {}
            for index in range(3):
                to = f"filer{index}@example.com"
                queue_email(to=to, template="case_update", context=email_context(index))
                queued_at[to] = time.monotonic()
                time.sleep(0.3)
            wait_until(
                lambda: all(smtp.arrived(to) for to in queued_at), 20, "receipts never arrived"
            )
            delays = {to: smtp.arrived(to) - at for to, at in queued_at.items()}  # type: ignore[operator]
            assert worker.stop() == 0, worker.log[-3000:]
    finally:
        receiver.close()
        smtp.controller.stop()
        if backend == "rq":
            forget_redis_keys(env["RQ_KEY_PREFIX"])
    assert max(delays.values()) < EMAILS_WITHIN, delays
    assert len(receiver.webhook_ids) < WEBHOOKS, "the emails went first, not after every webhook"
    assert logged_before_answer and all(logged_before_answer), logged_before_answer
