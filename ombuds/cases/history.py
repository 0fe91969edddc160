"""The tamper-evident history of a case: each event's hash covers the event before it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from ombuds.cases.events import EventData
from ombuds.cases.extensions import for_kind
from ombuds.cases.models import Case, CaseEvent, Complaint
from ombuds.cases.projection import differences, project, state_of_row

GENESIS = "0" * 64


def _canonical(
    *, case_reference: Any, seq: Any, kind: str, actor_id: int | None, complaint_id: int | None,
    data: dict[str, Any], created_at: str, prev_hash: Any,
) -> str:  # fmt: skip
    """The text an event's hash is taken of: its fields as JSON with sorted keys."""
    return json.dumps(
        {
            "case": case_reference,
            "seq": seq,
            "kind": kind,
            "actor": actor_id,
            "complaint": complaint_id,
            "data": data,
            "created_at": created_at,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def event_hash(
    *, case_reference: str, seq: int, kind: str, actor_id: int | None, complaint_id: int | None,
    data: dict[str, Any], created_at: str, prev_hash: str,
) -> str:  # fmt: skip
    canonical = _canonical(
        case_reference=case_reference, seq=seq, kind=kind, actor_id=actor_id,
        complaint_id=complaint_id, data=data, created_at=created_at, prev_hash=prev_hash,
    )  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_hash_sql(
    *, reference_sql: str, seq_sql: str, prev_sql: str, kind: str, actor_id: int | None,
    complaint_id: int | None, data: dict[str, Any], created_at: str,
) -> tuple[str, dict[str, str]]:  # fmt: skip
    """PostgreSQL: `event_hash` as an SQL expression with named parameters, for an event whose
    case only the statement itself finds (claim next picks its case and records the event in
    one statement). `reference_sql` and `prev_sql` are expressions of ASCII text (a reference,
    a hex hash), `seq_sql` of an integer. The canonical text is Python's, with three holes the
    expressions fill; the database takes its SHA-256 (PostgreSQL 11 and later)."""
    text = _canonical(
        case_reference="\x00reference\x00", seq="\x00seq\x00", prev_hash="\x00prev\x00",
        kind=kind, actor_id=actor_id, complaint_id=complaint_id, data=_normalized(data),
        created_at=created_at,
    )  # fmt: skip
    holes = {  # each placeholder as it reads in the JSON text -> the SQL that fills it
        json.dumps("\x00reference\x00"): f"to_json({reference_sql})::text",
        json.dumps("\x00seq\x00"): f"({seq_sql})::text",
        json.dumps("\x00prev\x00"): f"to_json({prev_sql})::text",
    }
    if any(text.count(mark) != 1 for mark in holes):
        raise ValueError("the event's data holds a placeholder: it cannot be hashed in SQL")
    pieces, params = [], {}
    for part in re.split("(" + "|".join(map(re.escape, holes)) + ")", text):
        if part in holes:
            pieces.append(holes[part])
        else:
            name = f"hash_{len(params)}"
            params[name] = part
            pieces.append(f"%({name})s")
    return f"encode(sha256(convert_to({' || '.join(pieces)}, 'UTF8')), 'hex')", params


def _normalized(data: dict[str, Any] | None) -> dict[str, Any]:
    """The data as it reads back from the database's JSON: what the hash must cover."""
    return json.loads(json.dumps(data or {}, default=str))


def next_event(
    case: Case,
    data: EventData,
    *,
    actor: Any = None,
    complaint: Complaint | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """The case's next event, hashed onto the one before it, not yet written."""
    stored = _normalized(data.stored())
    seq = case.event_count + 1
    prev = case.last_event_hash or GENESIS
    created_at = at or timezone.now()
    actor_id = getattr(actor, "pk", None)
    digest = event_hash(
        case_reference=case.reference, seq=seq, kind=data.kind.value, actor_id=actor_id,
        complaint_id=complaint.pk if complaint else None, data=stored,
        created_at=created_at.isoformat(), prev_hash=prev,
    )  # fmt: skip
    return CaseEvent(
        case=case, seq=seq, kind=data.kind.value, actor_id=actor_id, complaint=complaint,
        data=stored, created_at=created_at, prev_hash=prev, hash=digest,
    )  # fmt: skip


def record_event(
    case: Case,
    data: EventData,
    *,
    actor: Any = None,
    complaint: Complaint | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append an event. Call inside the action's transaction, with the case row locked, and
    with `at` the moment the action also wrote into the row (the replay reads it back)."""
    event = next_event(case, data, actor=actor, complaint=complaint, at=at)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(*append_statement(event))
            event.pk = cursor.fetchone()[0]
    else:
        event.save(force_insert=True)
        Case.objects.filter(pk=case.pk).update(event_count=event.seq, last_event_hash=event.hash)
    case.event_count, case.last_event_hash = event.seq, event.hash
    return event


_APPEND_SQL = f"""
WITH event AS (
    INSERT INTO {CaseEvent._meta.db_table}
        (case_id, seq, kind, actor_id, complaint_id, data, created_at, prev_hash, hash)
    VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s)
    RETURNING id
)
UPDATE {Case._meta.db_table} SET event_count = %s, last_event_hash = %s WHERE id = %s
RETURNING (SELECT id FROM event)
"""


def append_statement(event: CaseEvent) -> tuple[str, list[Any]]:
    """PostgreSQL: one statement writes the event and moves the case's head of chain to it
    (one round trip per action instead of two); it returns the event's id. The case row is
    locked by the caller, so the event's seq is the case's new event count."""
    params = [
        event.case_id, event.seq, event.kind, event.actor_id, event.complaint_id,
        json.dumps(event.data), event.created_at, event.prev_hash, event.hash,
        event.seq, event.hash, event.case_id,
    ]  # fmt: skip
    return _APPEND_SQL, params


@dataclass(frozen=True)
class BrokenHistory:
    """The first thing wrong with a case's history: an event (by its number), or a field of
    the case's row that its events do not give."""

    case_reference: str
    reason: str
    seq: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"event {self.seq} " if self.seq is not None else ""
        return f"{self.case_reference}: {where}{self.reason}"


def _chain_problem(case: Case, history: list[CaseEvent]) -> BrokenHistory | None:
    """The first event whose content or link does not match its hash, if any."""
    prev = GENESIS
    expected_seq = 1
    for event in history:
        if event.seq != expected_seq:
            return BrokenHistory(case.reference, "is missing", expected_seq)
        if event.prev_hash != prev:
            return BrokenHistory(case.reference, "does not follow the event before it", event.seq)
        digest = event_hash(
            case_reference=case.reference, seq=event.seq, kind=event.kind,
            actor_id=event.actor_id, complaint_id=event.complaint_id, data=event.data,
            created_at=event.created_at.isoformat(), prev_hash=event.prev_hash,
        )  # fmt: skip
        if digest != event.hash:
            return BrokenHistory(
                case.reference, "content was changed after it was written", event.seq
            )
        prev = event.hash
        expected_seq += 1
    if case.last_event_hash and case.last_event_hash != prev:
        return BrokenHistory(case.reference, "is missing: the history was cut short", expected_seq)
    return None


def _projection_problem(case: Case, history: list[CaseEvent]) -> BrokenHistory | None:
    """The first field of the case's row that differs from the replay of its events."""
    found = differences(state_of_row(case), project(history))
    if not found:
        return None
    name, actual, expected = found[0]
    return BrokenHistory(
        case.reference,
        f"{name} is {actual!r} in the case but {expected!r} in the replay of its "
        f"{len(history)} events",
        field=name,
    )


def verify_case(case: Case) -> BrokenHistory | None:
    """The hash chain first (a replay of a tampered history proves nothing), then the row, then
    the rows its kind's extension keeps (a dispute's)."""
    history = list(case.events.order_by("seq"))
    broken = _chain_problem(case, history) or _projection_problem(case, history)
    extension = for_kind(case.kind)
    if broken is None and extension is not None and extension.verify is not None:
        problem = extension.verify(case, history)
        if problem is not None:
            broken = BrokenHistory(case.reference, problem)
    return broken


def verify_all() -> Iterator[BrokenHistory]:
    for case in Case.objects.select_related("department").order_by("pk").iterator(500):
        broken = verify_case(case)
        if broken:
            yield broken
