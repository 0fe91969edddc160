"""Agents work cases through the API: department queues, claim next, and each case action.

Only agents' tokens pass (`AgentToken`: anyone else gets 403 before the body is read). A
case an agent may not see is 404, as on the pages. Each handler is one domain action
(`ombuds.cases.handling`, `ombuds.cases.decisions`); their refusals (`ActionRefused`) come
back as problem details with the action's code and status, so the API refuses exactly what
the console does.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status

from ombuds.accounts.models import Department, User
from ombuds.api.auth import AgentToken
from ombuds.api.case_schemas import (
    AppealDecisionIn,
    AppealOut,
    CaseOut,
    DecisionIn,
    DepartmentOut,
    EarlierCaseOut,
    FilingDetailOut,
    HistoryEventOut,
    InformationRequestIn,
    InformationRequestOut,
    LiftIn,
    ListingOut,
    NoteIn,
    NoteOut,
    PartyStatementOut,
    QueueItemOut,
    QueueOut,
    ReporterOut,
    RespondentOut,
    SanctionOrderIn,
    SanctionOut,
    StrikeSummaryOut,
    TransferIn,
    TransferOut,
)
from ombuds.api.complaints import decision_out, evidence_items, question_status
from ombuds.api.problems import Problem, ProblemDetails
from ombuds.api.schemas import AnswerOut
from ombuds.cases.decisions import (
    Decision,
    SanctionOrder,
    Statement,
    decide_appeal,
    decide_case,
    lift_sanction,
    strike_summary,
)
from ombuds.cases.handling import (
    add_note,
    claim_next_case,
    is_agent_of,
    queue_for_department,
    release_case,
    request_information,
    transfer_case,
)
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
from ombuds.cases.selectors import target_label, time_left
from ombuds.directory.models import Listing
from ombuds.directory.urls import normalize_url
from ombuds.evidence.models import Evidence
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType

router = Router(tags=["agents"], auth=AgentToken())

SEEN = {401: ProblemDetails, 403: ProblemDetails, 404: ProblemDetails}
ACTED = {**SEEN, 409: ProblemDetails, 422: ProblemDetails}
EARLIER_CASES = 20


# --- finding what the agent works on -----------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    return request.auth.user  # type: ignore[attr-defined]


def _may_see(user: User, case: Case) -> bool:
    """The selectors' rule for agents: their departments' cases; operators see all."""
    return user.acts_as_operator or is_agent_of(user, case)


def _case(user: User, reference: str) -> Case:
    """The case of a CASE-... reference (or of one of its CMP-... complaints), or 404."""
    reference = reference.strip().upper()
    cases = Case.objects.select_related("department")
    if reference.startswith("CMP-"):
        case = cases.filter(complaints__reference=reference).first()
    else:
        case = cases.filter(reference=reference).first()
    if case is None or not _may_see(user, case):
        raise Problem(404, "not_found", "No case with this reference is visible to you.")
    return case


def _department(code: str) -> Department:
    department = Department.objects.filter(code=code, active=True).first()
    if department is None:
        raise Problem(404, "not_found", f"There is no department {code!r}.")
    return department


def _sanction(user: User, sanction_id: int) -> Sanction:
    sanction = Sanction.objects.select_related("case__department").filter(pk=sanction_id).first()
    if sanction is None or not _may_see(user, sanction.case):
        raise Problem(404, "not_found", "No sanction with this id is visible to you.")
    return sanction


def _appeal(user: User, appeal_id: int) -> Appeal:
    appeal = Appeal.objects.select_related("case__department").filter(pk=appeal_id).first()
    if appeal is None or not _may_see(user, appeal.case):
        raise Problem(404, "not_found", "No appeal with this id is visible to you.")
    return appeal


def _field_problem(code: str, field_name: str, message: str) -> Problem:
    return Problem(
        422, code, message, errors=[{"field": field_name, "code": code, "message": message}]
    )


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


# --- rendering -------------------------------------------------------------------------------


def _department_out(department: Department) -> DepartmentOut:
    return DepartmentOut(code=department.code, name=department.name)


def _answers(complaint_type: ComplaintType, answers: dict) -> list[AnswerOut]:
    rows = []
    for form_field in complaint_type.fields:
        value = answers.get(form_field.name)
        if value in (None, ""):
            continue
        if form_field.kind in ("choice", "multichoice"):
            labels = {c.value: c.label for c in form_field.choices}
            values = value if isinstance(value, list) else [value]
            value = ", ".join(labels.get(v, v) for v in values)
        rows.append(AnswerOut(field=form_field.name, label=form_field.label, value=str(value)))
    return rows


def _sanction_out(sanction: Sanction) -> SanctionOut:
    spec = get_policy().sanctions.get(sanction.kind)
    return SanctionOut(
        id=sanction.pk, case=sanction.case.reference, kind=sanction.kind,
        label=spec.label if spec else sanction.kind,
        applies_to=spec.applies_to if spec else ("listing" if sanction.listing_id else "member"),
        member=sanction.member.member_id,
        listing=sanction.listing.product_url if sanction.listing else None,
        starts_at=sanction.starts_at, ends_at=sanction.ends_at,
        applied_by=_username(sanction.applied_by), lifted_at=sanction.lifted_at,
        lifted_by=_username(sanction.lifted_by), lift_reason=sanction.lift_reason,
        active=sanction.is_active,
    )  # fmt: skip


def _sanctions(queryset) -> list[SanctionOut]:  # type: ignore[no-untyped-def]
    related = ("case", "member", "listing", "applied_by", "lifted_by")
    return [_sanction_out(s) for s in queryset.select_related(*related).order_by("starts_at", "pk")]


def _appeal_out(appeal: Appeal) -> AppealOut:
    return AppealOut(
        id=appeal.pk, case=appeal.case.reference, status=appeal.result or "open",
        reason=appeal.reason, opened_at=appeal.opened_at, decided_at=appeal.decided_at,
        decided_by=_username(appeal.decided_by), statement=appeal.statement,
    )  # fmt: skip


def _request_out(request: InformationRequest) -> InformationRequestOut:
    return InformationRequestOut(
        id=request.pk, case=request.case.reference, party=request.party,
        question=request.question, deadline=request.deadline, status=question_status(request),
        requested_by=_username(request.requested_by), created_at=request.created_at,
        answered_at=request.answered_at, expired_at=request.expired_at,
    )  # fmt: skip


def _respondent_out(case: Case) -> RespondentOut | None:
    member = case.respondent
    if member is None:
        return None
    earlier = (Case.objects.filter(respondent=member).exclude(pk=case.pk).order_by("-created_at"))[
        :EARLIER_CASES
    ]
    summary = strike_summary(member)
    return RespondentOut(
        member_id=member.member_id, name=member.display_name, email=member.email,
        kind=member.kind, status=member.status,
        earlier_cases=[
            EarlierCaseOut(
                reference=c.reference, type=c.type_key, status=c.status, outcome=c.outcome,
                created_at=c.created_at, decided_at=c.decided_at,
            )
            for c in earlier
        ],
        sanctions_in_force=_sanctions(member.sanctions.filter(lifted_at__isnull=True)),
        strikes=StrikeSummaryOut(
            points=summary.points, serious=summary.serious, proposals=summary.proposals
        ),
    )  # fmt: skip


def case_detail(case: Case) -> CaseOut:
    """Everything about a case, for the agents of its department."""
    case = Case.objects.select_related(
        "department", "listing", "store", "order", "respondent", "assigned_to", "decided_by",
        "previous_case",
    ).get(pk=case.pk)  # fmt: skip
    policy = get_policy()
    complaint_type = policy.types[case.type_key]
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
    events = (
        CaseEvent.objects.filter(case=case).select_related("actor", "complaint").order_by("seq")
    )
    requests = case.information_requests.select_related("requested_by").order_by("created_at", "pk")
    appeals = case.appeals.select_related("decided_by").order_by("opened_at", "pk")
    return CaseOut(
        reference=case.reference, type=case.type_key, type_label=complaint_type.label,
        kind=case.kind, department=_department_out(case.department), status=case.status,
        status_label=CaseStatus(case.status).label, urgent=case.urgent, breached=case.breached,
        reporter_count=case.reporter_count, created_at=case.created_at, due_at=case.due_at,
        time_left=time_left(case), waiting_for=case.waiting_for,
        assigned_to=_username(case.assigned_to), target=target_label(None, case),
        listing=ListingOut(
            url=case.listing.product_url, title=case.listing.title, status=case.listing.status
        ) if case.listing else None,
        store=case.store.store_url if case.store else None,
        order=case.order.order_number if case.order else None,
        respondent=_respondent_out(case),
        respondent_answer_due_at=case.respondent_answer_due_at,
        respondent_answered_at=case.respondent_answered_at,
        previous_case=case.previous_case.reference if case.previous_case else None,
        complaints=[_filing_out(complaint_type, c) for c in complaints],
        statements=[_statement_out(s) for s in statements],
        information_requests=[_request_out(r) for r in requests],
        decision=decision_out(case), decided_by=_username(case.decided_by),
        sanctions=_sanctions(case.sanctions.all()),
        appeals=[_appeal_out(a) for a in appeals],
        allowed_outcomes=list(complaint_type.outcomes),
        allowed_sanctions=list(complaint_type.sanctions),
        history=[
            HistoryEventOut(
                seq=e.seq, kind=e.kind, at=e.created_at, actor=_username(e.actor),
                complaint=e.complaint.reference if e.complaint else None, data=e.data,
                hash=e.hash,
            )
            for e in events
        ],
    )  # fmt: skip


def _filing_out(complaint_type: ComplaintType, complaint: Complaint) -> FilingDetailOut:
    member = complaint.complainant_member
    return FilingDetailOut(
        reference=complaint.reference, created_at=complaint.created_at, via=complaint.via,
        complainant=ReporterOut(
            name=complaint.complainant_name, email=complaint.complainant_email,
            member_id=member.member_id if member else None,
            username=_username(complaint.complainant),
        ),
        answers=_answers(complaint_type, complaint.answers),
        evidence=evidence_items(list(complaint.evidence.all())),
    )  # fmt: skip


def _statement_out(statement: PartyStatement) -> PartyStatementOut:
    return PartyStatementOut(
        id=statement.pk, party=statement.party,
        kind="information" if statement.request_id else "answer",
        author=_username(statement.author), question=statement.request_id, text=statement.text,
        evidence=evidence_items(list(statement.evidence.all())),
        created_at=statement.created_at,
    )  # fmt: skip


# --- queues ----------------------------------------------------------------------------------


@router.get(
    "/departments/{code}/queue",
    response={200: QueueOut, **SEEN, 422: ProblemDetails},
    summary="A department's queue: cases waiting for an agent, in the order to take them",
    description="Breached cases first, then the nearest due time, then the most reporters: "
    "the order `claim-next` takes them in. Agents of the department (and operators) only.",
)
def department_queue(
    request: HttpRequest,
    code: str,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> QueueOut:
    user = _agent(request)
    department = _department(code)
    if not (user.acts_as_operator or department.code in user.department_codes):
        raise Problem(403, "forbidden", f"You are not an agent of {department.name}.")
    cases = queue_for_department(department)
    types = get_policy().types
    items = [
        QueueItemOut(
            reference=c.reference, type=c.type_key, type_label=types[c.type_key].label,
            kind=c.kind, status=c.status, status_label=CaseStatus(c.status).label,
            target=target_label(None, c), reporter_count=c.reporter_count, urgent=c.urgent,
            breached=c.breached, created_at=c.created_at, due_at=c.due_at,
            time_left=time_left(c),
        )
        for c in cases.select_related("listing", "respondent")[offset : offset + limit]
    ]  # fmt: skip
    return QueueOut(
        department=_department_out(department),
        count=cases.count(),
        breached=cases.filter(breached=True).count(),
        limit=limit,
        offset=offset,
        items=items,
    )


@router.post(
    "/departments/{code}/claim-next",
    response={201: CaseOut, 204: None, **SEEN},
    summary="Claim the top case of a department's queue",
    description="Assigns the first unassigned case of the queue to the caller, atomically: "
    "two agents never get the same case. 201 with the case (and its `Location`); **204 No "
    "Content when the queue is empty** (nothing to claim is not an error). Appeals against "
    "the caller's own decisions are skipped. 403 for agents of other departments.",
)
def claim_next(request: HttpRequest, code: str, response: HttpResponse) -> Status:
    user = _agent(request)
    case = claim_next_case(agent=user, department=_department(code))
    if case is None:
        return Status(204, None)
    response["Location"] = reverse("api:case_detail", kwargs={"reference": case.reference})
    return Status(201, case_detail(case))


# --- a case ----------------------------------------------------------------------------------


@router.get(
    "/cases/{reference}",
    response={200: CaseOut, **SEEN},
    url_name="case_detail",
    summary="A case with everything agents need: parties, evidence, answers, history",
    description="The reporter's identity, the respondent's directory record (status, earlier "
    "cases, sanctions in force, and the repeat-infringer rule's proposals), the parties' "
    "statements, questions, the decision, sanctions, appeals and the full history with "
    "internal notes. A CMP-... reference finds its case. 404 for cases of other departments.",
)
def get_case(request: HttpRequest, reference: str) -> CaseOut:
    return case_detail(_case(_agent(request), reference))


@router.post(
    "/cases/{reference}/release",
    response={200: CaseOut, **SEEN, 409: ProblemDetails},
    summary="Give a claimed case back to the queue",
    description="Only the agent working the case can release it (409 `not_assigned`).",
)
def release(request: HttpRequest, reference: str) -> CaseOut:
    user = _agent(request)
    case = release_case(agent=user, case=_case(user, reference))
    return case_detail(case)


@router.post(
    "/cases/{reference}/notes",
    response={201: NoteOut, **ACTED},
    summary="Add an internal note (never shown to parties)",
)
def create_note(request: HttpRequest, reference: str, payload: NoteIn) -> Status:
    user = _agent(request)
    case = _case(user, reference)
    add_note(agent=user, case=case, text=payload.text)
    event = case.events.filter(kind="note_added", actor=user).order_by("-seq").first()
    assert event is not None
    return Status(
        201,
        NoteOut(
            case=case.reference, seq=event.seq, author=user.username, text=event.data["text"],
            created_at=event.created_at,
        ),
    )  # fmt: skip


@router.post(
    "/cases/{reference}/transfer",
    response={200: TransferOut, **ACTED},
    summary="Send the case to another department",
    description="The case goes back to the other department's queue, unassigned; the caller "
    "may no longer see it afterwards.",
)
def transfer(request: HttpRequest, reference: str, payload: TransferIn) -> TransferOut:
    user = _agent(request)
    case = _case(user, reference)
    department = Department.objects.filter(code=payload.department.strip()).first()
    if department is None:
        message = f"There is no department {payload.department!r}."
        raise _field_problem("department_not_found", "department", message)
    case = transfer_case(agent=user, case=case, department=department, reason=payload.reason)
    return TransferOut(
        case=case.reference, department=_department_out(department), status=case.status
    )


@router.post(
    "/cases/{reference}/information-requests",
    response={201: InformationRequestOut, **ACTED},
    summary="Ask the complainant or the respondent for information",
    description="The case waits (its clock pauses) until the party answers with POST "
    "/complaints/{reference}/answers or the deadline passes, when it returns to the queue.",
)
def create_information_request(
    request: HttpRequest, reference: str, payload: InformationRequestIn
) -> Status:
    user = _agent(request)
    question = request_information(
        agent=user, case=_case(user, reference), party=payload.party,
        question=payload.question, days=payload.days,
    )  # fmt: skip
    return Status(201, _request_out(question))


def _sanction_orders(case: Case, orders: list[SanctionOrderIn]) -> list[SanctionOrder]:
    """The sanctions asked for, with their listings found among the respondent's."""
    sanctions = get_policy().sanctions
    now = timezone.now()
    result = []
    for index, order in enumerate(orders):
        at = f"sanctions.{index}"
        listing = None
        if order.listing:
            spec = sanctions.get(order.kind)
            if spec is not None and spec.applies_to != "listing":
                message = f"{spec.label} applies to the member, not to a listing."
                raise _field_problem("listing_not_applicable", f"{at}.listing", message)
            listing = (
                Listing.objects.select_related("store")
                .filter(product_url=normalize_url(order.listing))
                .first()
            )
            if listing is None:
                message = f"No listing has the product URL {order.listing!r}."
                raise _field_problem("listing_not_found", f"{at}.listing", message)
            if case.respondent_id is None or listing.store.owner_id != case.respondent_id:
                message = "The listing is not one of the respondent's."
                raise _field_problem("listing_not_respondents", f"{at}.listing", message)
        if order.ends_at is not None and order.ends_at <= now:
            message = "ends_at must be in the future."
            raise _field_problem("ends_at_past", f"{at}.ends_at", message)
        result.append(SanctionOrder(kind=order.kind, listing=listing, ends_at=order.ends_at))
    return result


@router.post(
    "/cases/{reference}/decision",
    response={201: CaseOut, **ACTED},
    summary="Decide a claimed case: outcome, sanctions and the statement of reasons",
    description="The outcome and sanctions must be among the type's (`allowed_outcomes`, "
    "`allowed_sanctions`); sanctions need an outcome that upholds. The statement of reasons "
    "(DSA Art. 17) needs the facts and the policy ground; the decision's words and the "
    "redress are added. Both parties are told; the marketplace gets `case.decided` and "
    "`sanction.applied` webhooks. Refused until the respondent's time to answer has passed "
    "(409 `respondent_answer_pending`) unless they answered or the type is urgent.",
)
def decide(request: HttpRequest, reference: str, payload: DecisionIn) -> Status:
    user = _agent(request)
    case = _case(user, reference)
    orders = _sanction_orders(case, payload.sanctions)
    statement = Statement(
        facts=payload.statement.facts, ground=payload.statement.ground,
        scope=payload.statement.scope.strip(), automated=payload.statement.automated,
        redress=payload.statement.redress.strip(),
    )  # fmt: skip
    case = decide_case(agent=user, case=case, decision=Decision(payload.outcome, statement, orders))
    return Status(201, case_detail(case))


@router.post(
    "/sanctions/{sanction_id}/lift",
    response={200: SanctionOut, **ACTED},
    summary="Lift a sanction, with the reason",
    description="The directory follows (listing or member status) and the marketplace gets "
    "a `sanction.lifted` webhook. 409 `sanction_already_lifted` if it is.",
)
def lift(request: HttpRequest, sanction_id: int, payload: LiftIn) -> SanctionOut:
    user = _agent(request)
    sanction = lift_sanction(
        agent=user, sanction=_sanction(user, sanction_id), reason=payload.reason
    )
    return _sanctions(Sanction.objects.filter(pk=sanction.pk))[0]


@router.post(
    "/appeals/{appeal_id}/decision",
    response={201: AppealOut, **ACTED},
    summary="Decide an appeal: confirm the decision, or reverse it and lift its sanctions",
    description="By an agent other than the one who decided the case (403 otherwise). Both "
    "parties are told; the marketplace gets `appeal.decided` (and `sanction.lifted`).",
)
def decide_an_appeal(request: HttpRequest, appeal_id: int, payload: AppealDecisionIn) -> Status:
    user = _agent(request)
    appeal = decide_appeal(
        agent=user, appeal=_appeal(user, appeal_id), reverse=payload.reverse,
        statement=payload.statement,
    )  # fmt: skip
    appeal = Appeal.objects.select_related("case", "decided_by").get(pk=appeal.pk)
    return Status(201, _appeal_out(appeal))
