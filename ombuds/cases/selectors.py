"""Reads shared by pages and the API, with the visibility rules in one place.

Who sees what: the complainant sees their own complaint and its case's public history;
the respondent sees the cases against them, without the reporter's identity for anonymous
reports and only the evidence the policy shows them; agents of the case's department and
operators see everything; nobody else sees anything (not even that it exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ombuds.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseStatus, Complaint
from ombuds.evidence.models import Evidence
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType

COMPLAINANT, RESPONDENT, AGENT = "complainant", "respondent", "agent"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str


@dataclass
class CaseView:
    """A complaint or case as one viewer may see it."""

    role: str
    reference: str
    complaint_type: ComplaintType
    type_key: str
    status: str
    status_label: str
    case: Case | None
    complaint: Complaint | None
    complaints: list[Complaint] = field(default_factory=list)
    show_complainant: bool = False
    show_free_text: bool = True
    evidence: list[Evidence] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def due_at(self) -> datetime | None:
        return self.case.due_at if self.case else None

    @property
    def time_left(self) -> str:
        return time_left(self.case)

    @property
    def answers(self) -> list[tuple[str, str]]:
        """The answers this viewer may read, as (label, value) pairs."""
        source = self.complaint or (self.complaints[0] if self.complaints else None)
        if source is None:
            return []
        rows = []
        for form_field in self.complaint_type.fields:
            value = source.answers.get(form_field.name)
            if value in (None, ""):
                continue
            if form_field.kind in ("choice", "multichoice"):
                labels = {c.value: c.label for c in form_field.choices}
                values = value if isinstance(value, list) else [value]
                rows.append((form_field.label, ", ".join(labels.get(v, v) for v in values)))
            elif self.show_free_text:
                rows.append((form_field.label, str(value)))
        return rows


def time_left(case: Case | None) -> str:
    if case is None:
        return "Waiting for your email confirmation"
    if case.status not in OPEN_STATUSES:
        return "—"
    seconds = (case.due_at - timezone.now()).total_seconds()
    if seconds <= 0:
        return "Overdue"
    hours = int(seconds // 3600)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours >= 1:
        return f"{hours} hours"
    return f"{max(1, int(seconds // 60))} minutes"


def status_of(complaint: Complaint) -> tuple[str, str]:
    if complaint.case is None:
        return "unconfirmed", "Waiting for your email confirmation"
    status = complaint.case.status
    return status, CaseStatus(status).label


def _agent_may_see(user: Any, case: Case) -> bool:
    if getattr(user, "acts_as_operator", False):
        return True
    codes = getattr(user, "department_codes", frozenset())
    return case.department.code in codes


def view_for(
    reference: str, user: Any = None, visitor_complaint: Complaint | None = None
) -> CaseView | None:
    """The view of a complaint (CMP-...) or case (CASE-...) for this viewer, or None."""
    policy = get_policy()
    if reference.startswith("CMP-"):
        complaint = (
            Complaint.objects.select_related("case__department", "case__listing", "respondent")
            .filter(reference=reference)
            .first()
        )
        if complaint is None:
            return None
        is_owner = (
            user is not None and getattr(user, "pk", None) and complaint.complainant_id == user.pk
        ) or (visitor_complaint is not None and visitor_complaint.pk == complaint.pk)
        if is_owner:
            return _complainant_view(policy.types[complaint.type_key], complaint)
        if (
            complaint.case
            and user is not None
            and getattr(user, "is_authenticated", False)
            and _agent_may_see(user, complaint.case)
        ):
            return _agent_view(policy.types[complaint.type_key], complaint.case)
        return None
    case = (
        Case.objects.select_related("department", "listing", "respondent")
        .filter(reference=reference)
        .first()
    )
    if case is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    complaint_type = policy.types[case.type_key]
    if _agent_may_see(user, case):
        return _agent_view(complaint_type, case)
    if user.member_id is not None and case.respondent_id == user.member_id:
        return _respondent_view(complaint_type, case)
    return None


def _events(case: Case | None) -> list[CaseEvent]:
    if case is None:
        return []
    return list(case.events.order_by("seq"))


def _complainant_view(complaint_type: ComplaintType, complaint: Complaint) -> CaseView:
    status, label = status_of(complaint)
    timeline = [
        TimelineEntry(
            complaint.created_at,
            f"You filed this {complaint_type.kind}: {complaint_type.label.lower()}.",
        )
    ]
    if complaint.case is None:
        timeline.append(
            TimelineEntry(
                complaint.created_at, "We sent you an email: open its link to confirm and send it."
            )
        )
    for event in _events(complaint.case):
        text = _event_text(event, COMPLAINANT, complaint_type, own=complaint)
        if text:
            timeline.append(TimelineEntry(event.created_at, text))
    return CaseView(
        role=COMPLAINANT, reference=complaint.reference, complaint_type=complaint_type,
        type_key=complaint.type_key, status=status, status_label=label, case=complaint.case,
        complaint=complaint, complaints=[complaint], show_complainant=True,
        evidence=list(complaint.evidence.all()), timeline=timeline,
    )  # fmt: skip


def _respondent_view(complaint_type: ComplaintType, case: Case) -> CaseView:
    complaints = list(case.complaints.order_by("created_at"))
    anonymous = complaint_type.reporter_anonymous
    evidence: list[Evidence] = []
    if complaint_type.evidence.visible_to_respondent == "all":
        evidence = list(Evidence.objects.filter(complaints__case=case).distinct())
    timeline = []
    for event in _events(case):
        text = _event_text(event, RESPONDENT, complaint_type)
        if text:
            timeline.append(TimelineEntry(event.created_at, text))
    return CaseView(
        role=RESPONDENT, reference=case.reference, complaint_type=complaint_type,
        type_key=case.type_key, status=case.status, status_label=CaseStatus(case.status).label,
        case=case, complaint=None, complaints=complaints[:1], show_complainant=not anonymous,
        show_free_text=not anonymous, evidence=evidence, timeline=timeline,
    )  # fmt: skip


def _agent_view(complaint_type: ComplaintType, case: Case) -> CaseView:
    complaints = list(
        case.complaints.select_related("complainant", "complainant_member").order_by("created_at")
    )
    timeline = [
        TimelineEntry(event.created_at, _event_text(event, AGENT, complaint_type) or event.kind)
        for event in _events(case)
    ]
    return CaseView(
        role=AGENT, reference=case.reference, complaint_type=complaint_type, type_key=case.type_key,
        status=case.status, status_label=CaseStatus(case.status).label, case=case, complaint=None,
        complaints=complaints, show_complainant=True,
        evidence=list(Evidence.objects.filter(complaints__case=case).distinct()), timeline=timeline,
    )  # fmt: skip


def _event_text(
    event: CaseEvent, role: str, complaint_type: ComplaintType, own: Complaint | None = None
) -> str | None:
    label = complaint_type.label.lower()
    if event.kind == "complaint_filed":
        if role == COMPLAINANT:
            if own is not None and event.complaint_id == own.pk:
                team = get_policy().departments[complaint_type.department].name
                return f"Received and sent to the {team} team. Submitted — under consideration."
            return None
        if role == RESPONDENT:
            if complaint_type.reporter_anonymous:
                return f"A {complaint_type.kind} was filed about you: {label}."
            complaint = event.complaint
            name = complaint.complainant_name if complaint else "A member"
            return f"{name} filed a {complaint_type.kind} about you: {label}."
        return f"{label.capitalize()} {event.data.get('complaint')} filed."
    if event.kind == "reporter_joined":
        if role == COMPLAINANT:
            if own is not None and event.complaint_id == own.pk:
                return (
                    "Received. Others reported the same thing: your report joined their case, "
                    "which is under consideration."
                )
            return "Another report about the same thing joined this case."
        if role == RESPONDENT:
            return None
        data = event.data
        return (
            f"Report {data.get('complaint')} joined the case ({data.get('reporters')} reporters)."
        )
    return None


# --- lists ------------------------------------------------------------------------------------


def sent_complaints(
    user: Any, *, status: str | None = None, type_key: str | None = None
) -> QuerySet[Complaint]:
    complaints = Complaint.objects.filter(complainant=user).select_related("case", "respondent")
    if type_key:
        complaints = complaints.filter(type_key=type_key)
    if status == "unconfirmed":
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


def evidence_for_viewer(
    public_id: str, user: Any = None, visitor_complaint: Complaint | None = None
) -> Evidence | None:
    """An evidence file if this viewer may download it: same rules as the case pages."""
    evidence = Evidence.objects.filter(public_id=public_id).first()
    if evidence is None:
        return None
    if user is not None and getattr(user, "pk", None) and evidence.uploaded_by_id == user.pk:
        return evidence
    for complaint in evidence.complaints.select_related("case__department"):
        view = view_for(complaint.reference, user, visitor_complaint)
        if view is None and complaint.case is not None:
            view = view_for(complaint.case.reference, user)
        if view is not None and any(e.pk == evidence.pk for e in view.evidence):
            return evidence
    return None


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


def open_filter() -> Q:
    return Q(status__in=OPEN_STATUSES)
