"""The history as each viewer reads it: what every kind of event says to the complainant, the
respondent and the agents.

Parties read the history in the marketplace's voice, never an agent's name; agents read who did
what. Internal notes, releases, warnings and breaches are the marketplace's own business. Nothing
here names a complainant to the respondent of an anonymous report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ombuds.cases.events import EventKind, read_event
from ombuds.cases.extensions import for_event
from ombuds.cases.models import Case, CaseEvent, Complaint
from ombuds.cases.rules import COMPLAINANT, RESPONDENT
from ombuds.cases.statements import statement_text
from ombuds.formats import when
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType

AGENT = "agent"
AGENT_ONLY_EVENTS = frozenset(
    {
        EventKind.NOTE_ADDED,
        EventKind.RELEASED,
        EventKind.DEADLINE_WARNED,
        EventKind.DEADLINE_BREACHED,
    }
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    kind: str = ""
    actor: str = ""
    internal: bool = False


def timeline(
    case: Case | None, role: str, complaint_type: ComplaintType, own: Complaint | None = None
) -> list[TimelineEntry]:
    """The case's history as a viewer in `role` reads it (`own`: the complainant's filing)."""
    entries = []
    if role == COMPLAINANT and own is not None:
        entries.append(
            TimelineEntry(
                own.created_at,
                f"You filed this {complaint_type.kind}: {complaint_type.label.lower()}.",
            )
        )
        if case is None:
            entries.append(
                TimelineEntry(
                    own.created_at, "We sent you an email: open its link to confirm and send it."
                )
            )
    if case is None:
        return entries
    history = case.events.order_by("seq")
    if role == AGENT:
        history = history.select_related("actor", "complaint")
    for event in history:
        reading = Reading(event, read_event(event.kind, event.data), role, complaint_type, own)
        text = _text_of(reading)
        if role == AGENT:
            entries.append(
                TimelineEntry(
                    event.created_at, (text or event.kind).strip(), kind=reading.data.kind,
                    actor=_person(event.actor) if event.actor_id else "",
                    internal=reading.data.kind in AGENT_ONLY_EVENTS,
                )
            )  # fmt: skip
        elif text:
            entries.append(TimelineEntry(event.created_at, text.strip(), kind=reading.data.kind))
    return entries


def _person(user: Any) -> str:
    if user is None:
        return "the system"
    return user.get_full_name() or user.username


def _department_name(code: str) -> str:
    department = get_policy().departments.get(code)
    return department.name if department else code


@dataclass(frozen=True)
class Reading:
    event: CaseEvent
    data: Any  # the event's typed data (`ombuds.cases.events`)
    role: str
    complaint_type: ComplaintType
    own: Complaint | None

    @property
    def actor(self) -> str:
        return _person(self.event.actor) if self.event.actor_id else "the system"

    @property
    def team(self) -> str:
        return _department_name(self.complaint_type.department)

    @property
    def is_own(self) -> bool:
        return self.own is not None and self.event.complaint_id == self.own.pk


def _filed(r: Reading) -> str | None:
    label = r.complaint_type.label.lower()
    if r.role == COMPLAINANT:
        if r.is_own:
            return f"Received and sent to the {r.team} team. Submitted — under consideration."
        return None
    if r.role == RESPONDENT:
        if r.complaint_type.reporter_anonymous:
            return f"A {r.complaint_type.kind} was filed about you: {label}."
        complaint = r.event.complaint
        name = complaint.complainant_name if complaint else "A member"
        return f"{name} filed a {r.complaint_type.kind} about you: {label}."
    return f"{label.capitalize()} {r.data.complaint} filed."


def _reporter_joined(r: Reading) -> str | None:
    if r.role == COMPLAINANT:
        if r.is_own:
            return (
                "Received. Others reported the same thing: your report joined their case, "
                "which is under consideration."
            )
        return "Another report about the same thing joined this case."
    if r.role == RESPONDENT:
        return None
    return f"Report {r.data.complaint} joined the case ({r.data.reporters} reporters)."


def _claimed(r: Reading) -> str | None:
    if r.role == AGENT:
        return f"Claimed by {r.actor}."
    return "In review: an agent of the marketplace is working on it."


def _released(r: Reading) -> str | None:
    return f"Released by {r.actor}: back in the queue." if r.role == AGENT else None


def _note_added(r: Reading) -> str | None:
    return f"Internal note by {r.actor}: {r.data.text}" if r.role == AGENT else None


def _transferred(r: Reading) -> str | None:
    to = _department_name(r.data.to_department)
    if r.role == AGENT:
        text = f"Transferred by {r.actor} from {_department_name(r.data.from_department)} to {to}."
        return f"{text} Reason: {r.data.reason}" if r.data.reason else text
    return f"Sent to the {to} team, which handles this kind of case."


def _information_requested(r: Reading) -> str | None:
    party, deadline = r.data.party, when(r.data.deadline)
    if r.role == AGENT:
        return f"{r.actor} asked the {party}: “{r.data.question}” Answer due {deadline}."
    if r.role == party:
        return (
            f"The marketplace asked you: “{r.data.question}” Please answer by {deadline}; "
            "until then the case waits."
        )
    return None


def _party_reminded(r: Reading) -> str | None:
    deadline = when(r.data.deadline)
    if r.role == AGENT:
        return f"The {r.data.party} was reminded that their answer is due {deadline}."
    if r.role == r.data.party:
        return f"We reminded you by email: your answer is due {deadline}."
    return None


def _answered(r: Reading) -> str | None:
    party, event = r.data.party, r.event
    if r.role == AGENT:
        who = r.actor
        if event.actor_id is None and event.complaint_id is not None:
            who = f"{event.complaint.complainant_email}, visitor"
        return f"The {party} answered the question ({who})."
    if r.role != party:
        return None
    if r.role == COMPLAINANT and r.own is not None:
        if event.complaint_id is not None:  # the filing they answered through
            mine = event.complaint_id == r.own.pk
        else:
            mine = event.actor_id == r.own.complainant_id
        if not mine:
            return "Another reporter answered the question. The case continues."
    return "You answered the question. The case continues."


def _question_expired(r: Reading) -> str | None:
    party = r.data.party
    if r.role == AGENT:
        return f"No answer from the {party} by the deadline: the case is back in the queue."
    if r.role == party:
        return "The time to answer the question passed. The case continues with what it has."
    return None


def _respondent_answered(r: Reading) -> str | None:
    if r.role == AGENT:
        return f"The respondent answered ({r.actor})."
    if r.role == RESPONDENT:
        return "You sent your answer."
    return "The other party answered. The marketplace takes it into account in its decision."


def _deadline_warned(r: Reading) -> str | None:
    if r.role == AGENT:
        return f"The time limit ends soon ({when(r.data.due_at)}): the agents were told."
    return None


def _deadline_breached(r: Reading) -> str | None:
    if r.role == AGENT:
        return "The time limit passed: the case is overdue and goes to the top of the queue."
    return None


def _outcome_label(key: str) -> str:
    outcome = get_policy().outcomes.get(key)
    return outcome.label if outcome else key


def _ruled(r: Reading) -> str | None:
    outcome = _outcome_label(r.data.outcome)
    if r.role == AGENT:
        how = "automatically" if r.event.actor_id is None else f"by {r.actor}"
        return f"Decided {how}: {outcome}."
    return statement_text(r.data.statement, separator=" ")


def _sanction_label(r: Reading) -> tuple[str, str]:
    spec = get_policy().sanctions.get(r.data.kind_key)
    if spec is None:
        return r.data.kind_key, ""
    return spec.label, spec.description


def _sanction_terms(r: Reading) -> str:
    text = f" on {r.data.listing}" if r.data.listing else ""
    return text + (f", until {when(r.data.ends_at)}" if r.data.ends_at else "")


def _sanction_applied(r: Reading) -> str | None:
    label, description = _sanction_label(r)
    if r.role == AGENT:
        return f"Sanction applied by {r.actor}: {label}{_sanction_terms(r)}."
    if r.role == RESPONDENT:
        return f"Measure taken: {label}{_sanction_terms(r)}. {description}"
    return f"What was done: {label}. {description}"


def _sanction_lifted(r: Reading) -> str | None:
    label, _ = _sanction_label(r)
    if r.role == AGENT:
        return f"Sanction lifted by {r.actor}: {label}{_sanction_terms(r)}. {r.data.reason}"
    if r.role == RESPONDENT:
        return f"Measure lifted: {label}{_sanction_terms(r)}. {r.data.reason}"
    return f"The measure “{label}” was lifted."


def _appeal_opened(r: Reading) -> str | None:
    if r.role == AGENT:
        return f"Appeal opened by the respondent ({r.actor}): “{r.data.reason}”"
    if r.role == RESPONDENT:
        return "You appealed the decision. Someone other than the first decider reviews it."
    return "The other party appealed the decision. Someone other than the first decider reviews it."


def _appeal_decided(r: Reading) -> str | None:
    verdict = "reversed" if r.data.result == "reversed" else "confirmed"
    if r.role == AGENT:
        return f"Appeal decided by {r.actor}: the decision is {verdict}. {r.data.statement}"
    return f"Appeal decided: the decision is {verdict}. {r.data.statement}"


_TEXTS: dict[EventKind, Callable[[Reading], str | None]] = {
    EventKind.FILED: _filed,
    EventKind.REPORTER_JOINED: _reporter_joined,
    EventKind.CLAIMED: _claimed,
    EventKind.RELEASED: _released,
    EventKind.NOTE_ADDED: _note_added,
    EventKind.TRANSFERRED: _transferred,
    EventKind.INFORMATION_REQUESTED: _information_requested,
    EventKind.PARTY_REMINDED: _party_reminded,
    EventKind.ANSWERED: _answered,
    EventKind.QUESTION_EXPIRED: _question_expired,
    EventKind.RESPONDENT_ANSWERED: _respondent_answered,
    EventKind.DEADLINE_WARNED: _deadline_warned,
    EventKind.DEADLINE_BREACHED: _deadline_breached,
    EventKind.RULED: _ruled,
    EventKind.SANCTION_APPLIED: _sanction_applied,
    EventKind.SANCTION_LIFTED: _sanction_lifted,
    EventKind.APPEAL_OPENED: _appeal_opened,
    EventKind.APPEAL_DECIDED: _appeal_decided,
}
assert set(_TEXTS) == set(EventKind), "every kind of event reads to someone"


def _text_of(reading: Reading) -> str | None:
    kind = reading.data.kind
    if kind in _TEXTS:
        return _TEXTS[kind](reading)
    extension = for_event(str(kind))
    return extension.texts[kind](reading) if extension is not None else None
