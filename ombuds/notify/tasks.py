"""Background tasks, run by `ombuds worker` through the configured task backend.

Emails and webhooks are separate channels: each has its own task and queue, and each batch
stops taking new messages after `OMBUDS_WORKER_BATCH_SECONDS`, so a slow webhook receiver
holds up receipt emails for one post at most (and a slow SMTP server the webhooks likewise).
The worker also runs the periodic tasks the domain packages register here
(`register_periodic`, from their app's `ready()`), each on one schedule for the whole
deployment: notify delivers what others queue and knows nothing of what they are.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django_tasks import task

from ombuds.notify.outbox import deliver_outbox
from ombuds.notify.webhooks import deliver_webhooks

logger = logging.getLogger(__name__)

EMAILS_QUEUE = "emails"
WEBHOOKS_QUEUE = "webhooks"
# The order a worker takes waiting tasks in: emails first, the periodic checks, then webhooks.
QUEUES = (EMAILS_QUEUE, "default", WEBHOOKS_QUEUE)

_PERIODIC: dict[str, tuple[Any, timedelta]] = {}


@task(queue_name=EMAILS_QUEUE)
def send_emails() -> int:
    """Send what waits in the outbox, for a few seconds at most."""
    sent = deliver_outbox(seconds=settings.OMBUDS_WORKER_BATCH_SECONDS)
    if sent:
        logger.info("Sent %d email(s).", sent)
    return sent


@task(queue_name=WEBHOOKS_QUEUE)
def send_webhooks() -> int:
    """Post what waits in the webhook queue, for a few seconds at most."""
    delivered = deliver_webhooks(seconds=settings.OMBUDS_WORKER_BATCH_SECONDS)
    if delivered:
        logger.info("Delivered %d webhook(s).", delivered)
    return delivered


@task()
def deliver_notifications() -> int:
    """Both channels, one after the other: the task of earlier versions, kept so that one
    still queued at an upgrade runs. The worker no longer enqueues it."""
    return send_emails.call() + send_webhooks.call()


def register_periodic(periodic_task: Any, every: timedelta = timedelta(minutes=1)) -> None:
    """A task the worker enqueues every `every` (for the whole deployment, not per worker);
    registered once, however often asked."""
    _PERIODIC.setdefault(periodic_task.module_path, (periodic_task, every))


def periodic_tasks() -> list[Any]:
    return [periodic_task for periodic_task, _ in _PERIODIC.values()]


def periodic_schedule() -> list[tuple[Any, timedelta]]:
    """The periodic tasks with how often each runs."""
    return list(_PERIODIC.values())
