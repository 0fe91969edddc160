"""How the API shows complaints, cases and their parts: one presenter each, shared by the routers.

The presenters only shape what the read side (`ombuds.cases.read`) lets the caller see; none of
them decides visibility.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ombuds.accounts.models import Department, User
from ombuds.api.case_schemas import (
    AppealOut,
    CaseOut,
    DepartmentOut,
    EarlierCaseOut,
    FilingDetailOut,
    HistoryEventOut,
    InformationRequestOut,
    ListingOut,
    PartyStatementOut,
    ReporterOut,
    RespondentOut,
    SanctionOut,
    StrikeSummaryOut,
)
from ombuds.api.schemas import (
    AnswerOut,
    AppealBriefOut,
    ArchiveMemberOut,
    ComplaintListItem,
    ComplaintOut,
    DecisionOut,
    EvidenceItemOut,
    EvidenceOut,
    FilingOut,
    PartyOut,
    PartyStatementBriefOut,
    QuestionOut,
    ReasonsOut,
    SanctionBriefOut,
    TimelineEntryOut,
)
from ombuds.cases.events import kind_of
from ombuds.cases.models import (
    Appeal,
    Case,
    CaseEvent,
    CaseStatus,
    Complaint,
    InformationRequest,
    PartyStatement,
    Sanction,
)
from ombuds.cases.read.answers import AnswerRow, answer_rows
from ombuds.cases.read.dossier import EARLIER_CASES, strike_summary
from ombuds.cases.read.lists import status_of, target_label, time_left
from ombuds.cases.read.visibility import AGENT, COMPLAINANT, RESPONDENT, CaseView
from ombuds.evidence.models import Evidence
from ombuds.policy.loader import get_policy

# --- parts -------------------------------------------------------------------------------------


def username(user: User | None) -> str | None:
    return user.username if user is not None else None


def department_out(department: Department) -> DepartmentOut:
    return DepartmentOut(code=department.code, name=department.name)


def answers_out(rows: list[AnswerRow]) -> list[AnswerOut]:
    return [AnswerOut(field=r.field, label=r.label, value=r.value) for r in rows]


def evidence_out(evidence: Evidence) -> EvidenceOut:
    return EvidenceOut(
        id=evidence.public_id,
        name=evidence.safe_name,
        size=evidence.size,
        sha256=evidence.sha256,
        format=evidence.format,
        mime=evidence.mime,
        archive_members=[
            ArchiveMemberOut(path=path, format=fmt, size=size)
            for path, fmt, size in evidence.archive_members
        ],
    )


def evidence_items(evidence: list[Evidence]) -> list[EvidenceItemOut]:
    return [
        EvidenceItemOut(
            id=e.public_id, name=e.safe_name, size=e.size, format=e.format, sha256=e.sha256
        )
        for e in evidence
    ]


def question_status(request: InformationRequest) -> str:
    if request.answered_at is not None:
        return "answered"
    return "expired" if request.expired_at is not None else "open"


def question_out(request: InformationRequest) -> QuestionOut:
    return QuestionOut(
        id=request.pk, question=request.question, deadline=request.deadline,
        status=question_status(request), asked_at=request.created_at,
    )  # fmt: skip


def _party(complaint: Complaint, *, with_email: bool) -> PartyOut:
    member = complaint.complainant_member
    return PartyOut(
        name=complaint.complainant_name,
        email=complaint.complainant_email if with_email else None,
        member_id=member.member_id if member is not None else None,
    )


def decision_out(case: Case | None) -> DecisionOut | None:
    """The outcome and statement of reasons, as both parties may read them; None until decided.

    Nothing here names a complainant: the statement holds what the agent wrote and the
    policy's words, sanctions name the listing by its public title.
    """
    if case is None or case.decided_at is None or not case.statement:
        return None
    policy = get_policy()
    outcome = policy.outcomes.get(case.outcome)
    appeal = case.appeals.order_by("-opened_at").first()
    sanctions = case.sanctions.select_related("listing").order_by("starts_at", "pk")
    statement = case.statement
    return DecisionOut(
        outcome=case.outcome,
        outcome_label=outcome.label if outcome else case.outcome,
        decided_at=case.decided_at,
        statement=ReasonsOut(
            decision=statement.get("decision", ""), scope=statement.get("scope", ""),
            facts=statement.get("facts", ""),
            automated_means=bool(statement.get("automated_means", False)),
            ground=statement.get("ground", ""), redress=statement.get("redress", ""),
        ),
        sanctions=[
            SanctionBriefOut(
                kind=s.kind,
                label=policy.sanctions[s.kind].label if s.kind in policy.sanctions else s.kind,
                listing=s.listing.title if s.listing else None, starts_at=s.starts_at,
                ends_at=s.ends_at, lifted_at=s.lifted_at,
            )
            for s in sanctions
        ],
        appeal=AppealBriefOut(
            status=appeal.result or "open", opened_at=appeal.opened_at,
            decided_at=appeal.decided_at, statement=appeal.statement,
        )
        if appeal is not None
        else None,
    )  # fmt: skip


def statement_brief(statement: PartyStatement, *, yours: bool) -> PartyStatementBriefOut:
    return PartyStatementBriefOut(
        party=statement.party, yours=yours,
        kind="information" if statement.request_id else "answer",
        question=statement.request.question if statement.request_id else None,
        text=statement.text, evidence=evidence_items(list(statement.evidence.all())),
        created_at=statement.created_at,
    )  # fmt: skip


# --- a complaint as a party (or an agent) reads it ---------------------------------------------


def _questions(case: Case | None, role: str) -> list[QuestionOut]:
    """The questions to the viewer's own party; agents see every question."""
    if case is None:
        return []
    requests = case.information_requests.order_by("created_at", "pk")
    if role in (COMPLAINANT, RESPONDENT):
        requests = requests.filter(party=role)
    return [question_out(r) for r in requests]


def complaint_out(
    view: CaseView,
    statements: tuple[list[PartyStatement], list[PartyStatement]] = ([], []),
) -> ComplaintOut:
    """The complaint as the viewer sees it; `statements`: the parties' statements the viewer
    reads (theirs, the other party's; `party_statements`)."""
    complaint_type = view.complaint_type
    # The read side already hides reporters from respondents; this keeps it so if it changes.
    anonymous = view.role == RESPONDENT and complaint_type.reporter_anonymous
    source = view.source
    complainant = None
    if view.show_complainant and not anonymous and source is not None:
        complainant = _party(source, with_email=view.role != RESPONDENT)
    filings = []
    if view.role == AGENT:
        filings = [
            FilingOut(
                reference=c.reference,
                created_at=c.created_at,
                complainant=_party(c, with_email=True),
            )
            for c in view.complaints
        ]
    created_at = view.complaint.created_at if view.complaint else view.case.created_at  # type: ignore[union-attr]
    return ComplaintOut(
        reference=view.reference,
        case_reference=view.case.reference if view.case else None,
        role=view.role,
        type=view.type_key,
        type_label=complaint_type.label,
        kind=complaint_type.kind,
        status=view.status,
        status_label=view.status_label,
        created_at=created_at,
        due_at=view.due_at,
        time_left=view.time_left,
        target=target_label(view.complaint, view.case),
        answers=answers_out(view.answers),
        complainant=complainant,
        complaints=filings,
        evidence=evidence_items(view.evidence),
        statements=[statement_brief(statement, yours=True) for statement in statements[0]]
        + [statement_brief(statement, yours=False) for statement in statements[1]],
        timeline=[TimelineEntryOut(at=entry.at, text=entry.text) for entry in view.timeline],
        questions=_questions(view.case, view.role),
        respondent_answer_due_at=(
            view.case.respondent_answer_due_at
            if view.case is not None and view.role in (RESPONDENT, AGENT)
            else None
        ),
        decision=decision_out(view.case),
    )


def sent_item(complaint: Complaint) -> ComplaintListItem:
    code, label = status_of(complaint)
    return ComplaintListItem(
        reference=complaint.reference, type=complaint.type_key,
        type_label=get_policy().types[complaint.type_key].label, status=code, status_label=label,
        target=target_label(complaint, complaint.case), created_at=complaint.created_at,
        due_at=complaint.case.due_at if complaint.case else None,
        time_left=time_left(complaint.case),
    )  # fmt: skip


def received_item(case: Case) -> ComplaintListItem:
    return ComplaintListItem(
        reference=case.reference, type=case.type_key,
        type_label=get_policy().types[case.type_key].label, status=case.status,
        status_label=CaseStatus(case.status).label, target=target_label(None, case),
        created_at=case.created_at, due_at=case.due_at, time_left=time_left(case),
    )  # fmt: skip


# --- a case as its agents read it --------------------------------------------------------------


def sanction_out(sanction: Sanction) -> SanctionOut:
    spec = get_policy().sanctions.get(sanction.kind)
    return SanctionOut(
        id=sanction.pk, case=sanction.case.reference, kind=sanction.kind,
        label=spec.label if spec else sanction.kind,
        applies_to=spec.applies_to if spec else ("listing" if sanction.listing_id else "member"),
        member=sanction.member.member_id,
        listing=sanction.listing.product_url if sanction.listing else None,
        starts_at=sanction.starts_at, ends_at=sanction.ends_at,
        applied_by=username(sanction.applied_by), lifted_at=sanction.lifted_at,
        lifted_by=username(sanction.lifted_by), lift_reason=sanction.lift_reason,
        active=sanction.is_active,
    )  # fmt: skip


def sanctions_out(queryset: QuerySet[Sanction]) -> list[SanctionOut]:
    related = ("case", "member", "listing", "applied_by", "lifted_by")
    return [sanction_out(s) for s in queryset.select_related(*related).order_by("starts_at", "pk")]


def appeal_out(appeal: Appeal) -> AppealOut:
    return AppealOut(
        id=appeal.pk, case=appeal.case.reference, status=appeal.result or "open",
        reason=appeal.reason, opened_at=appeal.opened_at, decided_at=appeal.decided_at,
        decided_by=username(appeal.decided_by), statement=appeal.statement,
    )  # fmt: skip


def request_out(request: InformationRequest) -> InformationRequestOut:
    return InformationRequestOut(
        id=request.pk, case=request.case.reference, party=request.party,
        question=request.question, deadline=request.deadline, status=question_status(request),
        requested_by=username(request.requested_by), created_at=request.created_at,
        answered_at=request.answered_at, expired_at=request.expired_at,
    )  # fmt: skip


def _respondent_out(case: Case) -> RespondentOut | None:
    member = case.respondent
    if member is None:
        return None
    earlier = Case.objects.filter(respondent=member).exclude(pk=case.pk).order_by("-created_at")
    summary = strike_summary(member)
    return RespondentOut(
        member_id=member.member_id, name=member.display_name, email=member.email,
        kind=member.kind, status=member.status,
        earlier_cases=[
            EarlierCaseOut(
                reference=c.reference, type=c.type_key, status=c.status, outcome=c.outcome,
                created_at=c.created_at, decided_at=c.decided_at,
            )
            for c in earlier[:EARLIER_CASES]
        ],
        sanctions_in_force=sanctions_out(member.sanctions.filter(lifted_at__isnull=True)),
        strikes=StrikeSummaryOut(
            points=summary.points, serious=summary.serious, proposals=summary.proposals
        ),
    )  # fmt: skip


def _filing_out(case: Case, complaint: Complaint) -> FilingDetailOut:
    member = complaint.complainant_member
    complaint_type = get_policy().types[case.type_key]
    return FilingDetailOut(
        reference=complaint.reference, created_at=complaint.created_at, via=complaint.via,
        complainant=ReporterOut(
            name=complaint.complainant_name, email=complaint.complainant_email,
            member_id=member.member_id if member else None,
            username=username(complaint.complainant),
        ),
        answers=answers_out(answer_rows(complaint_type, complaint.answers)),
        evidence=evidence_items(list(complaint.evidence.all())),
    )  # fmt: skip


def _statement_out(statement: PartyStatement) -> PartyStatementOut:
    return PartyStatementOut(
        id=statement.pk, party=statement.party,
        kind="information" if statement.request_id else "answer",
        author=username(statement.author), question=statement.request_id, text=statement.text,
        evidence=evidence_items(list(statement.evidence.all())),
        created_at=statement.created_at,
    )  # fmt: skip


def case_detail(case: Case) -> CaseOut:
    """Everything about a case, for the agents of its department."""
    case = Case.objects.select_related(
        "department", "listing", "store", "order", "respondent", "assigned_to", "decided_by",
        "previous_case",
    ).get(pk=case.pk)  # fmt: skip
    complaint_type = get_policy().types[case.type_key]
    complaints = (
        case.complaints.select_related("complainant", "complainant_member")
        .prefetch_related("evidence")
        .order_by("created_at", "pk")
    )
    statements = (
        case.statements.select_related("author", "request")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("created_at")))
        .order_by("created_at", "pk")
    )
    history = (
        CaseEvent.objects.filter(case=case).select_related("actor", "complaint").order_by("seq")
    )
    requests = case.information_requests.select_related("requested_by").order_by("created_at", "pk")
    appeals = case.appeals.select_related("decided_by").order_by("opened_at", "pk")
    return CaseOut(
        reference=case.reference, type=case.type_key, type_label=complaint_type.label,
        kind=case.kind, department=department_out(case.department), status=case.status,
        status_label=CaseStatus(case.status).label, urgent=case.urgent, breached=case.breached,
        reporter_count=case.reporter_count, created_at=case.created_at, due_at=case.due_at,
        time_left=time_left(case), waiting_for=case.waiting_for,
        assigned_to=username(case.assigned_to), target=target_label(None, case),
        listing=ListingOut(
            url=case.listing.product_url, title=case.listing.title, status=case.listing.status
        ) if case.listing else None,
        store=case.store.store_url if case.store else None,
        order=case.order.order_number if case.order else None,
        respondent=_respondent_out(case),
        respondent_answer_due_at=case.respondent_answer_due_at,
        respondent_answered_at=case.respondent_answered_at,
        previous_case=case.previous_case.reference if case.previous_case else None,
        complaints=[_filing_out(case, c) for c in complaints],
        statements=[_statement_out(s) for s in statements],
        information_requests=[request_out(r) for r in requests],
        decision=decision_out(case), decided_by=username(case.decided_by),
        sanctions=sanctions_out(case.sanctions.all()),
        appeals=[appeal_out(a) for a in appeals],
        allowed_outcomes=list(complaint_type.outcomes),
        allowed_sanctions=list(complaint_type.sanctions),
        history=[
            HistoryEventOut(
                seq=e.seq, kind=kind_of(e.kind).value, at=e.created_at, actor=username(e.actor),
                complaint=e.complaint.reference if e.complaint else None, data=e.data,
                hash=e.hash,
            )
            for e in history
        ],
    )  # fmt: skip
