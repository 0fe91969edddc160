"""The API's request and response shapes for the catalog, evidence and complaints."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

from ombuds.api.problems import FieldProblem, ProblemDetails

# --- the catalog -----------------------------------------------------------------------------


class ChoiceOut(Schema):
    value: str
    label: str
    help: str


class FieldOut(Schema):
    name: str
    kind: str
    label: str
    help: str
    required: bool
    choices: list[ChoiceOut]
    min_length: int
    max_length: int
    language_checked: bool


class FilersOut(Schema):
    who: str = Field(description="members, verified_rights_holders or anyone")
    member_kinds: list[str] = Field(description="When `who` is members: the kinds that may file")


class TargetOut(Schema):
    identify_by: list[str]
    listings: str
    max_listings: int
    label: str
    help: str


class EvidenceRulesOut(Schema):
    required: bool
    allowed_formats: list[str]
    max_file_bytes: int
    max_archive_bytes: int
    max_files: int
    one_file_per_format: bool
    visible_to_respondent: str
    help: str


class TimeLimitOut(Schema):
    amount: int
    unit: str
    calendar: str


class ComplaintTypeOut(Schema):
    key: str
    kind: str
    label: str
    summary: str
    help: str
    department: str
    department_name: str
    filers: FilersOut
    target: TargetOut
    fields: list[FieldOut]
    evidence: EvidenceRulesOut
    time_limit: TimeLimitOut
    reporter_anonymous: bool
    requires_agreement: bool
    urgent: bool


class CatalogOut(Schema):
    policy: str
    languages: list[str]
    user_agreement_url: str
    types: list[ComplaintTypeOut]


# --- evidence --------------------------------------------------------------------------------


class ArchiveMemberOut(Schema):
    path: str
    format: str
    size: int


class EvidenceOut(Schema):
    id: UUID
    name: str
    size: int
    sha256: str
    format: str
    mime: str
    archive_members: list[ArchiveMemberOut]


# --- complaints ------------------------------------------------------------------------------


class ComplaintIn(Schema):
    """A complaint to file. `answers` holds the type's fields by name (see the catalog)."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="The key of a complaint type of the catalog")
    target: str = Field(
        "",
        description="Who or what it is about: email, member ID, product URL(s), store URL or "
        "name, as the type's target.identify_by allows (order disputes name the order in "
        "answers instead)",
    )
    answers: dict[str, Any] = Field(default_factory=dict)
    evidence: list[str] = Field(
        default_factory=list, description="Ids of files uploaded with POST /evidence"
    )
    agreement: bool = Field(False, description="The user agreement is accepted")
    on_behalf_of: str | None = Field(
        None, description="Service tokens only: the member ID of the member who files"
    )
    previous_case: str | None = Field(
        None,
        description="Submitting again with new information: the CASE-... reference of your "
        "decided complaint of the same type, which the new one is linked to",
    )


MULTIPART_COMPLAINT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string"},
        "target": {"type": "string"},
        "answers": {"type": "string", "description": "The answers as a JSON object"},
        "agreement": {"type": "string", "enum": ["true", "false", "on", "1", "0", "yes", "no"]},
        "on_behalf_of": {"type": "string"},
        "previous_case": {"type": "string"},
        "evidence": {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": "Files, inspected against the type's evidence rules",
        },
        "evidence_ids": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Ids of files uploaded earlier with POST /evidence",
        },
    },
}


class AnswerOut(Schema):
    field: str | None
    label: str
    value: str


class PartyOut(Schema):
    name: str
    email: str | None = None
    member_id: str | None = None


class FilingOut(Schema):
    """One complaint of a case, as agents see it."""

    reference: str
    created_at: datetime
    complainant: PartyOut


class EvidenceItemOut(Schema):
    id: UUID
    name: str
    size: int
    format: str
    sha256: str


class TimelineEntryOut(Schema):
    at: datetime
    text: str


class ReasonsOut(Schema):
    """The statement of reasons (DSA Art. 17), as both parties read it."""

    decision: str = Field(description="What was decided, and the measures taken")
    scope: str = Field(description="What the decision covers")
    facts: str = Field(description="The facts and circumstances relied on")
    automated_means: bool = Field(description="Whether automated means were used")
    ground: str = Field(description="The policy ground")
    redress: str = Field(description="The redress available")


class SanctionBriefOut(Schema):
    kind: str
    label: str
    listing: str | None = Field(description="The title of the listing it applies to, if any")
    starts_at: datetime
    ends_at: datetime | None
    lifted_at: datetime | None


class AppealBriefOut(Schema):
    status: str = Field(description="open, upheld (decision confirmed) or reversed")
    opened_at: datetime
    decided_at: datetime | None
    statement: str = Field(description="The reasons of the appeal decision, once decided")


class DecisionOut(Schema):
    outcome: str
    outcome_label: str
    decided_at: datetime
    statement: ReasonsOut
    sanctions: list[SanctionBriefOut]
    appeal: AppealBriefOut | None


class QuestionOut(Schema):
    """An agent's question to the caller's party; answer it with POST .../answers."""

    id: int
    question: str
    deadline: datetime
    status: str = Field(description="open, answered or expired")
    asked_at: datetime


class PartyStatementBriefOut(Schema):
    """A party's statement on the case: the caller's own, or the other party's where both
    sides see what the other says (disputes, rights holders' notices)."""

    party: str = Field(description="complainant or respondent")
    yours: bool = Field(description="Written by the caller")
    kind: str = Field(description="answer (the respondent's answer) or information (to a question)")
    question: str | None = Field(description="The question it answers, for kind information")
    text: str
    evidence: list[EvidenceItemOut]
    created_at: datetime


class ComplaintOut(Schema):
    reference: str = Field(description="CMP-... for the complainant, CASE-... for others")
    case_reference: str | None
    role: str = Field(description="How the caller sees it: complainant, respondent or agent")
    type: str
    type_label: str
    kind: str
    status: str
    status_label: str
    created_at: datetime
    due_at: datetime | None
    time_left: str
    target: str
    answers: list[AnswerOut]
    complainant: PartyOut | None = Field(
        description="Absent for reports, which are anonymous to the respondent"
    )
    complaints: list[FilingOut] = Field(
        default_factory=list, description="Agents: every complaint of the case"
    )
    evidence: list[EvidenceItemOut]
    statements: list[PartyStatementBriefOut] = Field(
        default_factory=list,
        description="Parties: their own statements, and the other party's where the case is "
        "shared between them",
    )
    timeline: list[TimelineEntryOut]
    questions: list[QuestionOut] = Field(
        default_factory=list,
        description="The agents' questions to the caller's party (agents: every question)",
    )
    respondent_answer_due_at: datetime | None = Field(
        None, description="Respondent and agents: until when the respondent may answer"
    )
    decision: DecisionOut | None = Field(
        None, description="Once decided: the outcome and the statement of reasons"
    )


class ComplaintListItem(Schema):
    reference: str
    type: str
    type_label: str
    status: str
    status_label: str
    target: str
    created_at: datetime
    due_at: datetime | None
    time_left: str


class ComplaintList(Schema):
    box: str
    count: int
    items: list[ComplaintListItem]


# --- refusals --------------------------------------------------------------------------------


class FieldRefusal(FieldProblem):
    """A field error of a refused filing; some codes add details."""

    model_config = ConfigDict(extra="allow")

    duplicate: str | None = Field(None, description="duplicate_complaint: the open one")
    url: str | None = None
    tried: Any = Field(None, description="What respondent resolution tried")
    file: str | None = Field(None, description="The file (name or id) concerned")
    limit_bytes: int | None = None
    language_found: str | None = None
    agreement_url: str | None = None
    route_to: str | None = Field(None, description="The type to use instead")


class FilingProblem(ProblemDetails):
    errors: list[FieldRefusal] = []


PROBLEMS = {401: ProblemDetails, 403: ProblemDetails, 404: ProblemDetails}
