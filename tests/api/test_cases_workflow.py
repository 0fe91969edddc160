"""A case worked to the end through the API alone, with the marketplace's webhooks received.

claim → request information → the complainant answers → the respondent answers → decided
upheld with the listing removed → signed webhooks → the respondent appeals → another agent
reverses → the sanction is lifted and `sanction.lifted` is delivered.
"""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook

from ombuds.cases.models import Case
from ombuds.notify.models import WebhookEndpoint
from ombuds.notify.outbox import deliver_outbox
from ombuds.notify.webhooks import deliver_webhooks
from tests.api.conftest import PRODUCT_URL, api_for, assert_problem, make_agent, valid_body
from tests.api.test_cases_support import (
    STATEMENT,
    UPHELD,
    appealed,
    assert_hidden,
    claimed,
    decided_case,
    file_report,
    make_scene,
    post,
)
from tests.evidence import corpus
from tests.notify.test_webhooks import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.OMBUDS_WEBHOOKS_ALLOW_PRIVATE = True
    server = Receiver()
    WebhookEndpoint.objects.create(url=server.url)
    yield server
    server.close()


def received(receiver: Receiver, start: int = 0) -> list[tuple[dict, str]]:
    """(payload, raw body) of each delivery since `start`, each signature verified."""
    secret = WebhookEndpoint.objects.get().secret
    return [
        (Webhook(secret).verify(body, headers), body.decode())
        for headers, body in receiver.requests[start:]
    ]


def test_the_whole_path_through_the_api(receiver, mailbox):
    scene = file_report(make_scene())
    alice, bob, ada, ben = scene.alice_api, scene.bob_api, scene.ada_api, scene.ben_api
    listing = scene.market.listing

    queue = ada.get("/departments/listing_compliance/queue").json()
    assert queue["count"] == 1 and queue["items"][0]["reference"] == scene.case
    assert queue["items"][0]["time_left"] and queue["items"][0]["status"] == "submitted"

    claim = post(ada, "/departments/listing_compliance/claim-next")
    assert claim.status_code == 201
    assert claim["Location"] == f"/api/v1/cases/{scene.case}"
    case = claim.json()
    assert case["reference"] == scene.case and case["status"] == "in_review"
    assert case["assigned_to"] == "ada"
    reporter = case["complaints"][0]["complainant"]
    assert reporter == {
        "name": "Alice Buyer",
        "email": "buyeralice@example.com",
        "member_id": "buyeralice",
        "username": "alice",
    }
    assert case["respondent"]["member_id"] == "supbob"
    assert post(ben, "/departments/listing_compliance/claim-next").status_code == 204

    asked = post(
        ada,
        f"/cases/{scene.case}/information-requests",
        {"party": "complainant", "question": "Which page shows the one dollar price?", "days": 2},
    )
    assert asked.status_code == 201, asked.content
    question = asked.json()
    assert question["status"] == "open" and question["party"] == "complainant"
    seen = alice.get(f"/complaints/{scene.complaint}").json()
    assert seen["status"] == "waiting"
    assert [q["question"] for q in seen["questions"]] == ["Which page shows the one dollar price?"]
    assert bob.get(f"/complaints/{scene.case}").json()["questions"] == []

    screenshot = alice.evidence_id("listing_rules", "price.png", corpus.png())
    answer = post(
        alice,
        f"/complaints/{scene.complaint}/answers",
        {"text": "The search results page and the listing header.", "evidence": [screenshot]},
    )
    assert answer.status_code == 201, answer.content
    answer = answer.json()
    assert answer["kind"] == "information" and answer["party"] == "complainant"
    assert answer["question"]["id"] == question["id"]
    assert answer["question"]["status"] == "answered"
    assert [e["id"] for e in answer["evidence"]] == [screenshot]

    reply = post(
        bob,
        f"/complaints/{scene.case}/answers",
        {"text": "The one dollar price is for the cable alone; the title says so."},
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["kind"] == "answer" and reply.json()["party"] == "respondent"

    note = post(ada, f"/cases/{scene.case}/notes", {"text": "The screenshot settles it."})
    assert note.status_code == 201 and note.json()["author"] == "ada"

    decision = post(ada, f"/cases/{scene.case}/decision", UPHELD)
    assert decision.status_code == 201, decision.content
    case = decision.json()
    assert case["status"] == "decided" and case["decided_by"] == "ada"
    assert case["decision"]["outcome"] == "upheld"
    assert case["decision"]["statement"]["facts"] == STATEMENT["facts"]
    [sanction] = case["sanctions"]
    assert sanction["kind"] == "listing_removed" and sanction["listing"] == PRODUCT_URL
    assert sanction["active"] is True
    listing.refresh_from_db()
    assert listing.status == "removed"
    assert post(ada, "/departments/listing_compliance/claim-next").status_code == 204

    deliveries = received(receiver)
    assert deliveries == [], "webhooks leave with the worker, after the transaction"
    assert deliver_webhooks() >= 3
    events = {payload["type"]: payload for payload, _ in received(receiver)}
    assert {"complaint.created", "case.decided", "sanction.applied"} <= set(events)
    assert events["case.decided"]["data"]["case"] == scene.case
    assert events["case.decided"]["data"]["outcome"] == "upheld"
    assert events["case.decided"]["data"]["statement"]["ground"] == STATEMENT["ground"]
    assert events["sanction.applied"]["data"]["listing"] == PRODUCT_URL
    assert events["sanction.applied"]["data"]["sanction"] == sanction["id"]
    for _, body in received(receiver):
        assert_hidden(body, scene.alice)

    for api, reference in ((alice, scene.complaint), (bob, scene.case)):
        told = api.get(f"/complaints/{reference}").json()
        assert told["status"] == "decided"
        assert told["decision"]["outcome"] == "upheld"
        assert told["decision"]["outcome_label"] == "Upheld"
        statement = told["decision"]["statement"]
        assert statement["facts"] == STATEMENT["facts"]
        assert statement["ground"] == STATEMENT["ground"]
        assert statement["scope"] == STATEMENT["scope"]
        assert statement["automated_means"] is False
        assert "Listing removed" in statement["decision"] and "appeal" in statement["redress"]
        assert [s["kind"] for s in told["decision"]["sanctions"]] == ["listing_removed"]
    assert_hidden(json.dumps(bob.get(f"/complaints/{scene.case}").json()), scene.alice)

    appeal = post(
        bob,
        f"/complaints/{scene.case}/appeal",
        {"reason": "The cart price includes a power adapter the buyer chose."},
    )
    assert appeal.status_code == 201, appeal.content
    appeal_id = appeal.json()["id"]
    assert bob.get(f"/complaints/{scene.case}").json()["decision"]["appeal"]["status"] == "open"

    own = post(
        ada, f"/appeals/{appeal_id}/decision", {"reverse": True, "statement": "I was wrong."}
    )
    assert_problem(own, 403, "forbidden")
    assert ada.get(f"/cases/{scene.case}").json()["appeals"][0]["status"] == "open"
    assert post(ada, "/departments/listing_compliance/claim-next").status_code == 204

    review = post(ben, "/departments/listing_compliance/claim-next")
    assert review.status_code == 201 and review.json()["status"] == "appealed"
    start = len(receiver.requests)
    reversal = post(
        ben,
        f"/appeals/{appeal_id}/decision",
        {"reverse": True, "statement": "The adapter is optional and shown in the listing."},
    )
    assert reversal.status_code == 201, reversal.content
    assert reversal.json()["status"] == "reversed" and reversal.json()["decided_by"] == "ben"
    listing.refresh_from_db()
    assert listing.status == "active"

    assert deliver_webhooks() == 2
    later = {payload["type"]: payload for payload, _ in received(receiver, start)}
    assert set(later) == {"sanction.lifted", "appeal.decided"}
    assert later["sanction.lifted"]["data"]["sanction"] == sanction["id"]
    assert later["sanction.lifted"]["data"]["lifted_at"]
    assert later["appeal.decided"]["data"]["result"] == "reversed"
    for _, body in received(receiver, start):
        assert_hidden(body, scene.alice)

    case = ben.get(f"/cases/{scene.case}").json()
    assert case["status"] == "closed" and case["sanctions"][0]["active"] is False
    assert case["sanctions"][0]["lifted_by"] == "ben"
    assert [e["kind"] for e in case["history"]] == [
        "filed",
        "claimed",
        "information_requested",
        "answered",
        "respondent_answered",
        "note_added",
        "ruled",
        "sanction_applied",
        "appeal_opened",
        "claimed",
        "appeal_decided",
        "sanction_lifted",
    ]
    assert [s["kind"] for s in case["statements"]] == ["information", "answer"]
    assert case["statements"][0]["evidence"][0]["id"] == screenshot
    for api, reference in ((alice, scene.complaint), (bob, scene.case)):
        told = api.get(f"/complaints/{reference}").json()
        assert told["status"] == "closed"
        assert told["decision"]["appeal"]["status"] == "reversed"
        assert told["decision"]["sanctions"][0]["lifted_at"]
    respondent_view = json.dumps(bob.get(f"/complaints/{scene.case}").json())
    assert_hidden(respondent_view, scene.alice)
    assert "screenshot settles" not in respondent_view  # internal notes stay internal

    deliver_outbox()
    seller_mail = " ".join(m.as_string() for m in mailbox.to(scene.market.supplier.email))
    assert "Decision on" in seller_mail and "Appeal on" in seller_mail
    assert_hidden(seller_mail, scene.alice)


def test_the_anonymous_reporter_is_not_revealed_to_the_respondent(receiver):
    """Even when the reporter names themselves in their answer to the agents' question."""
    scene = file_report(make_scene())
    claimed(scene)
    post(
        scene.ada_api,
        f"/cases/{scene.case}/information-requests",
        {"party": "complainant", "question": "Who are you, and when did you see it?"},
    )
    answer = post(
        scene.alice_api,
        f"/complaints/{scene.complaint}/answers",
        {"text": "I am Alice Buyer (buyeralice, buyeralice@example.com); I saw it on Monday."},
    )
    assert answer.status_code == 201
    post(scene.bob_api, f"/complaints/{scene.case}/answers", {"text": "It was a typo."})
    decision = post(scene.ada_api, f"/cases/{scene.case}/decision", UPHELD)
    assert decision.status_code == 201
    appealed(scene)

    respondent = json.dumps(scene.bob_api.get(f"/complaints/{scene.case}").json())
    assert_hidden(respondent, scene.alice)
    assert scene.complaint not in respondent
    listed = json.dumps(scene.bob_api.get("/me/complaints", box="received").json())
    assert_hidden(listed, scene.alice)
    deliver_webhooks()
    assert receiver.requests
    for _, body in received(receiver):
        assert_hidden(body, scene.alice)
        assert scene.complaint not in body or '"complaint.created"' in body

    agent_view = scene.ada_api.get(f"/cases/{scene.case}").json()
    assert agent_view["complaints"][0]["complainant"]["username"] == "alice"


def test_the_decision_is_told_to_both_parties_of_a_named_complaint(market, alice, bob):
    """In an offline trade dispute the respondent knows the complainant; both read the reasons."""
    agent = api_for(make_agent("dora", "disputes"))
    alice_api, bob_api = api_for(alice), api_for(bob)
    evidence = alice_api.evidence_id("offline_trade_dispute", "receipt.pdf", corpus.pdf())
    filed = alice_api.file(valid_body("offline_trade_dispute", evidence=[evidence])).json()
    assert post(agent, "/departments/disputes/claim-next").status_code == 201
    answer = post(bob_api, f"/complaints/{filed['case_reference']}/answers", {"text": "Paid."})
    assert answer.status_code == 201, answer.content
    reasons = {"facts": "The bank statement shows no payment.", "ground": "Offline trade rules."}
    response = post(
        agent,
        f"/cases/{filed['case_reference']}/decision",
        {"outcome": "rejected", "statement": reasons},
    )
    assert response.status_code == 201, response.content
    for api, reference in ((alice_api, filed["reference"]), (bob_api, filed["case_reference"])):
        decision = api.get(f"/complaints/{reference}").json()["decision"]
        assert decision["outcome"] == "rejected" and decision["sanctions"] == []
        assert decision["statement"]["facts"] == reasons["facts"]
        assert decision["statement"]["redress"]


def test_the_respondents_answer_to_a_question_counts_as_their_answer():
    """Asked before answering, the respondent answers the question: the case can be decided."""
    scene = file_report(make_scene())
    claimed(scene)
    question = {"party": "respondent", "question": "Why is the cart price different?"}
    asked = post(scene.ada_api, f"/cases/{scene.case}/information-requests", question)
    assert asked.status_code == 201, asked.content
    answer = post(
        scene.bob_api, f"/complaints/{scene.case}/answers", {"text": "A shipping surcharge."}
    )
    assert answer.status_code == 201 and answer.json()["kind"] == "information"
    decision = post(scene.ada_api, f"/cases/{scene.case}/decision", UPHELD)
    assert decision.status_code == 201, decision.content
    assert decision.json()["respondent_answered_at"]


def test_the_complainant_submits_again_through_the_api_linked_to_the_decided_case():
    scene = decided_case(make_scene())
    again = valid_body("listing_rules", target=PRODUCT_URL, previous_case=scene.case.lower())
    again["answers"]["description"] += " The same price trick is back under a new title."

    mallory = api_for(scene.mallory).file({**again, "agreement": True})
    assert_problem(mallory, 422, "previous_case_invalid", "previous_case")  # not hers
    unknown = scene.alice_api.file({**again, "previous_case": "CASE-NOTHING2"})
    assert_problem(unknown, 422, "previous_case_invalid", "previous_case")

    response = scene.alice_api.file(again)
    assert response.status_code == 201, response.content
    new_case = Case.objects.get(reference=response.json()["case_reference"])
    assert new_case.previous_case.reference == scene.case
    assert new_case.reference != scene.case
