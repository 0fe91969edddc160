import base64
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


def due_now(now: datetime) -> Q:
    """Emails and webhook deliveries waiting to be sent, their next attempt's time come."""
    return Q(status="pending") & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def lease_run_out(now: datetime) -> Q:
    """Emails and webhook deliveries a worker took to send and, by now, must have died with."""
    stale = now - timedelta(seconds=settings.OMBUDS_OUTBOX_LEASE_SECONDS)
    return Q(status="sending") & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))


def claim_due(
    model: type[models.Model], *, limit: int, order_by: str, related: tuple[str, ...] = ()
) -> list[Any]:
    """Take up to `limit` emails or deliveries due now for this worker (status `sending`, with
    the moment they were taken); those a worker that died held come back once its lease has
    run out. Two workers never take the same one."""
    now = timezone.now()
    manager = model._default_manager
    manager.filter(lease_run_out(now)).update(status="pending")
    with transaction.atomic():
        ids = list(
            manager.filter(due_now(now)).order_by(order_by).values_list("id", flat=True)[:limit]
        )
        manager.filter(id__in=ids, status="pending").update(status="sending", claimed_at=now)
    return list(
        manager.select_related(*related).filter(id__in=ids, status="sending", claimed_at=now)
    )


class OutboxEmail(models.Model):
    """An email written in the same transaction as the action that caused it.

    Only the template and its plain context are stored: rendering happens in the worker, off
    the request. A worker sends it after the commit; with the worker down nothing is lost. A
    message is claimed (status `sending`) before it is handed to SMTP, so it is sent at most
    once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    to = models.EmailField()
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL of the marketplace that receives signed events (Standard Webhooks)."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100, default=new_webhook_secret)
    events = models.JSONField(
        default=list, blank=True, help_text="Event types to send; empty means all of them."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint, retried with exponential backoff for more than a day."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it to send (its lease)."
    )
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """The delivery log operators read: every try, with what the endpoint answered."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the post ended. Written before the post goes out, an attempt that never "
            "finished is one the worker stopped in (what the endpoint got is not known)."
        ),
    )

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at}: {self.status_code or self.error[:40]}"


class Notification(models.Model):
    """A message in the product (the bell), written in the same transaction as its cause."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class PeriodicRun(models.Model):
    """When a periodic task runs next, for the whole deployment: the worker that moves
    `next_run_at` on (one conditional UPDATE) enqueues that run, the others find it moved."""

    name = models.CharField(max_length=200, primary_key=True, help_text="The task's path.")
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_worker = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.next_run_at}"
