"""Accepting an upload: inspect it against the type's rules, then store it under a random name."""

from __future__ import annotations

from typing import BinaryIO

from django.core.files import File

from ombuds.evidence.inspection import EvidenceError, inspect_file
from ombuds.evidence.models import Evidence
from ombuds.policy.loader import get_policy


def store_evidence(
    stream: BinaryIO,
    *,
    filename: str,
    type_key: str,
    uploaded_by: object | None = None,
    upload_session: str = "",
) -> Evidence:
    """Inspect and store one file; raises EvidenceError with a stable code if it is refused."""
    policy = get_policy()
    complaint_type = policy.types.get(type_key)
    if complaint_type is None:
        raise EvidenceError(
            code="unknown_type",
            message=f"There is no complaint type {type_key!r}.",
            filename=filename,
        )
    inspected = inspect_file(stream, filename, complaint_type.evidence)
    stream.seek(0)
    evidence = Evidence(
        safe_name=inspected.safe_name,
        size=inspected.size,
        sha256=inspected.sha256,
        format=inspected.format,
        mime=inspected.mime,
        archive_members=[list(member) for member in inspected.archive_members],
        type_key=type_key,
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
        upload_session=upload_session,
    )
    evidence.file.save(inspected.safe_name, File(stream), save=False)
    evidence.save()
    return evidence
