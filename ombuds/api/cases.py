"""Agents work cases through the API: department queues, claim next, and each case action.

Only agents' (and operators') tokens pass (`AgentToken`: anyone else gets 403 before the body is
read). A case an agent may not see is 404, as on the pages. Each handler is one domain action
(`ombuds.cases.actions`); whether the caller may do it now is the rule book's to say, and its
refusals come back as problem details with their code, status and field, so the API refuses
exactly what the console does.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from ombuds.accounts.models import Department, User
from ombuds.api.auth import AgentToken
from ombuds.api.case_schemas import (
    AppealDecisionIn,
    AppealOut,
    CaseOut,
    DecisionIn,
    InformationRequestIn,
    InformationRequestOut,
    LiftIn,
    NoteIn,
    NoteOut,
    QueueItemOut,
    QueueOut,
    SanctionOut,
    TransferIn,
    TransferOut,
)
from ombuds.api.presenters import (
    appeal_out,
    case_detail,
    department_out,
    request_out,
    sanctions_out,
)
from ombuds.api.problems import MAX_OFFSET, Problem, ProblemDetails
from ombuds.cases.actions.appeals import decide_appeal
from ombuds.cases.actions.claiming import (
    add_note,
    claim_case,
    claim_next_case,
    release_case,
    transfer_case,
)
from ombuds.cases.actions.decisions import Decision, SanctionOrder, decide_case, lift_sanction
from ombuds.cases.actions.questions import request_information
from ombuds.cases.models import Appeal, Case, CaseStatus, Sanction
from ombuds.cases.read.console import queue_for_department
from ombuds.cases.read.lists import target_label, time_left
from ombuds.cases.rules import NOT_FOUND, sees_as_agent
from ombuds.cases.statements import Statement
from ombuds.policy.loader import get_policy

router = Router(tags=["agents"], auth=AgentToken())

SEEN = {401: ProblemDetails, 403: ProblemDetails, 404: ProblemDetails}
ACTED = {**SEEN, 409: ProblemDetails, 422: ProblemDetails}


# --- finding what the agent works on -----------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    return request.auth.user  # type: ignore[attr-defined]


def _not_found(what: str) -> Problem:
    return Problem(404, NOT_FOUND.code, f"No {what} is visible to you.")


def _case(user: User, reference: str) -> Case:
    """The case of a CASE-... reference (or of one of its CMP-... complaints), or 404."""
    reference = reference.strip().upper()
    cases = Case.objects.select_related("department")
    if reference.startswith("CMP-"):
        case = cases.filter(complaints__reference=reference).first()
    else:
        case = cases.filter(reference=reference).first()
    if case is None or not sees_as_agent(user, case):
        raise _not_found("case with this reference")
    return case


def _department(code: str) -> Department:
    department = Department.objects.filter(code=code, active=True).first()
    if department is None:
        raise Problem(404, "not_found", f"There is no department {code!r}.")
    return department


def _sanction(user: User, sanction_id: int) -> Sanction:
    sanction = Sanction.objects.select_related("case__department").filter(pk=sanction_id).first()
    if sanction is None or not sees_as_agent(user, sanction.case):
        raise _not_found("sanction with this id")
    return sanction


def _appeal(user: User, appeal_id: int) -> Appeal:
    appeal = Appeal.objects.select_related("case__department").filter(pk=appeal_id).first()
    if appeal is None or not sees_as_agent(user, appeal.case):
        raise _not_found("appeal with this id")
    return appeal


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
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
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
        department=department_out(department),
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
    "/cases/{reference}/claim",
    response={200: CaseOut, **SEEN, 409: ProblemDetails},
    summary="Claim one case (one found by search; claim-next takes the top of the queue)",
    description="409 `not_claimable` when it is not waiting in the queue; 403 `own_decision` "
    "for an appeal of the caller's own decision.",
)
def claim(request: HttpRequest, reference: str) -> CaseOut:
    user = _agent(request)
    return case_detail(claim_case(agent=user, case=_case(user, reference)))


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
    case = transfer_case(
        agent=user, case=_case(user, reference), department=payload.department,
        reason=payload.reason,
    )  # fmt: skip
    return TransferOut(
        case=case.reference, department=department_out(case.department), status=case.status
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
    return Status(201, request_out(question))


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
    orders = [SanctionOrder(o.kind, o.listing or None, o.ends_at) for o in payload.sanctions]
    statement = Statement(
        facts=payload.statement.facts, ground=payload.statement.ground,
        scope=payload.statement.scope, automated=payload.statement.automated,
        redress=payload.statement.redress,
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
    return sanctions_out(Sanction.objects.filter(pk=sanction.pk))[0]


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
    return Status(201, appeal_out(appeal))
