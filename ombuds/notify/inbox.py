"""In-product notifications: the bell and its unread count."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ombuds.notify.models import Notification


def notify_user(user: Any, *, kind: str, title: str, url: str = "") -> Notification | None:
    """Add a notification for a user (none for visitors without an account)."""
    if user is None or not getattr(user, "pk", None):
        return None
    return Notification.objects.create(user=user, kind=kind, title=title[:200], url=url[:300])


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: Any, notification_id: int | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
