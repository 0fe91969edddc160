"""Where evidence files are kept: the file system (the default) or an S3-compatible object store.

The settings build Django's default storage here from the environment (`OMBUDS_FILE_STORAGE`
and, for `s3`, the `OMBUDS_S3_*` variables). On an object store the files are never publicly
readable: no ACL is sent (an object is private unless the bucket itself is made public), signed
URLs are short-lived and signed with SigV4, and Ombuds itself serves every file, through its
access-checked download, streaming it from the store (`storage.open_for_download`).

This module is imported by the settings: it imports nothing of Ombuds, and neither boto3 nor
django-storages until an object store is chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "filesystem"
S3 = "s3"
KINDS = (FILESYSTEM, S3)
S3_BACKEND = "storages.backends.s3.S3Storage"
S3_REQUIRED = ("OMBUDS_S3_BUCKET", "OMBUDS_S3_ACCESS_KEY_ID", "OMBUDS_S3_SECRET_ACCESS_KEY")
S3_DEFAULT_REGION = "us-east-1"
ADDRESSING_STYLES = ("auto", "path", "virtual")
# Ombuds streams every download itself; a signed URL (should anything ask the storage for one)
# is good for this long only.
SIGNED_URL_SECONDS = 300


def storage_kind(env: Mapping[str, str]) -> str:
    kind = (env.get("OMBUDS_FILE_STORAGE") or FILESYSTEM).strip().lower()
    if kind not in KINDS:
        raise ImproperlyConfigured(
            f"OMBUDS_FILE_STORAGE must be one of {', '.join(KINDS)}, not {kind!r}."
        )
    return kind


def file_storage(env: Mapping[str, str], file_dir: Path) -> dict[str, Any]:
    """Django's STORAGES["default"] for evidence: files under `file_dir`, or the S3 bucket the
    environment names (ImproperlyConfigured, naming what is missing or wrong, if it does not)."""
    if storage_kind(env) == FILESYSTEM:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(file_dir), "base_url": None},
        }
    return {"BACKEND": S3_BACKEND, "OPTIONS": s3_options(env)}


def _value(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def s3_options(env: Mapping[str, str]) -> dict[str, Any]:
    """django-storages' S3Storage options from the `OMBUDS_S3_*` variables."""
    missing = [name for name in S3_REQUIRED if not _value(env, name)]
    if missing:
        raise ImproperlyConfigured(
            f"OMBUDS_FILE_STORAGE=s3 needs {', '.join(missing)} (set "
            f"{'it' if len(missing) == 1 else 'them'} in the environment); see the README's "
            "settings."
        )
    endpoint_url = _value(env, "OMBUDS_S3_ENDPOINT_URL") or None
    if endpoint_url is not None:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(
                "OMBUDS_S3_ENDPOINT_URL must be the store's http:// or https:// address, like "
                f"https://s3.example.com, not {endpoint_url!r}."
            )
    addressing_style = _value(env, "OMBUDS_S3_ADDRESSING_STYLE").lower() or "auto"
    if addressing_style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(
            f"OMBUDS_S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}, not "
            f"{addressing_style!r}."
        )
    from botocore.config import Config

    signature_version = "s3v4"  # without it, signed URLs would use SigV2
    return {
        "bucket_name": _value(env, "OMBUDS_S3_BUCKET"),
        "endpoint_url": endpoint_url,
        "region_name": _value(env, "OMBUDS_S3_REGION") or S3_DEFAULT_REGION,
        "access_key": _value(env, "OMBUDS_S3_ACCESS_KEY_ID"),
        "secret_key": _value(env, "OMBUDS_S3_SECRET_ACCESS_KEY"),
        "signature_version": signature_version,
        "addressing_style": addressing_style,
        # A client config replaces the two options above in django-storages: they are in it.
        # Checksums only where the API requires them: many S3-compatible stores refuse the
        # trailing checksums boto3 sends by default since 1.36.
        "client_config": Config(
            signature_version=signature_version,
            s3={"addressing_style": addressing_style},
            request_checksum_calculation="when_required",
        ),
        # Private: no ACL sent (never public-read), URLs signed and short-lived.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        # Names are random; an existing object is still never overwritten.
        "file_overwrite": False,
        # Were an object ever fetched directly, a browser would save it, not show or cache it.
        "object_parameters": {
            "ContentType": "application/octet-stream",
            "ContentDisposition": "attachment",
            "CacheControl": "private, no-store",
        },
    }
