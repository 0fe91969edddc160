"""My Reports, the complaint page, and evidence downloads: all through the case selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ombuds.cases.actions import complaint_from_visitor_token
from ombuds.cases.models import CaseStatus, Complaint
from ombuds.cases.selectors import (
    evidence_for_viewer,
    received_cases,
    sent_complaints,
    status_of,
    target_label,
    time_left,
    view_for,
)
from ombuds.policy.loader import get_policy

STATUS_FILTERS = [("", "Any status"), ("open", "Open"), *CaseStatus.choices]


def _visitor_complaint(request: HttpRequest) -> Complaint | None:
    token = request.GET.get("k")
    return complaint_from_visitor_token(token, max_age=None) if token else None


def complaint_page(request: HttpRequest, reference: str) -> HttpResponse:
    view = view_for(reference, request.user, _visitor_complaint(request))
    if view is None:
        raise Http404("No complaint with this number is visible to you.")
    return render(
        request,
        "web/complaint.html",
        {
            "view": view,
            "department": get_policy().departments[view.complaint_type.department],
            "target": target_label(view.complaint, view.case),
            "visitor_key": request.GET.get("k", ""),
        },
    )


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    box = "received" if request.GET.get("box") == "received" else "sent"
    status = request.GET.get("status", "")
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


def evidence_download(request: HttpRequest, public_id: str) -> FileResponse:
    evidence = evidence_for_viewer(public_id, request.user, _visitor_complaint(request))
    if evidence is None:
        raise Http404("No file with this address is visible to you.")
    inline = evidence.format in ("pdf", "jpg", "png", "gif", "webp")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=not inline,
        filename=evidence.safe_name,
        content_type=evidence.mime,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
