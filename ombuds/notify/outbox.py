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
from ombuds.policy.loader import get_policy

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 12


def queue_email(*, to: str, template: str, context: dict[str, Any]) -> OutboxEmail:
    """Queue `notify/<template>.txt` (first line: subject) and `.html` with a JSON context."""
    return OutboxEmail.objects.create(to=to, template=template, context=context)


def render_email(message: OutboxEmail) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a queued email."""
    context = {**message.context, "marketplace_name": get_policy().marketplace.name}
    text = render_to_string(f"notify/{message.template}.txt", context).strip()
    subject, _, body = text.partition("\n")
    html = render_to_string(f"notify/{message.template}.html", {**context, "subject": subject})
    return subject.strip()[:300], body.strip() + "\n", html


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
            try:
                subject, text, html = render_email(message)
                email = EmailMultiAlternatives(
                    subject, text, to=[message.to], connection=connection
                )
                email.attach_alternative(html, "text/html")
                email.send()
            except Exception as exc:  # any failure to render or send is retried later
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
