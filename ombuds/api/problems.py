"""RFC 9457 problem details: every API error has this shape, with field-level errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from ombuds.cases.errors import ActionRefused

logger = logging.getLogger(__name__)
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


# The request field each refusal of a case action is about; the codes are the domain's.
REFUSAL_FIELDS = {
    "note_empty": "text",
    "answer_empty": "text",
    "question_empty": "question",
    "party_invalid": "party",
    "deadline_invalid": "days",
    "transfer_invalid": "department",
    "outcome_not_allowed": "outcome",
    "sanction_not_allowed": "sanctions",
    "sanction_without_upheld": "sanctions",
    "sanction_needs_listing": "sanctions",
    "sanction_needs_respondent": "sanctions",
    "statement_incomplete": "statement",
    "reason_empty": "reason",
}


def install_problem_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ActionRefused)
    def _refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
        errors = []
        if exc.status == 422:
            field_name = REFUSAL_FIELDS.get(exc.code, "body")
            errors = [{"field": field_name, "code": exc.code, "message": exc.message}]
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
        return problem_response(
            request, status=exc.status_code, code="about:blank", detail=str(exc)
        )

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unexpected error in %s %s", request.method, request.path)
        return problem_response(
            request,
            status=500,
            code="internal_error",
            detail="Something went wrong on our side; nothing was changed. Try again later.",
        )
