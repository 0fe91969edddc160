"""Background tasks, run by `ombuds worker` through the configured task backend."""

from __future__ import annotations

from django_tasks import task

from ombuds.cases.schedule import run_schedule
from ombuds.notify.outbox import deliver_outbox
from ombuds.notify.webhooks import deliver_webhooks


@task()
def deliver_notifications() -> int:
    """Send what waits in the outbox and the webhook queue."""
    return deliver_outbox() + deliver_webhooks()


@task()
def run_scheduled_checks() -> dict[str, int]:
    """Deadlines, cases ruled for the complainant, sanctions that end."""
    return run_schedule()
