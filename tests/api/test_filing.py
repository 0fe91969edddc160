"""Filing every type of the default policy through the API, and the emails that follow."""

from __future__ import annotations

import pytest

from ombuds.cases.models import Case, Complaint
from ombuds.notify.outbox import deliver_outbox
from ombuds.policy.loader import get_policy
from tests.api.conftest import (
    DESCRIPTIONS,
    VALID,
    Api,
    api_for,
    make_rights_holder,
    message_text,
    valid_body,
)
from tests.evidence import corpus

pytestmark = pytest.mark.django_db


def test_every_type_of_the_default_policy_has_a_valid_example():
    assert set(VALID) == set(get_policy().types)


def _filer_for(type_key: str, alice):
    return make_rights_holder() if type_key == "ip_rights_holder" else alice


@pytest.mark.parametrize("type_key", list(VALID))
def test_complete_filing_of_each_type_with_uploaded_evidence(type_key, market, alice, bob, mailbox):
    filer = _filer_for(type_key, alice)
    api = api_for(filer)
    _, _, name, make = VALID[type_key]
    upload = api.upload(type_key, name, make())
    assert upload.status_code == 201, upload.content
    uploaded = upload.json()
    assert uploaded["name"] == name and uploaded["size"] > 0 and len(uploaded["sha256"]) == 64

    response = api.file(valid_body(type_key, evidence=[uploaded["id"]]))

    assert response.status_code == 201, response.content
    body = response.json()
    complaint = Complaint.objects.get(reference=body["reference"])
    assert complaint.via == "api" and complaint.complainant == filer
    assert complaint.case is not None and body["case_reference"] == complaint.case.reference
    assert response["Location"] == f"/api/v1/complaints/{complaint.reference}"
    complaint_type = get_policy().types[type_key]
    assert body["type"] == type_key and body["kind"] == complaint_type.kind
    assert body["role"] == "complainant" and body["status"] == "submitted"
    assert body["due_at"] and body["time_left"]
    assert [e["id"] for e in body["evidence"]] == [uploaded["id"]]
    assert {a["field"] for a in body["answers"]} >= {"description"}
    assert body["complainant"]["email"] == filer.email
    assert body["timeline"][0]["text"].startswith("You filed this")
    assert complaint.case.respondent == market.supplier
    assert api.get(f"/complaints/{complaint.reference}").json() == body

    assert deliver_outbox() >= 1
    receipts = mailbox.to(filer.email)
    assert len(receipts) == 1 and complaint.reference in receipts[0]["Subject"]
    notices = mailbox.to(market.supplier.email)
    assert len(notices) == 1 and complaint.case.reference in message_text(notices[0])
    if complaint_type.reporter_anonymous:
        text = message_text(notices[0])
        for secret in (filer.email, filer.username, "Alice Buyer", "buyeralice"):
            assert secret not in text


def test_supplier_files_payment_not_received_against_the_buyer(market, alice, bob, mailbox):
    api = api_for(bob)
    contract = api.evidence_id("offline_trade_dispute", "contract.docx", corpus.docx())
    body = valid_body(
        "offline_trade_dispute",
        target="buyeralice",
        answers={
            "scam_type": "payment_not_received",
            "description": DESCRIPTIONS["offline_supplier"],
        },
        evidence=[contract],
    )
    response = api.file(body)
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["case_reference"])
    assert case.respondent == market.buyer and case.department.code == "disputes"
    deliver_outbox()
    notice = mailbox.to(market.buyer.email)[0]
    assert "Bob Supplies Ltd" in message_text(notice)  # offline disputes are not anonymous


def test_multipart_filing_stores_the_files_and_files_the_complaint(market, alice, mailbox):
    api = api_for(alice)
    files = [
        ("receipt.pdf", corpus.pdf()),
        ("chat.zip", corpus.zip_of({"chat-1.jpg": corpus.jpg(), "chat-2.jpg": corpus.jpg(seed=7)})),
        ("invoice.xlsx", corpus.xlsx()),
    ]
    response = api.file_multipart(valid_body("offline_trade_dispute"), files)
    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(e["name"] for e in body["evidence"]) == [
        "chat.zip",
        "invoice.xlsx",
        "receipt.pdf",
    ]
    complaint = Complaint.objects.get(reference=body["reference"])
    assert {e.format for e in complaint.evidence.all()} == {"pdf", "zip", "xlsx"}
    assert all(e.uploaded_by == alice for e in complaint.evidence.all())
    deliver_outbox()
    assert mailbox.to(alice.email)


def test_multipart_report_with_an_uploaded_id_and_a_file(market, alice):
    api = api_for(alice)
    screenshot = api.evidence_id("listing_rules", "cart.jpg", corpus.jpg())
    response = api.file_multipart(
        valid_body("listing_rules", evidence=[screenshot]), [("terms.pdf", corpus.pdf())]
    )
    assert response.status_code == 201, response.content
    assert {e["format"] for e in response.json()["evidence"]} == {"jpg", "pdf"}


def test_evidence_upload_lists_archive_members(market, alice):
    archive = corpus.zip_of({"a.pdf": corpus.pdf(), "b.jpg": corpus.jpg()})
    response = api_for(alice).upload("offline_trade_dispute", "papers.zip", archive)
    assert response.status_code == 201
    body = response.json()
    assert body["format"] == "zip" and body["mime"] == "application/zip"
    assert sorted(m["path"] for m in body["archive_members"]) == ["a.pdf", "b.jpg"]


def test_a_second_report_about_the_same_listing_joins_the_case(market, alice, stranger):
    first = api_for(alice).file(valid_body("listing_rules"))
    second = api_for(stranger).file(valid_body("listing_rules"))
    assert first.status_code == second.status_code == 201
    assert first.json()["case_reference"] == second.json()["case_reference"]
    assert "joined" in second.json()["timeline"][-1]["text"]


def test_service_token_files_on_behalf_of_a_member_with_an_account(market, alice):
    service = api_for(None)
    evidence = service.evidence_id("offline_trade_dispute", "receipt.pdf", corpus.pdf())
    response = service.file(
        valid_body("offline_trade_dispute", evidence=[evidence], on_behalf_of="buyeralice")
    )
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.complainant == alice and complaint.complainant_member == market.buyer
    assert complaint.evidence.get().uploaded_by is None
    # Alice sees it as her own; the service token does not read complaints.
    assert api_for(alice).get(f"/complaints/{complaint.reference}").status_code == 200
    assert service.get(f"/complaints/{complaint.reference}").status_code == 404


def test_service_token_files_for_a_member_without_an_account_who_confirms_by_email(market, mailbox):
    response = api_for(None).file(valid_body("listing_rules", on_behalf_of="supcarol"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "unconfirmed" and body["case_reference"] is None
    complaint = Complaint.objects.get(reference=body["reference"])
    assert complaint.complainant is None and complaint.complainant_member == market.other_supplier
    deliver_outbox()
    assert len(mailbox.to(market.other_supplier.email)) == 1


def test_service_token_needs_on_behalf_of_and_a_known_member(market):
    from tests.api.conftest import assert_problem

    service = api_for(None)
    assert_problem(
        service.file(valid_body("listing_rules")), 422, "on_behalf_of_required", "on_behalf_of"
    )
    assert_problem(
        service.file(valid_body("listing_rules", on_behalf_of="nobody")),
        422,
        "member_not_found",
        "on_behalf_of",
    )


def test_user_token_cannot_file_on_behalf_of_someone_else(market, alice, bob):
    from tests.api.conftest import assert_problem

    response = api_for(alice).file(valid_body("listing_rules", on_behalf_of="supcarol"))
    assert_problem(response, 403, "on_behalf_of_forbidden")
    assert not Complaint.objects.exists()


def test_evidence_uploaded_by_the_service_is_not_the_users(market, alice):
    evidence = api_for(None).evidence_id("listing_rules", "cart.jpg", corpus.jpg())
    response = api_for(alice).file(valid_body("listing_rules", evidence=[evidence]))
    assert response.status_code == 422


def test_no_token_for_the_api_client_means_401():
    assert Api(None).file(valid_body("listing_rules")).status_code == 401
