"""Whose an upload is until it is attached, finding the caller's own, and attaching them once.

A file is its uploader's until it is attached to a filing or a party's statement: a signed-in
user's by account, a visitor's by their session, the marketplace service's by its token. Every
shell (forms, API) finds "the files I uploaded and have not attached yet" here, and the action
that attaches them marks them attached in its transaction, so that no file is ever attached to
two things.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.utils import timezone

from ombuds.evidence.inspection import EvidenceError
from ombuds.evidence.models import Evidence
from ombuds.evidence.storage import store_evidence

UNATTACHED_KEPT = timedelta(days=1)


SERVICE_OWNER = "service:"  # the session of the marketplace service's uploads: + its token


@dataclass(frozen=True)
class UploadOwner:
    """Who an unattached upload belongs to: a user, or (no user) a session or service key."""

    user: Any = None
    session: str = ""

    def stored_as(self) -> dict[str, Any]:
        if getattr(self.user, "pk", None):
            return {"uploaded_by": self.user, "upload_session": ""}
        return {"uploaded_by": None, "upload_session": self.session}

    def owns(self) -> dict[str, Any]:
        if getattr(self.user, "pk", None):
            return {"uploaded_by": self.user}
        if not self.session:
            return {"pk__in": []}
        return {"uploaded_by__isnull": True, "upload_session": self.session}


class NamedUpload(Protocol):
    name: str | None

    def read(self, size: int = -1) -> bytes: ...
    def seek(self, offset: int, whence: int = 0) -> int: ...


@dataclass(frozen=True)
class Gathered:
    """The files of one submission: those accepted, and why the others are not."""

    evidence: list[Evidence]
    problems: list[EvidenceError]


def _normal_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def type_mismatch(item: Evidence, type_label: str) -> EvidenceError:
    return EvidenceError(
        "evidence_type_mismatch",
        f"{item.safe_name} was checked against the rules of another kind of complaint. Upload "
        f"it again for this {type_label.lower()}.",
        str(item.public_id),
    )


def unattached_uploads(owner: UploadOwner, ids: Iterable[str]) -> tuple[list[Evidence], list[str]]:
    """The owner's files of these ids that are attached to nothing yet (in the order given),
    and the ids given that are not such a file."""
    wanted: dict[str, str] = {}  # the id as stored -> as given
    for value in dict.fromkeys(i.strip() for i in ids if i and i.strip()):
        wanted[_normal_uuid(value) or value] = value
    found = {
        str(e.public_id): e
        for e in Evidence.objects.filter(
            public_id__in=[k for k in wanted if _normal_uuid(k)],
            attached_at__isnull=True,
            **owner.owns(),
        )
    }
    return [found[k] for k in wanted if k in found], [
        g for k, g in wanted.items() if k not in found
    ]


def gather_evidence(
    owner: UploadOwner,
    *,
    type_key: str,
    type_label: str,
    ids: Iterable[str] = (),
    uploads: Sequence[NamedUpload] = (),
    max_files: int | None = None,
) -> Gathered:
    """Files uploaded before (by id) and with this request (stored now, each inspected against
    the type's rules); every file not accepted comes back with its reason."""
    evidence, missing = unattached_uploads(owner, ids)
    problems = [
        EvidenceError(
            "evidence_not_found",
            f"No file {given} of yours is waiting to be attached. Upload it again; a file "
            "already attached cannot be reused.",
            given,
        )
        for given in missing
    ]
    for item in list(evidence):
        if item.type_key != type_key:
            problems.append(type_mismatch(item, type_label))
            evidence.remove(item)
    for upload in uploads:
        try:
            evidence.append(
                store_evidence(
                    upload,  # type: ignore[arg-type]
                    filename=upload.name or "file",
                    type_key=type_key,
                    **_store_fields(owner),
                )
            )
        except EvidenceError as exc:
            problems.append(exc)
    if max_files is not None and len(evidence) > max_files:
        problems.append(EvidenceError("too_many_files", f"Attach at most {max_files} files.", ""))
    return Gathered(evidence, problems)


def _store_fields(owner: UploadOwner) -> dict[str, Any]:
    stored = owner.stored_as()
    return {"uploaded_by": stored["uploaded_by"], "upload_session": stored["upload_session"]}


def attach(evidence: Sequence[Evidence], at: datetime) -> bool:
    """Mark the files attached, in the caller's transaction: False if any of them is attached
    already (by a request that came first); the caller then refuses, and its transaction
    rolls back the marks it made."""
    if not evidence:
        return True
    ids = [item.pk for item in evidence]
    marked = Evidence.objects.filter(pk__in=ids, attached_at__isnull=True).update(attached_at=at)
    if marked != len(set(ids)):
        return False
    for item in evidence:
        item.attached_at = at
    return True


def delete_unattached_uploads(older_than: timedelta = UNATTACHED_KEPT) -> int:
    """Delete the files uploaded more than `older_than` ago and never attached to anything, and
    their rows; returns how many. (So nobody fills the storage 5 MB at a time.)"""
    cutoff = timezone.now() - older_than
    deleted = 0
    stale = Evidence.objects.filter(attached_at__isnull=True, created_at__lt=cutoff)
    for evidence in stale.iterator(chunk_size=200):
        # The row first, and only while still unattached: a filing attaching it at this moment
        # either came first (the row stays, with its file) or finds it gone and is refused.
        if Evidence.objects.filter(pk=evidence.pk, attached_at__isnull=True).delete()[0]:
            evidence.file.delete(save=False)
            deleted += 1
    return deleted
