"""Who sees what of a case, in one place.

The complainant sees their own complaint and its case's history as it concerns them; the
respondent sees the cases against them, without the reporter's identity for anonymous reports and
only the evidence the policy shows them; agents of the case's department and operators see
everything; nobody else sees anything (not even that it exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ombuds.cases.models import Case, CaseStatus, Complaint
from ombuds.cases.read.answers import AnswerRow, answer_rows
from ombuds.cases.read.lists import status_of, time_left
from ombuds.cases.read.timeline import AGENT, TimelineEntry, timeline
from ombuds.cases.rules import COMPLAINANT, RESPONDENT, party_of, sees_as_agent
from ombuds.evidence.models import Evidence
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType

__all__ = ["AGENT", "COMPLAINANT", "RESPONDENT", "CaseView", "evidence_for_viewer", "view_for"]


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
    def source(self) -> Complaint | None:
        """The complaint whose answers this viewer reads."""
        return self.complaint or (self.complaints[0] if self.complaints else None)

    @property
    def answers(self) -> list[AnswerRow]:
        """The answers this viewer may read."""
        source = self.source
        if source is None:
            return []
        return answer_rows(self.complaint_type, source.answers, free_text=self.show_free_text)


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
        if complaint.case and sees_as_agent(user, complaint.case):
            return _agent_view(policy.types[complaint.type_key], complaint.case)
        return None
    case = (
        Case.objects.select_related("department", "listing", "respondent")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        return None
    complaint_type = policy.types[case.type_key]
    if sees_as_agent(user, case):
        return _agent_view(complaint_type, case)
    if party_of(user, case) == RESPONDENT:
        return _respondent_view(complaint_type, case)
    return None


def _complainant_view(complaint_type: ComplaintType, complaint: Complaint) -> CaseView:
    status, label = status_of(complaint)
    return CaseView(
        role=COMPLAINANT, reference=complaint.reference, complaint_type=complaint_type,
        type_key=complaint.type_key, status=status, status_label=label, case=complaint.case,
        complaint=complaint, complaints=[complaint], show_complainant=True,
        evidence=list(complaint.evidence.all()),
        timeline=timeline(complaint.case, COMPLAINANT, complaint_type, own=complaint),
    )  # fmt: skip


def _case_evidence(case: Case) -> list[Evidence]:
    return list(Evidence.objects.filter(complaints__case=case).distinct())


def _respondent_view(complaint_type: ComplaintType, case: Case) -> CaseView:
    anonymous = complaint_type.reporter_anonymous
    shown = complaint_type.evidence.visible_to_respondent == "all"
    return CaseView(
        role=RESPONDENT, reference=case.reference, complaint_type=complaint_type,
        type_key=case.type_key, status=case.status, status_label=CaseStatus(case.status).label,
        case=case, complaint=None, complaints=list(case.complaints.order_by("created_at")[:1]),
        show_complainant=not anonymous, show_free_text=not anonymous,
        evidence=_case_evidence(case) if shown else [],
        timeline=timeline(case, RESPONDENT, complaint_type),
    )  # fmt: skip


def _agent_view(complaint_type: ComplaintType, case: Case) -> CaseView:
    complaints = list(
        case.complaints.select_related("complainant", "complainant_member").order_by("created_at")
    )
    return CaseView(
        role=AGENT, reference=case.reference, complaint_type=complaint_type, type_key=case.type_key,
        status=case.status, status_label=CaseStatus(case.status).label, case=case, complaint=None,
        complaints=complaints, show_complainant=True, evidence=_case_evidence(case),
        timeline=timeline(case, AGENT, complaint_type),
    )  # fmt: skip


def shares_between_parties(complaint_type: ComplaintType) -> bool:
    """Two named parties, the respondent shown all evidence (disputes, rights holders'
    notices): each reads what the other says and uploads on the case (PRODUCT.md 1.1, 1.2).
    Anonymous reports stay one-sided: the respondent answers to the marketplace."""
    return (
        complaint_type.evidence.visible_to_respondent == "all"
        and not complaint_type.reporter_anonymous
    )


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
    # A party's answer: its author (above; a visitor by their link), the case's agents, and
    # the other party where the case is shared between them.
    for statement in evidence.statements.select_related("case__department"):
        case = statement.case
        if visitor_complaint is not None and statement.author_id is None:
            if statement.complaint_id == visitor_complaint.pk:
                return evidence
        elif sees_as_agent(user, case):
            return evidence
        if shares_between_parties(get_policy().types[case.type_key]) and party_of(
            user, case, visitor_complaint
        ) not in (None, statement.party):
            return evidence
    return None
