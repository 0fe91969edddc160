"""RFC 9457 problem details: every API error has this shape, with field-level errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from ombuds.cases.errors import ActionRefused
from ombuds.formats import megabytes
from ombuds.intake.errors import NON_FIELD, FieldError
from ombuds.policy.schema import ComplaintType

logger = logging.getLogger(__name__)
MAX_OFFSET = 10**9  # a list's offset beyond any list (and beyond what databases count with)
PROBLEM_TYPE_BASE = "https://ombuds.dev/problems/"


class FieldProblem(Schema):
    field: str
    code: str
    message: str


class ProblemDetails(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] = []


@dataclass
class Problem(Exception):
    """A refusal to raise from any handler: status, a code, and field errors."""

    status: int
    code: str
    detail: str
    errors: list[dict[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code if code != "about:blank" else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        "errors": errors or [],
    }
    response = JsonResponse(body, status=status, content_type="application/problem+json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(loc: list[Any]) -> str:
    parts: list[str] = []
    for part in loc:
        name = str(part)
        if name in ("body", "query", "path", "header", "form", "payload"):
            continue
        if not parts or parts[-1] != name:
            parts.append(name)
    return ".".join(parts) or "body"


def field_problem(status: int, code: str, field_name: str, message: str) -> Problem:
    """A refusal about one request field, told as the problem and as its one field error."""
    return Problem(
        status, code, message, errors=[{"field": field_name, "code": code, "message": message}]
    )


# A refused filing's status by the code of its problem (422 for every other code).
SUBMISSION_STATUS = {
    "duplicate_complaint": 409,
    "idempotency_key_in_progress": 409,
    "rate_limited": 429,
}


def submission_problem(errors: list[FieldError], complaint_type: ComplaintType | None) -> Problem:
    """A refused filing: every problem at its field (`answers.<name>` for the type's fields)."""
    shown = [{**e.as_dict(), "field": _submission_field(e, complaint_type)} for e in errors]
    codes = list(dict.fromkeys(e.code for e in errors))
    leading = next((e for e in errors if e.code in SUBMISSION_STATUS), None)
    if leading is not None:
        return Problem(SUBMISSION_STATUS[leading.code], leading.code, leading.message, shown)
    if len(errors) == 1:
        detail = f"Nothing was filed: {errors[0].message}"
    else:
        detail = f"Nothing was filed: {len(errors)} problems, listed field by field in errors."
    return Problem(422, codes[0] if len(codes) == 1 else "submission_refused", detail, shown)


def _submission_field(error: FieldError, complaint_type: ComplaintType | None) -> str:
    if error.field == NON_FIELD:
        return "body"
    if complaint_type is not None and complaint_type.field(error.field) is not None:
        return f"answers.{error.field}"
    return error.field


def install_problem_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ActionRefused)
    def _refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
        """The rule book's and the actions' refusals: the status their code says, and the
        field the refusal concerns."""
        errors = []
        if exc.field is not None:
            errors = [{"field": exc.field, "code": exc.code, "message": exc.message}]
        return problem_response(
            request, status=exc.status, code=exc.code, detail=exc.message, errors=errors
        )

    @api.exception_handler(Problem)
    def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        return problem_response(
            request,
            status=exc.status,
            code=exc.code,
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
        )

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {
                "field": _field_name(list(e.get("loc", []))),
                "code": str(e.get("type", "invalid")),
                "message": str(e.get("msg", "is not valid")),
            }
            for e in exc.errors
        ]
        return problem_response(
            request,
            status=422,
            code="validation_error",
            detail="The request is not valid: see errors for each field.",
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            status=401,
            code="not_authenticated",
            detail="Send a valid API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(AuthorizationError)
    def _forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return problem_response(
            request, status=403, code="forbidden", detail="You may not do this."
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(
            request, status=404, code="not_found", detail=str(exc) or "Not found."
        )

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, Problem):  # ninja's body parser wraps ours (`bodies`)
            return _problem(request, exc.__cause__)
        return problem_response(
            request, status=exc.status_code, code="about:blank", detail=str(exc)
        )

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return problem_response(
            request,
            status=413,
            code="body_too_large",
            detail=f"The request body is over {megabytes(limit)}: send files as multipart "
            "uploads (POST /evidence), at most one per request.",
        )

    @api.exception_handler(MultiPartParserError)
    def _malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return problem_response(
            request,
            status=400,
            code="invalid_multipart",
            detail=f"The multipart/form-data body cannot be read: {exc}",
        )

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        """Too many fields or files, and the like: Django refuses to read such a request."""
        return problem_response(request, status=400, code="invalid_request", detail=str(exc))

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unexpected error in %s %s", request.method, request.path)
        return problem_response(
            request,
            status=500,
            code="internal_error",
            detail="Something went wrong on our side; nothing was changed. Try again later.",
        )
