"""Reading a request's JSON body: malformed, too deep, or holding characters no text may hold
(NUL, lone surrogates) are refused as problem details, never as a server error."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from ombuds.api.problems import Problem, field_problem
from ombuds.intake.text import INVALID_CHARACTERS, first_unusable


def load_json(body: bytes) -> Any:
    """The body's JSON value; raises a `Problem` saying what is wrong with it."""
    try:
        data = json.loads(body or b"null")
    except RecursionError as exc:
        raise Problem(400, "invalid_json", "The body nests arrays or objects too deeply.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, "invalid_json", f"The body is not valid JSON: {exc}") from exc
    found = first_unusable(data)
    if found is not None:
        where, problem = found
        raise field_problem(422, INVALID_CHARACTERS, where, f"{where}: {problem}.")
    return data


class CheckedJsonParser(Parser):
    """django-ninja's parser, through `load_json` (ninja answers its exceptions as a 400 whose
    cause is our problem: the API's handlers answer the problem itself)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return load_json(request.body)
