"""The answer to a log-in that django-axes locked out: 429, Retry-After, and a page that
says when the person may try again."""

from __future__ import annotations

import math
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

TEMPLATE = "registration/locked_out.html"


def lockout_ends_at(request: HttpRequest, credentials: dict | None = None) -> datetime:
    """When the lockout of this request's user name and address ends: the cool-off after the
    last failure counted (attempts made while locked out are not counted)."""
    now = timezone.now()
    cool_off = get_cool_off(request)
    if cool_off is None:  # not configured here; a lockout without end would be permanent
        return now
    handler = AxesProxyHandler.get_implementation()
    last = None
    if hasattr(handler, "get_user_attempts"):  # the database handler
        times = [
            attempts.order_by("-attempt_time").values_list("attempt_time", flat=True).first()
            for attempts in handler.get_user_attempts(request, credentials)
        ]
        last = max((t for t in times if t is not None), default=None)
    return (last or now) + cool_off


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the site's own page, with status 429 and Retry-After."""
    retry_at = lockout_ends_at(request, credentials)
    seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    response = render(
        request,
        TEMPLATE,
        {
            "retry_at": retry_at,
            "retry_minutes": minutes,
            "username": (credentials or {}).get("username") or request.POST.get("username", ""),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
