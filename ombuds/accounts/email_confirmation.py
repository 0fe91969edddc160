"""Confirming that a user owns their email address, and linking them to their member."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.directory.models import Member

SALT = "ombuds.accounts.email-confirmation"
MAX_AGE = 3 * 24 * 3600


def confirmation_link(user: User) -> str:
    token = signing.dumps({"user": user.pk, "email": user.email}, salt=SALT)
    return settings.OMBUDS_BASE_URL + f"/accounts/confirm-email/{token}/"


def send_confirmation(user: User) -> None:
    send_mail(
        subject="Confirm your email address for Ombuds",
        message=(
            f"Hello {user.username},\n\n"
            "Confirm your email address by opening this link within 3 days:\n"
            f"{confirmation_link(user)}\n\n"
            "If you did not sign up, ignore this message.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def user_to_confirm(token: str) -> User | None:
    """The user whose address the token names (still theirs), or None for a bad or expired
    token; confirms nothing."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("user"), email=data.get("email")).first()


def confirm_email(token: str) -> User | None:
    """Confirm the address the token names (once: later uses change nothing); the user, or None
    for a bad or expired token. A link changes nothing on a GET: the page asks for a press of
    its button (a POST), so that mail scanners opening links confirm nothing."""
    user = user_to_confirm(token)
    if user is None:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
    if user.member_id is None:
        member = Member.objects.filter(email__iexact=user.email, user__isnull=True).first()
        user.member = member
    user.save(update_fields=["email_verified_at", "member"])
    return user
