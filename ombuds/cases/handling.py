"""What agents do with a case before deciding, and what parties answer.

Each function is one action: it checks who acts and the case's state, runs in one
transaction with the case row locked, writes one history event and queues its notices.
"""

from __future__ import annotations

import contextlib
import functools
import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from ombuds.accounts.models import Department, User
from ombuds.cases.deadlines import due_time, resumed_due_time
from ombuds.cases.errors import ActionRefused, forbidden
from ombuds.cases.history import GENESIS, event_hash_sql, record_event
from ombuds.cases.models import (
    OPEN_STATUSES,
    QUEUED_STATUSES,
    WORKED_STATUSES,
    Case,
    CaseStatus,
    Complaint,
    InformationRequest,
    PartyStatement,
)
from ombuds.cases.visitors import complaint_link
from ombuds.evidence.models import Evidence
from ombuds.notify.inbox import notify_user
from ombuds.notify.outbox import queue_email
from ombuds.policy.loader import get_policy

COMPLAINANT, RESPONDENT = "complainant", "respondent"


def is_agent_of(user: Any, case: Case) -> bool:
    return bool(user and user.is_authenticated and case.department.code in user.department_codes)


def require_agent(user: Any, case: Case) -> None:
    if not is_agent_of(user, case):
        raise forbidden("Only agents of the case's department may do this.")


def lock(case: Case) -> Case:
    """The case row, locked for this transaction."""
    return Case.objects.select_for_update().select_related("department").get(pk=case.pk)


def queue_for_department(department: Department) -> QuerySet[Case]:
    """Cases waiting for an agent, in the order they should be taken."""
    return Case.objects.filter(
        department=department, status__in=QUEUED_STATUSES, assigned_to__isnull=True
    ).order_by("-breached", "due_at", "-reporter_count", "pk")


def claim_next_case(*, agent: User, department: Department) -> Case | None:
    """Give the agent the top case of the queue; two agents never get the same one."""
    if department.code not in agent.department_codes:
        raise forbidden(f"You are not an agent of {department.name}.")
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
            case.assigned_to, case.assigned_at, case.status, case.updated_at = (
                agent,
                now,
                status,
                now,
            )
            record_event(case, "claimed", actor=agent, data={"agent": agent.username})
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
    SELECT head.id, head.seq, 'claimed', %(agent)s, NULL, %(data)s::jsonb, %(now)s, head.prev,
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
    data = {"agent": agent.username}
    hash_sql, hash_params = event_hash_sql(
        reference_sql="head.reference", seq_sql="head.seq", prev_sql="head.prev",
        kind="claimed", actor_id=agent.pk, complaint_id=None, data=data,
        created_at=now.isoformat(),
    )  # fmt: skip
    columns = ", ".join(f"cases_case.{field.column}" for field in Case._meta.concrete_fields)
    sql = _CLAIM_NEXT_SQL.replace("{event_hash}", hash_sql).replace("{case_columns}", columns)
    params = {
        "agent": agent.pk, "department": department.pk, "now": now, "genesis": GENESIS,
        "data": json.dumps(data), **hash_params,
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
        require_agent(agent, case)
        if case.status not in QUEUED_STATUSES or case.assigned_to_id is not None:
            raise ActionRefused("not_claimable", "This case is not waiting in the queue.")
        if case.status == CaseStatus.APPEALED and case.decided_by_id == agent.pk:
            raise forbidden("An appeal goes to an agent other than the one who decided the case.")
        case.assigned_to, case.assigned_at = agent, timezone.now()
        if case.status == CaseStatus.SUBMITTED:
            case.status = CaseStatus.IN_REVIEW
        case.save(update_fields=["assigned_to", "assigned_at", "status", "updated_at"])
        record_event(case, "claimed", actor=agent, data={"agent": agent.username})
    return case


def release_case(*, agent: User, case: Case) -> Case:
    with transaction.atomic():
        case = lock(case)
        require_agent(agent, case)
        if case.assigned_to_id != agent.pk:
            raise ActionRefused("not_assigned", "Only the agent working the case can release it.")
        case.assigned_to, case.assigned_at = None, None
        if case.status == CaseStatus.IN_REVIEW:
            case.status = CaseStatus.SUBMITTED
        case.save(update_fields=["assigned_to", "assigned_at", "status", "updated_at"])
        record_event(case, "released", actor=agent)
    return case


def add_note(*, agent: User, case: Case, text: str) -> None:
    text = text.strip()
    if not text:
        raise ActionRefused("note_empty", "Write the note.", status=422)
    with transaction.atomic():
        case = lock(case)
        require_agent(agent, case)
        record_event(case, "note_added", actor=agent, data={"text": text[:5000]})


def transfer_case(*, agent: User, case: Case, department: Department, reason: str) -> Case:
    with transaction.atomic():
        case = lock(case)
        require_agent(agent, case)
        if department.pk == case.department_id or not department.active:
            raise ActionRefused(
                "transfer_invalid", "Choose another, active department.", status=422
            )
        previous = case.department.code
        case.department = department
        case.assigned_to, case.assigned_at = None, None
        if case.status == CaseStatus.IN_REVIEW:
            case.status = CaseStatus.SUBMITTED
        case.save(
            update_fields=["department", "assigned_to", "assigned_at", "status", "updated_at"]
        )
        record_event(
            case,
            "transferred",
            actor=agent,
            data={"from": previous, "to": department.code, "reason": reason.strip()[:2000]},
        )
    return case


def tell_party(case: Case, party: str, *, kind: str, title: str, text: str) -> None:
    """Email and bell for every person of a party; complainants get their own complaint link
    (visitors with its signed key), the respondent the case's page."""
    type_label = get_policy().types[case.type_key].label
    if party == COMPLAINANT:
        for complaint in case.complaints.select_related("complainant"):
            link = complaint_link(complaint)
            _tell(complaint.complainant_email, complaint.complainant, kind, title, text, link,
                  complaint.reference, type_label)  # fmt: skip
    elif case.respondent is not None:
        member = case.respondent
        link = settings.OMBUDS_BASE_URL + reverse("complaint", args=[case.reference])
        _tell(member.email, getattr(member, "user", None), kind, title, text, link,
              case.reference, type_label)  # fmt: skip


def _tell(
    email: str,
    user: Any,
    kind: str,
    title: str,
    text: str,
    link: str,
    reference: str,
    type_label: str,
) -> None:
    notify_user(user, kind=kind, title=title, url=link.removeprefix(settings.OMBUDS_BASE_URL))
    queue_email(
        to=email,
        template="case_update",
        context={
            "title": title,
            "text": text,
            "link": link,
            "reference": reference,
            "type_label": type_label,
        },
    )


def request_information(
    *, agent: User, case: Case, party: str, question: str, days: int = 3
) -> InformationRequest:
    if party not in (COMPLAINANT, RESPONDENT):
        raise ActionRefused("party_invalid", "Ask the complainant or the respondent.", status=422)
    if not question.strip():
        raise ActionRefused("question_empty", "Write the question.", status=422)
    if not 1 <= days <= 30:
        raise ActionRefused("deadline_invalid", "Give between 1 and 30 days to answer.", status=422)
    with transaction.atomic():
        case = lock(case)
        require_agent(agent, case)
        if party == RESPONDENT and case.respondent_id is None:
            raise ActionRefused("party_invalid", "This case has no respondent to ask.", status=422)
        if case.status not in OPEN_STATUSES or case.status == CaseStatus.WAITING:
            raise ActionRefused(
                "case_not_open",
                "Information can be asked on an open case that is not already waiting.",
            )
        now = timezone.now()
        request = InformationRequest.objects.create(
            case=case,
            party=party,
            question=question.strip(),
            deadline=now + timedelta(days=days),
            requested_by=agent,
        )
        case.status, case.waiting_for, case.paused_at = CaseStatus.WAITING, party, now
        case.save(update_fields=["status", "waiting_for", "paused_at", "updated_at"])
        record_event(
            case,
            "information_requested",
            actor=agent,
            data={
                "party": party,
                "question": request.question,
                "deadline": request.deadline.isoformat(),
                "request": request.pk,
            },
        )
        tell_party(
            case,
            party,
            kind="information_requested",
            title=f"Information requested on {case.reference}",
            text=f"The marketplace asks you: {request.question}\nPlease answer by "
            f"{timezone.localtime(request.deadline):%-d %B %Y}. Until then the case waits.",
        )
    return request


def _resume_clock(case: Case, now: Any) -> None:
    if case.paused_at is not None:
        limit = get_policy().types[case.type_key].time_limit
        case.due_at = resumed_due_time(case.due_at, case.paused_at, now, limit)
        case.paused_at = None


def party_of(user: Any, case: Case, visitor_complaint: Complaint | None = None) -> str | None:
    """Which party of the case this person is: a signed-in user, or a visitor by the signed
    link of their complaint."""
    if visitor_complaint is not None:
        return COMPLAINANT if visitor_complaint.case_id == case.pk else None
    if user is None or not user.is_authenticated:
        return None
    if user.member_id is not None and case.respondent_id == user.member_id:
        return RESPONDENT
    if case.complaints.filter(complainant=user).exists():
        return COMPLAINANT
    return None


def answer_information(
    *,
    user: Any,
    case: Case,
    text: str,
    evidence: list[Evidence] = (),  # type: ignore[assignment]
    visitor_complaint: Complaint | None = None,
) -> PartyStatement:
    """A party answers the agent's question: the clock resumes and the case is worked again.
    A visitor answers through their complaint's signed link (`visitor_complaint`)."""
    with transaction.atomic():
        case = lock(case)
        party = party_of(user, case, visitor_complaint)
        request = (
            case.information_requests.filter(
                party=party, answered_at__isnull=True, expired_at__isnull=True
            ).last()
            if party
            else None
        )
        if request is None:
            raise forbidden("There is no question waiting for your answer on this case.")
        if not text.strip():
            raise ActionRefused("answer_empty", "Write your answer.", status=422)
        now = timezone.now()
        author = user if getattr(user, "is_authenticated", False) else None
        through = visitor_complaint
        if through is None and party == COMPLAINANT:
            through = case.complaints.filter(complainant=user).order_by("created_at").first()
        statement = PartyStatement.objects.create(
            case=case, party=party, author=author, complaint=through, request=request,
            text=text.strip(),
        )  # fmt: skip
        statement.evidence.set(evidence)
        request.answered_at = now
        request.save(update_fields=["answered_at"])
        _resume_clock(case, now)
        case.waiting_for = ""
        case.status = CaseStatus.IN_REVIEW if case.assigned_to_id else CaseStatus.SUBMITTED
        if party == RESPONDENT and case.respondent_answered_at is None:
            case.respondent_answered_at = now  # their answer to the question is their answer
        case.save(
            update_fields=[
                "due_at",
                "paused_at",
                "waiting_for",
                "status",
                "respondent_answered_at",
                "updated_at",
            ]
        )
        record_event(
            case,
            "information_provided",
            actor=author,
            complaint=through if party == COMPLAINANT else None,
            data={"party": party, "statement": statement.pk},
        )
        if case.assigned_to is not None:
            notify_user(
                case.assigned_to,
                kind="answer_received",
                title=f"The {party} answered on {case.reference}",
                url=reverse("complaint", args=[case.reference]),
            )
    return statement


def answer_as_respondent(
    *, user: User, case: Case, text: str, evidence: list[Evidence] = ()
) -> PartyStatement:  # type: ignore[assignment]
    """The respondent's explanation and evidence, within the policy's time."""
    with transaction.atomic():
        case = lock(case)
        if party_of(user, case) != RESPONDENT:
            raise forbidden("Only the member the case is about can answer it.")
        complaint_type = get_policy().types[case.type_key]
        if not complaint_type.respondent_answer.allowed:
            raise ActionRefused(
                "answer_not_allowed", "This kind of case is decided without an answer."
            )
        now = timezone.now()
        if case.status not in OPEN_STATUSES:
            raise ActionRefused("case_not_open", "The case is no longer open for answers.")
        if case.respondent_answer_due_at and now > case.respondent_answer_due_at:
            raise ActionRefused("answer_too_late", "The time to answer has passed.")
        if not text.strip():
            raise ActionRefused("answer_empty", "Write your answer.", status=422)
        statement = PartyStatement.objects.create(
            case=case, party=RESPONDENT, author=user, text=text.strip()
        )
        statement.evidence.set(evidence)
        first_answer = case.respondent_answered_at is None
        case.respondent_answered_at = case.respondent_answered_at or now
        if first_answer and not complaint_type.urgent and case.paused_at is None:
            case.due_at = min(case.due_at, due_time(now, complaint_type.time_limit))
        case.save(update_fields=["respondent_answered_at", "due_at", "updated_at"])
        record_event(case, "respondent_answered", actor=user, data={"statement": statement.pk})
        tell_party(
            case,
            COMPLAINANT,
            kind="answer_received",
            title=f"The other party answered on {case.reference}",
            text="The member you complained about has answered. The marketplace takes it into "
            "account in its decision.",
        )
        if case.assigned_to is not None:
            notify_user(
                case.assigned_to,
                kind="answer_received",
                title=f"The respondent answered on {case.reference}",
                url=reverse("complaint", args=[case.reference]),
            )
    return statement


def sweep_deadlines(now: Any = None) -> dict[str, int]:
    """The scheduled task: expire unanswered questions, remind parties whose answer is due
    soon, warn of near deadlines and mark breaches. Each case is handled in its own
    transaction with its row locked and its state read again, so that sweeps running at
    the same time (several workers) do each thing once."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.OMBUDS_DEADLINE_WARNING_HOURS)
    unanswered = InformationRequest.objects.filter(
        answered_at__isnull=True, expired_at__isnull=True
    )
    clock_runs = Case.objects.filter(
        status__in=WORKED_STATUSES, paused_at__isnull=True, breached=False
    )
    sweeps = {
        "expired": (unanswered.filter(deadline__lt=now), _expire_question),
        "reminded": (
            unanswered.filter(reminded_at__isnull=True, deadline__gte=now, deadline__lte=soon),
            _remind_party,
        ),
        "warned": (
            clock_runs.filter(deadline_warned=False, due_at__gt=now, due_at__lte=soon),
            _warn_deadline_near,
        ),
        "breached": (clock_runs.filter(due_at__lte=now), _mark_breached),
    }
    counts = {}
    for name, (due, handle) in sweeps.items():
        counts[name] = sum(handle(pk, now) for pk in list(due.values_list("pk", flat=True)))
    return counts


def _expire_question(request_id: int, now: Any) -> bool:
    with transaction.atomic():
        request, case = _locked_request(request_id)
        if not request.is_open or request.deadline >= now:
            return False
        request.expired_at = now
        request.save(update_fields=["expired_at"])
        _resume_clock(case, now)
        case.waiting_for, case.status = "", CaseStatus.SUBMITTED
        case.assigned_to, case.assigned_at = None, None
        case.save(
            update_fields=[
                "due_at", "paused_at", "waiting_for", "status", "assigned_to", "assigned_at",
                "updated_at",
            ]
        )  # fmt: skip
        record_event(
            case, "information_not_provided", data={"party": request.party, "request": request.pk}
        )
    return True


def _remind_party(request_id: int, now: Any) -> bool:
    """The party asked a question is told, once, that its answer is due soon."""
    with transaction.atomic():
        request, case = _locked_request(request_id)
        if not request.is_open or request.reminded_at is not None:
            return False
        request.reminded_at = now
        request.save(update_fields=["reminded_at"])
        deadline = f"{timezone.localtime(request.deadline):%-d %B %Y, %H:%M}"
        tell_party(
            case,
            request.party,
            kind="deadline_near",
            title=f"Your answer on {case.reference} is due {deadline}",
            text=f"The marketplace asked you: {request.question}\nPlease answer by {deadline}; "
            "after that the case goes on with what it has.",
        )
    return True


def _clock_runs(case: Case) -> bool:
    """Worked, not waiting for a party, not already overdue: what the sweep's query asked,
    read again under the case's lock."""
    return case.status in WORKED_STATUSES and case.paused_at is None and not case.breached


def _locked_request(request_id: int) -> tuple[InformationRequest, Case]:
    """A question and its case, the case row locked first (as every action locks it) and the
    question read under that lock."""
    case_id = InformationRequest.objects.values_list("case_id", flat=True).get(pk=request_id)
    case = lock(Case(pk=case_id))
    return InformationRequest.objects.get(pk=request_id), case


def _warn_deadline_near(case_id: int, now: Any) -> bool:
    """The agent working the case (or, while nobody holds it, its department) is told."""
    with transaction.atomic():
        case = lock(Case(pk=case_id))
        if not _clock_runs(case) or case.deadline_warned or case.due_at <= now:
            return False
        case.deadline_warned = True
        case.save(update_fields=["deadline_warned", "updated_at"])
        due = f"{timezone.localtime(case.due_at):%-d %b %H:%M}"
        title = f"{case.reference} is due {due}"
        if case.assigned_to is not None:
            tell_agent(case, case.assigned_to, kind="deadline_near", title=title,
                       text=f"The time limit of this case ends {due}.")  # fmt: skip
        else:
            for agent in _department_agents(case):
                notify_user(agent, kind="deadline_near", title=title, url=_case_path(case))
    return True


def _mark_breached(case_id: int, now: Any) -> bool:
    """Overdue: the case goes to the top of the queue and its department is told."""
    with transaction.atomic():
        case = lock(Case(pk=case_id))
        if not _clock_runs(case) or case.due_at > now:
            return False
        case.breached = True
        case.save(update_fields=["breached", "updated_at"])
        record_event(case, "deadline_breached", data={"due_at": case.due_at.isoformat()})
        title = f"{case.reference} is overdue"
        for agent in _department_agents(case):
            if agent.pk != case.assigned_to_id:
                notify_user(agent, kind="deadline_breached", title=title, url=_case_path(case))
        if case.assigned_to is not None:
            tell_agent(case, case.assigned_to, kind="deadline_breached", title=title,
                       text="The time limit of this case has passed: it is at the top of the "
                       "queue and its department is told.")  # fmt: skip
    return True


def tell_agent(case: Case, agent: User, *, kind: str, title: str, text: str) -> None:
    """Email and bell for an agent, linking to the case in the console."""
    link = settings.OMBUDS_BASE_URL + _case_path(case)
    type_label = get_policy().types[case.type_key].label
    if agent.email:
        _tell(agent.email, agent, kind, title, text, link, case.reference, type_label)
    else:
        notify_user(agent, kind=kind, title=title, url=_case_path(case))


def _case_path(case: Case) -> str:
    return reverse("complaint", args=[case.reference])


def _department_agents(case: Case) -> list[User]:
    return list(User.objects.filter(departments=case.department_id, is_active=True))
