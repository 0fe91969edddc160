"""What agents get from the API: the queue in claim order, the full case, transfers, lifts."""

from __future__ import annotations

import pytest

from ombuds.accounts.models import Department
from ombuds.cases.models import Case
from ombuds.cases.read.console import queue_for_department
from ombuds.notify.models import WebhookDelivery, WebhookEndpoint
from tests.api.conftest import api_for, assert_problem, make_agent, valid_body
from tests.api.test_cases_support import (
    another_listing,
    claimed,
    decided_case,
    file_report,
    make_scene,
    post,
)
from tests.evidence import corpus
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.edits_case_rows
def test_the_queue_is_in_claim_order_paginated_and_counted():
    scene = make_scene()
    for index in range(5):
        file_report(scene, target=another_listing(scene, index))
    department = Department.objects.get(code="listing_compliance")
    cases = list(Case.objects.order_by("pk"))
    cases[3].breached = True
    cases[3].save()
    cases[1].reporter_count = 4
    cases[1].save()
    Case.objects.filter(pk=cases[4].pk).update(due_at=cases[0].due_at.replace(year=2000))
    expected = [c.reference for c in queue_for_department(department)]
    assert expected[0] == cases[3].reference and expected[1] == cases[4].reference

    ada = scene.ada_api
    page = ada.get("/departments/listing_compliance/queue", limit=2).json()
    assert page["department"] == {"code": "listing_compliance", "name": "Listing compliance"}
    assert page["count"] == 5 and page["breached"] == 1 and page["limit"] == 2
    assert [i["reference"] for i in page["items"]] == expected[:2]
    rest = ada.get("/departments/listing_compliance/queue", limit=2, offset=2).json()
    assert [i["reference"] for i in rest["items"]] == expected[2:4]
    first = page["items"][0]
    assert first["breached"] is True and first["type"] == "listing_rules"
    assert first["target"] == "Charger 3" and first["time_left"]
    assert page["items"][1]["time_left"] == "Overdue"

    claim = post(ada, "/departments/listing_compliance/claim-next")
    assert claim.json()["reference"] == expected[0]
    after = ada.get("/departments/listing_compliance/queue").json()
    assert after["count"] == 4 and expected[0] not in [i["reference"] for i in after["items"]]


def test_an_agent_reads_the_whole_case():
    scene = decided_case(make_scene())
    post(scene.ada_api, f"/cases/{scene.case}/notes", {"text": "Checked the cart myself."})
    case = scene.ada_api.get(f"/cases/{scene.case}").json()
    assert case["department"]["code"] == "listing_compliance"
    assert case["type_label"] and case["kind"] == "report"
    assert case["listing"] == {
        "url": "https://market.example/product/usb-charger-1600123.html",
        "title": "USB-C charger 65W",
        "status": "removed",
    }
    [filing] = case["complaints"]
    assert filing["reference"] == scene.complaint and filing["via"] == "api"
    assert filing["complainant"]["username"] == "alice"
    assert filing["complainant"]["email"] == "buyeralice@example.com"
    answers = {a["field"]: a["value"] for a in filing["answers"]}
    assert answers["violation"] == "Misleading (bait) price" and "description" in answers
    assert [e["format"] for e in filing["evidence"]] == ["jpg"]
    respondent = case["respondent"]
    assert respondent["member_id"] == "supbob" and respondent["status"] == "active"
    assert [s["kind"] for s in respondent["sanctions_in_force"]] == ["listing_removed"]
    assert set(respondent["strikes"]) == {"points", "serious", "proposals"}
    assert case["statements"][0]["party"] == "respondent"
    assert case["statements"][0]["author"] == "bob"
    assert case["decision"]["statement"]["ground"]
    assert case["allowed_outcomes"] == ["upheld", "rejected", "insufficient_evidence"]
    assert "listing_removed" in case["allowed_sanctions"]
    note = case["history"][-1]
    assert note["kind"] == "note_added" and note["actor"] == "ada"
    assert note["data"]["text"] == "Checked the cart myself." and len(note["hash"]) == 64
    by_complaint = scene.ada_api.get(f"/cases/{scene.complaint.lower()}").json()
    assert by_complaint["reference"] == scene.case


def test_the_respondents_record_shows_earlier_cases_and_the_repeat_infringer_proposal():
    """Prohibited goods are urgent (decided before the answer) and weigh 3 serious points."""
    scene = make_scene()
    references = []
    for index in range(2):
        api = scene.alice_api
        evidence = api.evidence_id("prohibited_goods", "knives.gif", corpus.gif())
        target = another_listing(scene, index)
        filed = api.file(valid_body("prohibited_goods", target=target, evidence=[evidence]))
        assert filed.status_code == 201, filed.content
        references.append(filed.json()["case_reference"])
        claimed(scene)
        body = {
            "outcome": "upheld",
            "sanctions": [{"kind": "warning"}],
            "statement": {"facts": "Combat knives on sale.", "ground": "Prohibited goods."},
        }
        decided = post(scene.ada_api, f"/cases/{references[-1]}/decision", body)
        assert decided.status_code == 201, decided.content
    record = scene.ada_api.get(f"/cases/{references[-1]}").json()["respondent"]
    assert [c["reference"] for c in record["earlier_cases"]] == references[:1]
    assert record["earlier_cases"][0]["outcome"] == "upheld"
    assert record["strikes"] == {"points": 6, "serious": 2, "proposals": ["account_limited"]}
    assert [s["kind"] for s in record["sanctions_in_force"]] == ["warning", "warning"]
    scene.market.supplier.refresh_from_db()
    assert scene.market.supplier.status == "active", "the rule proposes, never acts"


def test_a_transfer_sends_the_case_to_the_other_department():
    scene = file_report(make_scene())
    claimed(scene)
    response = post(
        scene.ada_api,
        f"/cases/{scene.case}/transfer",
        {"department": "disputes", "reason": "This is about an order."},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "case": scene.case,
        "department": {"code": "disputes", "name": "Disputes"},
        "status": "submitted",
    }
    assert_problem(scene.ada_api.get(f"/cases/{scene.case}"), 404, "not_found")
    otto = api_for(scene.otto)
    taken = post(otto, "/departments/disputes/claim-next")
    assert taken.status_code == 201 and taken.json()["reference"] == scene.case
    assert taken.json()["history"][-2]["data"]["reason"] == "This is about an order."


def test_lifting_a_sanction_restores_the_listing_and_tells_the_marketplace(settings):
    settings.OMBUDS_WEBHOOKS_ALLOW_PRIVATE = True
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hooks")
    scene = decided_case(make_scene())
    sanction = scene.ada_api.get(f"/cases/{scene.case}").json()["sanctions"][0]
    lifted = post(
        scene.ben_api, f"/sanctions/{sanction['id']}/lift", {"reason": "The price is fixed."}
    )
    assert lifted.status_code == 200, lifted.content
    body = lifted.json()
    assert body["active"] is False and body["lifted_by"] == "ben"
    assert body["lift_reason"] == "The price is fixed."
    scene.market.listing.refresh_from_db()
    assert scene.market.listing.status == "active"
    lift = WebhookDelivery.objects.get(event_type="sanction.lifted")
    assert lift.payload["data"]["sanction"] == sanction["id"]
    again = post(scene.ben_api, f"/sanctions/{sanction['id']}/lift", {"reason": "Twice."})
    assert_problem(again, 409, "sanction_already_lifted")


def test_a_respondent_who_is_also_an_agent_elsewhere_is_still_a_party(market, bob):
    """Bob works for disputes; a listing report about him is not his to see as an agent."""
    bob.departments.add(Department.objects.get(code="disputes"))
    reporter = api_for(make_agent("cleo", "customer_service"))
    evidence = reporter.evidence_id("listing_rules", "cart.jpg", corpus.jpg())
    filed = reporter.file(valid_body("listing_rules", evidence=[evidence])).json()
    bob_api = api_for(bob)
    assert_problem(bob_api.get(f"/cases/{filed['case_reference']}"), 404, "not_found")
    assert bob_api.get(f"/complaints/{filed['case_reference']}").json()["role"] == "respondent"


def test_before_a_decision_the_parties_see_no_decision():
    scene = file_report(make_scene())
    claimed(scene)
    assert scene.alice_api.get(f"/complaints/{scene.complaint}").json()["decision"] is None
    told = scene.bob_api.get(f"/complaints/{scene.case}").json()
    assert told["decision"] is None and told["respondent_answer_due_at"]
    assert (
        scene.alice_api.get(f"/complaints/{scene.complaint}").json()["respondent_answer_due_at"]
        is None
    )


def test_an_operator_reads_every_case_but_acts_only_as_an_agent_of_its_department():
    scene = file_report(make_scene())
    operator = make_user("olga")
    operator.is_operator = True
    operator.save()
    api = api_for(operator)
    assert api.get(f"/cases/{scene.case}").json()["reference"] == scene.case
    assert api.get("/departments/listing_compliance/queue").json()["count"] == 1
    assert_problem(post(api, "/departments/listing_compliance/claim-next"), 403, "forbidden")
    assert_problem(post(api, f"/cases/{scene.case}/notes", {"text": "Hi."}), 403, "forbidden")
    assert Case.objects.get().assigned_to is None
