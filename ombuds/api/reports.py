"""Reading complaints back: one complaint or case as the caller may see it, and My Reports."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router

from ombuds.api.evidence import known_type
from ombuds.api.presenters import complaint_out, received_item, sent_item
from ombuds.api.problems import MAX_OFFSET, Problem, ProblemDetails, field_problem
from ombuds.api.schemas import PROBLEMS, ComplaintList, ComplaintOut
from ombuds.cases.read.lists import box_statuses, received_cases, sent_complaints
from ombuds.cases.read.party import party_statements
from ombuds.cases.read.visibility import view_for

router = Router(tags=["complaints"])


@router.get(
    "/complaints/{reference}",
    response={200: ComplaintOut, **PROBLEMS},
    url_name="complaint_detail",
    summary="A complaint (CMP-...) or case (CASE-...) as the caller may see it",
    description="The complainant reads their complaint; the respondent and the agents of the "
    "case's department read the case. Anyone else gets 404, as if it did not exist.",
)
def get_complaint(request: HttpRequest, reference: str) -> ComplaintOut:
    user = request.auth.user  # type: ignore[attr-defined]
    view = view_for(reference.strip().upper(), user) if user is not None else None
    if view is None:
        raise Problem(404, "not_found", "No complaint with this reference is visible to you.")
    return complaint_out(view, party_statements(view, user))


@router.get(
    "/me/complaints",
    response={200: ComplaintList, **PROBLEMS, 422: ProblemDetails},
    summary="My Reports: the complaints I sent, or the cases I received",
)
def my_complaints(
    request: HttpRequest,
    box: Literal["sent", "received"] = "sent",
    status: str = "",
    type_key: str = Query("", alias="type"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> ComplaintList:
    user = request.auth.user  # type: ignore[attr-defined]
    if user is None:
        raise Problem(403, "forbidden", "The marketplace's service token has no complaints.")
    statuses = box_statuses(box)
    if status and status not in statuses:
        message = f"status is one of {', '.join(sorted(statuses))}."
        raise field_problem(422, "invalid_choice", "status", message)
    if type_key:
        known_type(type_key)
    if box == "sent":
        complaints = sent_complaints(user, status=status or None, type_key=type_key or None)
        items = [sent_item(c) for c in complaints[offset : offset + limit]]
        count = complaints.count()
    else:
        cases = received_cases(user, status=status or None, type_key=type_key or None)
        items = [received_item(c) for c in cases[offset : offset + limit]]
        count = cases.count()
    return ComplaintList(box=box, count=count, items=items)
