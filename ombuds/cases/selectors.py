"""Reads shared by pages and the API, with the visibility rules in one place.

Who sees what: the complainant sees their own complaint and its case's public history;
the respondent sees the cases against them, without the reporter's identity for anonymous
reports and only the evidence the policy shows them; agents of the case's department and
operators see everything; nobody else sees anything (not even that it exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ombuds.accounts.models import Department
from ombuds.cases.decisions import StrikeSummary, strike_summary
from ombuds.cases.handling import party_of, queue_for_department
from ombuds.cases.models import (
    OPEN_STATUSES,
    QUEUED_STATUSES,
    WORKED_STATUSES,
    Appeal,
    Case,
    CaseEvent,
    CaseStatus,
    Complaint,
    InformationRequest,
    PartyStatement,
    Sanction,
)
from ombuds.directory.models import Listing, Member, Store
from ombuds.evidence.models import Evidence
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType

COMPLAINANT, RESPONDENT, AGENT = "complainant", "respondent", "agent"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    kind: str = ""
    actor: str = ""
    internal: bool = False


@dataclass
class CaseView:
    """A complaint or case as one viewer may see it."""

    role: str
    reference: str
    complaint_type: ComplaintType
    type_key: str
    status: str
    status_label: str
    case: Case | None
    complaint: Complaint | None
    complaints: list[Complaint] = field(default_factory=list)
    show_complainant: bool = False
    show_free_text: bool = True
    evidence: list[Evidence] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def due_at(self) -> datetime | None:
        return self.case.due_at if self.case else None

    @property
    def time_left(self) -> str:
        return time_left(self.case)

    @property
    def answers(self) -> list[tuple[str, str]]:
        """The answers this viewer may read, as (label, value) pairs."""
        source = self.complaint or (self.complaints[0] if self.complaints else None)
        if source is None:
            return []
        return answer_rows(self.complaint_type, source, free_text=self.show_free_text)


def answer_rows(
    complaint_type: ComplaintType, complaint: Complaint, *, free_text: bool = True
) -> list[tuple[str, str]]:
    """A complaint's answers as (label, value) pairs, choices in words."""
    rows = []
    for form_field in complaint_type.fields:
        value = complaint.answers.get(form_field.name)
        if value in (None, ""):
            continue
        if form_field.kind in ("choice", "multichoice"):
            labels = {c.value: c.label for c in form_field.choices}
            values = value if isinstance(value, list) else [value]
            rows.append((form_field.label, ", ".join(labels.get(v, v) for v in values)))
        elif free_text:
            rows.append((form_field.label, str(value)))
    return rows


def time_left(case: Case | None) -> str:
    """What is left of the case's time limit, in words; while a party is asked for
    information the clock is stopped and the time left stays as it was."""
    if case is None:
        return "Waiting for your email confirmation"
    if case.status not in WORKED_STATUSES:
        return "—"
    if case.paused_at is not None:
        return f"{_duration(case.due_at - case.paused_at)}, clock stopped"
    return _duration(case.due_at - timezone.now())


def is_overdue(case: Case) -> bool:
    """Past its due time with its clock running."""
    return (
        case.status in WORKED_STATUSES and case.paused_at is None and case.due_at <= timezone.now()
    )


def _duration(left: timedelta) -> str:
    seconds = left.total_seconds()
    if seconds <= 0:
        return "Overdue"
    hours = int(seconds // 3600)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours >= 1:
        return f"{hours} hours"
    return f"{max(1, int(seconds // 60))} minutes"


def status_of(complaint: Complaint) -> tuple[str, str]:
    if complaint.case is None:
        return "unconfirmed", "Waiting for your email confirmation"
    status = complaint.case.status
    return status, CaseStatus(status).label


def _agent_may_see(user: Any, case: Case) -> bool:
    if getattr(user, "acts_as_operator", False):
        return True
    codes = getattr(user, "department_codes", frozenset())
    return case.department.code in codes


def view_for(
    reference: str, user: Any = None, visitor_complaint: Complaint | None = None
) -> CaseView | None:
    """The view of a complaint (CMP-...) or case (CASE-...) for this viewer, or None."""
    policy = get_policy()
    if reference.startswith("CMP-"):
        complaint = (
            Complaint.objects.select_related("case__department", "case__listing", "respondent")
            .filter(reference=reference)
            .first()
        )
        if complaint is None:
            return None
        is_owner = (
            user is not None and getattr(user, "pk", None) and complaint.complainant_id == user.pk
        ) or (visitor_complaint is not None and visitor_complaint.pk == complaint.pk)
        if is_owner:
            return _complainant_view(policy.types[complaint.type_key], complaint)
        if (
            complaint.case
            and user is not None
            and getattr(user, "is_authenticated", False)
            and _agent_may_see(user, complaint.case)
        ):
            return _agent_view(policy.types[complaint.type_key], complaint.case)
        return None
    case = (
        Case.objects.select_related("department", "listing", "respondent")
        .filter(reference=reference)
        .first()
    )
    if case is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    complaint_type = policy.types[case.type_key]
    if _agent_may_see(user, case):
        return _agent_view(complaint_type, case)
    if user.member_id is not None and case.respondent_id == user.member_id:
        return _respondent_view(complaint_type, case)
    return None


def _events(case: Case | None, *, with_actors: bool = False) -> list[CaseEvent]:
    if case is None:
        return []
    events = case.events.order_by("seq")
    if with_actors:
        events = events.select_related("actor")
    return list(events)


def _complainant_view(complaint_type: ComplaintType, complaint: Complaint) -> CaseView:
    status, label = status_of(complaint)
    timeline = [
        TimelineEntry(
            complaint.created_at,
            f"You filed this {complaint_type.kind}: {complaint_type.label.lower()}.",
        )
    ]
    if complaint.case is None:
        timeline.append(
            TimelineEntry(
                complaint.created_at, "We sent you an email: open its link to confirm and send it."
            )
        )
    for event in _events(complaint.case):
        text = _event_text(event, COMPLAINANT, complaint_type, own=complaint)
        if text:
            timeline.append(TimelineEntry(event.created_at, text, kind=event.kind))
    return CaseView(
        role=COMPLAINANT, reference=complaint.reference, complaint_type=complaint_type,
        type_key=complaint.type_key, status=status, status_label=label, case=complaint.case,
        complaint=complaint, complaints=[complaint], show_complainant=True,
        evidence=list(complaint.evidence.all()), timeline=timeline,
    )  # fmt: skip


def _respondent_view(complaint_type: ComplaintType, case: Case) -> CaseView:
    complaints = list(case.complaints.order_by("created_at"))
    anonymous = complaint_type.reporter_anonymous
    evidence: list[Evidence] = []
    if complaint_type.evidence.visible_to_respondent == "all":
        evidence = list(Evidence.objects.filter(complaints__case=case).distinct())
    timeline = []
    for event in _events(case):
        text = _event_text(event, RESPONDENT, complaint_type)
        if text:
            timeline.append(TimelineEntry(event.created_at, text, kind=event.kind))
    return CaseView(
        role=RESPONDENT, reference=case.reference, complaint_type=complaint_type,
        type_key=case.type_key, status=case.status, status_label=CaseStatus(case.status).label,
        case=case, complaint=None, complaints=complaints[:1], show_complainant=not anonymous,
        show_free_text=not anonymous, evidence=evidence, timeline=timeline,
    )  # fmt: skip


def _agent_view(complaint_type: ComplaintType, case: Case) -> CaseView:
    complaints = list(
        case.complaints.select_related("complainant", "complainant_member").order_by("created_at")
    )
    timeline = [
        TimelineEntry(
            event.created_at,
            _event_text(event, AGENT, complaint_type) or event.kind,
            kind=event.kind,
            actor=_person(event.actor) if event.actor_id else "",
            internal=event.kind in AGENT_ONLY_EVENTS,
        )
        for event in _events(case, with_actors=True)
    ]
    return CaseView(
        role=AGENT, reference=case.reference, complaint_type=complaint_type, type_key=case.type_key,
        status=case.status, status_label=CaseStatus(case.status).label, case=case, complaint=None,
        complaints=complaints, show_complainant=True,
        evidence=list(Evidence.objects.filter(complaints__case=case).distinct()), timeline=timeline,
    )  # fmt: skip


# --- what each event says to each viewer -------------------------------------------------------
#
# Parties read the history in the marketplace's voice, never an agent's name; agents read who
# did what. Internal notes, releases and breaches are the marketplace's own business. Nothing
# here names a complainant to the respondent of an anonymous report.

AGENT_ONLY_EVENTS = frozenset({"note_added", "released", "deadline_breached"})


def _person(user: Any) -> str:
    if user is None:
        return "the system"
    return user.get_full_name() or user.username


def _when(value: Any) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    return f"{timezone.localtime(moment):%-d %B %Y, %H:%M}"


def _department_name(code: str) -> str:
    department = get_policy().departments.get(code)
    return department.name if department else code


def _outcome_label(key: str) -> str:
    outcome = get_policy().outcomes.get(key)
    return outcome.label if outcome else key


@dataclass(frozen=True)
class _Reading:
    event: CaseEvent
    role: str
    complaint_type: ComplaintType
    own: Complaint | None

    @property
    def data(self) -> dict[str, Any]:
        return self.event.data or {}

    @property
    def actor(self) -> str:
        return _person(self.event.actor) if self.event.actor_id else "the system"

    @property
    def team(self) -> str:
        return _department_name(self.complaint_type.department)


def _complaint_filed(r: _Reading) -> str | None:
    label = r.complaint_type.label.lower()
    if r.role == COMPLAINANT:
        if r.own is not None and r.event.complaint_id == r.own.pk:
            return f"Received and sent to the {r.team} team. Submitted — under consideration."
        return None
    if r.role == RESPONDENT:
        if r.complaint_type.reporter_anonymous:
            return f"A {r.complaint_type.kind} was filed about you: {label}."
        complaint = r.event.complaint
        name = complaint.complainant_name if complaint else "A member"
        return f"{name} filed a {r.complaint_type.kind} about you: {label}."
    return f"{label.capitalize()} {r.data.get('complaint')} filed."


def _reporter_joined(r: _Reading) -> str | None:
    if r.role == COMPLAINANT:
        if r.own is not None and r.event.complaint_id == r.own.pk:
            return (
                "Received. Others reported the same thing: your report joined their case, "
                "which is under consideration."
            )
        return "Another report about the same thing joined this case."
    if r.role == RESPONDENT:
        return None
    return (
        f"Report {r.data.get('complaint')} joined the case ({r.data.get('reporters')} reporters)."
    )


def _claimed(r: _Reading) -> str | None:
    if r.role == AGENT:
        return f"Claimed by {r.actor}."
    return "In review: an agent of the marketplace is working on it."


def _released(r: _Reading) -> str | None:
    return f"Released by {r.actor}: back in the queue." if r.role == AGENT else None


def _note_added(r: _Reading) -> str | None:
    return f"Internal note by {r.actor}: {r.data.get('text', '')}" if r.role == AGENT else None


def _transferred(r: _Reading) -> str | None:
    to = _department_name(r.data.get("to", ""))
    if r.role == AGENT:
        reason = r.data.get("reason")
        text = f"Transferred by {r.actor} from {_department_name(r.data.get('from', ''))} to {to}."
        return f"{text} Reason: {reason}" if reason else text
    return f"Sent to the {to} team, which handles this kind of case."


def _information_requested(r: _Reading) -> str | None:
    party, question, deadline = r.data.get("party"), r.data.get("question"), r.data.get("deadline")
    if r.role == AGENT:
        return f"{r.actor} asked the {party}: “{question}” Answer due {_when(deadline)}."
    if r.role == party:
        return (
            f"The marketplace asked you: “{question}” Please answer by {_when(deadline)}; "
            "until then the case waits."
        )
    return None


def _information_provided(r: _Reading) -> str | None:
    party = r.data.get("party")
    event = r.event
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


def _information_not_provided(r: _Reading) -> str | None:
    party = r.data.get("party")
    if r.role == AGENT:
        return f"No answer from the {party} by the deadline: the case is back in the queue."
    if r.role == party:
        return "The time to answer the question passed. The case continues with what it has."
    return None


def _respondent_answered(r: _Reading) -> str | None:
    if r.role == AGENT:
        return f"The respondent answered ({r.actor})."
    if r.role == RESPONDENT:
        return "You sent your answer."
    return "The other party answered. The marketplace takes it into account in its decision."


def _decided(r: _Reading) -> str | None:
    outcome = _outcome_label(r.data.get("outcome", ""))
    if r.role == AGENT:
        return f"Decided by {r.actor}: {outcome}."
    statement = r.data.get("statement") or {}
    parts = [
        f"Decided: {statement.get('decision') or outcome}",
        f"Scope: {statement['scope']}" if statement.get("scope") else "",
        f"Facts relied on: {statement.get('facts', '')}",
        "Automated means: "
        + ("yes" if statement.get("automated_means") else "no, decided by a person"),
        f"Ground: {statement.get('ground', '')}",
        f"Redress: {statement.get('redress', '')}",
    ]
    return " ".join(part.rstrip(".") + "." for part in parts if part)


def _sanction_label(r: _Reading) -> tuple[str, str]:
    spec = get_policy().sanctions.get(r.data.get("kind", ""))
    if spec is None:
        return r.data.get("kind", ""), ""
    return spec.label, spec.description


def _sanction_terms(r: _Reading) -> str:
    listing, until = r.data.get("listing"), r.data.get("ends_at")
    text = f" on {listing}" if listing else ""
    return text + (f", until {_when(until)}" if until else "")


def _sanction_applied(r: _Reading) -> str | None:
    label, description = _sanction_label(r)
    if r.role == AGENT:
        return f"Sanction applied by {r.actor}: {label}{_sanction_terms(r)}."
    if r.role == RESPONDENT:
        return f"Measure taken: {label}{_sanction_terms(r)}. {description}"
    return f"What was done: {label}. {description}"


def _sanction_lifted(r: _Reading) -> str | None:
    label, _ = _sanction_label(r)
    reason = r.data.get("reason")
    if r.role == AGENT:
        return f"Sanction lifted by {r.actor}: {label}{_sanction_terms(r)}. {reason}"
    if r.role == RESPONDENT:
        return f"Measure lifted: {label}{_sanction_terms(r)}. {reason}"
    return f"The measure “{label}” was lifted."


def _appeal_opened(r: _Reading) -> str | None:
    if r.role == AGENT:
        return f"Appeal opened by the respondent ({r.actor}): “{r.data.get('reason', '')}”"
    if r.role == RESPONDENT:
        return "You appealed the decision. Someone other than the first decider reviews it."
    return "The other party appealed the decision. Someone other than the first decider reviews it."


def _appeal_decided(r: _Reading) -> str | None:
    verdict = "reversed" if r.data.get("result") == "reversed" else "confirmed"
    statement = r.data.get("statement", "")
    if r.role == AGENT:
        return f"Appeal decided by {r.actor}: the decision is {verdict}. {statement}"
    return f"Appeal decided: the decision is {verdict}. {statement}"


def _deadline_breached(r: _Reading) -> str | None:
    if r.role == AGENT:
        return "The time limit passed: the case is overdue and goes to the top of the queue."
    return None


EVENT_TEXTS: dict[str, Any] = {
    "complaint_filed": _complaint_filed,
    "reporter_joined": _reporter_joined,
    "claimed": _claimed,
    "released": _released,
    "note_added": _note_added,
    "transferred": _transferred,
    "information_requested": _information_requested,
    "information_provided": _information_provided,
    "information_not_provided": _information_not_provided,
    "respondent_answered": _respondent_answered,
    "decided": _decided,
    "sanction_applied": _sanction_applied,
    "sanction_lifted": _sanction_lifted,
    "appeal_opened": _appeal_opened,
    "appeal_decided": _appeal_decided,
    "deadline_breached": _deadline_breached,
}


def _event_text(
    event: CaseEvent, role: str, complaint_type: ComplaintType, own: Complaint | None = None
) -> str | None:
    """What `event` says to a viewer in `role`; None when it is not theirs to see."""
    text_of = EVENT_TEXTS.get(event.kind)
    if text_of is None:
        return None
    text = text_of(_Reading(event, role, complaint_type, own))
    return text.strip() if text else None


# --- lists ------------------------------------------------------------------------------------


def sent_complaints(
    user: Any, *, status: str | None = None, type_key: str | None = None
) -> QuerySet[Complaint]:
    complaints = Complaint.objects.filter(complainant=user).select_related("case", "respondent")
    if type_key:
        complaints = complaints.filter(type_key=type_key)
    if status == "unconfirmed":
        complaints = complaints.filter(case__isnull=True)
    elif status == "open":
        complaints = complaints.filter(case__status__in=OPEN_STATUSES)
    elif status:
        complaints = complaints.filter(case__status=status)
    return complaints.order_by("-created_at")


def received_cases(
    user: Any, *, status: str | None = None, type_key: str | None = None
) -> QuerySet[Case]:
    if user.member_id is None:
        return Case.objects.none()
    cases = Case.objects.filter(respondent_id=user.member_id).select_related("listing")
    if type_key:
        cases = cases.filter(type_key=type_key)
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    return cases.order_by("-created_at")


def evidence_for_viewer(
    public_id: str, user: Any = None, visitor_complaint: Complaint | None = None
) -> Evidence | None:
    """An evidence file if this viewer may download it: same rules as the case pages."""
    evidence = Evidence.objects.filter(public_id=public_id).first()
    if evidence is None:
        return None
    if user is not None and getattr(user, "pk", None) and evidence.uploaded_by_id == user.pk:
        return evidence
    for complaint in evidence.complaints.select_related("case__department"):
        view = view_for(complaint.reference, user, visitor_complaint)
        if view is None and complaint.case is not None:
            view = view_for(complaint.case.reference, user)
        if view is not None and any(e.pk == evidence.pk for e in view.evidence):
            return evidence
    # A party's answer: its author (above; a visitor by their link), the case's agents, and
    # the other party where the case is shared between them.
    for statement in evidence.statements.select_related("case__department"):
        case = statement.case
        if visitor_complaint is not None and statement.author_id is None:
            if statement.complaint_id == visitor_complaint.pk:
                return evidence
        elif getattr(user, "is_authenticated", False) and _agent_may_see(user, case):
            return evidence
        if shares_between_parties(get_policy().types[case.type_key]) and party_of(
            user, case, visitor_complaint
        ) not in (None, statement.party):
            return evidence
    return None


def case_to_submit_again(user: Any, reference: str, type_key: str) -> Case | None:
    """The decided case a complainant submits again with new information: one of this type
    on which the user was a complainant, no longer open."""
    reference = (reference or "").strip().upper()
    if not reference or not getattr(user, "is_authenticated", False):
        return None
    return (
        Case.objects.filter(reference=reference, type_key=type_key, complaints__complainant=user)
        .exclude(status__in=OPEN_STATUSES)
        .first()
    )


def target_label(complaint: Complaint | None, case: Case | None) -> str:
    """What a complaint is about, in words safe for every party."""
    if case is not None and case.listing is not None:
        return case.listing.title
    if case is None and complaint is not None and complaint.target_key.startswith("listing:"):
        listing = complaint.listings.first()  # not confirmed yet: the same words as later
        if listing is not None:
            return listing.title
    source = complaint.respondent if complaint else (case.respondent if case else None)
    return source.display_name if source else ""


def open_filter() -> Q:
    return Q(status__in=OPEN_STATUSES)


# --- the agent console ----------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


def agent_departments(agent: Any) -> list[Department]:
    codes = getattr(agent, "department_codes", frozenset())
    return list(Department.objects.filter(code__in=codes, active=True).order_by("name"))


@dataclass(frozen=True)
class DepartmentLoad:
    department: Department
    queued: int = 0
    mine: int = 0
    waiting: int = 0
    breached: int = 0


def department_loads(agent: Any, departments: list[Department]) -> list[DepartmentLoad]:
    """Per department: cases waiting for an agent, mine, waiting for a party, overdue."""
    # One small query per count, each answered from its own index (one aggregate over every
    # open case of a department reads the whole department at scale).
    ours = Case.objects.filter(department__in=departments)
    counts: dict[str, Q] = {
        "queued": Q(status__in=QUEUED_STATUSES, assigned_to__isnull=True),
        "mine": Q(assigned_to=agent, status__in=WORKED_STATUSES),
        "waiting": Q(status=CaseStatus.WAITING),
        "breached": Q(breached=True, status__in=WORKED_STATUSES),
    }
    by_department: dict[int, dict[str, int]] = {d.pk: {} for d in departments}
    for name, condition in counts.items():
        rows = ours.filter(condition).values("department_id").annotate(n=Count("*"))
        for row in rows:
            by_department[row["department_id"]][name] = row["n"]
    return [DepartmentLoad(d, **by_department[d.pk]) for d in departments]


@dataclass
class QueuePage:
    cases: list[Case]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_position(self) -> int:
        return (self.number - 1) * QUEUE_PAGE_SIZE + 1


def queue_page(department: Department, number: int = 1, total: int | None = None) -> QueuePage:
    """One page of the department's queue, in claim order: one query (and a count if needed)."""
    queue = queue_for_department(department)
    if total is None:
        total = queue.count()
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    number = min(max(1, number), pages)
    start = (number - 1) * QUEUE_PAGE_SIZE
    cases = list(queue.select_related("listing", "respondent")[start : start + QUEUE_PAGE_SIZE])
    return QueuePage(cases, number, pages, total)


def agent_cases(agent: Any) -> list[Case]:
    """The cases the agent is working on, most urgent first."""
    return list(
        Case.objects.filter(
            assigned_to=agent, department__code__in=getattr(agent, "department_codes", ())
        )
        .select_related("listing", "respondent", "department")
        .order_by("-breached", "due_at", "pk")[:200]
    )


@dataclass
class RespondentRecord:
    """What the directory knows of the respondent, for the agent deciding a case."""

    member: Member
    stores: list[Store]
    earlier_cases: list[Case]
    sanctions: list[Sanction]
    strikes: StrikeSummary
    proposals: list[tuple[str, str]]

    @property
    def active_sanctions(self) -> list[Sanction]:
        return [s for s in self.sanctions if s.is_active]


def respondent_record(case: Case) -> RespondentRecord | None:
    member = case.respondent
    if member is None:
        return None
    policy = get_policy()
    earlier = list(
        Case.objects.filter(respondent=member)
        .exclude(pk=case.pk)
        .select_related("department", "listing")
        .prefetch_related("sanctions")
        .order_by("-created_at")[:20]
    )
    sanctions = list(
        Sanction.objects.filter(member=member)
        .select_related("listing", "case")
        .order_by("-starts_at")[:50]
    )
    strikes = strike_summary(member)
    proposals = [
        (key, policy.sanctions[key].label if key in policy.sanctions else key)
        for key in strikes.proposals
    ]
    return RespondentRecord(
        member=member,
        stores=list(member.stores.all()),
        earlier_cases=earlier,
        sanctions=sanctions,
        strikes=strikes,
        proposals=proposals,
    )


@dataclass
class Filing:
    """One complaint of a case as the agent reads it: who, what they said, their files."""

    complaint: Complaint
    answers: list[tuple[str, str]]
    evidence: list[Evidence]
    listings: list[Listing]


@dataclass
class Dossier:
    """Everything about a case, for its agents."""

    view: CaseView
    filings: list[Filing]
    statements: list[PartyStatement]
    questions: list[InformationRequest]
    sanctions: list[Sanction]
    appeals: list[Appeal]
    record: RespondentRecord | None
    later_cases: list[Case]

    @property
    def case(self) -> Case:
        assert self.view.case is not None
        return self.view.case

    @property
    def open_appeal(self) -> Appeal | None:
        return next((a for a in self.appeals if a.decided_at is None), None)

    @property
    def open_question(self) -> InformationRequest | None:
        return next((q for q in self.questions if q.is_open), None)

    @property
    def case_listings(self) -> list[Listing]:
        """Every listing the case's complaints name, the case's own first."""
        seen: dict[int, Listing] = {}
        if self.case.listing is not None:
            seen[self.case.listing.pk] = self.case.listing
        for filing in self.filings:
            for listing in filing.listings:
                seen.setdefault(listing.pk, listing)
        return list(seen.values())


def dossier_for(reference: str, user: Any) -> Dossier | None:
    """The agent's whole view of a case (CASE-... or one of its CMP-...), or None."""
    view = view_for(reference, user)
    if view is None or view.role != AGENT or view.case is None:
        return None
    return dossier_of(view)


def dossier_of(view: CaseView) -> Dossier:
    """The dossier of the case behind an agent's view."""
    case = view.case
    assert case is not None and view.role == AGENT
    complaint_type = view.complaint_type
    complaints = (
        Complaint.objects.filter(case=case)
        .select_related("complainant", "complainant_member")
        .prefetch_related("evidence", "listings")
        .order_by("created_at")
    )
    filings = [
        Filing(c, answer_rows(complaint_type, c), list(c.evidence.all()), list(c.listings.all()))
        for c in complaints
    ]
    statements = list(
        case.statements.select_related("author", "complaint", "request")
        .prefetch_related("evidence")
        .order_by("created_at")
    )
    return Dossier(
        view=view,
        filings=filings,
        statements=statements,
        questions=list(
            case.information_requests.select_related("requested_by").order_by("created_at")
        ),
        sanctions=list(case.sanctions.select_related("listing", "lifted_by")),
        appeals=list(case.appeals.select_related("appellant", "decided_by").order_by("opened_at")),
        record=respondent_record(case),
        later_cases=list(case.later_cases.order_by("created_at")),
    )


# --- the parties' side of a case ------------------------------------------------------------------


@dataclass
class PartyCase:
    """What a party may do on a case now, and what was decided."""

    party: str
    question: InformationRequest | None
    may_answer: bool
    answer_due_at: datetime | None
    own_statements: list[PartyStatement]
    other_statements: list[PartyStatement]
    may_appeal: bool
    appeal_until: datetime | None
    appeal: Appeal | None
    decided: bool
    outcome_label: str
    statement: dict[str, Any]
    sanctions_done: list[str]
    may_submit_again: bool


def shares_between_parties(complaint_type: ComplaintType) -> bool:
    """Two named parties, the respondent shown all evidence (disputes, rights holders'
    notices): each reads what the other says and uploads on the case (PRODUCT.md 1.1, 1.2).
    Anonymous reports stay one-sided: the respondent answers to the marketplace."""
    return (
        complaint_type.evidence.visible_to_respondent == "all"
        and not complaint_type.reporter_anonymous
    )


def party_statements(
    view: CaseView, user: Any, visitor_complaint: Complaint | None = None
) -> tuple[list[PartyStatement], list[PartyStatement]]:
    """The parties' statements a party reads on the case: its own (a visitor's through their
    complaint's signed link), and the other party's where the case is shared."""
    case = view.case
    if case is None or view.role not in (COMPLAINANT, RESPONDENT):
        return [], []
    statements = case.statements.select_related("request").prefetch_related("evidence")
    statements = statements.order_by("created_at", "pk")
    own: list[PartyStatement] = []
    if visitor_complaint is not None and view.complaint is not None:
        if visitor_complaint.pk == view.complaint.pk:
            own = list(statements.filter(complaint=visitor_complaint, author__isnull=True))
    elif getattr(user, "is_authenticated", False):
        own = list(statements.filter(author=user))
    others = []
    if shares_between_parties(view.complaint_type):
        others = list(statements.exclude(party=view.role))
    return own, others


def party_case(
    view: CaseView, user: Any, visitor_complaint: Complaint | None = None
) -> PartyCase | None:
    """The complainant's or respondent's possible actions on the case behind `view`; a
    visitor's through the signed link of their complaint."""
    case = view.case
    if case is None or view.role not in (COMPLAINANT, RESPONDENT):
        return None
    policy = get_policy()
    now = timezone.now()
    signed_in = bool(getattr(user, "is_authenticated", False))
    visitor = visitor_complaint is not None and visitor_complaint.pk == view.complaint.pk
    party = view.role
    question = None
    if signed_in or visitor:
        question = (
            case.information_requests.filter(
                party=party, answered_at__isnull=True, expired_at__isnull=True
            )
            .order_by("created_at")
            .last()
        )
    answer = view.complaint_type.respondent_answer
    may_answer = (
        party == RESPONDENT
        and answer.allowed
        and case.status in OPEN_STATUSES
        and (case.respondent_answer_due_at is None or now <= case.respondent_answer_due_at)
    )
    own, others = party_statements(view, user, visitor_complaint)
    appeals = list(case.appeals.order_by("opened_at"))
    appeal_until = None
    if case.decided_at is not None:
        appeal_until = case.decided_at + timedelta(days=view.complaint_type.appeal_window_days)
    may_appeal = (
        party == RESPONDENT
        and case.status == CaseStatus.DECIDED
        and not appeals
        and appeal_until is not None
        and now <= appeal_until
    )
    decided = bool(case.outcome) and case.decided_at is not None
    done = []
    for sanction in case.sanctions.all() if decided else []:
        spec = policy.sanctions.get(sanction.kind)
        label = spec.label if spec else sanction.kind
        if party == RESPONDENT and sanction.listing_id:
            label = f"{label}: {sanction.listing.title}" if sanction.listing else label
        done.append(label + (" (lifted)" if sanction.lifted_at else ""))
    outcome = policy.outcomes.get(case.outcome)
    return PartyCase(
        party=party,
        question=question,
        may_answer=may_answer,
        answer_due_at=case.respondent_answer_due_at,
        own_statements=own,
        other_statements=others,
        may_appeal=may_appeal,
        appeal_until=appeal_until,
        appeal=appeals[-1] if appeals else None,
        decided=decided,
        outcome_label=outcome.label if outcome else case.outcome,
        statement=case.statement or {},
        sanctions_done=done,
        may_submit_again=party == COMPLAINANT
        and case.status in (CaseStatus.DECIDED, CaseStatus.CLOSED),
    )
