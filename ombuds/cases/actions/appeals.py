"""Appeals (internal complaint handling, DSA Art. 20): the respondent asks for a review within the
policy's window; another agent confirms the decision, or reverses it and lifts its sanctions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.cases import events, limits
from ombuds.cases.actions.common import lock
from ombuds.cases.actions.decisions import lift
from ombuds.cases.actions.notices import tell_party
from ombuds.cases.deadlines import due_time
from ombuds.cases.errors import RefusalCode, refuse_unless_allowed
from ombuds.cases.history import record_event
from ombuds.cases.limits import written
from ombuds.cases.models import Appeal, Case, CaseStatus
from ombuds.cases.rules import COMPLAINANT, RESPONDENT, may_appeal, may_decide_appeal
from ombuds.notify.webhooks import queue_webhook
from ombuds.policy.loader import get_policy


def open_appeal(*, user: User, case: Case, reason: str) -> Appeal:
    """The respondent asks for the decision to be reviewed, within the policy's window; the
    review has the type's time limit, counted from now."""
    with transaction.atomic():
        case = lock(case)
        now = timezone.now()
        refuse_unless_allowed(may_appeal(user, case, now))
        reason = written(
            reason, field="reason", limit=limits.APPEAL_REASON, label="The reason",
            empty=(RefusalCode.REASON_EMPTY, "Say why the decision is wrong."),
        )  # fmt: skip
        appeal = Appeal.objects.create(case=case, appellant=user, reason=reason)
        limit = get_policy().types[case.type_key].time_limit
        case.status, case.due_at = CaseStatus.APPEALED, due_time(now, limit)
        case.breached = case.deadline_warned = False
        case.save(update_fields=["status", "due_at", "breached", "deadline_warned", "updated_at"])
        opened = events.AppealOpened(appeal=appeal.pk, reason=reason, due_at=case.due_at)
        record_event(case, opened, actor=user, at=now)
        for party in (COMPLAINANT, RESPONDENT):
            tell_party(
                case,
                party,
                kind="appeal_opened",
                title=f"Appeal opened on {case.reference}",
                text="The decision is reviewed by someone other than the first decider.",
            )
    return appeal


def decide_appeal(*, agent: User, appeal: Appeal, reverse: bool, statement: str) -> Appeal:
    """Another agent upholds or reverses; reversing lifts the case's sanctions."""
    with transaction.atomic():
        case = lock(appeal.case)
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        refuse_unless_allowed(may_decide_appeal(agent, case, appeal))
        statement = written(
            statement, field="statement", limit=limits.APPEAL_STATEMENT, label="The reasons",
            empty=(RefusalCode.STATEMENT_INCOMPLETE, "Explain the appeal decision."),
        )  # fmt: skip
        now = timezone.now()
        appeal.decided_at, appeal.decided_by = now, agent
        appeal.result, appeal.statement = ("reversed" if reverse else "upheld"), statement
        appeal.save(update_fields=["decided_at", "decided_by", "result", "statement"])
        case.status, case.assigned_to, case.assigned_at = CaseStatus.CLOSED, None, None
        case.save(update_fields=["status", "assigned_to", "assigned_at", "updated_at"])
        decided = events.AppealDecided(appeal=appeal.pk, result=appeal.result, statement=statement)
        record_event(case, decided, actor=agent, at=now)
        if reverse:
            for sanction in case.sanctions.filter(lifted_at__isnull=True):
                lift(case, sanction, agent, f"Lifted on appeal: {statement}")
        queue_webhook(
            "appeal.decided",
            {
                "case": case.reference,
                "appeal": appeal.pk,
                "result": appeal.result,
                "statement": appeal.statement,
            },
        )
        verdict = "reversed" if reverse else "confirmed"
        for party in (COMPLAINANT, RESPONDENT):
            tell_party(
                case,
                party,
                kind="appeal_decided",
                title=f"Appeal on {case.reference}: decision {verdict}",
                text=statement,
            )
    return appeal
