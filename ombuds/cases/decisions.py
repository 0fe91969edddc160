"""Deciding a case, its sanctions and their undoing, appeals, and submitting again.

A decision carries a statement of reasons with the elements of DSA Art. 17: what was
decided and its scope, the facts relied on, whether automated means were used, the policy
ground, and the redress available. Both parties see it; an anonymous reporter stays so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.cases.deadlines import due_time
from ombuds.cases.errors import ActionRefused, forbidden
from ombuds.cases.handling import COMPLAINANT, RESPONDENT, lock, party_of, require_agent, tell_party
from ombuds.cases.history import record_event
from ombuds.cases.models import OPEN_STATUSES, Appeal, Case, CaseStatus, Sanction
from ombuds.directory.models import Listing, ListingStatus, Member, MemberStatus
from ombuds.notify.webhooks import queue_webhook
from ombuds.policy.loader import get_policy

LISTING_STATUS = {
    "listing_removed": ListingStatus.REMOVED,
    "listing_restricted": ListingStatus.RESTRICTED,
}
MEMBER_STATUS = {"account_disabled": MemberStatus.DISABLED, "account_limited": MemberStatus.LIMITED}


@dataclass(frozen=True)
class Statement:
    """The statement of reasons (DSA Art. 17)."""

    facts: str
    ground: str
    scope: str = ""
    automated: bool = False
    redress: str = ""

    def as_dict(self, *, decision: str, redress: str) -> dict[str, Any]:
        return {
            "decision": decision,
            "scope": self.scope,
            "facts": self.facts,
            "automated_means": self.automated,
            "ground": self.ground,
            "redress": self.redress or redress,
        }


@dataclass(frozen=True)
class SanctionOrder:
    kind: str
    listing: Listing | None = None
    ends_at: datetime | None = None


@dataclass
class Decision:
    outcome: str
    statement: Statement
    sanctions: list[SanctionOrder] = field(default_factory=list)


def _redress(case: Case) -> str:
    window = get_policy().types[case.type_key].appeal_window_days
    return (
        f"The member concerned may appeal this decision within {window} days from the case page; "
        "an appeal is decided by someone other than the first decider. The complainant may submit "
        "again with new information. Out-of-court dispute settlement and the courts remain open."
    )


def _decision_text(case: Case, outcome: str, sanctions: list[SanctionOrder]) -> str:
    policy = get_policy()
    text = f"{policy.outcomes[outcome].label}: {policy.outcomes[outcome].description}"
    if sanctions:
        text += " Measures: " + "; ".join(policy.sanctions[s.kind].label for s in sanctions) + "."
    return text


def decide_case(*, agent: User, case: Case, decision: Decision) -> Case:
    policy = get_policy()
    complaint_type = policy.types[case.type_key]
    with transaction.atomic():
        case = lock(case)
        require_agent(agent, case)
        if case.status not in OPEN_STATUSES or case.status == CaseStatus.WAITING:
            raise ActionRefused(
                "case_not_decidable",
                "Only an open case that is not waiting for information can be decided.",
            )
        if case.assigned_to_id != agent.pk:
            raise ActionRefused("not_assigned", "Claim the case before deciding it.")
        if decision.outcome not in complaint_type.outcomes:
            raise ActionRefused(
                "outcome_not_allowed",
                f"Choose one of: {', '.join(complaint_type.outcomes)}.",
                status=422,
            )
        upholds = policy.outcomes[decision.outcome].upholds
        for order in decision.sanctions:
            if order.kind not in complaint_type.sanctions:
                raise ActionRefused(
                    "sanction_not_allowed",
                    f"{order.kind} is not a sanction of this type.",
                    status=422,
                )
        if decision.sanctions and not upholds:
            raise ActionRefused(
                "sanction_without_upheld",
                "Sanctions need an outcome that upholds the complaint.",
                status=422,
            )
        if not decision.statement.facts.strip() or not decision.statement.ground.strip():
            raise ActionRefused(
                "statement_incomplete",
                "The statement of reasons needs the facts relied on and the policy ground.",
                status=422,
            )
        now = timezone.now()
        waiting_answer = (
            complaint_type.respondent_answer.allowed
            and case.respondent_answered_at is None
            and case.respondent_answer_due_at is not None
            and now < case.respondent_answer_due_at
        )
        if waiting_answer and not complaint_type.urgent:
            raise ActionRefused(
                "respondent_answer_pending",
                f"The respondent may answer until {_when(case.respondent_answer_due_at)}; "
                "only urgent types are decided before.",
            )
        _record_decision(case, decision, agent, now)
    return case


def _record_decision(case: Case, decision: Decision, agent: User | None, now: datetime) -> None:
    """Write a checked decision: the case, its event, sanctions, webhooks and notices."""
    policy = get_policy()
    text = _decision_text(case, decision.outcome, decision.sanctions)
    case.status, case.outcome = CaseStatus.DECIDED, decision.outcome
    case.decided_at, case.decided_by = now, agent
    case.statement = decision.statement.as_dict(decision=text, redress=_redress(case))
    case.assigned_to, case.paused_at = None, None
    case.save(
        update_fields=[
            "status",
            "outcome",
            "decided_at",
            "decided_by",
            "statement",
            "assigned_to",
            "paused_at",
            "updated_at",
        ]
    )
    record_event(
        case,
        "decided",
        actor=agent,
        data={"outcome": decision.outcome, "statement": case.statement},
    )
    sanctions = [_apply(case, order, agent, now) for order in decision.sanctions]
    queue_webhook("case.decided", _case_payload(case) | {"sanctions": [s.pk for s in sanctions]})
    for party in (COMPLAINANT, RESPONDENT):
        tell_party(
            case,
            party,
            kind="decided",
            title=f"Decision on {case.reference}: {policy.outcomes[decision.outcome].label}",
            text=_statement_text(case.statement),
        )


def rule_for_unanswered_cases(now: datetime | None = None) -> int:
    """For types whose policy rules for the complainant when the respondent does not answer
    (order disputes: the buyer is refunded), decide once the time to answer has passed.

    The statement says that the decision was taken by automated means.
    """
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
        status__in=(CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW),
        respondent_answered_at__isnull=True,
        respondent_answer_due_at__lt=now,
    )
    decided = 0
    for case in due:
        complaint_type = policy.types[case.type_key]
        outcome = next((o for o in complaint_type.outcomes if policy.outcomes[o].upholds), None)
        if outcome is None:
            continue
        with transaction.atomic():
            case = lock(case)
            if case.status not in (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW):
                continue
            days = complaint_type.respondent_answer.days
            statement = Statement(
                facts=f"The respondent did not answer within {days} days.",
                ground=f"The {complaint_type.label.lower()} policy rules for the complainant "
                "when the respondent does not answer in time.",
                scope="The whole complaint.",
                automated=True,
            )
            _record_decision(case, Decision(outcome, statement), None, now)
            decided += 1
    return decided


def expire_sanctions(now: datetime | None = None) -> int:
    """Lift the sanctions whose end has come; the directory and the marketplace follow."""
    now = now or timezone.now()
    ended = 0
    for sanction in Sanction.objects.filter(lifted_at__isnull=True, ends_at__lte=now):
        with transaction.atomic():
            case = lock(sanction.case)
            sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
            if sanction.lifted_at is None:
                _lift(case, sanction, None, f"The sanction ended on {_when(sanction.ends_at)}.")
                ended += 1
    return ended


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y, %H:%M}"


def _statement_text(statement: dict[str, Any]) -> str:
    lines = [
        f"Decision: {statement['decision']}",
        f"Scope: {statement['scope']}" if statement.get("scope") else "",
        f"Facts relied on: {statement['facts']}",
        f"Automated means: {'yes' if statement['automated_means'] else 'no, decided by a person'}",
        f"Ground: {statement['ground']}",
        f"Redress: {statement['redress']}",
    ]
    return "\n".join(line for line in lines if line)


def _case_payload(case: Case) -> dict[str, Any]:
    """What the marketplace learns of a case; never an anonymous reporter."""
    return {
        "case": case.reference,
        "type": case.type_key,
        "status": case.status,
        "outcome": case.outcome,
        "respondent": case.respondent.member_id if case.respondent else None,
        "statement": case.statement,
    }


def _apply(case: Case, order: SanctionOrder, agent: User, now: datetime) -> Sanction:
    spec = get_policy().sanctions[order.kind]
    listing = order.listing or case.listing
    if spec.applies_to == "listing" and listing is None:
        raise ActionRefused("sanction_needs_listing", f"{spec.label} needs a listing.", status=422)
    member = case.respondent
    if member is None:
        raise ActionRefused(
            "sanction_needs_respondent", "This case has no respondent to sanction.", status=422
        )
    if spec.applies_to == "listing" and listing.store.owner_id != member.pk:
        raise ActionRefused(
            "listing_not_respondents", "The listing does not belong to the respondent.", status=422
        )
    sanction = Sanction.objects.create(
        case=case,
        kind=order.kind,
        member=member,
        listing=listing if spec.applies_to == "listing" else None,
        starts_at=now,
        ends_at=order.ends_at,
        applied_by=agent,
    )
    _sync_directory(sanction)
    record_event(case, "sanction_applied", actor=agent, data=_sanction_data(sanction))
    queue_webhook("sanction.applied", _sanction_data(sanction) | {"case": case.reference})
    tell_party(
        case,
        RESPONDENT,
        kind="sanction_applied",
        title=f"{spec.label} on {case.reference}",
        text=spec.description,
    )
    return sanction


def _sanction_data(sanction: Sanction) -> dict[str, Any]:
    return {
        "sanction": sanction.pk,
        "kind": sanction.kind,
        "member": sanction.member.member_id,
        "listing": sanction.listing.product_url if sanction.listing else None,
        "starts_at": sanction.starts_at.isoformat(),
        "ends_at": sanction.ends_at.isoformat() if sanction.ends_at else None,
        "lifted_at": sanction.lifted_at.isoformat() if sanction.lifted_at else None,
    }


def _sync_directory(sanction: Sanction) -> None:
    """Directory statuses follow the strongest sanction still in force."""
    member = Member.objects.select_for_update().get(pk=sanction.member_id)
    active = Sanction.objects.filter(member=member, lifted_at__isnull=True)
    member_kinds = set(active.values_list("kind", flat=True))
    member.status = next(
        (MEMBER_STATUS[k] for k in ("account_disabled", "account_limited") if k in member_kinds),
        MemberStatus.ACTIVE,
    )
    member.save(update_fields=["status", "updated_at"])
    if sanction.listing_id:
        listing = Listing.objects.select_for_update().get(pk=sanction.listing_id)
        kinds = set(active.filter(listing=listing).values_list("kind", flat=True))
        listing.status = next(
            (LISTING_STATUS[k] for k in ("listing_removed", "listing_restricted") if k in kinds),
            ListingStatus.ACTIVE,
        )
        listing.save(update_fields=["status", "updated_at"])


def lift_sanction(*, agent: User, sanction: Sanction, reason: str) -> Sanction:
    with transaction.atomic():
        case = lock(sanction.case)
        require_agent(agent, case)
        sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
        if not reason.strip():
            raise ActionRefused("reason_empty", "Say why the sanction is lifted.", status=422)
        if sanction.lifted_at is not None:
            raise ActionRefused("sanction_already_lifted", "This sanction is already lifted.")
        _lift(case, sanction, agent, reason)
    return sanction


def _lift(case: Case, sanction: Sanction, agent: User | None, reason: str) -> None:
    sanction.lifted_at, sanction.lifted_by, sanction.lift_reason = timezone.now(), agent, reason
    sanction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    _sync_directory(sanction)
    record_event(
        case, "sanction_lifted", actor=agent, data=_sanction_data(sanction) | {"reason": reason}
    )
    queue_webhook(
        "sanction.lifted", _sanction_data(sanction) | {"case": case.reference, "reason": reason}
    )
    label = get_policy().sanctions[sanction.kind].label
    tell_party(
        case,
        RESPONDENT,
        kind="sanction_lifted",
        title=f"{label} lifted on {case.reference}",
        text=reason,
    )


def open_appeal(*, user: User, case: Case, reason: str) -> Appeal:
    """The respondent asks for the decision to be reviewed, within the policy's window."""
    with transaction.atomic():
        case = lock(case)
        if party_of(user, case) != RESPONDENT:
            raise forbidden("Only the member the decision is about can appeal it.")
        if case.status != CaseStatus.DECIDED:
            raise ActionRefused("not_appealable", "Only a decided case can be appealed, once.")
        complaint_type = get_policy().types[case.type_key]
        window, now = complaint_type.appeal_window_days, timezone.now()
        if case.decided_at and now > case.decided_at + timedelta(days=window):
            raise ActionRefused(
                "appeal_too_late", f"Appeals are possible within {window} days of the decision."
            )
        if not reason.strip():
            raise ActionRefused("reason_empty", "Say why the decision is wrong.", status=422)
        if case.appeals.exists():
            raise ActionRefused("not_appealable", "This decision has already been appealed.")
        appeal = Appeal.objects.create(case=case, appellant=user, reason=reason.strip())
        # The appeal is reviewed within the type's time limit, counted from now.
        case.status, case.due_at = CaseStatus.APPEALED, due_time(now, complaint_type.time_limit)
        case.breached = case.deadline_warned = False
        case.save(update_fields=["status", "due_at", "breached", "deadline_warned", "updated_at"])
        record_event(
            case, "appeal_opened", actor=user, data={"appeal": appeal.pk, "reason": appeal.reason}
        )
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
        require_agent(agent, case)
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.decided_at is not None or case.status != CaseStatus.APPEALED:
            raise ActionRefused("appeal_decided", "This appeal is already decided.")
        if case.decided_by_id == agent.pk:
            raise forbidden(
                "An appeal is decided by an agent other than the one who decided the case."
            )
        if case.assigned_to_id not in (None, agent.pk):
            raise ActionRefused("not_assigned", "Another agent is working on this appeal.")
        if not statement.strip():
            raise ActionRefused("statement_incomplete", "Explain the appeal decision.", status=422)
        appeal.decided_at, appeal.decided_by = timezone.now(), agent
        appeal.result, appeal.statement = ("reversed" if reverse else "upheld"), statement.strip()
        appeal.save(update_fields=["decided_at", "decided_by", "result", "statement"])
        case.status, case.assigned_to = CaseStatus.CLOSED, None
        case.save(update_fields=["status", "assigned_to", "updated_at"])
        record_event(
            case,
            "appeal_decided",
            actor=agent,
            data={"appeal": appeal.pk, "result": appeal.result, "statement": appeal.statement},
        )
        if reverse:
            for sanction in case.sanctions.filter(lifted_at__isnull=True):
                _lift(case, sanction, agent, f"Lifted on appeal: {appeal.statement}")
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
                text=appeal.statement,
            )
    return appeal


@dataclass(frozen=True)
class StrikeSummary:
    points: int
    serious: int
    proposals: list[str]


def strike_summary(member: Member, now: datetime | None = None) -> StrikeSummary:
    """Points of upheld cases still valid, and what the repeat-infringer rule proposes."""
    policy = get_policy()
    now = now or timezone.now()
    since = now - timedelta(days=policy.repeat_infringer.points_valid_days)
    upheld = [k for k, o in policy.outcomes.items() if o.upholds]
    cases = Case.objects.filter(
        respondent=member, outcome__in=upheld, decided_at__gte=since
    ).exclude(appeals__result="reversed")
    points = serious = 0
    for type_key in cases.values_list("type_key", flat=True):
        strikes = policy.types[type_key].strikes if type_key in policy.types else None
        if strikes:
            points += strikes.points
            serious += 1 if strikes.serious else 0
    proposals = []
    for threshold in policy.repeat_infringer.thresholds:
        if (threshold.points and points >= threshold.points) or (
            threshold.serious_violations and serious >= threshold.serious_violations
        ):
            proposals.append(threshold.propose)
    return StrikeSummary(points, serious, proposals)
