"""Idempotency-Key: a retried POST returns the complaint the first one made, even concurrently."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

import ombuds.cases.actions.filing as filing_action
from ombuds.cases.models import Complaint, IdempotencyKey
from tests.api.conftest import Api, api_for, assert_problem, valid_body
from tests.evidence import corpus


@pytest.mark.django_db
def test_sequential_retry_replays_the_same_complaint(market, alice):
    api = api_for(alice)
    evidence = api.evidence_id("offline_trade_dispute", "receipt.pdf", corpus.pdf())
    body = valid_body("offline_trade_dispute", evidence=[evidence])
    first = api.file(body, key="order-77-attempt")
    second = api.file(body, key="order-77-attempt")
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert Complaint.objects.count() == 1
    record = IdempotencyKey.objects.get()
    assert record.scope == str(alice.pk) and record.complaint.reference == first.json()["reference"]


@pytest.mark.django_db
def test_same_key_with_another_body_is_refused(market, alice):
    api = api_for(alice)
    assert api.file(valid_body("listing_rules"), key="k-1").status_code == 201
    response = api.file(valid_body("copyright"), key="k-1")
    assert_problem(response, 422, "idempotency_key_reused", "Idempotency-Key")
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_caller(market, alice, stranger):
    assert api_for(alice).file(valid_body("listing_rules"), key="shared").status_code == 201
    other = api_for(stranger).file(valid_body("listing_rules"), key="shared")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Complaint.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_does_not_use_up_its_key(market, alice):
    api = api_for(alice)
    refused = api.file(valid_body("listing_rules", agreement=False), key="k-2")
    assert_problem(refused, 422, "agreement_required", "agreement")
    assert not IdempotencyKey.objects.exists()
    corrected = api.file(valid_body("listing_rules"), key="k-2")
    assert corrected.status_code == 201 and "Idempotent-Replayed" not in corrected
    assert api.file(valid_body("listing_rules"), key="k-2")["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_replay_is_not_rate_limited(market, alice, settings):
    settings.OMBUDS_FILING_RATE_PER_USER = "1/hour"
    api = api_for(alice)
    first = api.file(valid_body("listing_rules"), key="k-3")
    again = api.file(valid_body("listing_rules"), key="k-3")
    assert first.status_code == again.status_code == 201


@pytest.mark.django_db
def test_multipart_retry_with_the_same_files_replays(market, alice):
    api = api_for(alice)
    files = [("receipt.pdf", corpus.pdf())]
    first = api.file_multipart(valid_body("offline_trade_dispute"), files, key="mp-1")
    second = api.file_multipart(valid_body("offline_trade_dispute"), files, key="mp-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["reference"] == second.json()["reference"]
    other_file = [("receipt.pdf", corpus.pdf("Receipt 9999"))]
    changed = api.file_multipart(valid_body("offline_trade_dispute"), other_file, key="mp-1")
    assert_problem(changed, 422, "idempotency_key_reused")


@pytest.mark.django_db
def test_service_token_keys_are_scoped_to_the_token(market, alice):
    service = api_for(None)
    body = valid_body("listing_rules", on_behalf_of="buyeralice")
    first = service.file(body, key="mk-1")
    second = service.file(body, key="mk-1")
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["reference"] == second.json()["reference"]
    assert IdempotencyKey.objects.get().scope == f"service:{service.token.split('_')[1]}"


@pytest.mark.django_db
def test_key_length_is_checked(market, alice):
    response = api_for(alice).file(valid_body("listing_rules"), key="x" * 201)
    assert_problem(response, 422, "idempotency_key_invalid", "Idempotency-Key")


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_make_exactly_one_complaint(market, alice, monkeypatch):
    api = api_for(alice)
    evidence = api.evidence_id("offline_trade_dispute", "receipt.pdf", corpus.pdf())
    body = valid_body("offline_trade_dispute", evidence=[evidence])
    real_file_complaint = filing_action.file_complaint

    def slow_file_complaint(**kwargs):
        time.sleep(0.4)  # keep the first request inside its transaction while the other arrives
        return real_file_complaint(**kwargs)

    monkeypatch.setattr(filing_action, "file_complaint", slow_file_complaint)
    start = threading.Barrier(2)
    responses: list = [None, None]

    def post(index: int) -> None:
        try:
            start.wait()
            responses[index] = Api(api.token).file(body, key="same-key")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [r.status_code for r in responses] == [201, 201], [r.content for r in responses]
    references = {r.json()["reference"] for r in responses}
    assert len(references) == 1
    assert Complaint.objects.count() == 1
    assert Complaint.objects.get().reference in references
    assert sorted(r.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]


@pytest.mark.django_db(transaction=True)
def test_two_identical_filings_at_once_without_a_key_make_one_complaint(market, alice):
    """Without Idempotency-Key, the duplicate check itself must hold under concurrency."""
    token = api_for(alice).token
    body = valid_body("offline_trade_dispute")
    start = threading.Barrier(2)
    responses: list = [None, None]

    def post(index: int) -> None:
        try:
            start.wait()
            responses[index] = Api(token).file(body)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert Complaint.objects.count() == 1
