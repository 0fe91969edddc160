"""The parties' side of a case: what they said, what the other side said where the case is
shared, and what they may do now (the rule book's answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ombuds.cases.models import Appeal, Complaint, InformationRequest, PartyStatement
from ombuds.cases.read.visibility import CaseView, shares_between_parties
from ombuds.cases.rules import (
    COMPLAINANT,
    RESPONDENT,
    appeal_until,
    may_answer,
    may_answer_question,
    may_appeal,
    may_submit_again,
    open_question,
)
from ombuds.policy.loader import get_policy


@dataclass
class PartyCase:
    """What a party may do on a case now, and what was decided."""

    party: str
    question: InformationRequest | None
    may_answer: bool
    answer_due_at: datetime | None
    own_statements: list[PartyStatement]
    other_statements: list[PartyStatement]
    may_appeal: bool
    appeal_until: datetime | None
    appeal: Appeal | None
    decided: bool
    outcome_label: str
    statement: dict[str, Any]
    sanctions_done: list[str]
    may_submit_again: bool


def party_statements(
    view: CaseView, user: Any, visitor_complaint: Complaint | None = None
) -> tuple[list[PartyStatement], list[PartyStatement]]:
    """The parties' statements a party reads on the case: its own (a visitor's through their
    complaint's signed link), and the other party's where the case is shared."""
    case = view.case
    if case is None or view.role not in (COMPLAINANT, RESPONDENT):
        return [], []
    statements = case.statements.select_related("request").prefetch_related("evidence")
    statements = statements.order_by("created_at", "pk")
    own: list[PartyStatement] = []
    if visitor_complaint is not None and view.complaint is not None:
        if visitor_complaint.pk == view.complaint.pk:
            own = list(statements.filter(complaint=visitor_complaint, author__isnull=True))
    elif getattr(user, "is_authenticated", False):
        own = list(statements.filter(author=user))
    others = []
    if shares_between_parties(view.complaint_type):
        others = list(statements.exclude(party=view.role))
    return own, others


def party_case(
    view: CaseView, user: Any, visitor_complaint: Complaint | None = None
) -> PartyCase | None:
    """The complainant's or respondent's possible actions on the case behind `view`; a
    visitor's through the signed link of their complaint."""
    case = view.case
    if case is None or view.role not in (COMPLAINANT, RESPONDENT):
        return None
    policy = get_policy()
    visitor = visitor_complaint if view.role == COMPLAINANT else None
    if visitor is not None and (view.complaint is None or visitor.pk != view.complaint.pk):
        visitor = None
    acting = user if visitor is None else None
    question = None
    if may_answer_question(acting, case, visitor) is None:
        question = open_question(case, view.role)
    own, others = party_statements(view, user, visitor_complaint)
    appeals = list(case.appeals.order_by("opened_at"))
    decided = bool(case.outcome) and case.decided_at is not None
    done = []
    for sanction in case.sanctions.select_related("listing") if decided else []:
        spec = policy.sanctions.get(sanction.kind)
        label = spec.label if spec else sanction.kind
        if view.role == RESPONDENT and sanction.listing is not None:
            label = f"{label}: {sanction.listing.title}"
        done.append(label + (" (lifted)" if sanction.lifted_at else ""))
    outcome = policy.outcomes.get(case.outcome)
    return PartyCase(
        party=view.role,
        question=question,
        may_answer=may_answer(acting, case) is None,
        answer_due_at=case.respondent_answer_due_at,
        own_statements=own,
        other_statements=others,
        may_appeal=may_appeal(acting, case) is None,
        appeal_until=appeal_until(case),
        appeal=appeals[-1] if appeals else None,
        decided=decided,
        outcome_label=outcome.label if outcome else case.outcome,
        statement=case.statement or {},
        sanctions_done=done,
        may_submit_again=may_submit_again(acting, case, visitor),
    )
