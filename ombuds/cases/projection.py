"""The case as the replay of its events: one pure function from history to state.

The actions write the case's row for speed; the row must always equal `project(events)`.
`ombuds history verify` compares them (`differences`) and names the first field that differs.

Events written before events carried the case's clock (see `events.read_event`) leave some
fields undetermined: they are `UNKNOWN` in the replay until a later event sets them again, and
a comparison skips them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, Protocol

from ombuds.cases import events as e
from ombuds.cases.events import read_event
from ombuds.cases.extensions import for_event


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()

SUBMITTED, IN_REVIEW, WAITING = "submitted", "in_review", "waiting"
DECIDED, APPEALED, CLOSED = "decided", "appealed", "closed"


class StoredEvent(Protocol):
    kind: str
    data: dict[str, Any]
    actor_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class CaseState:
    """The fields of a case that its history determines."""

    status: str = SUBMITTED
    department: str | None = UNKNOWN  # code
    assigned_to: int | None = None  # user id
    assigned_at: datetime | None = None
    due_at: datetime | None = UNKNOWN
    paused_at: datetime | None = None
    waiting_for: str = ""
    breached: bool = False
    deadline_warned: bool = UNKNOWN
    reporter_count: int = 1
    respondent_answer_due_at: datetime | None = UNKNOWN
    respondent_answered_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: int | None = None
    outcome: str = ""
    statement: dict[str, Any] | None = None


def _known(value: Any) -> Any:
    return UNKNOWN if value is None else value


def apply(state: CaseState, kind: Any, data: e.EventData, actor: int | None,
          at: datetime) -> CaseState:  # fmt: skip
    """The state after one event."""
    K = e.EventKind
    if kind is K.FILED:
        assert isinstance(data, e.Filed)
        if data.is_legacy:
            return CaseState()
        return CaseState(
            department=data.department,
            due_at=data.due_at,
            deadline_warned=False,
            respondent_answer_due_at=data.respondent_answer_due_at,
        )
    if kind is K.REPORTER_JOINED:
        assert isinstance(data, e.ReporterJoined)
        return replace(state, reporter_count=data.reporters)
    if kind is K.CLAIMED:
        status = IN_REVIEW if state.status == SUBMITTED else state.status
        return replace(state, status=status, assigned_to=actor, assigned_at=at)
    if kind is K.RELEASED:
        status = SUBMITTED if state.status == IN_REVIEW else state.status
        return replace(state, status=status, assigned_to=None, assigned_at=None)
    if kind is K.TRANSFERRED:
        assert isinstance(data, e.Transferred)
        status = SUBMITTED if state.status == IN_REVIEW else state.status
        return replace(
            state, status=status, department=data.to_department, assigned_to=None,
            assigned_at=None,
        )  # fmt: skip
    if kind is K.INFORMATION_REQUESTED:
        assert isinstance(data, e.InformationRequested)
        return replace(state, status=WAITING, paused_at=at, waiting_for=data.party)
    if kind is K.ANSWERED:
        assert isinstance(data, e.Answered)
        answered_at = state.respondent_answered_at
        if data.party == "respondent" and answered_at is None:
            answered_at = at  # their answer to the question is their answer
        return replace(
            state, status=IN_REVIEW if state.assigned_to is not None else SUBMITTED,
            due_at=_known(data.due_at), paused_at=None, waiting_for="",
            respondent_answered_at=answered_at,
        )  # fmt: skip
    if kind is K.QUESTION_EXPIRED:
        assert isinstance(data, e.QuestionExpired)
        return replace(
            state, status=SUBMITTED, due_at=_known(data.due_at), paused_at=None, waiting_for="",
            assigned_to=None, assigned_at=None,
        )  # fmt: skip
    if kind is K.RESPONDENT_ANSWERED:
        assert isinstance(data, e.RespondentAnswered)
        return replace(
            state, respondent_answered_at=state.respondent_answered_at or at,
            due_at=_known(data.due_at),
        )  # fmt: skip
    if kind is K.DEADLINE_WARNED:
        return replace(state, deadline_warned=True)
    if kind is K.DEADLINE_BREACHED:
        return replace(state, breached=True)
    if kind is K.RULED:
        assert isinstance(data, e.Ruled)
        return replace(
            state, status=DECIDED, outcome=data.outcome, statement=data.statement,
            decided_at=at, decided_by=actor, assigned_to=None, assigned_at=None, paused_at=None,
        )  # fmt: skip
    if kind is K.APPEAL_OPENED:
        assert isinstance(data, e.AppealOpened)
        return replace(
            state, status=APPEALED, due_at=_known(data.due_at), breached=False,
            deadline_warned=False,
        )  # fmt: skip
    if kind is K.APPEAL_DECIDED:
        return replace(state, status=CLOSED, assigned_to=None, assigned_at=None)
    extension = for_event(str(kind))
    if extension is not None:
        return extension.apply(state, str(kind), data, actor, at)
    # Notes, reminders and sanctions change nothing of the case's own fields.
    return state


def project(history: Iterable[StoredEvent]) -> CaseState:
    """The case's state after all its events, in order."""
    state = CaseState()
    for event in history:
        data = read_event(event.kind, event.data)
        state = apply(state, data.kind, data, event.actor_id, event.created_at)
    return state


def state_of_row(case: Any) -> CaseState:
    """The same fields, as the case's row holds them."""
    return CaseState(
        status=case.status,
        department=case.department.code,
        assigned_to=case.assigned_to_id,
        assigned_at=case.assigned_at,
        due_at=case.due_at,
        paused_at=case.paused_at,
        waiting_for=case.waiting_for,
        breached=case.breached,
        deadline_warned=case.deadline_warned,
        reporter_count=case.reporter_count,
        respondent_answer_due_at=case.respondent_answer_due_at,
        respondent_answered_at=case.respondent_answered_at,
        decided_at=case.decided_at,
        decided_by=case.decided_by_id,
        outcome=case.outcome,
        statement=case.statement or None,
    )


def differences(row: CaseState, replayed: CaseState) -> list[tuple[str, Any, Any]]:
    """(field, in the row, in the replay) for each field the replay determines and the row
    does not hold, in field order."""
    found = []
    for field in fields(CaseState):
        expected = getattr(replayed, field.name)
        actual = getattr(row, field.name)
        if expected is not UNKNOWN and actual != expected:
            found.append((field.name, actual, expected))
    return found
