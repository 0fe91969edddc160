"""Evidence files sent with a form: accepted ones are kept across a refused try.

A file is the uploader's until it is attached to a complaint or a statement: a signed-in
user's by account, a visitor's by their session.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest

from ombuds.evidence.inspection import EvidenceError
from ombuds.evidence.models import Evidence
from ombuds.evidence.storage import store_evidence


def _owner(request: HttpRequest) -> dict[str, Any]:
    if request.user.is_authenticated:
        return {"uploaded_by": request.user}
    if not request.session.session_key:
        request.session.save()
    return {"uploaded_by__isnull": True, "upload_session": request.session.session_key}


def kept_evidence(request: HttpRequest) -> list[Evidence]:
    """Files accepted on an earlier try of this form and not removed: still the uploader's and
    not attached to anything."""
    removed = set(request.POST.getlist("remove_evidence"))
    ids = []
    for value in request.POST.getlist("evidence_ids"):
        if not value or value in removed:
            continue
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return list(
        Evidence.objects.filter(
            public_id__in=ids, complaints__isnull=True, statements__isnull=True, **_owner(request)
        )
    )


def accept_uploads(
    request: HttpRequest, type_key: str
) -> tuple[list[Evidence], list[EvidenceError]]:
    """Inspect and store each uploaded file; the refused ones come back with their reason."""
    owner = _owner(request)
    accepted, refused = [], []
    for upload in request.FILES.getlist("evidence"):
        try:
            accepted.append(
                store_evidence(
                    upload,
                    filename=upload.name,
                    type_key=type_key,
                    uploaded_by=owner.get("uploaded_by"),
                    upload_session=owner.get("upload_session", ""),
                )
            )
        except EvidenceError as exc:
            refused.append(exc)
    return accepted, refused
