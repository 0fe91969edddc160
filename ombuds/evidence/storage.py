"""Accepting an upload: inspect it against the type's rules, then store it under a random name;
and reading a stored file back, to send it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple

from django.core.files import File
from django.core.files.storage import FileSystemStorage

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


DOWNLOAD_CHUNK_BYTES = 64 * 1024


class ObjectBody:
    """An object store's answer to GET, read a chunk at a time as it is sent on: never the
    whole object first (`storage.open()` of django-storages fetches all of it into a temporary
    file before the first byte)."""

    def __init__(self, body: Any, chunk_size: int = DOWNLOAD_CHUNK_BYTES) -> None:
        self._body = body  # botocore's StreamingBody
        self._chunks = body.iter_chunks(chunk_size)

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._body.close()


class Download(NamedTuple):
    """A stored file's bytes, to send as they are read, and how many there are (None: the
    open file tells)."""

    content: BinaryIO | ObjectBody
    size: int | None


def open_for_download(evidence: Evidence) -> Download:
    """The stored bytes of an evidence file, opened to be streamed: the file itself on the file
    system; on an object store, the body of a GET of the object, in chunks. Only for a file
    whose access was checked: this is no access check."""
    storage = evidence.file.storage
    if isinstance(storage, FileSystemStorage):
        return Download(evidence.file.open("rb"), None)
    from storages.backends.s3 import S3Storage

    if not isinstance(storage, S3Storage):
        return Download(storage.open(evidence.file.name, "rb"), None)
    from botocore.exceptions import ClientError
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(evidence.file.name))  # as S3Storage names it
    try:
        answer = storage.bucket.Object(key).get()
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            raise FileNotFoundError(f"The store has no object {key}.") from exc
        raise
    return Download(ObjectBody(answer["Body"]), answer.get("ContentLength"))
