"""The OpenAPI document tells the truth about errors: every refusal an operation can answer is
declared, as `application/problem+json` (RFC 9457), the way the API sends it."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = "#/components/schemas/ProblemDetails"

# Refusals every operation of a kind may answer, whatever its handler declares.
_WITH_BODY = {
    "400": "The body cannot be read (not JSON, malformed multipart, too deeply nested)",
    "413": "The body is larger than the API accepts",
    "422": "Something sent is not valid: see `errors`, field by field",
}
_WITH_AUTH = {
    "401": "No valid API token",
    "403": "The token may not do this",
}
_WITH_PARAMETERS = {"422": "A parameter is not valid: see `errors`"}
_WITH_PATH = {"404": "Nothing with this reference is visible to the caller"}


def problem_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the refusals each operation may answer, and every 4xx as problem details."""
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            implied: dict[str, str] = {}
            if "requestBody" in operation:
                implied |= _WITH_BODY
            if operation.get("security"):
                implied |= _WITH_AUTH
            if operation.get("parameters"):
                implied |= _WITH_PARAMETERS
            if "{" in path:
                implied |= _WITH_PATH
            declared = {str(status) for status in responses}
            for status, description in implied.items():
                if status not in declared:
                    responses[int(status)] = {"description": description}
            for status, response in responses.items():
                if str(status).startswith("4"):
                    _as_problem(response)
    return schema


def _as_problem(response: dict[str, Any]) -> None:
    content = response.get("content") or {}
    schema = next(iter(content.values()), {}).get("schema") or {"$ref": PROBLEM_REF}
    response["content"] = {PROBLEM_JSON: {"schema": schema}}
    response.setdefault("description", "A refusal, as problem details")


class ProblemAwareAPI(NinjaAPI):
    """django-ninja's API, whose OpenAPI declares its errors as they are sent."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return problem_responses(super().get_openapi_schema(**kwargs))
