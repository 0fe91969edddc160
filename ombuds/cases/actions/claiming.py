"""Agents take cases and give them back: claim next, claim one, release, transfer, notes."""

from __future__ import annotations

import contextlib
import functools
import json
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ombuds.accounts.models import Department, User
from ombuds.cases import events, limits
from ombuds.cases.actions.common import lock
from ombuds.cases.errors import ActionRefused, RefusalCode, refuse_unless_allowed
from ombuds.cases.history import GENESIS, event_hash_sql, record_event
from ombuds.cases.limits import written
from ombuds.cases.models import Case, CaseStatus
from ombuds.cases.read.console import queue_for_department
from ombuds.cases.rules import may_add_note, may_claim, may_release, may_transfer
from ombuds.intake.text import unusable_character


def claim_next_case(*, agent: User, department: Department) -> Case | None:
    """Give the agent the top case of the queue; two agents never get the same one. The queue
    skips the appeals of the agent's own decisions (`may_claim`, written as the query)."""
    if department.code not in agent.department_codes:
        raise ActionRefused(RefusalCode.FORBIDDEN, f"You are not an agent of {department.name}.")
    if connection.vendor == "postgresql":
        return _claim_next_on_postgresql(agent, department)
    for _ in range(5):
        with transaction.atomic():
            candidates = queue_for_department(department).exclude(
                status=CaseStatus.APPEALED, decided_by=agent
            )
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True, of=("self",))
            case = candidates.first()
            if case is None:
                return None
            now = timezone.now()
            status = CaseStatus.IN_REVIEW if case.status == CaseStatus.SUBMITTED else case.status
            taken = Case.objects.filter(pk=case.pk, assigned_to__isnull=True).update(
                assigned_to=agent, assigned_at=now, status=status, updated_at=now
            )
            if not taken:
                continue
            case.assigned_to, case.assigned_at, case.status = agent, now, status
            case.updated_at = now
            record_event(case, events.Claimed(agent=agent.pk), actor=agent, at=now)
            return case
    return None


# Claim next on PostgreSQL, one statement: take the top case of the queue (skipping those other
# agents hold), give it to the agent and write its `claimed` event, hashed by the database onto
# the case's head of chain (`event_hash_sql`).
_CLAIM_NEXT_SQL = """
WITH head AS MATERIALIZED (
    SELECT id, reference, event_count + 1 AS seq,
           coalesce(nullif(last_event_hash, ''), %(genesis)s) AS prev
    FROM cases_case
    WHERE department_id = %(department)s AND assigned_to_id IS NULL
      AND status IN ('submitted', 'appealed')
      AND (status <> 'appealed' OR decided_by_id IS DISTINCT FROM %(agent)s)
    ORDER BY breached DESC, due_at, reporter_count DESC, id
    LIMIT 1 FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE cases_case SET assigned_to_id = %(agent)s, assigned_at = %(now)s, updated_at = %(now)s,
        status = CASE WHEN cases_case.status = 'submitted' THEN 'in_review'
                      ELSE cases_case.status END,
        event_count = head.seq, last_event_hash = {event_hash}
    FROM head WHERE cases_case.id = head.id
    RETURNING {case_columns}
), event AS (
    INSERT INTO cases_caseevent
        (case_id, seq, kind, actor_id, complaint_id, data, created_at, prev_hash, hash)
    SELECT head.id, head.seq, %(kind)s, %(agent)s, NULL, %(data)s::jsonb, %(now)s, head.prev,
           claimed.last_event_hash
    FROM head JOIN claimed ON claimed.id = head.id
)
SELECT * FROM claimed
"""


@functools.cache
def _case_columns() -> list[tuple[str, Any, list[Any]]]:
    """(attname, column, converters) of each Case field: what the ORM applies to a row."""
    columns = []
    for field in Case._meta.concrete_fields:
        column = field.get_col(Case._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        columns.append((field.attname, column, converters))
    return columns


def _case_from_row(row: tuple[Any, ...]) -> Case:
    """A Case from a row of its columns in field order, converted as the ORM converts them."""
    names, values = [], []
    for (name, column, converters), value in zip(_case_columns(), row, strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        names.append(name)
        values.append(value)
    return Case.from_db(connection.alias, names, values)


def _claim_statement(agent: User, department: Department) -> tuple[str, dict[str, Any]]:
    now = timezone.now()
    claimed = events.Claimed(agent=agent.pk)
    data = claimed.stored()
    hash_sql, hash_params = event_hash_sql(
        reference_sql="head.reference", seq_sql="head.seq", prev_sql="head.prev",
        kind=claimed.kind.value, actor_id=agent.pk, complaint_id=None, data=data,
        created_at=now.isoformat(),
    )  # fmt: skip
    columns = ", ".join(f"cases_case.{field.column}" for field in Case._meta.concrete_fields)
    sql = _CLAIM_NEXT_SQL.replace("{event_hash}", hash_sql).replace("{case_columns}", columns)
    params = {
        "agent": agent.pk, "department": department.pk, "now": now, "genesis": GENESIS,
        "kind": claimed.kind.value, "data": json.dumps(data), **hash_params,
    }  # fmt: skip
    return sql, params


def _claim_next_on_postgresql(agent: User, department: Department) -> Case | None:
    sql, params = _claim_statement(agent, department)
    server_side_binding = connection.settings_dict["OPTIONS"].get("server_side_binding")
    with connection.cursor() as cursor:
        if connection.in_atomic_block or server_side_binding:
            with transaction.atomic():
                cursor.execute(sql, params)
                row = cursor.fetchone()
        else:
            # Outside any transaction of the caller's, BEGIN and COMMIT travel with the
            # statement (client-side binding sends "a; b; c" as one query): the whole claim is
            # one round trip to the server, which is most of its time under load.
            try:
                cursor.execute(f"BEGIN; {sql}; COMMIT", params)
                cursor.nextset()
                row = cursor.fetchone()
            except BaseException:
                with contextlib.suppress(DatabaseError):  # a broken connection rolls back
                    cursor.execute("ROLLBACK")
                raise
    return _case_from_row(row) if row is not None else None


def claim_case(*, agent: User, case: Case) -> Case:
    """Take one case found by search (claim next takes the top of the queue)."""
    with transaction.atomic():
        case = lock(case)
        refuse_unless_allowed(may_claim(agent, case))
        now = timezone.now()
        case.assigned_to, case.assigned_at = agent, now
        if case.status == CaseStatus.SUBMITTED:
            case.status = CaseStatus.IN_REVIEW
        case.save(update_fields=["assigned_to", "assigned_at", "status", "updated_at"])
        record_event(case, events.Claimed(agent=agent.pk), actor=agent, at=now)
    return case


def release_case(*, agent: User, case: Case) -> Case:
    with transaction.atomic():
        case = lock(case)
        refuse_unless_allowed(may_release(agent, case))
        case.assigned_to, case.assigned_at = None, None
        if case.status == CaseStatus.IN_REVIEW:
            case.status = CaseStatus.SUBMITTED
        case.save(update_fields=["assigned_to", "assigned_at", "status", "updated_at"])
        record_event(case, events.Released(), actor=agent)
    return case


def add_note(*, agent: User, case: Case, text: str) -> events.NoteAdded:
    """An internal note; the parties never see it."""
    with transaction.atomic():
        case = lock(case)
        refuse_unless_allowed(may_add_note(agent, case))
        text = written(
            text, field="text", limit=limits.NOTE, label="A note",
            empty=(RefusalCode.NOTE_EMPTY, "Write the note."),
        )  # fmt: skip
        note = events.NoteAdded(text=text)
        record_event(case, note, actor=agent)
    return note


def transfer_case(*, agent: User, case: Case, department: str, reason: str) -> Case:
    """Send a case still being worked to another department's queue (by its code), unassigned."""
    with transaction.atomic():
        case = lock(case)
        refuse_unless_allowed(may_transfer(agent, case))
        code = department.strip()
        to = None if unusable_character(code) else (
            Department.objects.filter(code=code, active=True).first()
        )  # fmt: skip
        if to is None or to.pk == case.department_id:
            raise ActionRefused(
                RefusalCode.TRANSFER_INVALID, "Choose another, active department.", "department"
            )
        reason = written(reason, field="reason", limit=limits.REASON, label="The reason")
        previous = case.department.code
        case.department = to
        case.assigned_to, case.assigned_at = None, None
        if case.status == CaseStatus.IN_REVIEW:
            case.status = CaseStatus.SUBMITTED
        case.save(
            update_fields=["department", "assigned_to", "assigned_at", "status", "updated_at"]
        )
        transferred = events.Transferred(
            from_department=previous, to_department=to.code, reason=reason
        )
        record_event(case, transferred, actor=agent)
    return case
