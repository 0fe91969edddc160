"""The rule book: for every action on a case, may this actor do it to this case now, and if not,
why (`Refusal`: a stable code, words for people).

Each action calls its rule inside its lock, on the case as it is then; the console asks the same
functions which forms to show, the party pages which forms to offer, and the API answers their
refusals as problem details. No shell decides any of this itself.

The order of the checks is part of the rule: someone who is not an agent at all is refused
before anything about the case is said; a case the actor may not see is `not_found`, as if it
did not exist; then who they are on the case; then the case's state.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ombuds.cases.errors import Refusal, RefusalCode
from ombuds.cases.extensions import for_kind
from ombuds.cases.models import (
    OPEN_STATUSES,
    QUEUED_STATUSES,
    WORKED_STATUSES,
    Appeal,
    Case,
    CaseStatus,
    Complaint,
    InformationRequest,
    Sanction,
)
from ombuds.formats import when
from ombuds.policy.loader import get_policy

COMPLAINANT, RESPONDENT = "complainant", "respondent"
DECIDABLE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW)
NOT_FOUND = Refusal(RefusalCode.NOT_FOUND, "No case with this number is visible to you.")


# --- who someone is on a case ------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_agent_of(user: Any, case: Case) -> bool:
    """An agent of the case's department: who works it."""
    return _signed_in(user) and case.department.code in user.department_codes


def sees_as_agent(user: Any, case: Case) -> bool:
    """Agents of the case's department and operators read everything of it."""
    return _signed_in(user) and (user.acts_as_operator or is_agent_of(user, case))


def party_of(user: Any, case: Case, visitor: Complaint | None = None) -> str | None:
    """Which party of the case this person is: a signed-in user, or a visitor by the signed
    link of their complaint."""
    if visitor is not None:
        return COMPLAINANT if visitor.case_id == case.pk else None
    if not _signed_in(user):
        return None
    if user.member_id is not None and case.respondent_id == user.member_id:
        return RESPONDENT
    if case.complaints.filter(complainant=user).exists():
        return COMPLAINANT
    return None


def sees_case(user: Any, case: Case, visitor: Complaint | None = None) -> bool:
    return sees_as_agent(user, case) or party_of(user, case, visitor) is not None


def open_question(case: Case, party: str | None) -> InformationRequest | None:
    """The agents' question waiting for this party's answer, if one."""
    if party is None:
        return None
    return (
        case.information_requests.filter(
            party=party, answered_at__isnull=True, expired_at__isnull=True
        )
        .order_by("created_at", "pk")
        .last()
    )


def respondent_answer_pending(case: Case, now: datetime | None = None) -> bool:
    """The respondent may still answer, and has not: a type that waits for the answer is
    decided only after it, or after its time has passed."""
    answer = get_policy().types[case.type_key].respondent_answer
    return (
        answer.allowed
        and case.respondent_answered_at is None
        and case.respondent_answer_due_at is not None
        and (now or timezone.now()) < case.respondent_answer_due_at
    )


def appeal_until(case: Case) -> datetime | None:
    if case.decided_at is None:
        return None
    return case.decided_at + timedelta(days=get_policy().types[case.type_key].appeal_window_days)


# --- agents' actions ---------------------------------------------------------------------------


def _as_agent(user: Any, case: Case) -> Refusal | None:
    if not _signed_in(user) or not (user.is_agent or user.acts_as_operator):
        return Refusal(RefusalCode.FORBIDDEN, "Only the marketplace's agents may do this.")
    if not sees_as_agent(user, case):
        return NOT_FOUND
    if not is_agent_of(user, case):
        return Refusal(
            RefusalCode.FORBIDDEN, f"Only agents of {case.department.name} act on this case."
        )
    return None


def may_claim(user: Any, case: Case) -> Refusal | None:
    if refusal := _as_agent(user, case):
        return refusal
    if case.status not in QUEUED_STATUSES or case.assigned_to_id is not None:
        return Refusal(RefusalCode.NOT_CLAIMABLE, "This case is not waiting in the queue.")
    if case.status == CaseStatus.APPEALED and case.decided_by_id == user.pk:
        return Refusal(
            RefusalCode.OWN_DECISION,
            "An appeal goes to an agent other than the one who decided the case.",
        )
    return None


def may_release(user: Any, case: Case) -> Refusal | None:
    if refusal := _as_agent(user, case):
        return refusal
    if case.assigned_to_id != user.pk:
        return Refusal(RefusalCode.NOT_ASSIGNED, "Only the agent working the case can release it.")
    return None


def may_add_note(user: Any, case: Case) -> Refusal | None:
    return _as_agent(user, case)


def may_transfer(user: Any, case: Case) -> Refusal | None:
    if refusal := _as_agent(user, case):
        return refusal
    if case.status not in WORKED_STATUSES:
        return Refusal(
            RefusalCode.NOT_TRANSFERABLE,
            "A decided or closed case stays with the department that decided it.",
        )
    return None


def may_request_information(user: Any, case: Case) -> Refusal | None:
    if refusal := _as_agent(user, case):
        return refusal
    if case.status not in DECIDABLE_STATUSES:
        return Refusal(
            RefusalCode.CASE_NOT_OPEN,
            "Information can be asked on an open case that is not already waiting.",
        )
    return None


def may_decide(user: Any, case: Case, now: datetime | None = None) -> Refusal | None:
    if refusal := _as_agent(user, case):
        return refusal
    if case.status not in DECIDABLE_STATUSES:
        return Refusal(
            RefusalCode.CASE_NOT_DECIDABLE,
            "Only an open case that is not waiting for information can be decided.",
        )
    if case.assigned_to_id != user.pk:
        return Refusal(RefusalCode.NOT_ASSIGNED, "Claim the case before deciding it.")
    extension = for_kind(case.kind)
    if extension is not None and extension.decides:
        return Refusal(
            RefusalCode.CASE_NOT_DECIDABLE,
            f"A {case.kind} is decided with its own terms, on its own form.",
        )
    if respondent_answer_pending(case, now) and not get_policy().types[case.type_key].urgent:
        return Refusal(
            RefusalCode.RESPONDENT_ANSWER_PENDING,
            f"The respondent may answer until {when(case.respondent_answer_due_at)}; only "
            "urgent types are decided before.",
        )
    return None


def may_lift(user: Any, case: Case, sanction: Sanction) -> Refusal | None:
    if refusal := _as_agent(user, case):
        return refusal
    if sanction.lifted_at is not None:
        return Refusal(RefusalCode.SANCTION_ALREADY_LIFTED, "This sanction is already lifted.")
    return None


def waiting_appeal(case: Case) -> Appeal | None:
    return case.appeals.filter(decided_at__isnull=True).order_by("opened_at", "pk").last()


def may_decide_appeal(user: Any, case: Case, appeal: Appeal | None = None) -> Refusal | None:
    """`appeal`: the one to decide (default: the case's appeal waiting for a decision)."""
    if refusal := _as_agent(user, case):
        return refusal
    appeal = appeal or waiting_appeal(case)
    if appeal is None or appeal.decided_at is not None or case.status != CaseStatus.APPEALED:
        return Refusal(RefusalCode.APPEAL_DECIDED, "There is no appeal waiting on this case.")
    if case.decided_by_id == user.pk:
        return Refusal(
            RefusalCode.OWN_DECISION,
            "An appeal is decided by an agent other than the one who decided the case.",
        )
    if case.assigned_to_id not in (None, user.pk):
        return Refusal(RefusalCode.NOT_ASSIGNED, "Another agent is working on this appeal.")
    return None


# --- the parties' actions ----------------------------------------------------------------------


def _as_party(
    user: Any, case: Case, visitor: Complaint | None, party: str | None, message: str
) -> tuple[str | None, Refusal | None]:
    """The actor's party on the case, or why they may not act as `party` (any party: None)."""
    actual = party_of(user, case, visitor)
    if actual is None and not sees_as_agent(user, case):
        return None, NOT_FOUND
    if actual is None or (party is not None and actual != party):
        return actual, Refusal(RefusalCode.FORBIDDEN, message)
    return actual, None


def may_answer_question(user: Any, case: Case, visitor: Complaint | None = None) -> Refusal | None:
    """A party answers the question the agents asked it."""
    party, refusal = _as_party(
        user, case, visitor, None, "Only the parties of a case answer its questions."
    )
    if refusal:
        return refusal
    if open_question(case, party) is None:
        return Refusal(
            RefusalCode.NO_OPEN_QUESTION,
            "There is no question waiting for your answer on this case.",
        )
    return None


def may_answer(
    user: Any, case: Case, now: datetime | None = None, visitor: Complaint | None = None
) -> Refusal | None:
    """The respondent's explanation and evidence, within the policy's time."""
    _, refusal = _as_party(
        user, case, visitor, RESPONDENT, "Only the member the case is about can answer it."
    )
    if refusal:
        return refusal
    if not get_policy().types[case.type_key].respondent_answer.allowed:
        return Refusal(
            RefusalCode.ANSWER_NOT_ALLOWED, "This kind of case is decided without an answer."
        )
    if case.status not in OPEN_STATUSES:
        return Refusal(RefusalCode.CASE_NOT_OPEN, "The case is no longer open for answers.")
    due = case.respondent_answer_due_at
    if due is not None and (now or timezone.now()) > due:
        return Refusal(RefusalCode.ANSWER_TOO_LATE, "The time to answer has passed.")
    return None


def may_appeal(user: Any, case: Case, now: datetime | None = None) -> Refusal | None:
    """The respondent asks for the decision to be reviewed, once, within the window."""
    _, refusal = _as_party(
        user, case, None, RESPONDENT, "Only the member the decision is about can appeal it."
    )
    if refusal:
        return refusal
    extension = for_kind(case.kind)
    if extension is not None and extension.appeals:
        return Refusal(
            RefusalCode.NOT_APPEALABLE, f"A {case.kind}'s decision is appealed on its own page."
        )
    if case.status != CaseStatus.DECIDED or case.appeals.exists():
        return Refusal(RefusalCode.NOT_APPEALABLE, "Only a decided case can be appealed, once.")
    until = appeal_until(case)
    if until is not None and (now or timezone.now()) > until:
        window = get_policy().types[case.type_key].appeal_window_days
        return Refusal(
            RefusalCode.APPEAL_TOO_LATE,
            f"Appeals are possible within {window} days of the decision.",
        )
    return None


def may_submit_again(user: Any, case: Case, visitor: Complaint | None = None) -> bool:
    """The complainant may file again, with new information, once the case is decided."""
    return party_of(user, case, visitor) == COMPLAINANT and case.status in (
        CaseStatus.DECIDED,
        CaseStatus.CLOSED,
    )
