"""Response headers every answer gets, and those of the pages that show case data.

- `Permissions-Policy` on every response: no page of Ombuds uses the camera, the microphone,
  the position, payments or devices, so none may, nor anything framed in it.
- `Referrer-Policy: same-origin` when nothing set one before (Django's `SecurityMiddleware`
  sets it from `SECURE_REFERRER_POLICY`).
- `Cache-Control: private, no-store` on the pages and answers that show cases, complaints,
  evidence or notifications, so that neither a shared cache nor the browser's keeps them
  (directives a view set itself are kept; `no-store` wins over them).

The Content-Security-Policy is django-csp's (`CONTENT_SECURITY_POLICY` in the settings).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

# URL names (ombuds/web/urls.py) of the pages and actions that show case data.
CASE_DATA_PAGES = frozenset(
    {
        "file",  # a refused form shows back what was typed and the files already accepted
        "confirm_report",
        "complaint",
        "complaint_appeal",
        "complaint_answer",
        "my_reports",
        "evidence",
        "notifications",
        "notifications_read_all",
        "notification_open",
        "account",
        "console",
        "console_search",
        "console_queue",
        "console_claim_next",
        "console_case",
        "console_case_action",
    }
)
# The API's answers show case data too, except its description and the docs page.
API_NAMESPACE = "api"
API_PUBLIC = frozenset({"openapi-json", "openapi-view", "api-root"})


def shows_case_data(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if match.namespace == API_NAMESPACE:
        return match.url_name not in API_PUBLIC
    return not match.namespace and match.url_name in CASE_DATA_PAGES


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if shows_case_data(request):
            patch_cache_control(response, private=True, no_store=True)
        return response
