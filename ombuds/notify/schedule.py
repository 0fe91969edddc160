"""One schedule for the whole deployment, however many workers run.

Each periodic task has a row (`PeriodicRun`) saying when it runs next. A worker whose clock
has reached that moment moves it on by the task's interval in one conditional UPDATE
(`... WHERE next_run_at <= now`): the database lets one worker do so, and that worker
enqueues the run; the others find the row moved and wait for the new moment. This works the
same on SQLite and PostgreSQL and needs no lock held across anything.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from ombuds.notify.models import PeriodicRun


def take_turn(
    name: str, every: timedelta, *, worker: str = "", now: datetime | None = None
) -> bool:
    """True for the one caller that is to enqueue the run of `name` due by `now`."""
    now = now or timezone.now()
    PeriodicRun.objects.get_or_create(name=name, defaults={"next_run_at": now})
    return bool(
        PeriodicRun.objects.filter(name=name, next_run_at__lte=now).update(
            next_run_at=now + every, last_run_at=now, last_worker=worker[:100]
        )
    )


class Schedule:
    """A worker's view of the schedule: asks the database only when a run may be due."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self._next: dict[str, datetime] = {}

    def due(self, name: str, every: timedelta, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        known = self._next.get(name)
        if known is not None and now < known:
            return False
        if take_turn(name, every, worker=self.worker, now=now):
            self._next[name] = now + every
            return True
        self._next[name] = (
            PeriodicRun.objects.filter(name=name).values_list("next_run_at", flat=True).first()
            or now
        )
        return False

    def give_back(self, name: str, now: datetime) -> None:
        """The run this worker took could not be enqueued: due again, for any worker."""
        PeriodicRun.objects.filter(
            name=name, last_run_at=now, last_worker=self.worker[:100]
        ).update(next_run_at=now)
        self._next.pop(name, None)
