"""Rate limits on filing and on evidence uploads, per user, per IP and per service token.

The counter itself (a fixed window counted atomically in the database) and the client's
address live in ombuds.accounts.ratelimit, below accounts' own limits on sign-ups and
password resets; they are imported here under their old names.
"""

from __future__ import annotations

from django.conf import settings

from ombuds.accounts.ratelimit import (
    Limit,
    RateRefusal,
    client_ip,
    hit,
    longest_wait,
    wait_words,
)

__all__ = [
    "Limit",
    "RateRefusal",
    "check_filing_rate",
    "check_service_upload_rate",
    "check_upload_rate",
    "client_ip",
    "hit",
]


def check_filing_rate(*, user_id: int | None, ip: str | None) -> RateRefusal | None:
    """Filing attempts per user and per IP address, as the settings allow."""
    checks = []
    if user_id is not None:
        checks.append(("filing-user", str(user_id), settings.OMBUDS_FILING_RATE_PER_USER))
    if ip:
        checks.append(("filing-ip", ip, settings.OMBUDS_FILING_RATE_PER_IP))
    wait = longest_wait(checks)
    if wait is None:
        return None
    return RateRefusal(
        retry_after=wait,
        message=f"You have filed many complaints in a short time. Please wait {wait_words(wait)} "
        "before filing again; nothing you typed is lost.",
    )


def _upload_refusal(wait: int | None) -> RateRefusal | None:
    if wait is None:
        return None
    return RateRefusal(
        retry_after=wait,
        message=f"Many evidence files were uploaded in a short time. Please wait "
        f"{wait_words(wait)} before uploading again; the files already accepted are kept.",
    )


def check_upload_rate(*, user_id: int | None, ip: str | None, files: int = 1) -> RateRefusal | None:
    """Evidence uploads per user and per IP address, counting `files` uploads."""
    if files < 1:
        return None
    checks = []
    if user_id is not None:
        checks.append(("upload-user", str(user_id), settings.OMBUDS_UPLOAD_RATE_PER_USER))
    if ip:
        checks.append(("upload-ip", ip, settings.OMBUDS_UPLOAD_RATE_PER_IP))
    return _upload_refusal(longest_wait(checks, files))


def check_service_upload_rate(*, token: str, files: int = 1) -> RateRefusal | None:
    """Evidence uploads by the marketplace's service token (given by its prefix): counted per
    token, since its address is the marketplace's own and it uploads for many members."""
    if files < 1:
        return None
    checks = [("upload-service", token, settings.OMBUDS_UPLOAD_RATE_PER_SERVICE_TOKEN)]
    return _upload_refusal(longest_wait(checks, files))
