"""Evidence on an S3-compatible object store (`OMBUDS_FILE_STORAGE=s3`), over real HTTP against
moto's S3 server: uploads become private objects, the entitled party downloads them through
Ombuds (streamed from the store), others get 404, and stale unattached uploads leave the bucket.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from storages.backends.s3 import S3Storage

from ombuds.cases.models import Complaint
from ombuds.evidence.models import Evidence
from ombuds.evidence.object_storage import S3_REQUIRED, file_storage, s3_options
from ombuds.evidence.storage import DOWNLOAD_CHUNK_BYTES
from ombuds.evidence.uploads import delete_unattached_uploads
from tests.api.conftest import api_for, valid_body
from tests.conftest import free_port
from tests.evidence import corpus
from tests.factories import make_market, make_user

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
KEY_ID, SECRET = "ombuds-test-key", "ombuds-test-secret"
TYPE = "listing_rules"  # an anonymous report: the respondent never sees the reporter's files


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server on a free port, answering over HTTP; stopped at the end."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "moto_server exited at start"
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "moto_server did not answer in 30 s"
                time.sleep(0.1)
        _client(url).create_bucket(Bucket="ombuds-evidence")  # the server works
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _client(url: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        config=Config(signature_version="s3v4"),
    )


def _environment(url: str, bucket: str) -> dict[str, str]:
    return {
        "OMBUDS_FILE_STORAGE": "s3",
        "OMBUDS_S3_BUCKET": bucket,
        "OMBUDS_S3_ENDPOINT_URL": url,
        "OMBUDS_S3_REGION": "us-east-1",
        "OMBUDS_S3_ACCESS_KEY_ID": KEY_ID,
        "OMBUDS_S3_SECRET_ACCESS_KEY": SECRET,
    }


@dataclass
class Store:
    url: str
    bucket: str
    client: object

    def keys(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=self.bucket)  # type: ignore[attr-defined]
        return {entry["Key"] for entry in listed.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()  # type: ignore[attr-defined]


@pytest.fixture
def store(settings, s3_server) -> Store:
    """Django's default storage switched to a new, empty bucket of the S3 server, with the
    options the settings build from OMBUDS_S3_* variables."""
    bucket = f"ombuds-{uuid.uuid4().hex[:12]}"
    client = _client(s3_server)
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": file_storage(_environment(s3_server, bucket), Path("/nonexistent")),
    }
    # FileField keeps Django's lazy default storage, which the settings change resets.
    field_storage = Evidence._meta.get_field("file").storage
    assert isinstance(field_storage, S3Storage) and field_storage.bucket_name == bucket
    return Store(s3_server, bucket, client)


def _complaint_with_file(data: bytes, name: str = "cart.jpg"):  # type: ignore[no-untyped-def]
    """Alice (a buyer) reports Bob's listing through the API with one uploaded file."""
    market = make_market()
    alice = make_user("alice", member=market.buyer)
    bob = make_user("bob", member=market.supplier)
    api = api_for(alice)
    public_id = api.evidence_id(TYPE, name, data)
    filed = api.file(valid_body(TYPE, evidence=[public_id]))
    assert filed.status_code == 201, filed.content
    complaint = Complaint.objects.get(reference=filed.json()["reference"])
    return complaint, Evidence.objects.get(public_id=public_id), alice, bob


@pytest.mark.django_db
def test_an_upload_is_a_private_object_in_the_bucket(store):
    data = corpus.jpg()
    market = make_market()
    alice = make_user("alice", member=market.buyer)

    public_id = api_for(alice).evidence_id(TYPE, "cart.jpg", data)

    evidence = Evidence.objects.get(public_id=public_id)
    key = evidence.file.name
    assert key.startswith("evidence/") and "cart" not in key  # a random name
    assert store.keys() == {key} and store.read(key) == data
    assert not (Path(django_settings.MEDIA_ROOT) / key).exists()  # not on the file system
    head = store.client.head_object(Bucket=store.bucket, Key=key)
    assert head["ContentType"] == "application/octet-stream"
    assert head["ContentDisposition"] == "attachment"
    # Not publicly readable: no grant to everyone, and an unsigned GET is refused.
    acl = store.client.get_object_acl(Bucket=store.bucket, Key=key)
    assert all("URI" not in grant["Grantee"] for grant in acl["Grants"]), acl["Grants"]
    unsigned = requests.get(f"{store.url}/{store.bucket}/{key}", timeout=10)
    assert unsigned.status_code == 403
    assert data not in unsigned.content
    # A URL from the storage is signed with SigV4 and short-lived (moto checks neither).
    query = parse_qs(urlsplit(evidence.file.url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert int(query["X-Amz-Expires"][0]) <= 300


@pytest.mark.django_db
def test_the_reporter_downloads_the_file_streamed_and_nobody_else(store, monkeypatch):
    data = corpus.noisy_jpg(400_000)
    assert len(data) > 4 * DOWNLOAD_CHUNK_BYTES
    complaint, evidence, alice, bob = _complaint_with_file(data)
    assert list(complaint.evidence.all()) == [evidence] and evidence.attached_at is not None
    stranger = make_user("mallory")

    def whole_object(*args, **kwargs):  # storage.open() fetches it all before the first byte
        raise AssertionError("the download must not open the object through the storage")

    monkeypatch.setattr(S3Storage, "_open", whole_object)
    read_from_store: list[int] = []
    real_read = StreamingBody.read

    def counted_read(self, amt=None):  # type: ignore[no-untyped-def]
        chunk = real_read(self, amt)
        read_from_store.append(len(chunk))
        return chunk

    monkeypatch.setattr(StreamingBody, "read", counted_read)

    reporter = Client()
    reporter.force_login(alice)
    response = reporter.get(f"/evidence/{evidence.public_id}/")

    assert response.status_code == 200 and response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks)
    # When the first chunk goes out, only about a chunk has come from the store.
    assert len(first) == DOWNLOAD_CHUNK_BYTES
    assert sum(read_from_store) <= 2 * DOWNLOAD_CHUNK_BYTES < len(data)
    assert first + b"".join(chunks) == data  # to the end, which closes the response
    assert sum(read_from_store) == len(data)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Disposition"] == 'inline; filename="cart.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"

    # The respondent of an anonymous report, a stranger and a visitor get no file.
    for outsider in (bob, stranger, None):
        client = Client()
        if outsider is not None:
            client.force_login(outsider)
        refused = client.get(f"/evidence/{evidence.public_id}/")
        assert refused.status_code == 404, outsider
        assert not refused.streaming
    assert sum(read_from_store) == len(data)  # nothing more was read from the store


@pytest.mark.django_db
def test_a_document_is_downloaded_as_an_attachment_with_its_safe_name(store):
    data = corpus.docx()
    market = make_market()
    alice = make_user("alice", member=market.buyer)
    public_id = api_for(alice).evidence_id("offline_trade_dispute", "my contract.docx", data)
    client = Client()
    client.force_login(alice)  # her own upload, not attached yet

    response = client.get(f"/evidence/{public_id}/")

    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == data
    assert response["Content-Disposition"] == 'attachment; filename="my contract.docx"'
    assert response["Content-Length"] == str(len(data))
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_file_missing_from_the_store_is_not_found_in_the_store(store):
    market = make_market()
    alice = make_user("alice", member=market.buyer)
    public_id = api_for(alice).evidence_id(TYPE, "cart.jpg", corpus.jpg())
    evidence = Evidence.objects.get(public_id=public_id)
    store.client.delete_object(Bucket=store.bucket, Key=evidence.file.name)
    client = Client(raise_request_exception=True)
    client.force_login(alice)

    with pytest.raises(FileNotFoundError):
        client.get(f"/evidence/{public_id}/")


@pytest.mark.django_db
def test_stale_unattached_uploads_are_deleted_from_the_bucket(store):
    complaint, attached, alice, _ = _complaint_with_file(corpus.jpg(seed=1))
    api = api_for(alice)
    stale = Evidence.objects.get(public_id=api.evidence_id(TYPE, "old.jpg", corpus.jpg(seed=2)))
    recent = Evidence.objects.get(public_id=api.evidence_id(TYPE, "new.jpg", corpus.jpg(seed=3)))
    two_days_ago = timezone.now() - timedelta(days=2)
    Evidence.objects.filter(pk__in=[stale.pk, attached.pk]).update(created_at=two_days_ago)
    assert store.keys() == {attached.file.name, stale.file.name, recent.file.name}

    assert delete_unattached_uploads() == 1

    assert store.keys() == {attached.file.name, recent.file.name}
    with pytest.raises(ClientError) as gone:
        store.client.head_object(Bucket=store.bucket, Key=stale.file.name)
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert not Evidence.objects.filter(pk=stale.pk).exists()
    assert set(Evidence.objects.values_list("pk", flat=True)) == {attached.pk, recent.pk}
    assert list(complaint.evidence.all()) == [attached]
    assert delete_unattached_uploads() == 0


# ----------------------------------------------------------------------------- the settings


def test_the_file_system_stays_the_default(tmp_path):
    for env in ({}, {"OMBUDS_FILE_STORAGE": ""}, {"OMBUDS_FILE_STORAGE": "filesystem"}):
        built = file_storage(env, tmp_path)
        assert built["BACKEND"] == "django.core.files.storage.FileSystemStorage"
        assert built["OPTIONS"]["location"] == str(tmp_path)


@pytest.mark.parametrize("missing", S3_REQUIRED)
def test_each_missing_s3_setting_is_named(missing):
    env = _environment("https://s3.example.com", "ombuds-evidence")
    env[missing] = ""
    with pytest.raises(ImproperlyConfigured, match=missing):
        file_storage(env, Path("/nonexistent"))
    del env[missing]
    with pytest.raises(ImproperlyConfigured, match=missing):
        file_storage(env, Path("/nonexistent"))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OMBUDS_FILE_STORAGE", "s4"),
        ("OMBUDS_S3_ENDPOINT_URL", "s3.example.com"),
        ("OMBUDS_S3_ENDPOINT_URL", "ftp://s3.example.com"),
        ("OMBUDS_S3_ADDRESSING_STYLE", "sideways"),
    ],
)
def test_a_wrong_s3_setting_is_named(name, value):
    env = {**_environment("https://s3.example.com", "ombuds-evidence"), name: value}
    with pytest.raises(ImproperlyConfigured, match=name):
        file_storage(env, Path("/nonexistent"))


def test_the_s3_options_are_private_and_signed_with_sigv4():
    env = _environment("", "ombuds-evidence")  # no endpoint: Amazon S3 itself
    del env["OMBUDS_S3_REGION"]
    options = s3_options(env)
    assert options["endpoint_url"] is None and options["region_name"] == "us-east-1"
    assert options["signature_version"] == "s3v4"
    assert options["client_config"].signature_version == "s3v4"  # what the storage uses
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["querystring_expire"] <= 300
    storage = S3Storage(**options)
    assert storage.client_config.signature_version == "s3v4"
    assert storage.bucket_name == "ombuds-evidence" and storage.default_acl is None


def _ombuds(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OMBUDS_")}
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the tests' own
        clean.pop(name, None)
    return subprocess.run(
        [str(BIN / "ombuds"), *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ombuds_refuses_to_start_without_the_bucket(tmp_path):
    env = {**_environment("https://s3.example.com", ""), "OMBUDS_DATA_DIR": str(tmp_path)}
    done = _ombuds("check", env=env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "OMBUDS_S3_BUCKET" in done.stderr


def test_the_deploy_check_has_nothing_to_say_about_s3_storage(tmp_path):
    env = {
        **_environment("https://s3.example.com", "ombuds-evidence"),
        "OMBUDS_DATA_DIR": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-test-key-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "complaints.example.com",
    }
    done = _ombuds("check", "--deploy", env=env)
    assert done.returncode == 0, done.stderr
    said = (done.stdout + done.stderr).lower()
    assert "storage" not in said and "s3" not in said, said
