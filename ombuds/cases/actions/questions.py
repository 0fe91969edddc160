"""Questions and answers: an agent asks a party (the case waits, its clock stopped), the party
answers (the clock runs again); the respondent answers the complaint within the policy's time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.cases import events, limits
from ombuds.cases.actions.common import lock
from ombuds.cases.actions.notices import ring_assignee, tell_party
from ombuds.cases.deadlines import due_time, resumed_due_time
from ombuds.cases.errors import ActionRefused, RefusalCode, refuse_unless_allowed
from ombuds.cases.history import record_event
from ombuds.cases.limits import written
from ombuds.cases.models import Case, CaseStatus, Complaint, InformationRequest, PartyStatement
from ombuds.cases.rules import (
    COMPLAINANT,
    RESPONDENT,
    may_answer,
    may_answer_question,
    may_request_information,
    open_question,
    party_of,
)
from ombuds.evidence.models import Evidence
from ombuds.evidence.uploads import attach
from ombuds.formats import day
from ombuds.policy.loader import get_policy

DAYS_TO_ANSWER = range(1, 31)


def request_information(
    *, agent: User, case: Case, party: str, question: str, days: int = 3
) -> InformationRequest:
    with transaction.atomic():
        case = lock(case)
        refuse_unless_allowed(may_request_information(agent, case))
        if party not in (COMPLAINANT, RESPONDENT):
            raise ActionRefused(
                RefusalCode.PARTY_INVALID, "Ask the complainant or the respondent.", "party"
            )
        if party == RESPONDENT and case.respondent_id is None:
            raise ActionRefused(
                RefusalCode.PARTY_INVALID, "This case has no respondent to ask.", "party"
            )
        question = written(
            question, field="question", limit=limits.QUESTION, label="A question",
            empty=(RefusalCode.QUESTION_EMPTY, "Write the question."),
        )  # fmt: skip
        if days not in DAYS_TO_ANSWER:
            raise ActionRefused(
                RefusalCode.DEADLINE_INVALID, "Give between 1 and 30 days to answer.", "days"
            )
        now = timezone.now()
        request = InformationRequest.objects.create(
            case=case,
            party=party,
            question=question,
            deadline=now + timedelta(days=days),
            requested_by=agent,
        )
        case.status, case.waiting_for, case.paused_at = CaseStatus.WAITING, party, now
        case.save(update_fields=["status", "waiting_for", "paused_at", "updated_at"])
        asked = events.InformationRequested(
            party=party, question=question, deadline=request.deadline, request=request.pk
        )
        record_event(case, asked, actor=agent, at=now)
        tell_party(
            case,
            party,
            kind="information_requested",
            title=f"Information requested on {case.reference}",
            text=f"The marketplace asks you: {request.question}\nPlease answer by "
            f"{day(request.deadline)}. Until then the case waits.",
        )
    return request


def resume_clock(case: Case, now: datetime) -> None:
    """The case's clock runs again: what was left of its time when it stopped, from now."""
    if case.paused_at is not None:
        limit = get_policy().types[case.type_key].time_limit
        case.due_at = resumed_due_time(case.due_at, case.paused_at, now, limit)
        case.paused_at = None


def _attached(evidence: Sequence[Evidence], now: datetime) -> None:
    if not attach(evidence, now):
        raise ActionRefused(
            RefusalCode.EVIDENCE_NOT_FOUND,
            "A file was attached to something else meanwhile: upload it again.",
            "evidence",
        )


def answer_information(
    *,
    user: Any,
    case: Case,
    text: str,
    evidence: Sequence[Evidence] = (),
    visitor_complaint: Complaint | None = None,
) -> PartyStatement:
    """A party answers the agent's question: the clock resumes and the case is worked again.
    A visitor answers through their complaint's signed link (`visitor_complaint`)."""
    with transaction.atomic():
        case = lock(case)
        refuse_unless_allowed(may_answer_question(user, case, visitor_complaint))
        party = party_of(user, case, visitor_complaint)
        request = open_question(case, party)
        assert party is not None and request is not None
        text = written(
            text, field="text", limit=limits.ANSWER, label="An answer",
            empty=(RefusalCode.ANSWER_EMPTY, "Write your answer."),
        )  # fmt: skip
        now = timezone.now()
        _attached(evidence, now)
        author = user if getattr(user, "is_authenticated", False) else None
        through = visitor_complaint
        if through is None and party == COMPLAINANT:
            through = case.complaints.filter(complainant=user).order_by("created_at").first()
        statement = PartyStatement.objects.create(
            case=case, party=party, author=author, complaint=through, request=request, text=text
        )
        statement.evidence.set(evidence)
        request.answered_at = now
        request.save(update_fields=["answered_at"])
        resume_clock(case, now)
        case.waiting_for = ""
        case.status = CaseStatus.IN_REVIEW if case.assigned_to_id else CaseStatus.SUBMITTED
        if party == RESPONDENT and case.respondent_answered_at is None:
            case.respondent_answered_at = now  # their answer to the question is their answer
        case.save(
            update_fields=[
                "due_at", "paused_at", "waiting_for", "status", "respondent_answered_at",
                "updated_at",
            ]
        )  # fmt: skip
        answered = events.Answered(
            party=party, statement=statement.pk, request=request.pk, due_at=case.due_at
        )
        complaint = through if party == COMPLAINANT else None
        record_event(case, answered, actor=author, complaint=complaint, at=now)
        ring_assignee(
            case, kind="answer_received", title=f"The {party} answered on {case.reference}"
        )
    return statement


def answer_as_respondent(
    *,
    user: User,
    case: Case,
    text: str,
    evidence: Sequence[Evidence] = (),
    visitor_complaint: Complaint | None = None,
) -> PartyStatement:
    """The respondent's explanation and evidence, within the policy's time. The first answer
    starts the type's time limit (unless the case is urgent, whose limit runs from filing).
    (A visitor, by their complaint's link, is a complainant: refused.)"""
    with transaction.atomic():
        case = lock(case)
        now = timezone.now()
        refuse_unless_allowed(may_answer(user, case, now, visitor_complaint))
        text = written(
            text, field="text", limit=limits.ANSWER, label="An answer",
            empty=(RefusalCode.ANSWER_EMPTY, "Write your answer."),
        )  # fmt: skip
        _attached(evidence, now)
        complaint_type = get_policy().types[case.type_key]
        statement = PartyStatement.objects.create(
            case=case, party=RESPONDENT, author=user, text=text
        )
        statement.evidence.set(evidence)
        first_answer = case.respondent_answered_at is None
        case.respondent_answered_at = case.respondent_answered_at or now
        if first_answer and not complaint_type.urgent and case.paused_at is None:
            case.due_at = min(case.due_at, due_time(now, complaint_type.time_limit))
        case.save(update_fields=["respondent_answered_at", "due_at", "updated_at"])
        answered = events.RespondentAnswered(statement=statement.pk, due_at=case.due_at)
        record_event(case, answered, actor=user, at=now)
        tell_party(
            case,
            COMPLAINANT,
            kind="answer_received",
            title=f"The other party answered on {case.reference}",
            text="The member you complained about has answered. The marketplace takes it into "
            "account in its decision.",
        )
        ring_assignee(
            case, kind="answer_received", title=f"The respondent answered on {case.reference}"
        )
    return statement
