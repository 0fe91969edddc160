"""The addresses of a case's pages, owned by the domain: emails, notices and webhooks link to
them without knowing the web layer, which routes them (`ombuds.web.urls` uses these routes)."""

from __future__ import annotations

from django.conf import settings

COMPLAINT_ROUTE = "complaints/<str:reference>/"
CONFIRM_REPORT_ROUTE = "reports/confirm/<str:token>/"


def complaint_path(reference: str) -> str:
    """A complaint's (CMP-...) or case's (CASE-...) page; agents get the console's."""
    return f"/complaints/{reference}/"


def confirm_report_path(token: str) -> str:
    return f"/reports/confirm/{token}/"


def absolute(path: str) -> str:
    return settings.OMBUDS_BASE_URL + path
