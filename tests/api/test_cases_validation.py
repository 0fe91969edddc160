"""Invalid requests to the case endpoints: 422 problem details naming each field, nothing
changed; and the OpenAPI description of the new paths with their error responses."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ombuds.cases.models import Case, CaseEvent, PartyStatement, Sanction
from ombuds.directory.models import Listing
from tests.api.conftest import api_for, assert_problem
from tests.api.test_cases_support import (
    STATEMENT,
    UPHELD,
    answered_by_respondent,
    appealed,
    claimed,
    decided_case,
    file_report,
    make_scene,
    post,
)
from tests.evidence import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    """A report claimed by Ada and answered by Bob: ready to be decided."""
    scene = file_report(make_scene())
    claimed(scene)
    answered_by_respondent(scene)
    return scene


def _decision(**changes) -> dict:
    body = {**UPHELD, "statement": dict(STATEMENT)}
    statement_changes = changes.pop("statement", {})
    body["statement"].update(statement_changes)
    body.update(changes)
    return body


def _unchanged(case: Case, events: int) -> None:
    case.refresh_from_db()
    assert case.status == "in_review" and case.outcome == ""
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not Sanction.objects.exists()
    assert Listing.objects.get(pk=case.listing_id).status == "active"


def test_decision_refusals_name_the_field(scene):
    case = Case.objects.get(reference=scene.case)
    events = case.events.count()
    carol = Listing.objects.create(
        product_url="https://market.example/product/carol-1.html",
        title="Carol's charger",
        store=scene.market.other_supplier.stores.get(),
    )
    past = (timezone.now() - timedelta(days=1)).isoformat()
    naive = datetime(2099, 1, 1).isoformat()
    listing_removed = {"kind": "listing_removed"}
    cases = [
        ({"outcome": "upheld", "sanctions": []}, "statement", "missing"),
        (_decision(statement={"facts": None}), "statement.facts", "string_type"),
        ({**UPHELD, "statement": {"ground": "x"}}, "statement.facts", "missing"),
        (_decision(statement={"facts": "   "}), "statement", "statement_incomplete"),
        (_decision(statement={"ground": ""}), "statement", "statement_incomplete"),
        (_decision(statement={"extra": 1}), "statement.extra", "extra_forbidden"),
        (_decision(outcome="banned"), "outcome", "outcome_not_allowed"),
        (_decision(outcome="full_refund"), "outcome", "outcome_not_allowed"),
        (_decision(sanctions=[{"kind": "jail"}]), "sanctions.0.kind", "sanction_not_allowed"),
        (
            _decision(sanctions=[{"kind": "account_disabled"}]),
            "sanctions.0.kind",
            "sanction_not_allowed",
        ),
        (
            _decision(outcome="rejected", sanctions=[listing_removed]),
            "sanctions",
            "sanction_without_upheld",
        ),
        (
            _decision(sanctions=[{"kind": "listing_removed", "listing": "https://x.example/p"}]),
            "sanctions.0.listing",
            "listing_not_found",
        ),
        (
            _decision(sanctions=[{"kind": "listing_removed", "listing": carol.product_url}]),
            "sanctions.0.listing",
            "listing_not_respondents",
        ),
        (
            _decision(sanctions=[{"kind": "warning", "listing": carol.product_url}]),
            "sanctions.0.listing",
            "listing_not_applicable",
        ),
        (
            _decision(sanctions=[{**listing_removed, "ends_at": past}]),
            "sanctions.0.ends_at",
            "ends_at_past",
        ),
        (
            _decision(sanctions=[{**listing_removed, "ends_at": naive}]),
            "sanctions.0.ends_at",
            "timezone_aware",
        ),
        (_decision(sanctions=[{"listing": None}]), "sanctions.0.kind", "missing"),
        (_decision(sanctions="listing_removed"), "sanctions", "list_type"),
        (_decision(verdict="guilty"), "verdict", "extra_forbidden"),
    ]
    for body, field, code in cases:
        response = post(scene.ada_api, f"/cases/{scene.case}/decision", body)
        problem = assert_problem(response, 422, code, field)
        assert problem["type"].startswith("https://ombuds.dev/problems/")
        _unchanged(case, events)
    response = post(scene.ada_api, f"/cases/{scene.case}/decision", raw="{not json")
    assert_problem(response, 400, "about:blank")
    _unchanged(case, events)


def test_a_sanction_may_name_another_listing_of_the_respondent_and_an_end(scene):
    other = Listing.objects.create(
        product_url="https://market.example/product/usb-cable-99.html",
        title="USB cable",
        store=scene.market.store,
    )
    ends = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    body = _decision(
        sanctions=[
            {"kind": "listing_restricted", "listing": "market.example/product/usb-cable-99.html"},
            {"kind": "warning", "ends_at": ends.isoformat()},
        ]
    )
    response = post(scene.ada_api, f"/cases/{scene.case}/decision", body)
    assert response.status_code == 201, response.content
    restricted, warning = response.json()["sanctions"]
    assert restricted["listing"] == other.product_url and restricted["applies_to"] == "listing"
    assert warning["listing"] is None and warning["member"] == "supbob"
    assert datetime.fromisoformat(warning["ends_at"]) == ends
    other.refresh_from_db()
    assert other.status == "restricted"


def test_action_refusals_name_the_field(scene):
    ada, ref = scene.ada_api, scene.case
    checks = [
        (f"/cases/{ref}/notes", {"text": "  "}, "text", "note_empty"),
        (f"/cases/{ref}/notes", {"text": "x" * 5001}, "text", "text_too_long"),
        (f"/cases/{ref}/notes", {}, "text", "missing"),
        (f"/cases/{ref}/transfer", {"department": "nope"}, "department", "transfer_invalid"),
        (
            f"/cases/{ref}/transfer",
            {"department": "listing_compliance"},
            "department",
            "transfer_invalid",
        ),
        (
            f"/cases/{ref}/information-requests",
            {"party": "judge", "question": "Why?"},
            "party",
            "literal_error",
        ),
        (
            f"/cases/{ref}/information-requests",
            {"party": "complainant", "question": " "},
            "question",
            "question_empty",
        ),
        (
            f"/cases/{ref}/information-requests",
            {"party": "complainant", "question": "Why?", "days": 0},
            "days",
            "deadline_invalid",
        ),
        (
            f"/cases/{ref}/information-requests",
            {"party": "complainant", "question": "Why?", "days": 31},
            "days",
            "deadline_invalid",
        ),
        (
            f"/cases/{ref}/information-requests",
            {"party": "complainant", "question": "Why?", "days": "soon"},
            "days",
            "int_parsing",
        ),
    ]
    for path, body, field, code in checks:
        assert_problem(post(ada, path, body), 422, code, field)
    case = Case.objects.get(reference=ref)
    assert case.status == "in_review" and case.department.code == "listing_compliance"
    assert not case.information_requests.exists()
    assert not case.events.filter(kind="note_added").exists()

    assert_problem(
        ada.get("/departments/listing_compliance/queue", limit=0),
        422,
        "greater_than_equal",
        "limit",
    )
    assert_problem(
        post(ada, "/sanctions/abc/lift", {"reason": "x"}), 422, "int_parsing", "sanction_id"
    )
    assert_problem(post(ada, "/sanctions/999/lift", {"reason": "x"}), 404, "not_found")
    assert_problem(
        post(ada, "/appeals/999/decision", {"reverse": True, "statement": "x"}), 404, "not_found"
    )
    assert_problem(ada.get("/cases/CASE-NOPE2345"), 404, "not_found")


def test_lift_and_appeal_decision_refusals_name_the_field():
    scene = decided_case(make_scene())
    sanction = Sanction.objects.get()
    for body, field, code in (
        ({"reason": "   "}, "reason", "reason_empty"),
        ({}, "reason", "missing"),
        ({"reason": "x" * 2001}, "reason", "text_too_long"),
    ):
        response = post(scene.ada_api, f"/sanctions/{sanction.pk}/lift", body)
        assert_problem(response, 422, code, field)
    sanction.refresh_from_db()
    assert sanction.lifted_at is None

    appeal = appealed(scene)
    for body, field, code in (
        ({"statement": "Reversed."}, "reverse", "missing"),
        ({"reverse": "maybe", "statement": "x"}, "reverse", "bool_parsing"),
        ({"reverse": True, "statement": "  "}, "statement", "statement_incomplete"),
    ):
        response = post(scene.ben_api, f"/appeals/{appeal}/decision", body)
        assert_problem(response, 422, code, field)
    assert Case.objects.get().status == "appealed"


def test_party_refusals_name_the_field():
    scene = file_report(make_scene())
    bob, alice = scene.bob_api, scene.alice_api
    answers = f"/complaints/{scene.case}/answers"
    phishing = bob.evidence_id("phishing", "mail.eml", corpus.eml())
    own_for_alice = alice.evidence_id("listing_rules", "cart.png", corpus.png())
    attached = Case.objects.get().complaints.get().evidence.get().public_id
    for body, field, code in (
        ({"text": "  "}, "text", "answer_empty"),
        ({}, "text", "missing"),
        ({"text": "x" * 5001}, "text", "text_too_long"),
        ({"text": "Here.", "evidence": ["nope"]}, "evidence", "evidence_not_found"),
        ({"text": "Here.", "evidence": [phishing]}, "evidence", "evidence_type_mismatch"),
        ({"text": "Here.", "evidence": [own_for_alice]}, "evidence", "evidence_not_found"),
        ({"text": "Here.", "evidence": [str(attached)]}, "evidence", "evidence_not_found"),
        ({"text": "Here.", "evidence": "abc"}, "evidence", "list_type"),
    ):
        assert_problem(post(bob, answers, body), 422, code, field)
    assert not PartyStatement.objects.exists()
    case = Case.objects.get()
    assert case.respondent_answered_at is None

    proof = bob.evidence_id("listing_rules", "invoice.pdf", corpus.pdf())
    answer = post(bob, answers, {"text": "Here is the invoice.", "evidence": [proof]})
    assert answer.status_code == 201, answer.content
    reused = post(bob, answers, {"text": "Again.", "evidence": [proof]})
    assert_problem(reused, 422, "evidence_not_found", "evidence")

    claimed(scene)
    decided = post(scene.ada_api, f"/cases/{scene.case}/decision", UPHELD)
    assert decided.status_code == 201
    for body, field, code in (
        ({"reason": " "}, "reason", "reason_empty"),
        ({}, "reason", "missing"),
    ):
        response = post(bob, f"/complaints/{scene.case}/appeal", body)
        assert_problem(response, 422, code, field)
    assert Case.objects.get().status == "decided"
    after = post(bob, answers, {"text": "One more thing."})
    assert_problem(after, 409, "case_not_open")


# --- OpenAPI ---------------------------------------------------------------------------------

SEEN = {"401", "403", "404"}
ACTED = SEEN | {"409", "422"}
CASE_PATHS = {
    ("get", "/api/v1/departments/{code}/queue"): {"200", "422"} | SEEN,
    ("post", "/api/v1/departments/{code}/claim-next"): {"201", "204"} | SEEN,
    ("get", "/api/v1/cases/{reference}"): {"200"} | SEEN,
    ("post", "/api/v1/cases/{reference}/claim"): {"200", "409"} | SEEN,
    ("post", "/api/v1/cases/{reference}/release"): {"200", "409"} | SEEN,
    ("post", "/api/v1/cases/{reference}/notes"): {"201"} | ACTED,
    ("post", "/api/v1/cases/{reference}/transfer"): {"200"} | ACTED,
    ("post", "/api/v1/cases/{reference}/information-requests"): {"201"} | ACTED,
    ("post", "/api/v1/cases/{reference}/decision"): {"201"} | ACTED,
    ("post", "/api/v1/sanctions/{sanction_id}/lift"): {"200"} | ACTED,
    ("post", "/api/v1/appeals/{appeal_id}/decision"): {"201"} | ACTED,
    ("post", "/api/v1/complaints/{reference}/answers"): {"201"} | ACTED,
    ("post", "/api/v1/complaints/{reference}/appeal"): {"201"} | ACTED,
}


def test_openapi_documents_the_case_paths_and_their_problems(client: Client):
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for (method, path), statuses in CASE_PATHS.items():
        operation = spec["paths"][path][method]
        declared = set(operation["responses"])
        assert statuses <= declared, (path, statuses - declared)
        assert operation["summary"], path
        assert operation["security"], path
        for status in declared - {"200", "201", "204"}:
            # Refusals are RFC 9457 problem details, documented as they are sent.
            (content,) = operation["responses"][status]["content"].items()
            assert content[0] == "application/problem+json", (path, status)
            assert "Problem" in content[1]["schema"]["$ref"], (path, status)
    claim = spec["paths"]["/api/v1/departments/{code}/claim-next"]["post"]
    assert "204" in claim["description"] and "content" not in claim["responses"]["204"]
    decision = spec["paths"]["/api/v1/cases/{reference}/decision"]["post"]
    body = decision["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/DecisionIn")
    assert set(schemas["DecisionIn"]["required"]) == {"outcome", "statement"}
    assert set(schemas["StatementIn"]["properties"]) >= {"facts", "ground", "scope", "automated"}
    assert set(schemas["SanctionOrderIn"]["properties"]) == {"kind", "listing", "ends_at"}
    assert schemas["InformationRequestIn"]["properties"]["party"]["enum"] == [
        "complainant",
        "respondent",
    ]
    assert "decision" in schemas["ComplaintOut"]["properties"]
    assert {"facts", "ground", "redress", "automated_means"} <= set(
        schemas["ReasonsOut"]["properties"]
    )


def test_the_service_token_sees_agent_and_party_paths_refused(market):
    service = api_for(None)
    assert_problem(service.get("/departments/listing_compliance/queue"), 403, "forbidden")
    assert_problem(
        post(service, "/complaints/CASE-ABCDEFGH/answers", {"text": "x"}), 403, "forbidden"
    )
