"""The API's shapes for working cases: agents' queues, cases and actions; parties' answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from ombuds.api.schemas import (
    AnswerOut,
    DecisionOut,
    EvidenceItemOut,
    PartyOut,
    QuestionOut,
)
from ombuds.cases import limits


class In(Schema):
    model_config = ConfigDict(extra="forbid")


def _at_most(limit: int) -> str:
    """Text limits are the actions' (`ombuds.cases.limits`): one code, `text_too_long`."""
    return f"At most {limit:,} characters."


# --- queues ----------------------------------------------------------------------------------


class DepartmentOut(Schema):
    code: str
    name: str


class QueueItemOut(Schema):
    reference: str
    type: str
    type_label: str
    kind: str
    status: str
    status_label: str
    target: str
    reporter_count: int
    urgent: bool
    breached: bool
    created_at: datetime
    due_at: datetime
    time_left: str


class QueueOut(Schema):
    department: DepartmentOut
    count: int = Field(description="Cases waiting for an agent in this department")
    breached: int = Field(description="Of those, how many are past their due time")
    limit: int
    offset: int
    items: list[QueueItemOut]


# --- a case as agents see it -----------------------------------------------------------------


class ListingOut(Schema):
    url: str
    title: str
    status: str


class EarlierCaseOut(Schema):
    reference: str
    type: str
    status: str
    outcome: str
    created_at: datetime
    decided_at: datetime | None


class SanctionOut(Schema):
    id: int
    case: str
    kind: str
    label: str
    applies_to: str
    member: str = Field(description="The member ID of the sanctioned member")
    listing: str | None = Field(description="The product URL of the listing, if any")
    starts_at: datetime
    ends_at: datetime | None
    applied_by: str | None
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str
    active: bool


class StrikeSummaryOut(Schema):
    """The repeat-infringer rule's count and proposals; it never acts by itself."""

    points: int
    serious: int
    proposals: list[str] = Field(description="Sanctions the policy proposes to the agent")


class RespondentOut(Schema):
    member_id: str
    name: str
    email: str
    kind: str
    status: str
    earlier_cases: list[EarlierCaseOut] = Field(description="Other cases about this member")
    sanctions_in_force: list[SanctionOut]
    strikes: StrikeSummaryOut


class ReporterOut(PartyOut):
    username: str | None = None


class FilingDetailOut(Schema):
    reference: str
    created_at: datetime
    via: str
    complainant: ReporterOut
    answers: list[AnswerOut]
    evidence: list[EvidenceItemOut]


class PartyStatementOut(Schema):
    id: int
    party: str = Field(description="complainant or respondent")
    kind: str = Field(description="answer (the respondent's answer) or information")
    author: str | None
    question: int | None = Field(description="The information request it answers, if any")
    text: str
    evidence: list[EvidenceItemOut]
    created_at: datetime


class InformationRequestOut(Schema):
    id: int
    case: str
    party: str
    question: str
    deadline: datetime
    status: str = Field(description="open, answered or expired")
    requested_by: str | None
    created_at: datetime
    answered_at: datetime | None
    expired_at: datetime | None


class HistoryEventOut(Schema):
    seq: int
    kind: str
    at: datetime
    actor: str | None
    complaint: str | None
    data: dict[str, Any]
    hash: str


class AppealOut(Schema):
    id: int
    case: str
    status: str = Field(description="open, upheld (decision confirmed) or reversed")
    reason: str
    opened_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    statement: str


class CaseOut(Schema):
    """Everything about a case, for the agents of its department."""

    reference: str
    type: str
    type_label: str
    kind: str
    department: DepartmentOut
    status: str
    status_label: str
    urgent: bool
    breached: bool
    reporter_count: int
    created_at: datetime
    due_at: datetime
    time_left: str
    waiting_for: str = Field(description="The party asked for information, while waiting")
    assigned_to: str | None
    target: str
    listing: ListingOut | None
    store: str | None
    order: str | None
    respondent: RespondentOut | None
    respondent_answer_due_at: datetime | None
    respondent_answered_at: datetime | None
    previous_case: str | None = Field(description="The earlier case this one submits again")
    complaints: list[FilingDetailOut] = Field(description="Every filing, with its complainant")
    statements: list[PartyStatementOut]
    information_requests: list[InformationRequestOut]
    decision: DecisionOut | None
    decided_by: str | None
    sanctions: list[SanctionOut]
    appeals: list[AppealOut]
    allowed_outcomes: list[str]
    allowed_sanctions: list[str]
    history: list[HistoryEventOut] = Field(description="Every event, internal notes included")


# --- agents' actions -------------------------------------------------------------------------


class NoteIn(In):
    text: str = Field(description=f"Internal: never shown to parties. {_at_most(limits.NOTE)}")


class NoteOut(Schema):
    case: str
    seq: int
    author: str
    text: str
    created_at: datetime


class TransferIn(In):
    department: str = Field(description="The code of the department to send the case to")
    reason: str = Field("", description=_at_most(limits.REASON))


class TransferOut(Schema):
    case: str
    department: DepartmentOut
    status: str


class InformationRequestIn(In):
    party: Literal["complainant", "respondent"]
    question: str = Field(description=_at_most(limits.QUESTION))
    days: int = Field(3, description="Days the party has to answer (1 to 30)")


class SanctionOrderIn(In):
    kind: str = Field(description="A sanction the case's type allows (see allowed_sanctions)")
    listing: str | None = Field(
        None,
        description="Listing sanctions: the product URL of one of the respondent's listings "
        "(default: the listing the case is about)",
    )
    ends_at: AwareDatetime | None = Field(None, description="When it ends by itself, if ever")


class StatementIn(In):
    """The statement of reasons (DSA Art. 17); the decision and redress are added."""

    facts: str = Field(
        description=f"The facts and circumstances relied on. {_at_most(limits.FACTS)}"
    )
    ground: str = Field(description=f"The policy ground. {_at_most(limits.GROUND)}")
    scope: str = Field("", description=f"What the decision covers. {_at_most(limits.SCOPE)}")
    automated: bool = Field(False, description="Whether automated means were used")
    redress: str = Field(
        "", description=f"Overrides the policy's words on redress. {_at_most(limits.REDRESS)}"
    )


class DecisionIn(In):
    outcome: str = Field(description="An outcome the case's type allows (see allowed_outcomes)")
    sanctions: list[SanctionOrderIn] = Field(default_factory=list)
    statement: StatementIn


class LiftIn(In):
    reason: str = Field(description=f"Why it is lifted. {_at_most(limits.REASON)}")


class AppealDecisionIn(In):
    reverse: bool = Field(description="true reverses the decision and lifts its sanctions")
    statement: str = Field(
        description=f"The reasons, told to both parties. {_at_most(limits.APPEAL_STATEMENT)}"
    )


# --- parties' actions ------------------------------------------------------------------------


class AnswerIn(In):
    text: str = Field(description=_at_most(limits.ANSWER))
    evidence: list[str] = Field(
        default_factory=list,
        description="Ids of files uploaded with POST /evidence?type=<the case's type>",
    )
    to: Literal["complaint", "question"] | None = Field(
        None,
        description="What this answers: `question`, the agents' open question to the caller's "
        "party; `complaint`, the respondent's answer to the complaint. Left out: the open "
        "question if there is one, else the complaint.",
    )


class PartyAnswerOut(Schema):
    """What a party said on a case, as they sent it."""

    id: int
    reference: str
    party: str
    kind: str = Field(description="answer (the respondent's answer) or information")
    question: QuestionOut | None
    text: str
    evidence: list[EvidenceItemOut]
    created_at: datetime


class AppealIn(In):
    reason: str = Field(description=f"Why the decision is wrong. {_at_most(limits.APPEAL_REASON)}")


class AppealOpenedOut(Schema):
    id: int
    reference: str
    status: str
    reason: str
    opened_at: datetime
