"""How moments and sizes read for people, in the marketplace's time zone: one way everywhere."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def _moment(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        return parse_datetime(value)
    return value


def when(value: datetime | str | None, *, zone: bool = False) -> str:
    """'4 December 2026, 19:57' (a datetime, or one as an ISO string), with ' UTC' and the
    like when `zone`; '' for nothing."""
    moment = _moment(value)
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%-d %B %Y, %H:%M" + (" %Z" if zone else ""))


def day(value: datetime | str | None) -> str:
    """'4 December 2026'."""
    moment = _moment(value)
    return f"{timezone.localtime(moment):%-d %B %Y}" if moment else ""


def megabytes(size: int) -> str:
    """A size for people: '2 MB', '1.5 MB'."""
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"
