"""Files sent with a form: whose they are, and which of those sent before are kept.

An accepted file is kept across a refused try (the form lists it, with a box to remove it) and
attached when the form is finally accepted; the domain finds and attaches them
(`ombuds.evidence.uploads`).
"""

from __future__ import annotations

from django.http import HttpRequest

from ombuds.evidence.uploads import UploadOwner


def upload_owner(request: HttpRequest) -> UploadOwner:
    """A signed-in user's files are theirs by account, a visitor's by their session."""
    if request.user.is_authenticated:
        return UploadOwner(user=request.user)
    if not request.session.session_key:
        request.session.save()
    return UploadOwner(session=request.session.session_key or "")


def kept_ids(request: HttpRequest) -> list[str]:
    """The ids of files accepted on an earlier try of this form and not removed."""
    removed = set(request.POST.getlist("remove_evidence"))
    return [v for v in request.POST.getlist("evidence_ids") if v and v not in removed]
