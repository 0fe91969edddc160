"""Visitors (no account) follow their report through a signed link sent to their email."""

from __future__ import annotations

from django.core import signing

from ombuds.cases.links import absolute, complaint_path
from ombuds.cases.models import Complaint

VISITOR_SALT = "ombuds.cases.visitor-report"
VISITOR_LINK_MAX_AGE = 7 * 24 * 3600  # to confirm a report; the link to follow it never expires


def visitor_token(complaint: Complaint) -> str:
    return signing.dumps(
        {"c": complaint.reference, "e": complaint.complainant_email}, salt=VISITOR_SALT
    )


def complaint_from_visitor_token(
    token: str, *, max_age: int | None = VISITOR_LINK_MAX_AGE
) -> Complaint | None:
    try:
        data = signing.loads(token, salt=VISITOR_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return Complaint.objects.filter(
        reference=data.get("c"), complainant_email=data.get("e"), complainant__isnull=True
    ).first()


def complaint_link(complaint: Complaint) -> str:
    """The complaint's page for its complainant: with the signed key when they are a visitor."""
    path = complaint_path(complaint.reference)
    if complaint.complainant_id is None:
        path += "?k=" + visitor_token(complaint)
    return absolute(path)
