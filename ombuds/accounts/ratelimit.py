"""Rate limits, counted atomically in the database, and the client's address.

A fixed-window counter: one row per scope, identity and window, created or incremented by
one upsert statement that returns the new count, so that it is exact across processes on
SQLite and PostgreSQL alike (the database cache has no atomic increment). Limits are
settings like "30/hour"; an empty setting means no limit.

This is the lowest package that counts: accounts uses it for sign-ups and password resets,
and ombuds.intake.ratelimit for filings and evidence uploads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from ombuds.accounts.models import RateCounter

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


def hit(scope: str, identity: str, limit: Limit, amount: int = 1) -> int | None:
    """Count `amount` requests; return the seconds to wait if over the limit, else None."""
    now = timezone.now()
    start, ends = _window(now, limit.seconds)
    key = f"{scope}:{identity}:{limit.seconds}:{start}"[:200]
    table, key_column, count = (
        connection.ops.quote_name(name) for name in (RateCounter._meta.db_table, "key", "count")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {count}, window_ends_at) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {count} = {table}.{count} + %s "
            f"RETURNING {count}",
            [key, amount, ends, amount],
        )
        hits = cursor.fetchone()[0]
    if hits == amount and start % 97 == 0:
        RateCounter.objects.filter(window_ends_at__lt=now - timedelta(days=1)).delete()
    if hits <= limit.count:
        return None
    return max(1, math.ceil((ends - now).total_seconds()))


def longest_wait(checks: Iterable[tuple[str, str, str]], amount: int = 1) -> int | None:
    """Count every (scope, identity, limit setting) that has a limit; the longest wait, if any."""
    waits = [
        wait
        for scope, identity, text in checks
        if text and (wait := hit(scope, identity, Limit.parse(text), amount)) is not None
    ]
    return max(waits) if waits else None


def wait_words(seconds: int) -> str:
    """'1 minute', '12 minutes': how long to wait, rounded up to whole minutes."""
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def client_ip(meta: dict[str, str]) -> str:
    """The client address; behind a proxy, the first address it forwarded, if trusted."""
    if settings.OMBUDS_TRUST_X_FORWARDED_FOR:
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return meta.get("REMOTE_ADDR", "")


def request_ip(request: HttpRequest) -> str:
    """The client address of a request (django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return client_ip(request.META)


def check_signup_rate(*, ip: str | None) -> RateRefusal | None:
    """Sign-ups per client address, as OMBUDS_SIGNUP_RATE_PER_IP allows."""
    wait = longest_wait([("signup-ip", ip, settings.OMBUDS_SIGNUP_RATE_PER_IP)] if ip else [])
    if wait is None:
        return None
    return RateRefusal(
        retry_after=wait,
        message="Many accounts were created from your network in a short time. Please wait "
        f"{wait_words(wait)} and send the form again; what you typed is kept.",
    )


def check_password_reset_rate(*, email: str, ip: str | None) -> RateRefusal | None:
    """Password-reset emails per address asked for and per client address.

    The address is counted whether or not an account has it, so that the answer never tells
    which addresses have accounts.
    """
    checks = [("reset-email", email.strip().lower(), settings.OMBUDS_PASSWORD_RESET_RATE_PER_EMAIL)]
    if ip:
        checks.append(("reset-ip", ip, settings.OMBUDS_PASSWORD_RESET_RATE_PER_IP))
    wait = longest_wait(checks)
    if wait is None:
        return None
    return RateRefusal(
        retry_after=wait,
        message="Password-reset links were asked for many times in a short time, so we did "
        f"not send another one. Look for the link we sent already, or wait {wait_words(wait)} "
        "and ask again.",
    )
