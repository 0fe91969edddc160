"""Visitors (no account) follow their report through signed links: one to confirm it, sent only
to their email address, and one to follow it.

The confirmation link is the proof that the address is theirs: it is never shown anywhere but in
that email, it lasts 7 days, and it confirms once. Right after filing, the visitor's page gets a
follow key that shows the report only while it waits for that confirmation; the emails sent once
it is confirmed carry the lasting one.
"""

from __future__ import annotations

from django.core import signing

from ombuds.cases.links import absolute, complaint_path
from ombuds.cases.models import Complaint

VISITOR_SALT = "ombuds.cases.visitor-report"
CONFIRMATION_SALT = "ombuds.cases.visitor-report-confirmation"
CONFIRMATION_MAX_AGE = 7 * 24 * 3600


def visitor_token(complaint: Complaint, *, until_confirmed: bool = False) -> str:
    """The key to follow the report (`until_confirmed`: only while it waits for confirmation)."""
    data = {"c": complaint.reference, "e": complaint.complainant_email}
    if until_confirmed:
        data["u"] = 1
    return signing.dumps(data, salt=VISITOR_SALT)


def confirmation_token(complaint: Complaint) -> str:
    return signing.dumps(
        {"c": complaint.reference, "e": complaint.complainant_email}, salt=CONFIRMATION_SALT
    )


def _visitor_complaint(data: dict) -> Complaint | None:
    return Complaint.objects.filter(
        reference=data.get("c"), complainant_email=data.get("e"), complainant__isnull=True
    ).first()


def complaint_from_visitor_token(token: str) -> Complaint | None:
    """The visitor's complaint a follow key opens, or None."""
    try:
        data = signing.loads(token, salt=VISITOR_SALT)
    except signing.BadSignature:
        return None
    complaint = _visitor_complaint(data)
    if complaint is not None and data.get("u") and complaint.confirmed_at is not None:
        return None  # the key of the page after filing: the email's links take over
    return complaint


def complaint_to_confirm(token: str) -> Complaint | None:
    """The visitor's complaint a confirmation link (from the email) names, if still valid."""
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return _visitor_complaint(data)


def complaint_link(complaint: Complaint) -> str:
    """The complaint's page for its complainant: with the signed key when they are a visitor."""
    path = complaint_path(complaint.reference)
    if complaint.complainant_id is None:
        path += "?k=" + visitor_token(complaint)
    return absolute(path)
