"""Rate limits on filing, per user and per IP, counted atomically in the database.

A fixed-window counter: one row per scope, identity and window, created or incremented by
one upsert statement that returns the new count, so that it is exact across processes on
SQLite and PostgreSQL alike (the database cache has no atomic increment). Limits are
settings like "30/hour".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ombuds.intake.models import RateCounter

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*", text)
        if not match:
            raise ValueError(f"a rate limit looks like '30/hour', not {text!r}")
        return cls(int(match.group(1)), int(match.group(2) or 1) * _UNITS[match.group(3)])


@dataclass(frozen=True)
class RateRefusal:
    retry_after: int
    message: str


def _window(now: datetime, seconds: int) -> tuple[int, datetime]:
    start = int(now.timestamp()) // seconds * seconds
    return start, datetime.fromtimestamp(start + seconds, tz=now.tzinfo)


def hit(scope: str, identity: str, limit: Limit) -> int | None:
    """Count one request; return the seconds to wait if it is over the limit, else None."""
    now = timezone.now()
    start, ends = _window(now, limit.seconds)
    key = f"{scope}:{identity}:{limit.seconds}:{start}"[:200]
    table, key_column, count = (
        connection.ops.quote_name(name) for name in (RateCounter._meta.db_table, "key", "count")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {count}, window_ends_at) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {count} = {table}.{count} + 1 "
            f"RETURNING {count}",
            [key, ends],
        )
        hits = cursor.fetchone()[0]
    if hits == 1 and start % 97 == 0:
        RateCounter.objects.filter(window_ends_at__lt=now - timedelta(days=1)).delete()
    if hits <= limit.count:
        return None
    return max(1, math.ceil((ends - now).total_seconds()))


def check_filing_rate(*, user_id: int | None, ip: str | None) -> RateRefusal | None:
    """Filing attempts per user and per IP address, as the settings allow."""
    checks = []
    if user_id is not None:
        checks.append(("user", str(user_id), settings.OMBUDS_FILING_RATE_PER_USER))
    if ip:
        checks.append(("ip", ip, settings.OMBUDS_FILING_RATE_PER_IP))
    waits = [
        wait
        for kind, identity, text in checks
        if text and (wait := hit(f"filing-{kind}", identity, Limit.parse(text))) is not None
    ]
    if not waits:
        return None
    wait = max(waits)
    minutes = max(1, math.ceil(wait / 60))
    return RateRefusal(
        retry_after=wait,
        message=f"You have filed many complaints in a short time. Please wait {minutes} "
        f"minute{'s' if minutes != 1 else ''} before filing again; nothing you typed is lost.",
    )


def client_ip(meta: dict[str, str]) -> str:
    """The client address; behind a proxy, the first address it forwarded, if trusted."""
    if settings.OMBUDS_TRUST_X_FORWARDED_FOR:
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return meta.get("REMOTE_ADDR", "")
