"""When a case is due, from its type's time limit (calendar or business days)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ombuds.policy.schema import TimeLimit


def due_time(start: datetime, limit: TimeLimit) -> datetime:
    if limit.unit == "hours":
        return start + timedelta(hours=limit.amount)
    if limit.calendar == "calendar":
        return start + timedelta(days=limit.amount)
    moment, remaining = start, limit.amount
    while remaining:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            remaining -= 1
    return moment
