"""My Reports, the complaint page, and evidence downloads: all through the case selectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from ombuds.cases.actions.appeals import open_appeal
from ombuds.cases.actions.filing import upload_rate_refusal
from ombuds.cases.actions.questions import answer_as_respondent, answer_information
from ombuds.cases.errors import ActionRefused
from ombuds.cases.models import CaseStatus, Complaint
from ombuds.cases.read.lists import (
    box_statuses,
    received_cases,
    sent_complaints,
    status_of,
    target_label,
    time_left,
)
from ombuds.cases.read.party import party_case
from ombuds.cases.read.visibility import (
    AGENT,
    COMPLAINANT,
    RESPONDENT,
    CaseView,
    evidence_for_viewer,
    view_for,
)
from ombuds.cases.visitors import complaint_from_visitor_token
from ombuds.evidence.models import Evidence
from ombuds.evidence.uploads import gather_evidence
from ombuds.intake.ratelimit import client_ip
from ombuds.policy.loader import get_policy
from ombuds.web.console import agent_case_from_view
from ombuds.web.uploads import kept_ids, upload_owner

STATUS_FILTERS = [("", "Any status"), ("open", "Open"), *CaseStatus.choices]


def _visitor_complaint(request: HttpRequest) -> Complaint | None:
    token = request.GET.get("k")
    return complaint_from_visitor_token(token) if token else None


def _visitor_of(request: HttpRequest, view: CaseView) -> Complaint | None:
    """The visitor whose signed link opened this view (not a signed-in party's view)."""
    visitor = _visitor_complaint(request)
    if visitor is None or view.role != COMPLAINANT or view.complaint is None:
        return None
    return visitor if view.complaint.pk == visitor.pk else None


def _complaint_url(request: HttpRequest, reference: str) -> str:
    key = request.GET.get("k", "")
    return reverse("complaint", args=[reference]) + (f"?k={key}" if key else "")


def complaint_page(request: HttpRequest, reference: str) -> HttpResponse:
    view = view_for(reference, request.user, _visitor_complaint(request))
    if view is None:
        raise Http404("No complaint with this number is visible to you.")
    if view.role == AGENT:
        return agent_case_from_view(request, view)
    return _render_complaint(request, view)


def _render_complaint(
    request: HttpRequest,
    view: CaseView,
    *,
    form: str = "",
    errors: list[dict[str, str]] | None = None,
    kept: list[Evidence] | None = None,
    status: int = 200,
) -> HttpResponse:
    complaint_type = view.complaint_type
    return render(
        request,
        "web/complaint.html",
        {
            "view": view,
            "party": party_case(view, request.user, _visitor_of(request, view)),
            "department": get_policy().departments[complaint_type.department],
            "target": target_label(view.complaint, view.case),
            "visitor_key": request.GET.get("k", ""),
            "outcome_labels": {k: o.label for k, o in get_policy().outcomes.items()},
            "error_form": form,
            "errors": errors or [],
            "typed": {k: request.POST.get(k, "") for k in request.POST} if form else {},
            "kept": kept or [],
            "evidence_formats": ", ".join("." + f for f in complaint_type.evidence.allowed_formats),
        },
        status=status,
    )


# --- what the parties do on a case -------------------------------------------------------------


Act = Callable[..., Any]
PARTY_ACTIONS: dict[str, tuple[Act, str]] = {
    # name: (the domain action, what the party is told)
    "answer": (
        answer_as_respondent,
        "Your answer was sent. The marketplace takes it into account in its decision.",
    ),
    "information": (
        answer_information,
        "Your answer was sent. The case continues where it stopped.",
    ),
}


def _party_view(request: HttpRequest, reference: str, visitor: Complaint | None = None) -> CaseView:
    """The case page of a party action: 404 to whoever may not see it, 403 to the agents and
    operators (the rule book's answer: the parties' forms are the parties')."""
    view = view_for(reference, request.user, visitor)
    if view is None or view.case is None:
        raise Http404("No complaint with this number is visible to you.")
    if view.role not in (COMPLAINANT, RESPONDENT):
        raise PermissionDenied("Only the parties of a case act on it here.")
    return view


@require_POST
def party_answer(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    """The respondent's answer, or a party's answer to a question: text and evidence. A
    visitor answers a question through their complaint's signed link."""
    visitor = _visitor_complaint(request)
    if not request.user.is_authenticated and visitor is None:
        return redirect_to_login(request.get_full_path())
    view = _party_view(request, reference, visitor)
    if name not in PARTY_ACTIONS:
        raise Http404("No such form.")
    act, told = PARTY_ACTIONS[name]
    visitor = _visitor_of(request, view)
    complaint_type = view.complaint_type
    owner = upload_owner(request)
    uploads = request.FILES.getlist("evidence")
    limited = upload_rate_refusal(owner, client_ip(request.META), len(uploads))
    if limited is not None:
        errors = [{"code": "rate_limited", "message": limited.message}]
        response = _render_complaint(request, view, form=name, errors=errors, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    gathered = gather_evidence(
        owner, type_key=view.case.type_key, type_label=complaint_type.label,
        ids=kept_ids(request), uploads=uploads,
        max_files=complaint_type.evidence.max_files,
    )  # fmt: skip
    if gathered.problems:
        errors = [
            {"code": p.code, "message": f"{p.filename}: {p.message}" if p.filename else p.message}
            for p in gathered.problems
        ]
        return _render_complaint(
            request, view, form=name, errors=errors, kept=gathered.evidence, status=400
        )
    as_visitor = {"visitor_complaint": visitor} if visitor is not None else {}
    try:
        act(
            user=request.user if visitor is None else None,
            case=view.case,
            text=request.POST.get("text", ""),
            evidence=gathered.evidence,
            **as_visitor,
        )
    except ActionRefused as refused:
        errors = [{"code": refused.code, "message": refused.message}]
        return _render_complaint(
            request, view, form=name, errors=errors, kept=gathered.evidence, status=refused.status
        )
    messages.success(request, told)
    return redirect(_complaint_url(request, reference) + f"#{name}")


@login_required
@require_POST
def party_appeal(request: HttpRequest, reference: str) -> HttpResponse:
    view = _party_view(request, reference)
    try:
        open_appeal(user=request.user, case=view.case, reason=request.POST.get("reason", ""))
    except ActionRefused as refused:
        errors = [{"code": refused.code, "message": refused.message}]
        return _render_complaint(request, view, form="appeal", errors=errors, status=refused.status)
    messages.success(
        request, "Your appeal was sent. Someone other than the first decider reviews the decision."
    )
    return redirect("complaint", reference)


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    box = "received" if request.GET.get("box") == "received" else "sent"
    status = request.GET.get("status", "")
    if status not in box_statuses(box):
        status = ""
    type_key = request.GET.get("type", "")
    policy = get_policy()
    if type_key not in policy.types:
        type_key = ""
    rows = []
    if box == "sent":
        for complaint in sent_complaints(
            request.user, status=status or None, type_key=type_key or None
        )[:200]:
            code, label = status_of(complaint)
            rows.append(
                {
                    "reference": complaint.reference,
                    "type": policy.types[complaint.type_key].label,
                    "target": target_label(complaint, complaint.case),
                    "status": code,
                    "status_label": label,
                    "created_at": complaint.created_at,
                    "due_at": complaint.case.due_at if complaint.case else None,
                    "time_left": time_left(complaint.case),
                }
            )
    else:
        for case in received_cases(request.user, status=status or None, type_key=type_key or None)[
            :200
        ]:
            rows.append(
                {
                    "reference": case.reference,
                    "type": policy.types[case.type_key].label,
                    "target": target_label(None, case),
                    "status": case.status,
                    "status_label": CaseStatus(case.status).label,
                    "created_at": case.created_at,
                    "due_at": case.due_at,
                    "time_left": time_left(case),
                }
            )
    return render(
        request,
        "web/my_reports.html",
        {
            "box": box,
            "rows": rows,
            "status": status,
            "type_key": type_key,
            "status_filters": [*STATUS_FILTERS, ("unconfirmed", "Waiting for confirmation")]
            if box == "sent"
            else STATUS_FILTERS,
            "types": policy.types,
        },
    )


@xframe_options_sameorigin
def evidence_download(request: HttpRequest, public_id: str) -> FileResponse:
    from django.utils.http import content_disposition_header

    from ombuds.evidence.storage import open_for_download

    evidence = evidence_for_viewer(public_id, request.user, _visitor_complaint(request))
    if evidence is None:
        raise Http404("No file with this address is visible to you.")
    inline = evidence.format in ("pdf", "jpg", "png", "gif", "webp")
    # Streamed as it is read: the open file, or the object store's answer in chunks.
    download = open_for_download(evidence)
    response = FileResponse(
        download.content,
        as_attachment=not inline,
        filename=evidence.safe_name,
        content_type=evidence.mime,
    )
    # FileResponse sets these itself only for a file; the same for an object store's stream.
    response["Content-Disposition"] = content_disposition_header(not inline, evidence.safe_name)
    if download.size is not None:
        response["Content-Length"] = str(download.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
