"""What the worker runs every minute: questions that expire, reminders and warnings before a
deadline, breaches, automated rulings for unanswered cases, and sanctions that end.

Each thing is done to one case in its own transaction, with the case row locked and its state
read again, so that sweeps running at once (several workers) do each thing once; each writes
its history event like any other action.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ombuds.cases import events
from ombuds.cases.actions.common import lock
from ombuds.cases.actions.decisions import lift, record_decision
from ombuds.cases.actions.filing import file_confirmed_accounts_waiting
from ombuds.cases.actions.notices import ring_department, tell_agent, tell_party
from ombuds.cases.actions.questions import resume_clock
from ombuds.cases.extensions import for_kind
from ombuds.cases.history import record_event
from ombuds.cases.models import WORKED_STATUSES, Case, CaseStatus, InformationRequest, Sanction
from ombuds.cases.rules import DECIDABLE_STATUSES
from ombuds.cases.statements import Statement
from ombuds.formats import when
from ombuds.policy.loader import get_policy


def run_schedule(now: datetime | None = None) -> dict[str, int]:
    counts = sweep_deadlines(now)
    counts["ruled_for_complainant"] = rule_for_unanswered_cases(now)
    counts["sanctions_ended"] = expire_sanctions(now)
    counts["filed_once_confirmed"] = file_confirmed_accounts_waiting()
    return counts


def sweep_deadlines(now: datetime | None = None) -> dict[str, int]:
    """Expire unanswered questions, remind parties whose answer is due soon, warn of near
    deadlines and mark breaches."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.OMBUDS_DEADLINE_WARNING_HOURS)
    unanswered = InformationRequest.objects.filter(
        answered_at__isnull=True, expired_at__isnull=True
    )
    clock_runs = Case.objects.filter(
        status__in=WORKED_STATUSES, paused_at__isnull=True, breached=False
    )
    sweeps: dict[str, tuple[QuerySet, Callable[[int, datetime], bool]]] = {
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


def _locked_request(request_id: int) -> tuple[InformationRequest, Case]:
    """A question and its case, the case row locked first (as every action locks it) and the
    question read under that lock."""
    case_id = InformationRequest.objects.values_list("case_id", flat=True).get(pk=request_id)
    case = lock(Case(pk=case_id))
    return InformationRequest.objects.get(pk=request_id), case


def _expire_question(request_id: int, now: datetime) -> bool:
    with transaction.atomic():
        request, case = _locked_request(request_id)
        if not request.is_open or request.deadline >= now:
            return False
        request.expired_at = now
        request.save(update_fields=["expired_at"])
        resume_clock(case, now)
        case.waiting_for, case.status = "", CaseStatus.SUBMITTED
        case.assigned_to, case.assigned_at = None, None
        case.save(
            update_fields=[
                "due_at", "paused_at", "waiting_for", "status", "assigned_to", "assigned_at",
                "updated_at",
            ]
        )  # fmt: skip
        expired = events.QuestionExpired(
            party=request.party, request=request.pk, due_at=case.due_at
        )
        record_event(case, expired, at=now)
        extension = for_kind(case.kind)
        if extension is not None and extension.on_question_expired is not None:
            extension.on_question_expired(case, request, now)
    return True


def _remind_party(request_id: int, now: datetime) -> bool:
    """The party asked a question is told, once, that its answer is due soon."""
    with transaction.atomic():
        request, case = _locked_request(request_id)
        if not request.is_open or request.reminded_at is not None:
            return False
        request.reminded_at = now
        request.save(update_fields=["reminded_at"])
        reminded = events.PartyReminded(
            party=request.party, request=request.pk, deadline=request.deadline
        )
        record_event(case, reminded, at=now)
        deadline = when(request.deadline)
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


def _warn_deadline_near(case_id: int, now: datetime) -> bool:
    """The agent working the case (or, while nobody holds it, its department) is told."""
    with transaction.atomic():
        case = lock(Case(pk=case_id))
        if not _clock_runs(case) or case.deadline_warned or case.due_at <= now:
            return False
        case.deadline_warned = True
        case.save(update_fields=["deadline_warned", "updated_at"])
        record_event(case, events.DeadlineWarned(due_at=case.due_at), at=now)
        due = when(case.due_at)
        title = f"{case.reference} is due {due}"
        if case.assigned_to is not None:
            tell_agent(case, case.assigned_to, kind="deadline_near", title=title,
                       text=f"The time limit of this case ends {due}.")  # fmt: skip
        else:
            ring_department(case, kind="deadline_near", title=title)
    return True


def _mark_breached(case_id: int, now: datetime) -> bool:
    """Overdue: the case goes to the top of the queue and its department is told."""
    with transaction.atomic():
        case = lock(Case(pk=case_id))
        if not _clock_runs(case) or case.due_at > now:
            return False
        case.breached = True
        case.save(update_fields=["breached", "updated_at"])
        record_event(case, events.DeadlineBreached(due_at=case.due_at), at=now)
        title = f"{case.reference} is overdue"
        ring_department(case, kind="deadline_breached", title=title, skip=case.assigned_to_id)
        if case.assigned_to is not None:
            tell_agent(case, case.assigned_to, kind="deadline_breached", title=title,
                       text="The time limit of this case has passed: it is at the top of the "
                       "queue and its department is told.")  # fmt: skip
    return True


def rule_for_unanswered_cases(now: datetime | None = None) -> int:
    """For types whose policy rules for the complainant when the respondent does not answer
    (order disputes: the buyer is refunded), decide once the time to answer has passed. The
    statement says that the decision was taken by automated means."""
    policy = get_policy()
    now = now or timezone.now()
    keys = [
        key
        for key, t in policy.types.items()
        if t.respondent_answer.allowed
        and t.respondent_answer.on_no_answer == "rule_for_complainant"
    ]
    due = Case.objects.filter(
        type_key__in=keys,
        status__in=DECIDABLE_STATUSES,
        respondent_answered_at__isnull=True,
        respondent_answer_due_at__lt=now,
    ).values_list("pk", flat=True)
    return sum(_rule_for_complainant(pk, now) for pk in list(due))


def _rule_for_complainant(case_id: int, now: datetime) -> bool:
    policy = get_policy()
    with transaction.atomic():
        case = lock(Case(pk=case_id))
        if case.status not in DECIDABLE_STATUSES or case.respondent_answered_at is not None:
            return False
        complaint_type = policy.types[case.type_key]
        outcome = next((o for o in complaint_type.outcomes if policy.outcomes[o].upholds), None)
        if outcome is None:
            return False
        days = complaint_type.respondent_answer.days
        statement = Statement(
            facts=f"The respondent did not answer within {days} days.",
            ground=f"The {complaint_type.label.lower()} policy rules for the complainant when "
            "the respondent does not answer in time.",
            scope="The whole complaint.",
            automated=True,
        )
        record_decision(case, outcome, statement, [], None, now)
    return True


def expire_sanctions(now: datetime | None = None) -> int:
    """Lift the sanctions whose end has come; the directory and the marketplace follow."""
    now = now or timezone.now()
    ending = Sanction.objects.filter(lifted_at__isnull=True, ends_at__lte=now)
    ended = 0
    for sanction_id, case_id in list(ending.values_list("pk", "case_id")):
        with transaction.atomic():
            case = lock(Case(pk=case_id))
            sanction = Sanction.objects.select_for_update().get(pk=sanction_id)
            if sanction.lifted_at is None:
                lift(case, sanction, None, f"The sanction ended on {when(sanction.ends_at)}.")
                ended += 1
    return ended
