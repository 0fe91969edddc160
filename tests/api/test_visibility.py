"""Who reads what through the API: the complainant, the respondent, agents, nobody else."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import api_for, assert_problem, make_agent, valid_body
from tests.evidence import corpus

pytestmark = pytest.mark.django_db


def _file(user, type_key: str, **changes) -> dict:
    api = api_for(user)
    evidence = api.evidence_id(type_key, "evidence.pdf", corpus.pdf())
    response = api.file(valid_body(type_key, evidence=[evidence], **changes))
    assert response.status_code == 201, response.content
    return response.json()


def _reporter_secrets(user) -> list[str]:
    member = user.member
    return [user.username, user.email, member.display_name, member.member_id]


def test_complainant_reads_their_own_complaint(market, alice):
    filed = _file(alice, "listing_rules")
    response = api_for(alice).get(f"/complaints/{filed['reference']}")
    assert response.status_code == 200
    body = response.json()
    assert body == filed
    assert body["role"] == "complainant"
    assert body["complainant"] == {
        "name": "Alice Buyer",
        "email": "buyeralice@example.com",
        "member_id": "buyeralice",
    }
    assert {a["field"]: a["value"] for a in body["answers"]}["violation"] == (
        "Misleading (bait) price"
    )
    lower = api_for(alice).get(f"/complaints/{filed['reference'].lower()}")
    assert lower.status_code == 200


def test_respondent_reads_a_report_without_the_reporters_identity(market, alice, bob):
    filed = _file(alice, "listing_rules")
    response = api_for(bob).get(f"/complaints/{filed['case_reference']}")
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "respondent" and body["reference"] == filed["case_reference"]
    assert body["complainant"] is None and body["complaints"] == []
    assert body["evidence"] == []  # the policy does not show report evidence to respondents
    assert [a["field"] for a in body["answers"]] == ["violation"]  # no free text
    assert body["target"] == "USB-C charger 65W"
    text = json.dumps(body, ensure_ascii=False)
    for secret in _reporter_secrets(alice):
        assert secret not in text
    assert filed["reference"] not in text


def test_respondent_of_a_visitors_report_sees_no_trace_of_them(market, bob, stranger):
    filed = _file(stranger, "prohibited_goods")
    body = api_for(bob).get(f"/complaints/{filed['case_reference']}").json()
    text = json.dumps(body, ensure_ascii=False)
    for secret in (stranger.username, stranger.email):
        assert secret not in text


def test_respondent_of_an_offline_trade_dispute_sees_the_complainant(market, alice, bob):
    filed = _file(alice, "offline_trade_dispute")
    body = api_for(bob).get(f"/complaints/{filed['case_reference']}").json()
    assert body["role"] == "respondent"
    assert body["complainant"] == {"name": "Alice Buyer", "email": None, "member_id": "buyeralice"}
    assert [e["id"] for e in body["evidence"]] == [e["id"] for e in filed["evidence"]]
    assert "description" in {a["field"] for a in body["answers"]}
    assert body["timeline"][0]["text"].startswith("Alice Buyer filed")


def test_strangers_and_the_other_party_get_404(market, alice, bob, stranger):
    filed = _file(alice, "listing_rules")
    cases = [
        (stranger, filed["reference"]),
        (stranger, filed["case_reference"]),
        (bob, filed["reference"]),  # the respondent may not open the reporter's complaint
        (alice, filed["case_reference"]),  # the reporter does not see the respondent's case
        (stranger, "CMP-NOTATHING"),
    ]
    for user, reference in cases:
        response = api_for(user).get(f"/complaints/{reference}")
        assert_problem(response, 404, "not_found")
        assert response.json()["detail"] == "No complaint with this reference is visible to you."


def test_agents_of_the_department_see_it_and_others_do_not(market, alice):
    filed = _file(alice, "listing_rules")
    agent = api_for(make_agent("lina", "listing_compliance"))
    for reference in (filed["reference"], filed["case_reference"]):
        response = agent.get(f"/complaints/{reference}")
        assert response.status_code == 200
        body = response.json()
        assert body["role"] == "agent" and body["reference"] == filed["case_reference"]
        assert body["complainant"]["email"] == "buyeralice@example.com"
        assert [c["reference"] for c in body["complaints"]] == [filed["reference"]]
        assert len(body["evidence"]) == 1
    other = api_for(make_agent("otto", "security"))
    for reference in (filed["reference"], filed["case_reference"]):
        assert_problem(other.get(f"/complaints/{reference}"), 404, "not_found")


def test_my_complaints_sent_and_received(market, alice, bob):
    report = _file(alice, "listing_rules")
    dispute = _file(alice, "offline_trade_dispute")
    sent = api_for(alice).get("/me/complaints")
    assert sent.status_code == 200
    body = sent.json()
    assert body["box"] == "sent" and body["count"] == 2
    assert {i["reference"] for i in body["items"]} == {report["reference"], dispute["reference"]}
    item = next(i for i in body["items"] if i["reference"] == report["reference"])
    assert item["type_label"] == "Listing rules violation" and item["status"] == "submitted"
    assert item["target"] == "USB-C charger 65W" and item["time_left"]

    received = api_for(bob).get("/me/complaints", box="received").json()
    assert received["count"] == 2
    assert {i["reference"] for i in received["items"]} == {
        report["case_reference"],
        dispute["case_reference"],
    }
    text = json.dumps(received, ensure_ascii=False)
    for secret in _reporter_secrets(alice):
        assert secret not in text
    assert api_for(bob).get("/me/complaints").json()["count"] == 0


def test_my_complaints_filters(market, alice):
    _file(alice, "listing_rules")
    _file(alice, "offline_trade_dispute")
    api = api_for(alice)
    only = api.get("/me/complaints", type="listing_rules").json()
    assert [i["type"] for i in only["items"]] == ["listing_rules"]
    assert api.get("/me/complaints", status="open").json()["count"] == 2
    assert api.get("/me/complaints", status="closed").json()["count"] == 0
    assert api.get("/me/complaints", status="unconfirmed").json()["count"] == 0
    page = api.get("/me/complaints", limit=1, offset=1).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert_problem(api.get("/me/complaints", status="lost"), 422, "invalid_choice", "status")
    assert_problem(api.get("/me/complaints", type="gossip"), 422, "unknown_type", "type")
    assert_problem(api.get("/me/complaints", box="elsewhere"), 422, "literal_error", "box")


def test_service_token_has_no_my_complaints(market):
    assert_problem(api_for(None).get("/me/complaints"), 403, "forbidden")
