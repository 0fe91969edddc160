"""Evidence uploads: one file at a time, inspected against a complaint type's rules and kept
until a filing or an answer names it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, Status, UploadedFile

from ombuds.accounts.tokens import Principal
from ombuds.api.presenters import evidence_out
from ombuds.api.problems import ProblemDetails, field_problem
from ombuds.api.schemas import EvidenceOut, FilingProblem
from ombuds.evidence.inspection import EvidenceError
from ombuds.evidence.storage import store_evidence
from ombuds.evidence.uploads import SERVICE_OWNER, UploadOwner
from ombuds.intake.ratelimit import check_service_upload_rate, check_upload_rate, client_ip
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType

router = Router(tags=["complaints"])


def upload_owner(principal: Principal) -> UploadOwner:
    """Who owns an upload: the token's user, or (for the service) the token itself."""
    if principal.user is not None:
        return UploadOwner(user=principal.user)
    return UploadOwner(session=SERVICE_OWNER + principal.token.prefix)


def known_type(type_key: str, field_name: str = "type") -> ComplaintType:
    complaint_type = get_policy().types.get(type_key)
    if complaint_type is None:
        message = f"There is no complaint type {type_key!r}: see GET /api/v1/complaint-types."
        raise field_problem(422, "unknown_type", field_name, message)
    return complaint_type


def _stored_as(principal: Principal) -> dict[str, Any]:
    return upload_owner(principal).stored_as()


def _limit_rate(request: HttpRequest) -> None:
    """Counted before the file is inspected, refused or not: inspection is the costly part."""
    principal: Principal = request.auth  # type: ignore[attr-defined]
    if principal.is_service:  # the marketplace's own address: counted per token instead
        refusal = check_service_upload_rate(token=principal.token.prefix)
    else:
        user_id = principal.user.pk if principal.user is not None else None
        refusal = check_upload_rate(user_id=user_id, ip=client_ip(request.META))
    if refusal is not None:
        problem = field_problem(429, "rate_limited", "file", refusal.message)
        problem.headers["Retry-After"] = str(refusal.retry_after)
        raise problem


@router.post(
    "/evidence",
    response={201: EvidenceOut, 401: ProblemDetails, 422: FilingProblem, 429: ProblemDetails},
    summary="Upload one evidence file for a complaint type",
    description="The file is inspected against the type's evidence rules (format by content, "
    "sizes, archives) and kept until a complaint or an answer names its id in `evidence`. "
    "Uploads are limited per user and per address (per token for the marketplace's service "
    "token): over the limit the answer is 429 `rate_limited` with `Retry-After`.",
    # Checked in the handler, so that a missing file is reported at `file` like other refusals.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": {"required": ["file"]}}},
        }
    },
)
def upload_evidence(
    request: HttpRequest,
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's way of declaring a file
    type_key: str = Query(..., alias="type"),
) -> Status[EvidenceOut]:
    known_type(type_key)
    if file is None:
        message = "Send the file as multipart/form-data under the name 'file'."
        raise field_problem(422, "missing", "file", message)
    _limit_rate(request)
    try:
        evidence = store_evidence(
            file, filename=file.name or "file", type_key=type_key, **_stored_as(request.auth)
        )
    except EvidenceError as exc:
        raise field_problem(422, exc.code, "file", exc.message) from exc
    return Status(201, evidence_out(evidence))
