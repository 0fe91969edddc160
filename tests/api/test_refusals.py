"""Every refusal through the API: RFC 9457 problem details with the forms' codes, by field."""

from __future__ import annotations

import pytest

from ombuds.cases.models import Complaint
from ombuds.evidence.models import Evidence
from tests.api.conftest import MINISITE_URL, Api, api_for, assert_problem, valid_body
from tests.evidence import corpus
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


# --- respondent ------------------------------------------------------------------------------


def test_minisite_url_does_not_identify_the_supplier(market, alice):
    response = api_for(alice).file(valid_body("offline_trade_dispute", target=MINISITE_URL))
    body = assert_problem(response, 422, "respondent_minisite_url", "target")
    assert "product URL" in body["errors"][0]["message"]
    assert body["type"].endswith("/respondent_minisite_url")


def test_unknown_respondent_says_what_was_tried(market, alice):
    response = api_for(alice).file(valid_body("offline_trade_dispute", target="nobody@example.com"))
    body = assert_problem(response, 422, "respondent_not_found", "target")
    assert body["errors"][0]["tried"] == ["email"]


def test_respondent_is_self(market, alice):
    response = api_for(alice).file(valid_body("offline_trade_dispute", target="buyeralice"))
    assert_problem(response, 422, "respondent_is_self", "target")


# --- eligibility -----------------------------------------------------------------------------


def test_scam_type_must_match_the_parties_roles(market, alice):
    body = valid_body("offline_trade_dispute", answers={"scam_type": "payment_not_received"})
    response = api_for(alice).file(body)
    problem = assert_problem(response, 422, "not_eligible", "answers.scam_type")
    assert "Only a supplier" in problem["errors"][0]["message"]


@pytest.mark.parametrize("choice", ["product_conformity", "damage", "shortage"])
def test_offline_conformity_damage_and_shortage_are_refused_and_routed(market, alice, choice):
    body = valid_body("offline_trade_dispute", answers={"scam_type": choice})
    problem = assert_problem(api_for(alice).file(body), 422, "not_eligible", "answers.scam_type")
    error = problem["errors"][0]
    assert error["route_to"] == "order_dispute"
    assert "paid online" in error["message"]


def test_rights_holder_notice_needs_a_verified_rights_holder(market, alice):
    response = api_for(alice).file(valid_body("ip_rights_holder"))
    problem = assert_problem(response, 422, "not_eligible", "body")
    assert problem["errors"][0]["how"] == "verify_rights_holder"


def test_order_dispute_on_an_offline_order_points_to_the_offline_dispute(market, alice):
    body = valid_body("order_dispute", answers={"order_number": "OF-1"})
    problem = assert_problem(api_for(alice).file(body), 422, "not_eligible", "answers.order_number")
    assert problem["errors"][0]["route_to"] == "offline_trade_dispute"


def test_order_dispute_by_someone_who_is_not_the_buyer(market, alice, stranger):
    body = valid_body("order_dispute")
    assert_problem(api_for(stranger).file(body), 422, "not_eligible", "body")


# --- content ---------------------------------------------------------------------------------


def test_description_not_in_english(market, alice):
    russian = (
        "Я оплатил заказ банковским переводом в марте, но поставщик так и не отправил товар "
        "и перестал отвечать на мои письма."
    )
    body = valid_body("offline_trade_dispute", answers={"description": russian})
    problem = assert_problem(
        api_for(alice).file(body), 422, "language_not_english", "answers.description"
    )
    error = problem["errors"][0]
    assert error["language_found"] == "ru" and "English" in error["message"]


def test_agreement_required_for_reports(market, alice):
    response = api_for(alice).file(valid_body("listing_rules", agreement=False))
    problem = assert_problem(response, 422, "agreement_required", "agreement")
    assert problem["errors"][0]["agreement_url"].startswith("https://")


def test_all_problems_are_told_at_once(market, alice):
    body = valid_body(
        "listing_rules",
        target=MINISITE_URL,
        agreement=False,
        answers={"violation": "nonsense", "description": "too short"},
    )
    problem = assert_problem(api_for(alice).file(body), 422, "submission_refused")
    codes = {(e["field"], e["code"]) for e in problem["errors"]}
    assert codes >= {
        ("target", "respondent_minisite_url"),
        ("agreement", "agreement_required"),
        ("answers.violation", "invalid_choice"),
        ("answers.description", "too_short"),
    }
    assert not Complaint.objects.exists()


def test_unknown_type(market, alice):
    assert_problem(api_for(alice).file(valid_body("listing_rules", type="gossip")), 422,
                   "unknown_type", "type")  # fmt: skip


def test_malformed_requests(market, alice):
    api = api_for(alice)
    assert_problem(api.file({"target": "supbob"}), 422, "missing", "type")
    assert_problem(api.file(valid_body("listing_rules", colour="red")), 422, "extra_forbidden",
                   "colour")  # fmt: skip
    not_json = api.client.post(
        "/api/v1/complaints", "{", content_type="application/json", headers=api.headers()
    )
    assert_problem(not_json, 400, "invalid_json")
    text = api.client.post(
        "/api/v1/complaints", "hello", content_type="text/plain", headers=api.headers()
    )
    assert_problem(text, 415, "unsupported_media_type")
    bad_answers = api.client.post(
        "/api/v1/complaints",
        {"type": "listing_rules", "answers": "{nope"},
        headers=api.headers(),
    )
    assert_problem(bad_answers, 422, "invalid_json", "answers")


# --- evidence --------------------------------------------------------------------------------


def test_program_renamed_pdf_is_refused_at_upload(market, alice):
    for make in (corpus.elf, corpus.pe):
        response = api_for(alice).upload("offline_trade_dispute", "invoice.pdf", make())
        problem = assert_problem(response, 422, "evidence_format", "file")
        assert "program" in problem["errors"][0]["message"]
    assert not Evidence.objects.exists()


def test_program_renamed_pdf_is_refused_in_a_multipart_filing(market, alice):
    response = api_for(alice).file_multipart(
        valid_body("offline_trade_dispute"),
        [("receipt.pdf", corpus.pdf()), ("invoice.pdf", corpus.elf())],
    )
    problem = assert_problem(response, 422, "evidence_format", "evidence")
    assert problem["errors"][0]["file"] == "invoice.pdf"
    assert not Complaint.objects.exists()


def test_multipart_refusal_reports_the_other_fields_too(market, alice):
    body = valid_body("offline_trade_dispute", target=MINISITE_URL)
    response = api_for(alice).file_multipart(body, [("invoice.pdf", corpus.pe())])
    problem = assert_problem(response, 422, "submission_refused")
    codes = {(e["field"], e["code"]) for e in problem["errors"]}
    assert codes == {("evidence", "evidence_format"), ("target", "respondent_minisite_url")}


def test_too_large_file(market, alice):
    big = corpus.pdf_with_random_payload(2 * MB + 100_000)
    response = api_for(alice).upload("offline_trade_dispute", "scan.pdf", big)
    problem = assert_problem(response, 422, "evidence_too_large", "file")
    assert "2 MB" in problem["errors"][0]["message"]
    response = api_for(alice).file_multipart(
        valid_body("offline_trade_dispute"), [("scan.pdf", big)]
    )
    assert_problem(response, 422, "evidence_too_large", "evidence")


def test_two_files_of_one_format_need_a_zip(market, alice):
    api = api_for(alice)
    first = api.evidence_id("offline_trade_dispute", "chat-1.jpg", corpus.jpg())
    second = api.evidence_id("offline_trade_dispute", "chat-2.jpg", corpus.jpg(seed=8))
    response = api.file(valid_body("offline_trade_dispute", evidence=[first, second]))
    problem = assert_problem(response, 422, "evidence_zip_required", "evidence")
    assert "zip" in problem["errors"][0]["message"]
    response = api.file_multipart(
        valid_body("offline_trade_dispute"),
        [("a.jpg", corpus.jpg()), ("b.jpg", corpus.jpg(seed=9))],
    )
    assert_problem(response, 422, "evidence_zip_required", "evidence")
    assert not Complaint.objects.exists()


UNSAFE_ARCHIVES = {
    "overlap bomb": corpus.overlap_bomb,
    "deflate bomb": corpus.deflate_bomb,
    "path traversal": lambda: corpus.zip_of({"../../etc/passwd": b"x"}),
    "nested three deep": lambda: corpus.zip_of(
        {"a.zip": corpus.zip_of({"b.zip": corpus.zip_of({"x.pdf": corpus.pdf()})})}
    ),
}


@pytest.mark.parametrize("make", UNSAFE_ARCHIVES.values(), ids=UNSAFE_ARCHIVES.keys())
def test_unsafe_archives_are_refused(market, alice, make):
    data = make()
    response = api_for(alice).upload("offline_trade_dispute", "evidence.zip", data)
    assert_problem(response, 422, "evidence_archive_unsafe", "file")
    response = api_for(alice).file_multipart(
        valid_body("offline_trade_dispute"), [("evidence.zip", data)]
    )
    assert_problem(response, 422, "evidence_archive_unsafe", "evidence")


def test_encrypted_archive_is_refused(market, alice):
    response = api_for(alice).upload("offline_trade_dispute", "secret.zip", corpus.encrypted_zip())
    problem = assert_problem(response, 422, "evidence_archive_encrypted", "file")
    assert "password" in problem["errors"][0]["message"]


def test_format_not_allowed_for_the_type(market, alice):
    response = api_for(alice).upload("listing_rules", "mail.eml", corpus.eml())
    assert_problem(response, 422, "evidence_format", "file")


def test_upload_for_an_unknown_type_or_without_a_file(market, alice):
    api = api_for(alice)
    assert_problem(api.upload("gossip", "a.pdf", corpus.pdf()), 422, "unknown_type", "type")
    no_file = api.client.post("/api/v1/evidence?type=copyright", {}, headers=api.headers())
    assert_problem(no_file, 422, "missing", "file")


def test_evidence_must_be_the_callers_and_not_yet_attached(market, alice, bob):
    api = api_for(alice)
    bobs = api_for(bob).evidence_id("listing_rules", "cart.jpg", corpus.jpg())
    mine = api.evidence_id("listing_rules", "cart.jpg", corpus.jpg())
    for ids in ([bobs], ["not-a-uuid"], ["3f1c2a4e-0000-4000-8000-000000000000"]):
        problem = assert_problem(
            api.file(valid_body("listing_rules", evidence=ids)), 422, "evidence_not_found",
            "evidence",
        )  # fmt: skip
        assert problem["errors"][0]["file"] == ids[0]
    assert api.file(valid_body("listing_rules", evidence=[mine])).status_code == 201
    again = api.file(valid_body("prohibited_goods", evidence=[mine]))
    assert_problem(again, 422, "evidence_not_found", "evidence")


def test_evidence_uploaded_for_another_type(market, alice):
    api = api_for(alice)
    evidence = api.evidence_id("offline_trade_dispute", "receipt.pdf", corpus.pdf())
    response = api.file(valid_body("listing_rules", evidence=[evidence]))
    assert_problem(response, 422, "evidence_type_mismatch", "evidence")


def test_required_evidence(market):
    from tests.api.conftest import make_rights_holder

    response = api_for(make_rights_holder()).file(valid_body("ip_rights_holder"))
    assert_problem(response, 422, "evidence_required", "evidence")


# --- duplicates and rate limits --------------------------------------------------------------


def test_duplicate_complaint_is_409_with_the_open_one(market, alice):
    api = api_for(alice)
    first = api.file(valid_body("offline_trade_dispute"))
    assert first.status_code == 201
    response = api.file(valid_body("offline_trade_dispute"))
    problem = assert_problem(response, 409, "duplicate_complaint", "target")
    reference = first.json()["reference"]
    assert problem["errors"][0]["duplicate"] == reference
    assert reference in problem["detail"]
    assert Complaint.objects.count() == 1


def test_rate_limited_with_retry_after(market, alice, settings):
    settings.OMBUDS_FILING_RATE_PER_USER = "1/hour"
    api = api_for(alice)
    assert api.file(valid_body("listing_rules")).status_code == 201
    response = api.file(valid_body("copyright"))
    problem = assert_problem(response, 429, "rate_limited", "body")
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "wait" in problem["detail"]
    assert Complaint.objects.count() == 1


def test_rate_limit_per_ip_applies_to_every_user_token(market, settings):
    settings.OMBUDS_FILING_RATE_PER_IP = "1/hour"
    first = api_for(make_user("one")).file(valid_body("listing_rules"))
    assert first.status_code == 201
    second = api_for(make_user("two")).file(valid_body("listing_rules"))
    assert_problem(second, 429, "rate_limited")


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/complaints"),
        ("post", "/evidence?type=copyright"),
        ("get", "/complaints/CMP-23456789"),
        ("get", "/me/complaints"),
    ],
)
def test_unauthenticated_requests_get_401(method, path):
    client = Api(None).client
    for headers in ({}, {"Authorization": "Bearer omb_nope_nope"}):
        response = getattr(client, method)("/api/v1" + path, headers=headers)
        problem = assert_problem(response, 401, "not_authenticated")
        assert problem["type"].endswith("/not_authenticated")
        assert response["WWW-Authenticate"] == "Bearer"
