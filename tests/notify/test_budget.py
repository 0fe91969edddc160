"""A batch begins no new message once its seconds are spent, or once the worker is stopping;
what it claimed and did not reach goes straight back to the queue."""

from __future__ import annotations

import pytest

from ombuds.notify.budget import stop_requested
from ombuds.notify.models import OutboxEmail, WebhookDelivery, WebhookEndpoint
from ombuds.notify.outbox import deliver_outbox, queue_email
from ombuds.notify.webhooks import deliver_webhooks, queue_webhook
from tests.notify.test_webhooks import Receiver
from tests.notify.workers import email_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopping():
    stop_requested.set()
    yield
    stop_requested.clear()


def _statuses(model) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(model.objects.values_list("status", flat=True))


def test_a_spent_email_batch_sends_one_and_hands_back_the_rest(mailbox):
    for index in range(3):
        queue_email(
            to=f"m{index}@example.com", template="case_update", context=email_context(index)
        )
    assert deliver_outbox(seconds=0) == 1
    assert _statuses(OutboxEmail) == ["pending", "pending", "sent"]
    assert not OutboxEmail.objects.filter(attempts__gt=0, status="pending").exists()
    assert deliver_outbox(seconds=60) == 2 and len(mailbox.messages) == 3


def test_a_stopping_worker_begins_no_email(mailbox, stopping):
    queue_email(to="m@example.com", template="case_update", context=email_context(1))
    assert deliver_outbox(seconds=60) == 0
    assert _statuses(OutboxEmail) == ["pending"] and mailbox.messages == []


def test_a_spent_webhook_batch_posts_one_and_hands_back_the_rest(settings):
    settings.OMBUDS_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver()
    try:
        WebhookEndpoint.objects.create(url=receiver.url)
        for index in range(3):
            queue_webhook("case.decided", {"case": f"CASE-{index}"})
        assert deliver_webhooks(seconds=0) == 1
        assert _statuses(WebhookDelivery) == ["delivered", "pending", "pending"]
        assert WebhookDelivery.objects.filter(status="pending", attempts=0).count() == 2
        stop_requested.set()
        try:
            assert deliver_webhooks(seconds=60) == 0
        finally:
            stop_requested.clear()
        assert len(receiver.requests) == 1
        assert deliver_webhooks(seconds=60) == 2 and len(receiver.requests) == 3
    finally:
        receiver.close()
