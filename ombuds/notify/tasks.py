"""Background tasks, run by `ombuds worker` through the configured task backend.

The worker delivers what the outbox and the webhook queue hold, and runs every minute the
periodic tasks the domain packages register here (`register_periodic`, from their app's
`ready()`): notify delivers what others queue and knows nothing of what they are.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from ombuds.notify.outbox import deliver_outbox
from ombuds.notify.webhooks import deliver_webhooks

_PERIODIC: list[Any] = []


@task()
def deliver_notifications() -> int:
    """Send what waits in the outbox and the webhook queue."""
    return deliver_outbox() + deliver_webhooks()


def register_periodic(periodic_task: Any) -> None:
    """A task the worker enqueues every minute (registered once, however often asked)."""
    if periodic_task not in _PERIODIC:
        _PERIODIC.append(periodic_task)


def periodic_tasks() -> list[Any]:
    return list(_PERIODIC)
