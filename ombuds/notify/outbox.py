"""Queueing emails in the caller's transaction, and delivering them afterwards."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from ombuds.notify.models import OutboxEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 12


def queue_email(*, to: str, template: str, context: dict[str, Any]) -> OutboxEmail:
    """Render `notify/<template>.txt` (first line: subject) and `.html`, and queue them."""
    text = render_to_string(f"notify/{template}.txt", context).strip()
    subject, _, body = text.partition("\n")
    html = render_to_string(f"notify/{template}.html", {**context, "subject": subject})
    return OutboxEmail.objects.create(
        to=to, subject=subject.strip()[:300], text=body.strip() + "\n", html=html
    )


def _claim(limit: int) -> list[OutboxEmail]:
    now = timezone.now()
    due = Q(status=OutboxEmail.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    with transaction.atomic():
        ids = list(
            OutboxEmail.objects.filter(due).order_by("id").values_list("id", flat=True)[:limit]
        )
        claimed = OutboxEmail.objects.filter(id__in=ids, status=OutboxEmail.Status.PENDING).update(
            status=OutboxEmail.Status.SENDING
        )
    if claimed == 0:
        return []
    return list(OutboxEmail.objects.filter(id__in=ids, status=OutboxEmail.Status.SENDING))


def deliver_outbox(limit: int = 200) -> int:
    """Send due emails over one SMTP connection; returns how many were sent."""
    messages = _claim(limit)
    if not messages:
        return 0
    sent = 0
    with get_connection() as connection:
        for message in messages:
            email = EmailMultiAlternatives(
                message.subject, message.text, to=[message.to], connection=connection
            )
            if message.html:
                email.attach_alternative(message.html, "text/html")
            try:
                email.send()
            except Exception as exc:  # noqa: BLE001 - any SMTP failure is retried later
                _failed(message, exc)
                continue
            OutboxEmail.objects.filter(pk=message.pk).update(
                status=OutboxEmail.Status.SENT,
                sent_at=timezone.now(),
                attempts=message.attempts + 1,
            )
            sent += 1
    return sent


def _failed(message: OutboxEmail, exc: Exception) -> None:
    attempts = message.attempts + 1
    status = OutboxEmail.Status.FAILED if attempts >= MAX_ATTEMPTS else OutboxEmail.Status.PENDING
    logger.warning("Email %s to %s failed (attempt %s): %s", message.pk, message.to, attempts, exc)
    OutboxEmail.objects.filter(pk=message.pk).update(
        status=status,
        attempts=attempts,
        last_error=str(exc)[:1000],
        next_attempt_at=timezone.now() + timedelta(seconds=min(3600, 2**attempts * 15)),
    )
