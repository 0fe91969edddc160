"""The API docs page: django-ninja's Swagger UI from our own static files, under our CSP.

ninja's Swagger UI files (`ninja/swagger-ui-bundle.js`, `swagger-ui.css`, the init script
that reads its settings from the page) are collected from the ninja package ("ninja" is in
`INSTALLED_APPS`), so the page loads nothing from a CDN. Our template gives its scripts and
stylesheet the page's CSP nonce and passes the settings as a JSON data block.

With DEBUG off the page is for signed-in users (others are sent to log in); the OpenAPI
description (`openapi.json`) stays public.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csp.constants import SELF
from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

TEMPLATE = "ombuds_api/swagger.html"


@csp_update({"img-src": [SELF, "data:"]})  # Swagger UI's stylesheet draws its icons as data: SVGs
def _page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, TEMPLATE, context)


class SelfHostedSwagger(Swagger):
    def __init__(self, settings: dict[str, Any] | None = None):
        # No "validator" badge fetched from swagger.io.
        super().__init__({"validatorUrl": None, **(settings or {})})

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if not settings.DEBUG and not (user is not None and user.is_authenticated):
            return redirect_to_login(request.get_full_path())
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return _page(request, {"api": api, "swagger_settings": swagger_settings})
