"""Signed webhooks to the marketplace (Standard Webhooks), queued with the action, sent after.

Each event is written as a delivery per subscribed endpoint in the action's transaction. The
worker posts it with `webhook-id`, `webhook-timestamp` and `webhook-signature` headers and
retries failures on the Standard Webhooks schedule (about 27 hours in all).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from ombuds.notify.budget import Budget
from ombuds.notify.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, claim_due

EVENT_TYPES = (
    "complaint.created",
    "case.decided",
    "sanction.applied",
    "sanction.lifted",
    "appeal.decided",
)
# Seconds to wait after each failed attempt: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)
TIMEOUT_SECONDS = 10


def queue_webhook(event_type: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue an event for every active endpoint that wants it (inside the caller's transaction)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {event_type!r}")
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(active=True):
        if not endpoint.wants(event_type):
            continue
        message_id = f"msg_{uuid.uuid4().hex}"
        payload = {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}
        deliveries.append(
            WebhookDelivery.objects.create(
                endpoint=endpoint, message_id=message_id, event_type=event_type, payload=payload
            )
        )
    return deliveries


def signature_headers(secret: str, message_id: str, body: str, at: Any = None) -> dict[str, str]:
    moment = at or timezone.now()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, moment, body),
    }


class BlockedAddress(Exception):
    pass


def _check_address(url: str) -> None:
    """Refuse to post to private, loopback or link-local addresses (SSRF), unless allowed."""
    if settings.OMBUDS_WEBHOOKS_ALLOW_PRIVATE:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        raise BlockedAddress(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise BlockedAddress(f"{host} resolves to a non-public address ({address})")


def _begin_attempt(delivery: WebhookDelivery) -> WebhookAttempt | None:
    """Just before posting: still ours (no other worker took it back after a long batch)?
    Then renew the lease, count the attempt and write it to the delivery log, all committed
    before the POST goes out: a post lost to a crash still shows (an attempt never finished)."""
    now = timezone.now()
    with transaction.atomic():
        renewed = WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.SENDING, claimed_at=delivery.claimed_at
        ).update(claimed_at=now, attempts=F("attempts") + 1)
        if not renewed:
            return None
        attempt = WebhookAttempt.objects.create(delivery=delivery)
    delivery.claimed_at = now
    delivery.attempts += 1
    return attempt


def deliver_webhooks(limit: int = 100, *, seconds: float | None = None) -> int:
    """Post due deliveries; returns how many the endpoints accepted (2xx).

    With `seconds`, no new post is begun once they have passed (nor once the worker was asked
    to stop): the rest of the batch goes back to the queue at once, for the next one.
    """
    budget = Budget(seconds)
    delivered = 0
    # Receivers deduplicate by `webhook-id`, so a delivery taken back from a dead worker
    # and posted again is harmless.
    due = claim_due(WebhookDelivery, limit=limit, order_by="created_at", related=("endpoint",))
    if not due:
        return 0
    claimed_at = due[0].claimed_at
    reached = 0
    try:
        with requests.Session() as session:
            for delivery in due:
                if budget.spent():
                    break
                reached += 1
                delivered += _attempt(session, delivery)
    finally:
        WebhookDelivery.objects.filter(  # those the batch did not reach
            pk__in=[delivery.pk for delivery in due[reached:]],
            status=WebhookDelivery.Status.SENDING,
            claimed_at=claimed_at,
        ).update(status=WebhookDelivery.Status.PENDING)
    return delivered


def _attempt(session: requests.Session, delivery: WebhookDelivery) -> int:
    attempt = _begin_attempt(delivery)
    if attempt is None:
        return 0
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    headers = {
        "content-type": "application/json",
        "user-agent": "Ombuds-Webhooks/1",
        **signature_headers(delivery.endpoint.secret, delivery.message_id, body),
    }
    started = time.monotonic()
    status_code, error = None, ""
    try:
        _check_address(delivery.endpoint.url)
        response = session.post(
            delivery.endpoint.url,
            data=body.encode(),
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:300]}"
    except (requests.RequestException, BlockedAddress) as exc:
        error = str(exc)[:1000]
    duration = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.filter(pk=attempt.pk).update(
        status_code=status_code, error=error, duration_ms=duration, finished_at=timezone.now()
    )
    attempts = delivery.attempts
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED,
            last_status_code=status_code,
            last_error="",
            delivered_at=timezone.now(),
        )
        return 1
    retry = attempts <= len(RETRY_SCHEDULE)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING if retry else WebhookDelivery.Status.FAILED,
        last_status_code=status_code,
        last_error=error,
        next_attempt_at=(
            timezone.now() + timedelta(seconds=RETRY_SCHEDULE[attempts - 1]) if retry else None
        ),
    )
    return 0


def resend(delivery: WebhookDelivery) -> None:
    """An operator's "resend": the same message (same id, so receivers can deduplicate), now."""
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
        status=WebhookDelivery.Status.SENDING
    ).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=None)
