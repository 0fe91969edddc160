"""Everything about a case for the agents who decide it: each filing, what the parties said,
the questions, sanctions and appeals, and what the directory knows of the respondent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ombuds.cases.models import (
    Appeal,
    Case,
    Complaint,
    InformationRequest,
    PartyStatement,
    Sanction,
)
from ombuds.cases.read.answers import AnswerRow, answer_rows
from ombuds.cases.read.visibility import AGENT, CaseView, view_for
from ombuds.directory.models import Listing, Member, Store
from ombuds.evidence.models import Evidence
from ombuds.policy.loader import get_policy

EARLIER_CASES = 20


@dataclass(frozen=True)
class StrikeSummary:
    points: int
    serious: int
    proposals: list[str]


def strike_summary(member: Member, now: datetime | None = None) -> StrikeSummary:
    """Points of upheld cases still valid, and what the repeat-infringer rule proposes."""
    policy = get_policy()
    now = now or timezone.now()
    since = now - timedelta(days=policy.repeat_infringer.points_valid_days)
    upheld = [k for k, o in policy.outcomes.items() if o.upholds]
    cases = Case.objects.filter(
        respondent=member, outcome__in=upheld, decided_at__gte=since
    ).exclude(appeals__result="reversed")
    points = serious = 0
    for type_key in cases.values_list("type_key", flat=True):
        strikes = policy.types[type_key].strikes if type_key in policy.types else None
        if strikes:
            points += strikes.points
            serious += 1 if strikes.serious else 0
    proposals = []
    for threshold in policy.repeat_infringer.thresholds:
        if (threshold.points and points >= threshold.points) or (
            threshold.serious_violations and serious >= threshold.serious_violations
        ):
            proposals.append(threshold.propose)
    return StrikeSummary(points, serious, proposals)


@dataclass
class RespondentRecord:
    """What the directory knows of the respondent, for the agent deciding a case."""

    member: Member
    stores: list[Store]
    earlier_cases: list[Case]
    sanctions: list[Sanction]
    strikes: StrikeSummary
    proposals: list[tuple[str, str]]

    @property
    def active_sanctions(self) -> list[Sanction]:
        return [s for s in self.sanctions if s.is_active]


def respondent_record(case: Case) -> RespondentRecord | None:
    member = case.respondent
    if member is None:
        return None
    policy = get_policy()
    earlier = list(
        Case.objects.filter(respondent=member)
        .exclude(pk=case.pk)
        .select_related("department", "listing")
        .prefetch_related("sanctions")
        .order_by("-created_at")[:EARLIER_CASES]
    )
    sanctions = list(
        Sanction.objects.filter(member=member)
        .select_related("listing", "case", "member")
        .order_by("-starts_at")[:50]
    )
    strikes = strike_summary(member)
    proposals = [
        (key, policy.sanctions[key].label if key in policy.sanctions else key)
        for key in strikes.proposals
    ]
    return RespondentRecord(
        member=member,
        stores=list(member.stores.all()),
        earlier_cases=earlier,
        sanctions=sanctions,
        strikes=strikes,
        proposals=proposals,
    )


@dataclass
class Filing:
    """One complaint of a case as the agent reads it: who, what they said, their files."""

    complaint: Complaint
    answers: list[AnswerRow]
    evidence: list[Evidence]
    listings: list[Listing]


@dataclass
class Dossier:
    """Everything about a case, for its agents."""

    view: CaseView
    filings: list[Filing]
    statements: list[PartyStatement]
    questions: list[InformationRequest]
    sanctions: list[Sanction]
    appeals: list[Appeal]
    record: RespondentRecord | None
    later_cases: list[Case]

    @property
    def case(self) -> Case:
        assert self.view.case is not None
        return self.view.case

    @property
    def open_appeal(self) -> Appeal | None:
        return next((a for a in self.appeals if a.decided_at is None), None)

    @property
    def open_question(self) -> InformationRequest | None:
        return next((q for q in self.questions if q.is_open), None)

    @property
    def case_listings(self) -> list[Listing]:
        """Every listing the case's complaints name, the case's own first."""
        seen: dict[int, Listing] = {}
        if self.case.listing is not None:
            seen[self.case.listing.pk] = self.case.listing
        for filing in self.filings:
            for listing in filing.listings:
                seen.setdefault(listing.pk, listing)
        return list(seen.values())


def dossier_for(reference: str, user: Any) -> Dossier | None:
    """The agent's whole view of a case (CASE-... or one of its CMP-...), or None."""
    view = view_for(reference, user)
    if view is None or view.role != AGENT or view.case is None:
        return None
    return dossier_of(view)


def dossier_of(view: CaseView) -> Dossier:
    """The dossier of the case behind an agent's view."""
    case = view.case
    assert case is not None and view.role == AGENT
    complaint_type = view.complaint_type
    complaints = (
        Complaint.objects.filter(case=case)
        .select_related("complainant", "complainant_member")
        .prefetch_related("evidence", "listings")
        .order_by("created_at")
    )
    filings = [
        Filing(
            c,
            answer_rows(complaint_type, c.answers),
            list(c.evidence.all()),
            list(c.listings.all()),
        )
        for c in complaints
    ]
    statements = list(
        case.statements.select_related("author", "complaint", "request")
        .prefetch_related("evidence")
        .order_by("created_at")
    )
    return Dossier(
        view=view,
        filings=filings,
        statements=statements,
        questions=list(
            case.information_requests.select_related("requested_by").order_by("created_at")
        ),
        sanctions=list(case.sanctions.select_related("listing", "lifted_by")),
        appeals=list(case.appeals.select_related("appellant", "decided_by").order_by("opened_at")),
        record=respondent_record(case),
        later_cases=list(case.later_cases.order_by("created_at")),
    )
