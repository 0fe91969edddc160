"""The bare endpoint: what any JSON-in, one-row-out request costs in this project.

Same process, settings, middleware and database as the API, and the same bearer-token lookup
(`ombuds.accounts.tokens.authenticate_token`, as `BearerToken` calls it); then it parses the
JSON body and inserts one row (a `django.contrib.sessions` Session, so no migration is needed).
"""

import json
import secrets
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ombuds.accounts.tokens import authenticate_token


@csrf_exempt
@require_POST
def bare(request: HttpRequest) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    principal = authenticate_token(token.strip()) if scheme.lower() == "bearer" else None
    if principal is None:
        return JsonResponse({"detail": "not authenticated"}, status=401)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"detail": "invalid JSON"}, status=400)
    session = Session.objects.create(
        session_key=secrets.token_hex(16),
        session_data=json.dumps({"user": principal.token.user_id, "type": payload.get("type")}),
        expire_date=timezone.now() + timedelta(hours=1),
    )
    return JsonResponse({"id": session.session_key}, status=201)
