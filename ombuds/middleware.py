"""Requests refused before any view: an address no page has.

A path holding a NUL or another control character names nothing (and would reach the database
as a reference): it is answered 404, as problem details under /api/ and as the site's 404 page
elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from ombuds.api.problems import problem_response
from ombuds.intake.text import unusable_character

API_PREFIX = "/api/"


class UnusablePathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if unusable_character(request.path) is not None:
            if request.path.startswith(API_PREFIX):
                return problem_response(
                    request,
                    status=404,
                    code="not_found",
                    detail="There is nothing at this address.",
                )
            raise Http404("There is nothing at this address.")
        return self.get_response(request)
