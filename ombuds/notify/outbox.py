"""Queueing emails in the caller's transaction, and delivering them afterwards."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from psycopg import pq

from ombuds.notify.budget import Budget
from ombuds.notify.models import OutboxEmail, claim_due
from ombuds.notify.smtp import CarefulSMTP, RefusedAfterCommit
from ombuds.policy.loader import get_policy

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def queue_email(*, to: str, template: str, context: dict[str, Any]) -> OutboxEmail:
    """Queue `notify/<template>.txt` (first line: subject) and `.html` with a JSON context."""
    return OutboxEmail.objects.create(to=to, template=template, context=context)


def render_plain_text(template_name: str, context: dict[str, Any]) -> str:
    """A plain-text template rendered with autoescaping off, in or out of `{% autoescape %}`
    blocks: in a subject or a text body, `&` and `<` are characters, not markup."""
    template = get_template(template_name).template  # the Django engine's own Template
    return template.render(Context(context, autoescape=False))


def render_email(message: OutboxEmail) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a queued email (only the HTML is escaped)."""
    context = {**message.context, "marketplace_name": get_policy().marketplace.name}
    text = render_plain_text(f"notify/{message.template}.txt", context).strip()
    subject, _, body = text.partition("\n")
    html = render_to_string(f"notify/{message.template}.html", {**context, "subject": subject})
    return subject.strip()[:300], body.strip() + "\n", html


def _as_email(message: OutboxEmail) -> EmailMultiAlternatives:
    subject, text, html = render_email(message)
    email = EmailMultiAlternatives(subject, text, to=[message.to])
    email.attach_alternative(html, "text/html")
    email.extra_headers["Message-ID"] = f"<outbox-{message.pk}.{message.created_at:%Y%m%d}@ombuds>"
    return email


def _mark_sent(message: OutboxEmail, subject: str) -> Callable[[], None]:
    """Record the message as sent; returns what waits for the database's answer.

    Between this commit and the SMTP "." a dying worker loses the message, so on PostgreSQL
    the statement is only handed to the server here (it commits it on its own, autocommit),
    the "." follows at once, and the answer is read afterwards.
    """
    values = {
        "status": OutboxEmail.Status.SENT,
        "subject": subject,
        "sent_at": timezone.now(),
        "attempts": message.attempts + 1,
    }
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        OutboxEmail.objects.filter(pk=message.pk).update(**values)
        return lambda: None
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    table = connection.ops.quote_name(OutboxEmail._meta.db_table)
    pgconn.send_query_params(
        f"UPDATE {table} SET status = $1, subject = $2, sent_at = $3, attempts = $4 "
        "WHERE id = $5".encode(),
        [
            str(values["status"]).encode(),
            subject.encode(),
            values["sent_at"].isoformat().encode(),
            str(values["attempts"]).encode(),
            str(message.pk).encode(),
        ],
    )
    while pgconn.flush():
        pass

    def wait() -> None:
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                raise RuntimeError(result.error_message.decode(errors="replace"))

    return wait


def deliver_outbox(limit: int = 200, *, seconds: float | None = None) -> int:
    """Send due emails; returns how many were sent. Each is sent at most once.

    With `seconds`, no new message is begun once they have passed (nor once the worker was
    asked to stop): the rest of the batch goes back to the outbox at once, for the next one.
    """
    messages = claim_due(OutboxEmail, limit=limit, order_by="id")
    if not messages:
        return 0
    budget = Budget(seconds)
    try:
        if settings.EMAIL_BACKEND == SMTP_BACKEND:
            return _deliver_over_smtp(messages, budget)
        return _deliver_through_backend(messages, budget)
    finally:
        _hand_back(messages)


def _deliver_through_backend(messages: list[OutboxEmail], budget: Budget) -> int:
    sent = 0
    with get_connection() as connection:
        for message in messages:
            if budget.spent():
                break
            try:
                email = _as_email(message)
                email.connection = connection
                email.send()
            except Exception as exc:  # any failure to render or send is retried later
                _failed(message, exc)
                continue
            _mark_sent(message, email.subject)()
            sent += 1
    return sent


def _deliver_over_smtp(messages: list[OutboxEmail], budget: Budget) -> int:
    sent = 0
    try:
        smtp = CarefulSMTP()
    except (OSError, smtplib.SMTPException) as exc:
        for message in messages:
            _failed(message, exc)
        return 0
    try:
        for message in messages:
            if budget.spent():
                break
            try:
                email = _as_email(message)
                smtp.send(
                    email.message(),
                    email.from_email,
                    email.recipients(),
                    commit=lambda message=message, subject=email.subject: _mark_sent(
                        message, subject
                    ),
                )
            except RefusedAfterCommit as exc:
                _failed(message, exc, recorded_as_sent=True)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                _failed(message, exc)
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    break
                continue
            except Exception as exc:  # a template that cannot render: retried later
                _failed(message, exc)
                continue
            sent += 1
    finally:
        smtp.close()
    return sent


def _hand_back(messages: list[OutboxEmail]) -> None:
    """The messages of the batch it did not reach go back to the outbox (those still held
    under this batch's claim: not one another worker took back after the lease)."""
    OutboxEmail.objects.filter(
        pk__in=[message.pk for message in messages],
        status=OutboxEmail.Status.SENDING,
        claimed_at=messages[0].claimed_at,
    ).update(status=OutboxEmail.Status.PENDING)


def _failed(message: OutboxEmail, exc: Exception, *, recorded_as_sent: bool = False) -> None:
    attempts = message.attempts + 1
    status = OutboxEmail.Status.FAILED if attempts >= MAX_ATTEMPTS else OutboxEmail.Status.PENDING
    logger.warning("Email %s to %s failed (attempt %s): %s", message.pk, message.to, attempts, exc)
    was = OutboxEmail.Status.SENT if recorded_as_sent else OutboxEmail.Status.SENDING
    OutboxEmail.objects.filter(pk=message.pk, status=was).update(
        status=status,
        sent_at=None,
        attempts=attempts,
        last_error=str(exc)[:1000],
        next_attempt_at=timezone.now() + timedelta(seconds=min(3600, 2**attempts * 15)),
    )
