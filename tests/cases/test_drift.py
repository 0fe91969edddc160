"""Rules that were once written twice and had drifted apart, now written once: each refused (or
allowed) the same way through the domain, the pages and the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ombuds.cases.actions.decisions import Decision, SanctionOrder, decide_case
from ombuds.cases.actions.questions import answer_as_respondent
from ombuds.cases.errors import ActionRefused
from ombuds.cases.models import Case, CaseEvent, Complaint, PartyStatement, Sanction
from ombuds.cases.statements import Statement
from ombuds.directory.models import Order
from ombuds.evidence.models import Evidence
from ombuds.intake.checks import Filer, Submission, check_submission
from ombuds.intake.errors import SubmissionRefused
from ombuds.policy.loader import get_policy
from tests.api.conftest import api_for, assert_problem, valid_body
from tests.cases.filings import FILINGS_BY_KEY, People, file_through_form
from tests.evidence import corpus
from tests.web.test_console import FULL_DECISION, act, claimed, client_of, refusal, report

pytestmark = pytest.mark.django_db

STATEMENT = Statement(facts="The photos show a stun gun.", ground="Prohibited goods.")


def _decided(people: People) -> Case:
    complaint = report(people, "prohibited_goods")
    claimed(people, complaint)
    agent = people.agents["listing_compliance"]
    decide_case(agent=agent, case=complaint.case, decision=Decision("upheld", STATEMENT, []))
    return Case.objects.get(pk=complaint.case_id)


def test_a_decided_case_is_transferred_neither_by_the_api_nor_by_the_console(people):
    """The API moved decided and closed cases while the console hid the form."""
    case = _decided(people)
    agent = people.agents["listing_compliance"]
    events = case.events.count()
    body = {"department": "security", "reason": "Not ours after all."}
    through_api = api_for(agent).client.post(
        f"/api/v1/cases/{case.reference}/transfer",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_for(agent).token}"},
    )
    assert_problem(through_api, 409, "not_transferable")
    page = client_of(agent).get(f"/console/cases/{case.reference}/").text
    assert 'id="form-transfer"' not in page
    through_console = act(client_of(agent), case, "transfer", **body)
    assert through_console.status_code == 409
    assert refusal(through_console)[0] == "not_transferable"
    case.refresh_from_db()
    assert case.department.code == "listing_compliance" and case.events.count() == events


def test_a_sanction_ending_in_the_past_is_refused_with_one_code_by_each_shell(people):
    """It was `ends_at_invalid` in the console, `ends_at_past` in the API, and the action itself
    let it through."""
    complaint = report(people, "prohibited_goods")
    case = complaint.case
    agent_client = claimed(people, complaint)
    agent = people.agents["listing_compliance"]
    yesterday = timezone.now() - timedelta(days=1)
    with pytest.raises(ActionRefused) as refused:
        decide_case(
            agent=agent,
            case=case,
            decision=Decision("upheld", STATEMENT, [SanctionOrder("warning", ends_at=yesterday)]),
        )
    assert (refused.value.code, refused.value.field) == ("ends_at_past", "sanctions.0.ends_at")
    console = act(
        agent_client,
        case,
        "decide",
        **{**FULL_DECISION, "sanctions": "warning", "ends_at": f"{yesterday:%Y-%m-%d}"},
    )
    assert console.status_code == 422 and refusal(console)[0] == "ends_at_past"
    api = api_for(agent)
    body = {
        "outcome": "upheld",
        "sanctions": [{"kind": "warning", "ends_at": yesterday.isoformat()}],
        "statement": {"facts": "The photos.", "ground": "Prohibited goods."},
    }
    response = api.client.post(
        f"/api/v1/cases/{case.reference}/decision",
        body,
        content_type="application/json",
        headers=api.headers(),
    )
    assert_problem(response, 422, "ends_at_past", "sanctions.0.ends_at")
    case.refresh_from_db()
    assert case.status == "in_review" and not Sanction.objects.exists()


def _orders_offered(people: People) -> list[str]:
    page = client_of(people.alice).get("/report/order_dispute/").text
    return re.findall(r'<option value="([^"]+)">', page.split('id="orders-list"', 1)[-1])


def _refusal_of(people: People, order: Order) -> list[str]:
    submission = Submission(
        type_key="order_dispute",
        answers={**FILINGS_BY_KEY["order_dispute"].data, "order_number": order.order_number},
    )
    try:
        check_submission(get_policy(), submission, Filer.for_user(people.alice))
    except SubmissionRefused as refused:
        return [e.message for e in refused.errors if e.field == "order_number"]
    return []


def test_the_buyer_protection_window_is_one_rule_for_the_form_and_the_check(people):
    """The form listed an order whose protection had ended by the policy's days after payment
    (no end date given), which the check then refused."""
    online = people.market.online_order
    days = get_policy().marketplace.buyer_protection_days
    Order.objects.filter(pk=online.pk).update(
        protection_ends_at=None, paid_at=timezone.now() - timedelta(days=days + 1)
    )
    online.refresh_from_db()
    assert "ON-1" not in _orders_offered(people)
    assert any("protection period" in message for message in _refusal_of(people, online))

    Order.objects.filter(pk=online.pk).update(paid_at=timezone.now() - timedelta(days=days - 1))
    online.refresh_from_db()
    assert "ON-1" in _orders_offered(people) and _refusal_of(people, online) == []

    # An end date the marketplace gave wins over the policy's days, both ways.
    Order.objects.filter(pk=online.pk).update(
        protection_ends_at=timezone.now() + timedelta(days=3),
        paid_at=timezone.now() - timedelta(days=days + 30),
    )
    online.refresh_from_db()
    assert "ON-1" in _orders_offered(people) and _refusal_of(people, online) == []


def test_a_file_attached_to_an_answer_is_not_attached_to_a_new_complaint(people):
    """The API's own lookup of "the caller's unattached uploads" let a file already attached to
    a party's answer be attached again to a new complaint; the forms' did not."""
    complaint = report(people, "offline_buyer")
    case = complaint.case
    bob_api = api_for(people.bob)
    file_id = bob_api.evidence_id("offline_trade_dispute", "bill.pdf", corpus.pdf())
    evidence = Evidence.objects.get(public_id=file_id)
    answer_as_respondent(user=people.bob, case=case, text="We shipped it.", evidence=[evidence])
    assert PartyStatement.objects.get().evidence.get() == evidence
    complaints, events = Complaint.objects.count(), CaseEvent.objects.count()

    body = valid_body(
        "offline_trade_dispute", target="buyeralice", evidence=[file_id],
        answers={"scam_type": "payment_not_received"},
    )  # fmt: skip
    assert_problem(bob_api.file(body), 422, "evidence_not_found", "evidence")
    form = file_through_form(
        client_of(people.bob),
        FILINGS_BY_KEY["offline_supplier"],
        evidence_ids=file_id,
        evidence=[],
    )
    assert form.status_code == 400 and 'data-code="evidence_not_found"' in form.text
    assert (Complaint.objects.count(), CaseEvent.objects.count()) == (complaints, events)
    assert list(evidence.statements.all()) == [PartyStatement.objects.get()]
    assert not evidence.complaints.exists()


def test_a_file_is_attached_once_even_by_two_answers_at_once(people):
    """Attaching marks the file in the action's transaction: the second use is refused."""
    complaint = report(people, "offline_buyer")
    bob_api = api_for(people.bob)
    file_id = bob_api.evidence_id("offline_trade_dispute", "bill.pdf", corpus.pdf())
    evidence = Evidence.objects.get(public_id=file_id)
    answer_as_respondent(user=people.bob, case=complaint.case, text="First.", evidence=[evidence])
    with pytest.raises(ActionRefused) as refused:
        answer_as_respondent(
            user=people.bob, case=complaint.case, text="Again.", evidence=[evidence]
        )
    assert refused.value.code == "evidence_not_found"
    assert PartyStatement.objects.count() == 1
