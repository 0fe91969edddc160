"""API bearer tokens: `omb_<prefix>_<secret>`, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.utils import timezone

from ombuds.accounts.models import ApiToken, User

TOKEN_PREFIX = "omb"


@dataclass(frozen=True)
class Principal:
    """Who an API request acts for: a user, or the marketplace's own service."""

    token: ApiToken
    user: User | None

    @property
    def is_service(self) -> bool:
        return self.token.kind == ApiToken.Kind.SERVICE


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, name: str, user: User | None = None) -> tuple[ApiToken, str]:
    """A new token for a user, or for the marketplace's service when no user is given."""
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiToken.objects.create(
        name=name,
        kind=ApiToken.Kind.USER if user else ApiToken.Kind.SERVICE,
        user=user,
        prefix=prefix,
        digest=_digest(token),
    )
    return record, token


def authenticate_token(token: str) -> Principal | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    record = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if record is None or not hmac.compare_digest(record.digest, _digest(token)):
        return None
    if record.user is not None and not record.user.is_active:
        return None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return Principal(token=record, user=record.user)


def revoke_token(prefix: str) -> bool:
    return bool(
        ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def revoke_user_tokens(user: User) -> int:
    """Revoke every token of a user (their password was reset or changed); how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
