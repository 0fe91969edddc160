"""When a case is due, from its type's time limit, and how a stopped clock moves it.

On calendar time the clock always runs. On business time it runs on weekdays only (Monday to
Friday in the marketplace's time zone, `TIME_ZONE`): a limit of 2 business days filed on a
Friday at 10:00 falls due on Tuesday at 10:00, one filed on a Saturday on Wednesday at 00:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from ombuds.policy.schema import TimeLimit

_SATURDAY = 5


def due_time(start: datetime, limit: TimeLimit) -> datetime:
    length = timedelta(hours=limit.amount) if limit.unit == "hours" else timedelta(limit.amount)
    return _run_clock(start, length, limit)


def resumed_due_time(
    due_at: datetime, paused_at: datetime, now: datetime, limit: TimeLimit
) -> datetime:
    """The due time of a case whose clock stopped at `paused_at` and runs again from `now`:
    what was left of its time when it stopped, counted from now."""
    if now <= paused_at:
        return due_at
    return _run_clock(now, clock_time_between(paused_at, due_at, limit), limit)


def clock_time_between(start: datetime, end: datetime, limit: TimeLimit) -> timedelta:
    """How long the case's clock runs from `start` to `end` (negative when `end` is earlier)."""
    if limit.calendar == "calendar":
        return end - start
    if end < start:
        return -clock_time_between(end, start, limit)
    counted, moment = timedelta(0), start.astimezone(UTC)
    while moment < end:
        day_ends = _end_of_day(moment)
        if _is_weekday(moment):
            counted += min(end, day_ends) - moment
        moment = day_ends
    return counted


def _run_clock(start: datetime, length: timedelta, limit: TimeLimit) -> datetime:
    if limit.calendar == "calendar":
        return start + length
    moment, left = start.astimezone(UTC), length
    while True:
        day_ends = _end_of_day(moment)
        if _is_weekday(moment):
            if moment + left <= day_ends:
                return moment + left
            left -= day_ends - moment
        moment = day_ends


def _is_weekday(moment: datetime) -> bool:
    return timezone.localtime(moment).weekday() < _SATURDAY


def _end_of_day(moment: datetime) -> datetime:
    """The next local midnight, in UTC: arithmetic on it counts real hours, also on the days
    clocks change."""
    local = timezone.localtime(moment)
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min)
    return timezone.make_aware(midnight, local.tzinfo).astimezone(UTC)
