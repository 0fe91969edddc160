"""Database backend: a delivery task whose worker died stays "running" for ever; the worker
forgets it (its emails came back by the lease), and the record of batches done after a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus

from ombuds.cases.tasks import run_scheduled_checks
from ombuds.notify.tasks import send_emails, send_webhooks
from ombuds.notify.worker import forget_abandoned_tasks

pytestmark = pytest.mark.django_db


def _row(task, status: str, *, started_ago: timedelta, finished_ago: timedelta | None = None):  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    result = task.enqueue()
    now = timezone.now()
    DBTaskResult.objects.filter(id=result.id).update(
        status=status,
        started_at=now - started_ago,
        finished_at=None if finished_ago is None else now - finished_ago,
    )
    return result.id


def test_dead_workers_delivery_tasks_and_old_records_are_forgotten(settings):
    from django_tasks_db.models import DBTaskResult

    assert settings.TASK_BACKEND == "database"
    dead = _row(send_emails, TaskResultStatus.RUNNING, started_ago=timedelta(hours=2))
    running = _row(send_webhooks, TaskResultStatus.RUNNING, started_ago=timedelta(seconds=3))
    old = _row(
        send_emails,
        TaskResultStatus.SUCCESSFUL,
        started_ago=timedelta(days=2),
        finished_ago=timedelta(days=2),
    )
    recent = _row(
        send_emails,
        TaskResultStatus.SUCCESSFUL,
        started_ago=timedelta(hours=1),
        finished_ago=timedelta(hours=1),
    )
    long_check = _row(
        run_scheduled_checks, TaskResultStatus.RUNNING, started_ago=timedelta(hours=2)
    )

    assert forget_abandoned_tasks() == 1
    assert not DBTaskResult.objects.filter(id__in=[dead, old]).exists()
    assert DBTaskResult.objects.filter(id__in=[running, recent, long_check]).count() == 3
