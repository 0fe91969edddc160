"""POST /api/v1/evidence is limited per user and per address (per token for the
marketplace's service): over the limit, 429 problem details with Retry-After."""

from __future__ import annotations

import pytest
from django.test import Client

from ombuds.evidence.models import Evidence
from ombuds.intake.ratelimit import check_upload_rate
from tests.api.conftest import Api, api_for, assert_problem
from tests.evidence import corpus

pytestmark = pytest.mark.django_db

TYPE = "offline_trade_dispute"


def upload(api: Api, n: int):  # type: ignore[no-untyped-def]
    return api.upload(TYPE, f"receipt-{n}.pdf", corpus.pdf(f"Receipt {n}"))


def assert_rate_limited(response) -> dict:  # type: ignore[no-untyped-def]
    body = assert_problem(response, 429, "rate_limited", "file")
    assert body["type"].endswith("/rate_limited")
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "wait" in body["detail"]
    return body


def test_an_upload_flood_of_one_user_is_refused_at_the_limit(market, alice, bob, settings):
    settings.OMBUDS_UPLOAD_RATE_PER_USER = "3/hour"
    api = api_for(alice)
    assert [upload(api, n).status_code for n in range(3)] == [201, 201, 201]
    assert_rate_limited(upload(api, 3))
    assert_rate_limited(upload(api, 4))
    assert Evidence.objects.count() == 3
    # Another user from the same address is not held back by Alice's uploads.
    assert upload(api_for(bob), 5).status_code == 201


def test_uploads_are_limited_per_address(market, alice, bob, stranger, settings):
    settings.OMBUDS_UPLOAD_RATE_PER_IP = "2/hour"
    assert upload(api_for(alice), 1).status_code == 201
    assert upload(api_for(bob), 2).status_code == 201
    assert_rate_limited(upload(api_for(stranger), 3))
    elsewhere = api_for(stranger)
    elsewhere.client = Client(REMOTE_ADDR="198.51.100.8")
    assert upload(elsewhere, 4).status_code == 201


def test_the_forwarded_address_counts_when_trusted(market, alice, bob, settings):
    settings.OMBUDS_UPLOAD_RATE_PER_IP = "1/hour"
    settings.OMBUDS_TRUST_X_FORWARDED_FOR = True
    first, second = api_for(alice), api_for(bob)
    first.client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
    second.client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert upload(first, 1).status_code == 201
    assert upload(second, 2).status_code == 201
    assert_rate_limited(upload(first, 3))


def test_the_service_token_is_limited_per_token_not_per_address(market, settings):
    settings.OMBUDS_UPLOAD_RATE_PER_IP = "1/hour"
    settings.OMBUDS_UPLOAD_RATE_PER_SERVICE_TOKEN = "3/hour"
    service = api_for(None)
    assert [upload(service, n).status_code for n in range(3)] == [201, 201, 201]
    assert_rate_limited(upload(service, 3))
    assert upload(api_for(None), 4).status_code == 201  # another token counts on its own


def test_an_empty_setting_means_no_limit(market, alice, settings):
    settings.OMBUDS_UPLOAD_RATE_PER_USER = ""
    settings.OMBUDS_UPLOAD_RATE_PER_IP = ""
    assert check_upload_rate(user_id=alice.pk, ip="203.0.113.1", files=10_000) is None
    assert upload(api_for(alice), 1).status_code == 201


def test_check_upload_rate_counts_every_file(settings):
    settings.OMBUDS_UPLOAD_RATE_PER_USER = "5/hour"
    settings.OMBUDS_UPLOAD_RATE_PER_IP = "8/hour"
    assert check_upload_rate(user_id=7, ip="203.0.113.1", files=4) is None
    assert check_upload_rate(user_id=7, ip=None, files=1) is None
    refusal = check_upload_rate(user_id=7, ip=None, files=1)
    assert refusal is not None and 0 < refusal.retry_after <= 3600
    assert "minute" in refusal.message
    # The address has 4 of its 8: another user's 5 files there go over it.
    assert check_upload_rate(user_id=8, ip="203.0.113.1", files=5) is not None
    assert check_upload_rate(user_id=9, ip="198.51.100.1", files=5) is None
