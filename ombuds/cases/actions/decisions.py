"""Deciding a case, with its statement of reasons; the sanctions a decision applies, and lifting
them. Every sanction has its undo, and the directory follows the strongest sanction in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.cases import events, limits
from ombuds.cases.actions.common import lock
from ombuds.cases.actions.notices import tell_party
from ombuds.cases.errors import ActionRefused, RefusalCode, refuse_unless_allowed
from ombuds.cases.history import record_event
from ombuds.cases.limits import written
from ombuds.cases.models import Case, CaseStatus, Sanction
from ombuds.cases.rules import COMPLAINANT, RESPONDENT, may_decide, may_lift
from ombuds.cases.statements import (
    Statement,
    decision_words,
    redress_for,
    statement_text,
)
from ombuds.directory.models import Listing, ListingStatus, Member, MemberStatus
from ombuds.directory.urls import normalize_url
from ombuds.formats import day
from ombuds.intake.text import unusable_character
from ombuds.notify.webhooks import queue_webhook
from ombuds.policy.loader import get_policy

LISTING_STATUS = {
    "listing_removed": ListingStatus.REMOVED,
    "listing_restricted": ListingStatus.RESTRICTED,
}
MEMBER_STATUS = {"account_disabled": MemberStatus.DISABLED, "account_limited": MemberStatus.LIMITED}


@dataclass(frozen=True)
class SanctionOrder:
    """A sanction asked for: its kind, the listing (product URL) for listing sanctions (default:
    the case's listing), and an end (none: until lifted)."""

    kind: str
    listing: str | None = None
    ends_at: datetime | None = None


@dataclass
class Decision:
    outcome: str
    statement: Statement
    sanctions: list[SanctionOrder] = field(default_factory=list)


@dataclass(frozen=True)
class _CheckedSanction:
    kind: str
    member: Member
    listing: Listing | None
    ends_at: datetime | None


def decide_case(*, agent: User, case: Case, decision: Decision) -> Case:
    with transaction.atomic():
        case = lock(case)
        now = timezone.now()
        refuse_unless_allowed(may_decide(agent, case, now))
        statement = _checked_statement(decision.statement)
        orders = _checked_decision(case, decision, now)
        record_decision(case, decision.outcome, statement, orders, agent, now)
    return case


def _checked_statement(statement: Statement) -> Statement:
    facts = written(statement.facts, field="statement.facts", limit=limits.FACTS, label="Facts")
    ground = written(statement.ground, field="statement.ground", limit=limits.GROUND,
                     label="The ground")  # fmt: skip
    if not facts or not ground:
        raise ActionRefused(
            RefusalCode.STATEMENT_INCOMPLETE,
            "The statement of reasons needs the facts relied on and the policy ground.",
            "statement",
        )
    return Statement(
        facts=facts,
        ground=ground,
        scope=written(statement.scope, field="statement.scope", limit=limits.SCOPE,
                      label="The scope"),
        automated=statement.automated,
        redress=written(statement.redress, field="statement.redress", limit=limits.REDRESS,
                        label="The redress"),
    )  # fmt: skip


def _checked_decision(case: Case, decision: Decision, now: datetime) -> list[_CheckedSanction]:
    """The outcome and every sanction checked against the type, the respondent and the clock,
    before anything is written."""
    policy = get_policy()
    complaint_type = policy.types[case.type_key]
    if decision.outcome not in complaint_type.outcomes:
        raise ActionRefused(
            RefusalCode.OUTCOME_NOT_ALLOWED,
            f"Choose one of: {', '.join(complaint_type.outcomes)}.",
            "outcome",
        )
    if decision.sanctions and not policy.outcomes[decision.outcome].upholds:
        raise ActionRefused(
            RefusalCode.SANCTION_WITHOUT_UPHELD,
            "Sanctions need an outcome that upholds the complaint.",
            "sanctions",
        )
    return [
        _checked_sanction(case, order, f"sanctions.{index}", now)
        for index, order in enumerate(decision.sanctions)
    ]


def _checked_sanction(case: Case, order: SanctionOrder, at: str, now: datetime) -> _CheckedSanction:
    complaint_type = get_policy().types[case.type_key]
    if order.kind not in complaint_type.sanctions:
        raise ActionRefused(
            RefusalCode.SANCTION_NOT_ALLOWED,
            f"{order.kind} is not a sanction of this type: choose among "
            f"{', '.join(complaint_type.sanctions)}.",
            f"{at}.kind",
        )
    spec = get_policy().sanctions[order.kind]
    member = case.respondent
    if member is None:
        raise ActionRefused(
            RefusalCode.SANCTION_NEEDS_RESPONDENT,
            "This case has no respondent to sanction.",
            at,
        )
    listing = None
    if order.listing:
        if spec.applies_to != "listing":
            raise ActionRefused(
                RefusalCode.LISTING_NOT_APPLICABLE,
                f"{spec.label} applies to the member, not to a listing.",
                f"{at}.listing",
            )
        listing = None if unusable_character(order.listing) else (
            Listing.objects.select_related("store")
            .filter(product_url=normalize_url(order.listing))
            .first()
        )  # fmt: skip
        if listing is None:
            raise ActionRefused(
                RefusalCode.LISTING_NOT_FOUND,
                f"No listing has the product URL {order.listing[:200]!r}.",
                f"{at}.listing",
            )
    elif spec.applies_to == "listing":
        listing = case.listing
        if listing is None:
            raise ActionRefused(
                RefusalCode.SANCTION_NEEDS_LISTING,
                f"{spec.label} needs a listing.",
                f"{at}.listing",
            )
    if listing is not None and listing.store.owner_id != member.pk:
        raise ActionRefused(
            RefusalCode.LISTING_NOT_RESPONDENTS,
            "The listing is not one of the respondent's.",
            f"{at}.listing",
        )
    if order.ends_at is not None and order.ends_at <= now:
        raise ActionRefused(
            RefusalCode.ENDS_AT_PAST,
            "The end of a sanction must be in the future.",
            f"{at}.ends_at",
        )
    longest = timedelta(days=spec.max_days)
    if order.ends_at is not None and order.ends_at - now > longest:
        raise ActionRefused(
            RefusalCode.ENDS_AT_TOO_FAR,
            f"{spec.label} lasts at most {spec.max_days:,} days: end it by {day(now + longest)} "
            "at the latest, or give no end (it then lasts until it is lifted).",
            f"{at}.ends_at",
        )
    return _CheckedSanction(order.kind, member, listing, order.ends_at)


def record_decision(
    case: Case,
    outcome: str,
    statement: Statement,
    sanctions: list[_CheckedSanction],
    agent: User | None,
    now: datetime,
) -> None:
    """Write a checked decision: the case, its event, sanctions, webhooks and notices. With no
    agent, the decision was taken automatically (the statement says so)."""
    policy = get_policy()
    words = decision_words(outcome, [s.kind for s in sanctions])
    case.status, case.outcome = CaseStatus.DECIDED, outcome
    case.decided_at, case.decided_by = now, agent
    case.statement = statement.as_dict(decision=words, redress=redress_for(case.type_key))
    case.assigned_to, case.assigned_at, case.paused_at = None, None, None
    case.save(
        update_fields=[
            "status", "outcome", "decided_at", "decided_by", "statement", "assigned_to",
            "assigned_at", "paused_at", "updated_at",
        ]
    )  # fmt: skip
    record_event(case, events.Ruled(outcome=outcome, statement=case.statement), actor=agent, at=now)
    applied = [_apply(case, checked, agent, now) for checked in sanctions]
    queue_webhook("case.decided", case_payload(case) | {"sanctions": [s.pk for s in applied]})
    for party in (COMPLAINANT, RESPONDENT):
        tell_party(
            case,
            party,
            kind="decided",
            title=f"Decision on {case.reference}: {policy.outcomes[outcome].label}",
            text=statement_text(case.statement),
        )


def case_payload(case: Case) -> dict[str, Any]:
    """What the marketplace learns of a case; never an anonymous reporter."""
    return {
        "case": case.reference,
        "type": case.type_key,
        "status": case.status,
        "outcome": case.outcome,
        "respondent": case.respondent.member_id if case.respondent else None,
        "statement": case.statement,
    }


def _apply(case: Case, checked: _CheckedSanction, agent: User | None, now: datetime) -> Sanction:
    spec = get_policy().sanctions[checked.kind]
    sanction = Sanction.objects.create(
        case=case,
        kind=checked.kind,
        member=checked.member,
        listing=checked.listing,
        starts_at=now,
        ends_at=checked.ends_at,
        applied_by=agent,
    )
    _sync_directory(sanction)
    data = sanction_data(sanction)
    record_event(case, events.SanctionApplied(**data), actor=agent, at=now)
    queue_webhook(
        "sanction.applied", sanction_data(sanction, stored=True) | {"case": case.reference}
    )
    tell_party(
        case,
        RESPONDENT,
        kind="sanction_applied",
        title=f"{spec.label} on {case.reference}",
        text=spec.description,
    )
    return sanction


def sanction_data(sanction: Sanction, *, stored: bool = False) -> dict[str, Any]:
    """A sanction as its events hold it (`stored`: as JSON, for webhooks)."""
    data = events.SanctionApplied(
        sanction=sanction.pk,
        kind_key=sanction.kind,
        member=sanction.member.member_id,
        listing=sanction.listing.product_url if sanction.listing else None,
        starts_at=sanction.starts_at,
        ends_at=sanction.ends_at,
        lifted_at=sanction.lifted_at,
    )
    return data.stored() if stored else dict(data)


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
        sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
        refuse_unless_allowed(may_lift(agent, case, sanction))
        reason = written(
            reason, field="reason", limit=limits.REASON, label="The reason",
            empty=(RefusalCode.REASON_EMPTY, "Say why the sanction is lifted."),
        )  # fmt: skip
        lift(case, sanction, agent, reason)
    return sanction


def lift(case: Case, sanction: Sanction, agent: User | None, reason: str) -> None:
    """Undo a sanction (checked by the caller): by an agent, on appeal, or when it ends."""
    now = timezone.now()
    sanction.lifted_at, sanction.lifted_by, sanction.lift_reason = now, agent, reason
    sanction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    _sync_directory(sanction)
    lifted = events.SanctionLifted(**sanction_data(sanction), reason=reason)
    record_event(case, lifted, actor=agent, at=now)
    queue_webhook(
        "sanction.lifted",
        sanction_data(sanction, stored=True) | {"case": case.reference, "reason": reason},
    )
    label = get_policy().sanctions[sanction.kind].label
    tell_party(
        case,
        RESPONDENT,
        kind="sanction_lifted",
        title=f"{label} lifted on {case.reference}",
        text=reason,
    )
