"""Who may call the case endpoints: agents of the case's department for agent actions, the
parties for theirs; everyone else is refused with problem details and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from ombuds.cases.models import Appeal, Case, CaseEvent, InformationRequest, Sanction
from ombuds.directory.models import Listing
from tests.api.conftest import Api, api_for, assert_problem
from tests.api.test_cases_support import (
    STATEMENT,
    UPHELD,
    Scene,
    answered_by_respondent,
    appealed,
    claimed,
    decided_case,
    file_report,
    make_scene,
    post,
)

pytestmark = pytest.mark.django_db


def agent_calls(scene: Scene, sanction: int, appeal: int) -> list[tuple[str, str, Any]]:
    """Every agent endpoint, each with a body that an agent could send."""
    case = scene.case
    return [
        ("get", "/departments/listing_compliance/queue", None),
        ("post", "/departments/listing_compliance/claim-next", None),
        ("get", f"/cases/{case}", None),
        ("get", f"/cases/{scene.complaint}", None),
        ("post", f"/cases/{case}/release", None),
        ("post", f"/cases/{case}/notes", {"text": "Seen."}),
        ("post", f"/cases/{case}/transfer", {"department": "disputes", "reason": "Wrong team."}),
        (
            "post",
            f"/cases/{case}/information-requests",
            {"party": "complainant", "question": "When?", "days": 2},
        ),
        ("post", f"/cases/{case}/decision", UPHELD),
        ("post", f"/sanctions/{sanction}/lift", {"reason": "Done."}),
        ("post", f"/appeals/{appeal}/decision", {"reverse": True, "statement": "Reversed."}),
    ]


def call(api: Api, method: str, path: str, body: Any) -> Any:
    if method == "get":
        return api.get(path)
    return post(api, path, body)


def snapshot() -> dict[str, Any]:
    """Everything an agent action could change."""
    return {
        "cases": list(Case.objects.order_by("pk").values()),
        "events": CaseEvent.objects.count(),
        "requests": InformationRequest.objects.count(),
        "sanctions": list(Sanction.objects.order_by("pk").values()),
        "appeals": list(Appeal.objects.order_by("pk").values()),
        "listings": list(Listing.objects.order_by("pk").values("pk", "status")),
    }


@pytest.fixture
def appealed_scene() -> tuple[Scene, int, int]:
    """A decided case with a listing removed, appealed by the respondent and back in the queue."""
    scene = decided_case(make_scene())
    appeal = appealed(scene)
    sanction = Sanction.objects.get().pk
    return scene, sanction, appeal


def test_members_strangers_and_the_service_cannot_call_any_agent_endpoint(appealed_scene):
    scene, sanction, appeal = appealed_scene
    before = snapshot()
    callers = {
        "the complainant": api_for(scene.alice),
        "the respondent": api_for(scene.bob),
        "a stranger": api_for(scene.mallory),
        "the marketplace's service": api_for(None),
    }
    for who, api in callers.items():
        for method, path, body in agent_calls(scene, sanction, appeal):
            response = call(api, method, path, body)
            assert response.status_code == 403, (who, path, response.content)
            assert_problem(response, 403, "forbidden")
        # Refused before the body is read: an invalid body tells a member nothing either.
        assert_problem(post(api, f"/cases/{scene.case}/decision", {"x": 1}), 403, "forbidden")
    assert snapshot() == before


def test_no_token_is_401_on_every_agent_endpoint(appealed_scene):
    scene, sanction, appeal = appealed_scene
    for method, path, body in agent_calls(scene, sanction, appeal):
        response = call(Api(None), method, path, body)
        assert_problem(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == "Bearer"


def test_an_agent_of_another_department_cannot_claim_nor_see_the_cases(appealed_scene):
    scene, sanction, appeal = appealed_scene
    otto = api_for(scene.otto)
    before = snapshot()
    body = assert_problem(
        post(otto, "/departments/listing_compliance/claim-next"), 403, "forbidden"
    )
    assert "Listing compliance" in body["detail"]
    assert_problem(otto.get("/departments/listing_compliance/queue"), 403, "forbidden")
    for method, path, body in agent_calls(scene, sanction, appeal)[2:]:
        response = call(otto, method, path, body)
        assert_problem(response, 404, "not_found")
    assert snapshot() == before
    assert post(otto, "/departments/disputes/claim-next").status_code == 204
    assert_problem(post(otto, "/departments/nope/claim-next"), 404, "not_found")


def test_an_agent_cannot_decide_an_appeal_against_their_own_decision(appealed_scene):
    scene, _, appeal = appealed_scene
    before = snapshot()
    response = post(
        scene.ada_api, f"/appeals/{appeal}/decision", {"reverse": True, "statement": "Mine."}
    )
    body = assert_problem(response, 403, "forbidden")
    assert "other than the one who decided" in body["detail"]
    assert snapshot() == before
    # and the queue never hands the decider their own appeal
    assert post(scene.ada_api, "/departments/listing_compliance/claim-next").status_code == 204
    upheld = post(
        scene.ben_api, f"/appeals/{appeal}/decision", {"reverse": False, "statement": "Right."}
    )
    assert upheld.status_code == 201 and upheld.json()["status"] == "upheld"
    assert Sanction.objects.get().lifted_at is None
    again = post(scene.ben_api, f"/appeals/{appeal}/decision", {"reverse": True, "statement": "x"})
    assert_problem(again, 409, "appeal_decided")


def test_only_the_agent_working_a_case_releases_or_decides_it():
    scene = file_report(make_scene())
    claimed(scene)
    answered_by_respondent(scene)
    assert_problem(post(scene.ben_api, f"/cases/{scene.case}/release"), 409, "not_assigned")
    assert_problem(
        post(scene.ben_api, f"/cases/{scene.case}/decision", UPHELD), 409, "not_assigned"
    )
    released = post(scene.ada_api, f"/cases/{scene.case}/release")
    assert released.status_code == 200, released.content
    assert released.json()["status"] == "submitted" and released.json()["assigned_to"] is None
    assert [e["kind"] for e in released.json()["history"]][-1] == "released"


# --- the parties' endpoints ------------------------------------------------------------------


def test_answers_are_for_the_parties_only():
    scene = file_report(make_scene())
    claimed(scene)
    question = {"party": "respondent", "question": "Which price is right?", "days": 3}
    asked = post(scene.ada_api, f"/cases/{scene.case}/information-requests", question)
    assert asked.status_code == 201, asked.content
    before = snapshot()
    text = {"text": "The one dollar price is a mistake."}
    stranger = post(api_for(scene.mallory), f"/complaints/{scene.case}/answers", text)
    assert_problem(stranger, 404, "not_found")
    stranger = post(api_for(scene.mallory), f"/complaints/{scene.complaint}/answers", text)
    assert_problem(stranger, 404, "not_found")
    other_party = post(scene.alice_api, f"/complaints/{scene.complaint}/answers", text)
    body = assert_problem(other_party, 409, "no_open_question")
    assert "no question" in body["detail"]
    agent = post(scene.ben_api, f"/complaints/{scene.case}/answers", text)
    assert_problem(agent, 403, "forbidden")
    service = post(api_for(None), f"/complaints/{scene.case}/answers", text)
    assert_problem(service, 403, "forbidden")
    assert_problem(
        post(Api(None), f"/complaints/{scene.case}/answers", text), 401, "not_authenticated"
    )
    assert snapshot() == before

    answer = post(scene.bob_api, f"/complaints/{scene.case}/answers", text)
    assert answer.status_code == 201 and answer.json()["kind"] == "information"


@pytest.mark.edits_case_rows
def test_the_complainant_cannot_answer_for_the_respondent_nor_late():
    scene = file_report(make_scene())
    text = {"text": "I am answering as if I were the seller."}
    refused = post(scene.alice_api, f"/complaints/{scene.complaint}/answers", text)
    assert_problem(refused, 409, "no_open_question")
    Case.objects.filter(reference=scene.case).update(respondent_answer_due_at="2000-01-01T00:00Z")
    late = post(scene.bob_api, f"/complaints/{scene.case}/answers", text)
    assert_problem(late, 409, "answer_too_late")


@pytest.mark.edits_case_rows
def test_only_the_respondent_appeals_once_within_the_window():
    scene = decided_case(make_scene())
    before = snapshot()
    reason = {"reason": "The decision is wrong."}
    assert_problem(
        post(scene.alice_api, f"/complaints/{scene.complaint}/appeal", reason), 403, "forbidden"
    )
    assert_problem(
        post(api_for(scene.mallory), f"/complaints/{scene.case}/appeal", reason), 404, "not_found"
    )
    assert_problem(
        post(api_for(None), f"/complaints/{scene.case}/appeal", reason), 403, "forbidden"
    )
    assert_problem(
        post(scene.ben_api, f"/complaints/{scene.case}/appeal", reason), 403, "forbidden"
    )
    assert snapshot() == before

    Case.objects.filter(reference=scene.case).update(decided_at="2000-01-01T00:00Z")
    assert_problem(
        post(scene.bob_api, f"/complaints/{scene.case}/appeal", reason), 409, "appeal_too_late"
    )
    Case.objects.filter(reference=scene.case).update(decided_at=Case.objects.get().created_at)
    assert post(scene.bob_api, f"/complaints/{scene.case}/appeal", reason).status_code == 201
    again = post(scene.bob_api, f"/complaints/{scene.case}/appeal", reason)
    assert_problem(again, 409, "not_appealable")


def test_an_open_case_cannot_be_appealed_nor_decided_before_the_answer():
    scene = file_report(make_scene())
    claimed(scene)
    early = post(scene.bob_api, f"/complaints/{scene.case}/appeal", {"reason": "Too early."})
    assert_problem(early, 409, "not_appealable")
    pending = post(scene.ada_api, f"/cases/{scene.case}/decision", UPHELD)
    body = assert_problem(pending, 409, "respondent_answer_pending")
    assert "urgent" in body["detail"]
    assert Case.objects.get().status == "in_review"
    answered_by_respondent(scene)
    rejected = {"outcome": "rejected", "statement": STATEMENT}
    assert post(scene.ada_api, f"/cases/{scene.case}/decision", rejected).status_code == 201
    twice = post(scene.ada_api, f"/cases/{scene.case}/decision", rejected)
    assert_problem(twice, 409, "case_not_decidable")
