"""The agent console: queues, "claim next", my cases, search, and the case page with its actions.

Views translate forms into the domain's actions (`ombuds.cases.actions`) and
back. A refused action comes back at its form with the domain's message, its status, and
everything that was typed. Nobody but the agents of a department sees anything of its cases.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from ombuds.accounts.models import Department
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
from ombuds.cases.errors import ActionRefused, RefusalCode, refuse_unless_allowed
from ombuds.cases.models import WORKED_STATUSES, Case, CaseStatus
from ombuds.cases.read.console import (
    agent_cases,
    agent_departments,
    department_loads,
    queue_page,
)
from ombuds.cases.read.dossier import Dossier, dossier_for, dossier_of
from ombuds.cases.read.lists import is_overdue, target_label, time_left
from ombuds.cases.read.search import search_cases
from ombuds.cases.rules import (
    is_agent_of,
    may_add_note,
    may_claim,
    may_decide,
    may_decide_appeal,
    may_lift,
    may_release,
    may_request_information,
    may_transfer,
    waiting_appeal,
)
from ombuds.cases.statements import Statement
from ombuds.intake.text import unusable_character
from ombuds.policy.loader import get_policy

PREVIEW_IMAGES = ("jpg", "png", "gif", "webp")


def _requiring(allowed: Callable[[Any], bool]) -> Callable[..., Any]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """Signed-in people it allows only: others are sent to log in, or refused (403)."""

        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                raise PermissionDenied("The console is for the marketplace's agents.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# The queues are the agents'; a case's actions answer agents and operators (who read every case
# and are told by the rule book that only its department's agents act on it).
agent_required = _requiring(lambda user: user.is_agent)
console_user_required = _requiring(lambda user: user.is_agent or user.acts_as_operator)


def _my_department(request: HttpRequest, code: str) -> Department:
    department = next((d for d in agent_departments(request.user) if d.code == code), None)
    if department is None:
        raise Http404("You are not an agent of this department.")
    return department


# --- rows the tables show ---------------------------------------------------------------------


def case_rows(cases: list[Case], agent: Any) -> list[dict[str, Any]]:
    types = get_policy().types
    rows = []
    for case in cases:
        complaint_type = types.get(case.type_key)
        overdue = is_overdue(case)
        breached = case.breached and case.status in WORKED_STATUSES
        rows.append(
            {
                "case": case,
                "type": complaint_type.label if complaint_type else case.type_key,
                "target": target_label(None, case),
                "time_left": time_left(case),
                "overdue": overdue,
                "breached": breached,
                "own_decision": case.status == CaseStatus.APPEALED
                and case.decided_by_id == agent.pk,
            }
        )
    return rows


# --- pages ------------------------------------------------------------------------------------


@agent_required
def console(request: HttpRequest) -> HttpResponse:
    departments = agent_departments(request.user)
    return render(
        request,
        "web/console/home.html",
        {
            "loads": department_loads(request.user, departments),
            "mine": case_rows(agent_cases(request.user), request.user),
        },
    )


@agent_required
def queue(request: HttpRequest, code: str) -> HttpResponse:
    department = _my_department(request, code)
    (load,) = department_loads(request.user, [department])
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = queue_page(department, number, total=load.queued)
    return render(
        request,
        "web/console/queue.html",
        {
            "department": department,
            "load": load,
            "page": page,
            "rows": case_rows(page.cases, request.user),
        },
    )


@agent_required
@require_POST
def claim_next(request: HttpRequest, code: str) -> HttpResponse:
    department = Department.objects.filter(code=code, active=True).first()
    if department is None:
        raise Http404("No such department.")
    try:
        case = claim_next_case(agent=request.user, department=department)
    except ActionRefused as refused:
        raise PermissionDenied(refused.message) from refused
    if case is None:
        messages.info(request, f"The {department.name} queue is empty: nothing to claim.")
        return redirect("console_queue", department.code)
    messages.success(
        request, f"You claimed {case.reference}. It is yours until you decide or release it."
    )
    return redirect("console_case", case.reference)


@agent_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    problem = unusable_character(query)
    results = search_cases(request.user, query) if query and problem is None else []
    return render(
        request,
        "web/console/search.html",
        {
            "query": query,
            "query_error": f"Search words: {problem}." if problem else "",
            "rows": case_rows(results, request.user),
            "searched": bool(query) and problem is None,
        },
        status=400 if problem else 200,
    )


@login_required
def case_page(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = dossier_for(reference.strip().upper(), request.user)
    if dossier is None:
        raise Http404("No case with this number is visible to you.")
    return render_case(request, dossier)


def render_case(
    request: HttpRequest,
    dossier: Dossier,
    *,
    refused: tuple[str, ActionRefused] | None = None,
    status: int = 200,
) -> HttpResponse:
    case = dossier.case
    policy = get_policy()
    complaint_type = dossier.view.complaint_type
    user = request.user
    can_act = is_agent_of(user, case)
    mine = can_act and case.assigned_to_id == user.pk
    proposed = {key for key, _ in dossier.record.proposals} if dossier.record else set()
    form_name, error = refused if refused else ("", None)
    typed = _typed(request) if refused else {}
    # Which forms to offer: the rule book's answer, the same the actions ask.
    decide_refusal = may_decide(user, case)
    appeal_refusal = may_decide_appeal(user, case, dossier.open_appeal)
    forms = {
        "claim": may_claim(user, case) is None,
        "release": may_release(user, case) is None,
        "note": may_add_note(user, case) is None,
        "request_information": may_request_information(user, case) is None,
        "transfer": may_transfer(user, case) is None,
        "decide": decide_refusal is None,
        "lift": any(may_lift(user, case, s) is None for s in dossier.sanctions),
        "decide_appeal": appeal_refusal is None,
    }
    if form_name in forms:
        forms[form_name] = True  # a refused form comes back as typed, whatever the rule says now
    return render(
        request,
        "web/console/case.html",
        {
            "dossier": dossier,
            "case": case,
            "view": dossier.view,
            "type": complaint_type,
            "department": case.department,
            "target": target_label(None, case),
            "can_act": can_act,
            "mine": mine,
            "forms": forms,
            # Why the agent holding the case may not decide it yet (the answer is pending).
            "decide_refusal": decide_refusal if mine else None,
            "error_form_shown": form_name in forms,
            "own_decision": appeal_refusal is not None
            and appeal_refusal.code == RefusalCode.OWN_DECISION,
            "outcomes": [(key, policy.outcomes[key]) for key in complaint_type.outcomes],
            "sanctions": [
                (key, policy.sanctions[key], key in proposed) for key in complaint_type.sanctions
            ],
            "departments": Department.objects.filter(active=True).exclude(pk=case.department_id),
            "listings": dossier.case_listings,
            "appeal_window_days": complaint_type.appeal_window_days,
            "error_form": form_name,
            "error": error,
            "error_anchor": f"form-{form_name}-{typed.get('sanction', '')}"
            if form_name == "lift"
            else f"form-{form_name}",
            "typed": typed,
            "typed_sanctions": typed.get("sanctions", []),
            "time_left": time_left(case),
            "preview_images": PREVIEW_IMAGES,
        },
        status=status,
    )


def _typed(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {key: request.POST.get(key, "") for key in request.POST}
    values["sanctions"] = request.POST.getlist("sanctions")
    return values


# --- actions ----------------------------------------------------------------------------------
#
# Each handler reads its form, calls one domain action and says what happened. A handler that
# returns a URL sends the agent there instead of back to the case (which they may no longer see).

Handler = Callable[[HttpRequest, Case], tuple[str, str | None]]
ACTIONS: dict[str, Handler] = {}


def action(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ACTIONS[name] = handler
        return handler

    return register


@action("claim")
def _claim(request: HttpRequest, case: Case) -> tuple[str, str | None]:
    claim_case(agent=request.user, case=case)
    return f"{case.reference} is yours now.", None


@action("release")
def _release(request: HttpRequest, case: Case) -> tuple[str, str | None]:
    release_case(agent=request.user, case=case)
    return f"You released {case.reference}: it is back in the queue.", reverse("console")


@action("note")
def _note(request: HttpRequest, case: Case) -> tuple[str, str | None]:
    add_note(agent=request.user, case=case, text=request.POST.get("text", ""))
    return "Internal note added. The parties never see it.", None


@action("request_information")
def _request_information(request: HttpRequest, case: Case) -> tuple[str, str | None]:
    party = request.POST.get("party", "")
    request_information(
        agent=request.user, case=case, party=party, question=request.POST.get("question", ""),
        days=_int(request.POST.get("days")),
    )  # fmt: skip
    return f"Question sent to the {party}. The case waits for the answer; its clock stops.", None


@action("transfer")
def _transfer(request: HttpRequest, case: Case) -> tuple[str, str | None]:
    code = request.POST.get("department", "")
    moved = transfer_case(
        agent=request.user, case=case, department=code, reason=request.POST.get("reason", "")
    )
    target = None if moved.department.code in request.user.department_codes else reverse("console")
    return f"{case.reference} was transferred to {moved.department.name}.", target


def _end_of(day: str) -> datetime | None:
    """The end of the day given (the marketplace's time zone), or None for no end."""
    if not day.strip():
        return None
    try:
        parsed = parse_date(day.strip())
    except ValueError:  # a date that does not exist, like 30 February
        parsed = None
    if parsed is None:
        raise ActionRefused(
            RefusalCode.INVALID_DATE,
            "Give the end of the sanctions as a date (YYYY-MM-DD), or leave it empty.",
            "ends_at",
        )
    return timezone.make_aware(datetime.combine(parsed, time(23, 59)))


@action("decide")
def _decide(request: HttpRequest, case: Case) -> tuple[str, str | None]:
    post = request.POST
    ends_at = _end_of(post.get("ends_at", ""))
    listing = post.get("listing") or None
    orders = [SanctionOrder(kind, listing, ends_at) for kind in post.getlist("sanctions")]
    statement = Statement(
        facts=post.get("facts", ""),
        ground=post.get("ground", ""),
        scope=post.get("scope", ""),
        automated=post.get("automated") == "on",
    )
    decided = decide_case(
        agent=request.user, case=case,
        decision=Decision(post.get("outcome", ""), statement, orders),
    )  # fmt: skip
    outcome = get_policy().outcomes[decided.outcome].label
    return f"Decided: {outcome}. Both parties are told, with the statement of reasons.", None


@action("lift")
def _lift(request: HttpRequest, case: Case) -> tuple[str, str | None]:
    sanction = case.sanctions.filter(pk=_int(request.POST.get("sanction"))).first()
    if sanction is None:
        raise ActionRefused(
            RefusalCode.SANCTION_UNKNOWN, "Choose a sanction of this case.", "sanction"
        )
    lift_sanction(agent=request.user, sanction=sanction, reason=request.POST.get("reason", ""))
    label = get_policy().sanctions[sanction.kind].label
    return f"{label} lifted. The member and the marketplace are told.", None


@action("decide_appeal")
def _decide_appeal(request: HttpRequest, case: Case) -> tuple[str, str | None]:
    appeal = waiting_appeal(case)
    refuse_unless_allowed(may_decide_appeal(request.user, case, appeal))
    assert appeal is not None
    result = request.POST.get("result", "")
    if result not in ("confirm", "reverse"):
        raise ActionRefused(
            RefusalCode.RESULT_MISSING,
            "Choose whether the decision is confirmed or reversed.",
            "result",
        )
    decided = decide_appeal(
        agent=request.user, appeal=appeal, reverse=result == "reverse",
        statement=request.POST.get("statement", ""),
    )  # fmt: skip
    verdict = "reversed: its sanctions are lifted" if decided.result == "reversed" else "confirmed"
    return f"Appeal decided: the decision is {verdict}.", None


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


@console_user_required
@require_POST
def case_action(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    handler = ACTIONS.get(name)
    dossier = dossier_for(reference.strip().upper(), request.user)
    if handler is None or dossier is None:
        raise Http404("No case with this number is visible to you.")
    try:
        message, target = handler(request, dossier.case)
    except ActionRefused as refused:
        if refused.code == RefusalCode.NOT_FOUND:  # no longer theirs to see
            raise Http404(refused.message) from refused
        # The state may have changed (or not): show the case as it is now, the form as typed.
        fresh = dossier_for(dossier.case.reference, request.user) or dossier
        return render_case(request, fresh, refused=(name, refused), status=refused.status)
    messages.success(request, message)
    return redirect(target or reverse("console_case", args=[dossier.case.reference]))


def agent_case_from_view(request: HttpRequest, view: Any) -> HttpResponse:
    """The complaint page, for an agent: the same case page as in the console."""
    return render_case(request, dossier_of(view))
