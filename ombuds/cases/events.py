"""The closed list of what can happen to a case, and the data each event holds.

Event kinds are verbs (`filed`, `claimed`, `ruled`); case states are adjectives (`submitted`,
`in_review`, `decided`): no word is both. Each kind has one data shape holding stable ids
(user ids, department codes, member IDs, references), never display names, and the moments the
case's clock was set to, so that the case's row can be rebuilt from its events
(`ombuds.cases.projection`).

Events already written keep their bytes, since their hashes chain the history: `read_event`
also understands the shapes and names written before this list existed, and only new events
are written in the shapes below.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ombuds.cases.extensions import for_event


class EventKind(StrEnum):
    FILED = "filed"
    REPORTER_JOINED = "reporter_joined"
    CLAIMED = "claimed"
    RELEASED = "released"
    NOTE_ADDED = "note_added"
    TRANSFERRED = "transferred"
    INFORMATION_REQUESTED = "information_requested"
    PARTY_REMINDED = "party_reminded"
    ANSWERED = "answered"
    QUESTION_EXPIRED = "question_expired"
    RESPONDENT_ANSWERED = "respondent_answered"
    DEADLINE_WARNED = "deadline_warned"
    DEADLINE_BREACHED = "deadline_breached"
    RULED = "ruled"
    SANCTION_APPLIED = "sanction_applied"
    SANCTION_LIFTED = "sanction_lifted"
    APPEAL_OPENED = "appeal_opened"
    APPEAL_DECIDED = "appeal_decided"


# Names written before the list above; their events keep them (and their hashes).
LEGACY_KINDS = {
    "complaint_filed": EventKind.FILED,
    "information_provided": EventKind.ANSWERED,
    "information_not_provided": EventKind.QUESTION_EXPIRED,
    "decided": EventKind.RULED,
}


def stored_kinds(kind: EventKind) -> list[str]:
    """The names events of this kind may be stored under (for queries by kind)."""
    return [kind.value, *(old for old, new in LEGACY_KINDS.items() if new is kind)]


class EventData(BaseModel):
    """The data of one kind of event. `None` in a clock field means "not recorded" (an event
    written before events carried it), not "no deadline"."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")
    kind: ClassVar[StrEnum]

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=False)


class Filed(EventData):
    kind = EventKind.FILED
    complaint: str  # reference
    type: str
    department: str | None = None  # code
    due_at: datetime | None = None
    respondent_answer_due_at: datetime | None = None

    @property
    def is_legacy(self) -> bool:
        """Written before filings recorded their department and clock."""
        return self.department is None


class ReporterJoined(EventData):
    kind = EventKind.REPORTER_JOINED
    complaint: str
    reporters: int


class Claimed(EventData):
    kind = EventKind.CLAIMED
    agent: int | None = None  # user id; older events named the agent, the actor is the agent


class Released(EventData):
    kind = EventKind.RELEASED


class NoteAdded(EventData):
    kind = EventKind.NOTE_ADDED
    text: str


class Transferred(EventData):
    kind = EventKind.TRANSFERRED
    from_department: str = Field(alias="from")
    to_department: str = Field(alias="to")
    reason: str = ""


class InformationRequested(EventData):
    kind = EventKind.INFORMATION_REQUESTED
    party: str
    question: str
    deadline: datetime
    request: int | None = None


class PartyReminded(EventData):
    kind = EventKind.PARTY_REMINDED
    party: str
    request: int
    deadline: datetime


class Answered(EventData):
    """A party answered the agent's question: the clock runs again, to `due_at`."""

    kind = EventKind.ANSWERED
    party: str
    statement: int
    request: int | None = None
    due_at: datetime | None = None


class QuestionExpired(EventData):
    kind = EventKind.QUESTION_EXPIRED
    party: str
    request: int
    due_at: datetime | None = None


class RespondentAnswered(EventData):
    kind = EventKind.RESPONDENT_ANSWERED
    statement: int
    due_at: datetime | None = None


class DeadlineWarned(EventData):
    kind = EventKind.DEADLINE_WARNED
    due_at: datetime


class DeadlineBreached(EventData):
    kind = EventKind.DEADLINE_BREACHED
    due_at: datetime


class Ruled(EventData):
    """The case was decided: by the actor, or (no actor) automatically, as the statement says."""

    kind = EventKind.RULED
    outcome: str
    statement: dict[str, Any]


class SanctionData(EventData):
    sanction: int
    kind_key: str = Field(alias="kind")
    member: str  # member ID
    listing: str | None = None  # product URL
    starts_at: datetime
    ends_at: datetime | None = None
    lifted_at: datetime | None = None


class SanctionApplied(SanctionData):
    kind = EventKind.SANCTION_APPLIED


class SanctionLifted(SanctionData):
    kind = EventKind.SANCTION_LIFTED
    reason: str = ""


class AppealOpened(EventData):
    kind = EventKind.APPEAL_OPENED
    appeal: int
    reason: str
    due_at: datetime | None = None


class AppealDecided(EventData):
    kind = EventKind.APPEAL_DECIDED
    appeal: int
    result: str
    statement: str


SHAPES: dict[EventKind, type[EventData]] = {
    shape.kind: shape
    for shape in (
        Filed, ReporterJoined, Claimed, Released, NoteAdded, Transferred, InformationRequested,
        PartyReminded, Answered, QuestionExpired, RespondentAnswered, DeadlineWarned,
        DeadlineBreached, Ruled, SanctionApplied, SanctionLifted, AppealOpened, AppealDecided,
    )
}  # fmt: skip
assert set(SHAPES) == set(EventKind), "every kind of event has its data shape"


def kind_of(stored_kind: str) -> StrEnum:
    """The kind of an event as stored (its name now, or the one it was written under); an
    extension's kinds (`ombuds.cases.extensions`) are its own enum's."""
    legacy = LEGACY_KINDS.get(stored_kind)
    if legacy is not None:
        return legacy
    extension = for_event(stored_kind)
    if extension is not None:
        return extension.event_kinds(stored_kind)
    return EventKind(stored_kind)


def read_event(stored_kind: str, data: dict[str, Any] | None) -> EventData:
    """An event's typed data, from what is stored (any shape it was ever written in)."""
    kind = kind_of(stored_kind)
    values = dict(data or {})
    if kind is EventKind.CLAIMED and not isinstance(values.get("agent"), int):
        values.pop("agent", None)  # a username, before events held ids: the actor says who
    if isinstance(kind, EventKind):
        return SHAPES[kind].model_validate(values)
    extension = for_event(stored_kind)
    assert extension is not None
    return extension.shapes[kind].model_validate(values)
