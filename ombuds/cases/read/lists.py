"""My Reports' lists, and how a case's status, target and time left read in them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ombuds.cases.models import OPEN_STATUSES, WORKED_STATUSES, Case, CaseStatus, Complaint

UNCONFIRMED = "unconfirmed"


def sent_complaints(
    user: Any, *, status: str | None = None, type_key: str | None = None
) -> QuerySet[Complaint]:
    complaints = Complaint.objects.filter(complainant=user).select_related("case", "respondent")
    if type_key:
        complaints = complaints.filter(type_key=type_key)
    if status == UNCONFIRMED:
        complaints = complaints.filter(case__isnull=True)
    elif status == "open":
        complaints = complaints.filter(case__status__in=OPEN_STATUSES)
    elif status:
        complaints = complaints.filter(case__status=status)
    return complaints.order_by("-created_at")


def received_cases(
    user: Any, *, status: str | None = None, type_key: str | None = None
) -> QuerySet[Case]:
    if user.member_id is None:
        return Case.objects.none()
    cases = Case.objects.filter(respondent_id=user.member_id).select_related("listing")
    if type_key:
        cases = cases.filter(type_key=type_key)
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    return cases.order_by("-created_at")


def box_statuses(box: str) -> list[str]:
    """The statuses My Reports filters a box by."""
    statuses = ["open", *CaseStatus.values]
    return [*statuses, UNCONFIRMED] if box == "sent" else statuses


def status_of(complaint: Complaint) -> tuple[str, str]:
    if complaint.case is None:
        return UNCONFIRMED, "Waiting for your email confirmation"
    status = complaint.case.status
    return status, CaseStatus(status).label


def time_left(case: Case | None) -> str:
    """What is left of the case's time limit, in words; while a party is asked for
    information the clock is stopped and the time left stays as it was."""
    if case is None:
        return "Waiting for your email confirmation"
    if case.status not in WORKED_STATUSES:
        return "—"
    if case.paused_at is not None:
        return f"{_duration(case.due_at - case.paused_at)}, clock stopped"
    return _duration(case.due_at - timezone.now())


def is_overdue(case: Case) -> bool:
    """Past its due time with its clock running."""
    return (
        case.status in WORKED_STATUSES and case.paused_at is None and case.due_at <= timezone.now()
    )


def _duration(left: timedelta) -> str:
    seconds = left.total_seconds()
    if seconds <= 0:
        return "Overdue"
    hours = int(seconds // 3600)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours >= 1:
        return f"{hours} hours"
    return f"{max(1, int(seconds // 60))} minutes"


def target_label(complaint: Complaint | None, case: Case | None) -> str:
    """What a complaint is about, in words safe for every party."""
    if case is not None and case.listing is not None:
        return case.listing.title
    if case is None and complaint is not None and complaint.target_key.startswith("listing:"):
        listing = complaint.listings.first()  # not confirmed yet: the same words as later
        if listing is not None:
            return listing.title
    source = complaint.respondent if complaint else (case.respondent if case else None)
    return source.display_name if source else ""
