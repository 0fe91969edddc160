"""The agent console through its pages: who gets in, the queue, search, and every action's form.

Each action is driven by posting its form like a browser would; refusals must come back at the
form with the domain's message, the status it carries, and what the agent typed.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from ombuds.accounts.models import Department, User
from ombuds.cases.actions.sweeps import sweep_deadlines
from ombuds.cases.models import Case, CaseEvent, CaseStatus, Complaint, PartyStatement, Sanction
from ombuds.directory.models import Listing
from tests.cases.filings import (
    FILINGS_BY_KEY,
    LISTING_URL,
    RITA_EMAIL,
    RITA_MEMBER_ID,
    RITA_NAME,
    People,
    confirm_by_email,
    file_through_form,
)
from tests.evidence import corpus

pytestmark = pytest.mark.django_db

AGENT_ACTIONS = (
    "claim",
    "release",
    "note",
    "request_information",
    "transfer",
    "decide",
    "lift",
    "decide_appeal",
)
FULL_DECISION = {
    "outcome": "upheld",
    "sanctions": ["listing_removed"],
    "scope": "The listing named in the report.",
    "facts": "The listing offers police handcuffs and stun guns as a bundle.",
    "ground": "Prohibited goods policy: police equipment.",
}


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def report(people: People, key: str = "prohibited_goods", **overrides: str) -> Complaint:
    """File `key` through its form as its filer; the complaint, with its case."""
    filing = FILINGS_BY_KEY[key]
    client = client_of(people.get(filing.filer))
    response = file_through_form(client, filing, **overrides)
    assert response.status_code == 302, response.content[:800]
    reference = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Complaint.objects.select_related("case").get(reference=reference)


def new_listing(people: People, index: int) -> Listing:
    return Listing.objects.create(
        product_url=f"https://market.example/product/gadget-{index}.html",
        title=f"Gadget {index}",
        store=people.market.store,
    )


def act(client: Client, case: Case, name: str, **data):
    return client.post(f"/console/cases/{case.reference}/{name}/", data)


def refusal(response) -> tuple[str, str]:
    """The (code, message) of a refused action: said at the top of the page, and at its form
    when the form is still there."""
    match = re.search(
        r'id="refusal" data-code="([^"]+)"><strong>Not done:</strong> <span class="message">([^<]*)<',
        response.text,
    )
    assert match, response.text[:3000]
    at_form = re.search(
        r'class="form-error" id="[^"]+" data-code="([^"]+)">([^<]*)<', response.text
    )
    if at_form:
        assert at_form.groups() == match.groups()
    return match.group(1), match.group(2)


def claimed(people: People, complaint: Complaint, agent_key: str = "listing_compliance") -> Client:
    agent = client_of(people.agents[agent_key])
    response = agent.post(f"/console/queue/{complaint.case.department.code}/claim/")
    assert response.status_code == 302
    assert response["Location"] == f"/console/cases/{complaint.case.reference}/"
    return agent


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.status,
        case.assigned_to_id,
        case.department_id,
        case.outcome,
        CaseEvent.objects.filter(case=case).count(),
        Sanction.objects.filter(case=case).count(),
        case.information_requests.count(),
    )


# --- who gets in ------------------------------------------------------------------------------


def test_the_console_is_for_agents_only(people):
    assert Client().get("/console/")["Location"].startswith("/accounts/login/")
    for member in (people.alice, people.carol, people.rita, people.bob):
        assert client_of(member).get("/console/").status_code == 403
        assert client_of(member).get("/console/search/?q=supbob").status_code == 403
        assert client_of(member).get("/console/queue/listing_compliance/").status_code == 403
    page = client_of(people.agents["listing_compliance"]).get("/console/")
    assert page.status_code == 200
    assert "Listing compliance" in page.text and "Claim next" in page.text
    assert 'href="/console/"' in page.text  # the header links the console for agents
    other = client_of(people.agents["security"])
    assert "Listing compliance" not in other.get("/console/").text
    assert other.get("/console/queue/listing_compliance/").status_code == 404
    assert 'href="/console/"' not in client_of(people.alice).get("/").text


def test_nobody_but_the_departments_agents_sees_or_acts_on_a_case(people):
    complaint = report(people, "prohibited_goods")
    case = complaint.case
    agent = claimed(people, complaint)
    act(agent, case, "decide", **FULL_DECISION)
    client_of(people.bob).post(
        f"/complaints/{case.reference}/appeal/", {"reason": "It is a toy set."}
    )
    sanction = Sanction.objects.get(case=case)
    before = snapshot(case)
    assert before[0] == CaseStatus.APPEALED
    outsiders = {
        "complainant": people.rita,
        "respondent": people.bob,
        "member": people.alice,
        "stranger": people.carol,
        "other department": people.agents["security"],
    }
    forms = {
        "claim": {},
        "release": {},
        "note": {"text": "I was here."},
        "request_information": {"party": "complainant", "question": "Who?", "days": "3"},
        "transfer": {"department": "security", "reason": "mine now"},
        "decide": FULL_DECISION,
        "lift": {"sanction": sanction.pk, "reason": "Because."},
        "decide_appeal": {"result": "reverse", "statement": "Reversed by a stranger."},
    }
    assert set(forms) == set(AGENT_ACTIONS)
    for who, user in outsiders.items():
        client = client_of(user)
        assert client.get(f"/console/cases/{case.reference}/").status_code == 404, who
        for name, data in forms.items():
            response = act(client, case, name, **data)
            assert response.status_code in (403, 404), (who, name, response.status_code)
        claim = client.post("/console/queue/listing_compliance/claim/")
        assert claim.status_code == 403, who
    anonymous = act(Client(), case, "note", text="x")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert snapshot(case) == before
    sanction.refresh_from_db()
    assert sanction.lifted_at is None
    assert not case.appeals.filter(decided_at__isnull=False).exists()
    # The complainant and the respondent still read their own pages, not the agents'.
    for user, reference in ((people.rita, complaint.reference), (people.bob, case.reference)):
        page = client_of(user).get(f"/complaints/{reference}/")
        assert page.status_code == 200 and "form-note" not in page.text


# --- the queue ---------------------------------------------------------------------------------


@pytest.mark.edits_case_rows
def test_claim_next_takes_the_breached_case_first_then_the_nearest_deadline(people):
    complaints = [
        report(people, "listing_rules", target=new_listing(people, index).product_url)
        for index in range(3)
    ]
    cases = [c.case for c in complaints]
    now = timezone.now()
    Case.objects.filter(pk=cases[0].pk).update(due_at=now + timedelta(hours=30))
    Case.objects.filter(pk=cases[1].pk).update(due_at=now + timedelta(hours=5))
    Case.objects.filter(pk=cases[2].pk).update(due_at=now - timedelta(hours=1), breached=True)
    agent = client_of(people.agents["listing_compliance"])

    page = agent.get("/console/queue/listing_compliance/")
    assert page.status_code == 200
    order = [page.text.index(c.reference) for c in (cases[2], cases[1], cases[0])]
    assert order == sorted(order)
    assert "Overdue" in page.text

    home = agent.get("/console/").text
    counts = re.search(r'id="dept-listing_compliance".*?</dl>', home, re.S).group(0)
    numbers = re.findall(r"<dt>(\w+)</dt><dd>(\d+)</dd>", counts)
    assert numbers == [("Queued", "3"), ("Mine", "0"), ("Waiting", "0"), ("Breached", "1")]

    for expected in (cases[2], cases[1]):
        response = agent.post("/console/queue/listing_compliance/claim/")
        assert response["Location"] == f"/console/cases/{expected.reference}/"
    mine = agent.get("/console/").text
    assert cases[2].reference in mine and cases[1].reference in mine
    assert (
        client_of(people.agents["listing_compliance_2"]).post(
            "/console/queue/listing_compliance/claim/"
        )["Location"]
        == f"/console/cases/{cases[0].reference}/"
    )
    empty = agent.post("/console/queue/listing_compliance/claim/", follow=True)
    assert "queue is empty" in empty.text


@pytest.mark.edits_case_rows
def test_the_queue_page_is_one_query_for_its_rows_and_pages_by_50(
    people, django_assert_max_num_queries
):
    first = report(people, "listing_rules")
    department = first.case.department
    template = first.case
    Case.objects.bulk_create(
        [
            Case(
                reference=f"CASE-Q{index:07d}", type_key="listing_rules", kind="report",
                department=department, policy_version=template.policy_version,
                respondent=template.respondent, target_key=f"listing:{1000 + index}",
                due_at=timezone.now() + timedelta(hours=index), reporter_count=1 + index % 4,
            )
            for index in range(59)
        ]
    )  # fmt: skip
    agent = client_of(people.agents["listing_compliance"])
    agent.get("/console/queue/listing_compliance/")  # session and policy caches warm
    # rows: one query; the four counts: one small index-backed query each
    with django_assert_max_num_queries(11):
        page = agent.get("/console/queue/listing_compliance/")
    assert page.text.count('href="/console/cases/CASE-') == 50
    assert "Page 1 of 2" in page.text
    second = agent.get("/console/queue/listing_compliance/?page=2")
    assert second.text.count('href="/console/cases/CASE-') == 10


# --- search ----------------------------------------------------------------------------------


def test_search_by_number_member_listing_url_and_text(people):
    complaint = report(people, "listing_rules", target=LISTING_URL)
    case = complaint.case
    other = report(people, "listing_rules", target=new_listing(people, 7).product_url)
    PartyStatement.objects.create(
        case=other.case, party="respondent", author=people.bob, text="Our courier is Zebrafast."
    )
    agent = client_of(people.agents["listing_compliance"])

    def found(query: str) -> set[str]:
        page = agent.get("/console/search/", {"q": query})
        assert page.status_code == 200
        return set(re.findall(r'href="/console/cases/(CASE-[A-Z0-9]+)/"', page.text))

    both = {case.reference, other.case.reference}
    assert found(case.reference) == {case.reference}
    assert found(case.reference.lower()) == {case.reference}
    assert found(other.reference) == {other.case.reference}
    assert found("supbob") == both  # the respondent's member ID
    assert found("SUPBOB@example.com") == both  # the respondent's email
    assert found("Bob Supplies") == both  # the respondent's name
    assert found(RITA_MEMBER_ID) == both  # the reporter's member ID
    assert found(RITA_EMAIL) == both
    assert found("rita rep") == both  # part of the reporter's name
    assert found("www.market.example/product/usb-charger-1600123.html/") == {case.reference}
    assert found("https://market.example/product/gadget-7.html") == {other.case.reference}
    assert found("market.example/store/bob-supplies") == both  # the respondent's store
    assert found("outside the marketplace") == both  # the words of the answers
    assert found("zebrafast") == {other.case.reference}  # the words of a party's answer
    assert found("nothing like this anywhere") == set()
    security = client_of(people.agents["security"])
    assert "No case for" in security.get("/console/search/", {"q": "supbob"}).text


# --- the case page ----------------------------------------------------------------------------


def test_the_case_page_shows_the_parties_evidence_directory_and_history(people):
    complaint = report(people, "prohibited_goods")
    case = complaint.case
    page = client_of(people.agents["listing_compliance"]).get(f"/console/cases/{case.reference}/")
    assert page.status_code == 200
    text = page.text
    for seen in (RITA_NAME, RITA_EMAIL, RITA_MEMBER_ID, complaint.reference):
        assert seen in text  # agents see who reported
    assert escape(FILINGS_BY_KEY["prohibited_goods"].data["description"]) in text
    evidence = complaint.evidence.get()
    assert f'<img src="/evidence/{evidence.public_id}/"' in text  # an inline preview
    assert "Bob Supplies Ltd" in text and "supbob" in text and 'id="member-status"' in text
    assert "Prohibited or restricted goods CMP-" in text or "filed." in text
    # The complaint page of the case and of its complaint show agents the same page.
    for reference in (case.reference, complaint.reference):
        same = client_of(people.agents["listing_compliance"]).get(f"/complaints/{reference}/")
        assert same.status_code == 200 and 'id="actions-h"' in same.text


def test_the_repeat_infringer_proposal_is_shown_to_the_agent_and_never_applied(people):
    agent = client_of(people.agents["listing_compliance"])
    for index in range(3):
        complaint = report(
            people, "prohibited_goods", target=new_listing(people, index).product_url
        )
        agent.post("/console/queue/listing_compliance/claim/")
        response = act(
            agent, complaint.case, "decide", **{**FULL_DECISION, "sanctions": ["warning"]}
        )
        assert response.status_code == 302
    fourth = report(people, "prohibited_goods", target=new_listing(people, 9).product_url)
    agent.post("/console/queue/listing_compliance/claim/")
    page = agent.get(f"/console/cases/{fourth.case.reference}/").text
    assert "The repeat-infringer rule proposes:" in page and "Account disabled" in page
    assert re.search(
        r'id="sanction-account_disabled">\s*<label[^>]*>Account disabled <span class="tag proposal">',
        page,
    )
    people.market.supplier.refresh_from_db()
    assert people.market.supplier.status == "active"
    assert page.count("Warning") >= 3  # the earlier sanctions in the record


# --- each action through its form -----------------------------------------------------------


def test_note_question_answer_transfer_and_release_through_the_forms(people, mailbox):
    complaint = report(people, "prohibited_goods")
    case = complaint.case
    agent = claimed(people, complaint)

    empty = act(agent, case, "note", text="  ")
    assert empty.status_code == 422 and refusal(empty) == ("note_empty", "Write the note.")
    assert act(agent, case, "note", text="Photo 2 shows the stun gun.").status_code == 302
    page = agent.get(f"/console/cases/{case.reference}/").text
    assert "Internal note by agent-listing_compliance: Photo 2 shows the stun gun." in page

    too_long = act(
        agent, case, "request_information", party="complainant", question="Which photo?", days="45"
    )
    assert too_long.status_code == 422
    assert refusal(too_long)[0] == "deadline_invalid"
    assert ">Which photo?</textarea>" in too_long.text  # what was typed is kept
    asked = act(
        agent,
        case,
        "request_information",
        party="complainant",
        question="Which photo shows the stun gun?",
        days="2",
    )
    assert asked.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING and case.paused_at is not None
    again = act(
        agent, case, "request_information", party="respondent", question="Anything?", days="2"
    )
    assert again.status_code == 409 and refusal(again)[0] == "case_not_open"

    # The complainant answers on the complaint page, with a file.
    rita = client_of(people.rita)
    page = rita.get(f"/complaints/{complaint.reference}/").text
    assert "Which photo shows the stun gun?" in page and 'id="form-information"' in page
    blank = rita.post(
        f"/complaints/{complaint.reference}/information/",
        {"text": "", "evidence": [SimpleUploadedFile("second.png", corpus.png())]},
    )
    assert blank.status_code == 422 and "Write your answer." in blank.text
    kept = re.search(r'name="evidence_ids" value="([^"]+)"', blank.text).group(1)
    answered = rita.post(
        f"/complaints/{complaint.reference}/information/",
        {"text": "The second photo, bottom left.", "evidence_ids": kept},
    )
    assert answered.status_code == 302
    statement = PartyStatement.objects.get(case=case)
    assert statement.party == "complainant" and statement.evidence.count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    page = agent.get(f"/console/cases/{case.reference}/").text
    assert "The second photo, bottom left." in page
    assert f'<img src="/evidence/{statement.evidence.get().public_id}/"' in page
    assert agent.get(f"/evidence/{statement.evidence.get().public_id}/").status_code == 200
    assert (
        client_of(people.bob).get(f"/evidence/{statement.evidence.get().public_id}/").status_code
        == 404
    )

    nowhere = act(agent, case, "transfer", department="", reason="Wrong team")
    assert nowhere.status_code == 422 and 'value="Wrong team"' in nowhere.text
    released = act(agent, case, "release")
    assert released.status_code == 302 and released["Location"] == "/console/"
    case.refresh_from_db()
    assert case.assigned_to is None and case.status == CaseStatus.SUBMITTED
    not_mine = act(agent, case, "release")
    assert not_mine.status_code == 409 and refusal(not_mine)[0] == "not_assigned"
    moved = act(agent, case, "transfer", department="security", reason="It is a phishing case.")
    assert moved.status_code == 302 and moved["Location"] == "/console/"
    case.refresh_from_db()
    assert case.department.code == "security"
    assert agent.get(f"/console/cases/{case.reference}/").status_code == 404
    security = client_of(people.agents["security"]).get(f"/console/cases/{case.reference}/").text
    assert (
        "Transferred by agent-listing_compliance from Listing compliance to Security." in security
    )
    assert "Sent to the Security team" in rita.get(f"/complaints/{complaint.reference}/").text


def test_decide_with_refusals_then_lift_through_the_forms(people):
    complaint = report(people, "prohibited_goods")
    case = complaint.case
    agent = claimed(people, complaint)
    page = agent.get(f"/console/cases/{case.reference}/").text
    for key in ("upheld", "rejected", "insufficient_evidence"):
        assert f'id="outcome-{key}"' in page
    for key in (
        "warning",
        "listing_restricted",
        "listing_removed",
        "account_limited",
        "account_disabled",
    ):
        assert f'id="sanction-{key}"' in page
    assert 'id="outcome-full_refund"' not in page  # only the type's outcomes

    incomplete = act(agent, case, "decide", **{**FULL_DECISION, "facts": ""})
    assert incomplete.status_code == 422 and refusal(incomplete)[0] == "statement_incomplete"
    assert 'value="The listing named in the report."' in incomplete.text
    assert 'id="outcome-upheld" checked' in incomplete.text
    assert 'id="sanction-listing_removed" checked' in incomplete.text
    rejected_with_sanction = act(agent, case, "decide", **{**FULL_DECISION, "outcome": "rejected"})
    assert refusal(rejected_with_sanction)[0] == "sanction_without_upheld"
    past = act(agent, case, "decide", **{**FULL_DECISION, "ends_at": "2001-01-01"})
    assert refusal(past)[0] == "ends_at_past"
    assert snapshot(case)[0] == CaseStatus.IN_REVIEW and not Sanction.objects.exists()

    decided = act(agent, case, "decide", **FULL_DECISION)
    assert decided.status_code == 302
    case.refresh_from_db()
    people.market.listing.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.outcome == "upheld"
    assert people.market.listing.status == "removed"
    page = agent.get(f"/console/cases/{case.reference}/").text
    assert "Decision: Upheld" in page and FULL_DECISION["facts"] in page

    sanction = Sanction.objects.get(case=case)
    no_reason = act(agent, case, "lift", sanction=sanction.pk, reason="")
    assert no_reason.status_code == 422 and refusal(no_reason)[0] == "reason_empty"
    lifted = act(agent, case, "lift", sanction=sanction.pk, reason="The seller removed the bundle.")
    assert lifted.status_code == 302
    people.market.listing.refresh_from_db()
    assert people.market.listing.status == "active"
    twice = act(agent, case, "lift", sanction=sanction.pk, reason="Again.")
    assert twice.status_code == 409 and refusal(twice)[0] == "sanction_already_lifted"


def test_a_non_urgent_case_waits_for_the_respondents_answer(people):
    complaint = report(people, "listing_rules")
    agent = claimed(people, complaint)
    early = act(agent, complaint.case, "decide", **{**FULL_DECISION, "sanctions": []})
    assert early.status_code == 409 and refusal(early)[0] == "respondent_answer_pending"
    assert "The respondent may answer until" in early.text


def test_an_appeal_is_decided_by_another_agent_through_the_forms(people):
    complaint = report(people, "prohibited_goods")
    case = complaint.case
    first = claimed(people, complaint)
    act(first, case, "decide", **FULL_DECISION)
    bob = client_of(people.bob)
    page = bob.get(f"/complaints/{case.reference}/").text
    assert 'id="form-appeal"' in page and FULL_DECISION["facts"] in page
    empty = bob.post(f"/complaints/{case.reference}/appeal/", {"reason": " "})
    assert empty.status_code == 422 and "Say why the decision is wrong." in empty.text
    assert (
        bob.post(f"/complaints/{case.reference}/appeal/", {"reason": "These are toys."}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.APPEALED

    page = first.get(f"/console/cases/{case.reference}/").text
    assert 'id="own-decision"' in page
    refused = act(first, case, "decide_appeal", result="reverse", statement="I was wrong.")
    assert refused.status_code == 403
    assert refusal(refused)[0] == "own_decision"
    assert ">I was wrong.</textarea>" in refused.text
    assert not case.appeals.get().decided_at

    second = client_of(people.agents["listing_compliance_2"])
    no_result = act(second, case, "decide_appeal", statement="Toys indeed.")
    assert no_result.status_code == 422 and refusal(no_result)[0] == "result_missing"
    reversed_ = act(
        second, case, "decide_appeal", result="reverse", statement="The photos show toy handcuffs."
    )
    assert reversed_.status_code == 302
    case.refresh_from_db()
    people.market.listing.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and people.market.listing.status == "active"
    assert case.appeals.get().result == "reversed"
    seen = bob.get(f"/complaints/{case.reference}/").text
    assert "the decision is reversed" in seen and "The photos show toy handcuffs." in seen


# --- the parties ------------------------------------------------------------------------------


def test_the_respondent_answers_with_evidence_and_the_complainant_is_told(people):
    complaint = report(people, "listing_rules")
    case = complaint.case
    bob = client_of(people.bob)
    page = bob.get(f"/complaints/{case.reference}/").text
    assert 'id="form-answer"' in page
    bad = bob.post(
        f"/complaints/{case.reference}/answer/",
        {
            "text": "We never asked for bank transfers.",
            "evidence": [SimpleUploadedFile("run.exe", corpus.pe())],
        },
    )
    assert bad.status_code == 400 and "run.exe" in bad.text
    assert ">We never asked for bank transfers.</textarea>" in bad.text
    unread_before = people.rita.notifications.filter(read_at__isnull=True).count()
    good = bob.post(
        f"/complaints/{case.reference}/answer/",
        {
            "text": "We never asked for bank transfers.",
            "evidence": [SimpleUploadedFile("chat.pdf", corpus.pdf())],
        },
    )
    assert good.status_code == 302
    statement = PartyStatement.objects.get(case=case, party="respondent")
    assert statement.evidence.get().safe_name == "chat.pdf"
    assert people.rita.notifications.filter(read_at__isnull=True).count() == unread_before + 1
    told = client_of(people.rita).get(f"/complaints/{complaint.reference}/").text
    assert "The other party answered." in told
    assert "We never asked for bank transfers." not in told  # their words are for the agents
    agent_page = (
        client_of(people.agents["listing_compliance"]).get(f"/console/cases/{case.reference}/").text
    )
    assert "We never asked for bank transfers." in agent_page and "chat.pdf" in agent_page
    assert 'class="pdf-preview"' in agent_page  # a PDF preview
    # A complainant cannot answer as the respondent: the rule book says why, at the form.
    as_respondent = client_of(people.rita).post(
        f"/complaints/{complaint.reference}/answer/", {"text": "x"}
    )
    assert as_respondent.status_code == 403
    assert 'data-code="forbidden"' in as_respondent.text


@pytest.mark.edits_case_rows
def test_the_answer_window_closes(people):
    complaint = report(people, "listing_rules")
    case = complaint.case
    Case.objects.filter(pk=case.pk).update(
        respondent_answer_due_at=timezone.now() - timedelta(minutes=1)
    )
    bob = client_of(people.bob)
    assert 'id="form-answer"' not in bob.get(f"/complaints/{case.reference}/").text
    late = bob.post(f"/complaints/{case.reference}/answer/", {"text": "Late words."})
    assert late.status_code == 409 and "The time to answer has passed." in late.text


def test_submit_again_with_new_information_is_linked_to_the_earlier_case(people):
    complaint = report(people, "prohibited_goods")
    case = complaint.case
    agent = claimed(people, complaint)
    act(
        agent,
        case,
        "decide",
        **{**FULL_DECISION, "outcome": "insufficient_evidence", "sanctions": []},
    )
    rita = client_of(people.rita)
    page = rita.get(f"/complaints/{complaint.reference}/").text
    link = f'href="/report/prohibited_goods/?previous={case.reference}"'
    assert "Submit again with new information" in page and link in page
    form = rita.get(f"/report/prohibited_goods/?previous={case.reference}").text
    assert f'name="previous" value="{case.reference}"' in form and 'id="previous-case"' in form
    again = report(
        people,
        "prohibited_goods",
        previous=case.reference,
        description="New: the seller's own photo shows the stun gun's brand and voltage.",
    )
    assert again.case.previous_case_id == case.pk and again.case_id != case.pk
    assert case.reference in agent.get(f"/console/cases/{again.case.reference}/").text
    # Someone who was not a complainant of the case cannot link to it.
    carol = client_of(people.carol)
    assert (
        'name="previous"'
        not in carol.get(f"/report/prohibited_goods/?previous={case.reference}").text
    )
    elsewhere = new_listing(people, 3).product_url
    response = file_through_form(
        carol, FILINGS_BY_KEY["prohibited_goods"], previous=case.reference, target=elsewhere
    )
    assert response.status_code == 400 and "previous_case_invalid" in response.text
    assert not Complaint.objects.filter(complainant=people.carol).exists()
    response = file_through_form(carol, FILINGS_BY_KEY["prohibited_goods"], target=elsewhere)
    assert response.status_code == 302
    assert (
        Complaint.objects.select_related("case").get(complainant=people.carol).case.previous_case
        is None
    )


def test_the_reporter_of_an_anonymous_report_stays_unknown_to_the_respondent_after_decision(people):
    signed = f"Handcuffs and stun guns in the bundle. Reported by {RITA_NAME} ({RITA_EMAIL}, {RITA_MEMBER_ID})."
    complaint = report(people, "prohibited_goods", description=signed)
    case = complaint.case
    first = claimed(people, complaint)
    act(first, case, "request_information", party="complainant", question="Which photo?", days="2")
    client_of(people.rita).post(
        f"/complaints/{complaint.reference}/information/", {"text": f"Photo 2. {RITA_NAME}"}
    )
    act(first, case, "note", text=f"Confirmed with {RITA_NAME}.")
    assert act(first, case, "decide", **FULL_DECISION).status_code == 302
    bob = client_of(people.bob)
    bob.post(f"/complaints/{case.reference}/appeal/", {"reason": "Toys."})
    act(
        client_of(people.agents["listing_compliance_2"]),
        case,
        "decide_appeal",
        result="reverse",
        statement="Toys.",
    )
    pages = {
        "case": bob.get(f"/complaints/{case.reference}/").text,
        "received": bob.get("/my-reports/?box=received").text,
        "notifications": bob.get("/notifications/").text,
    }
    assert "Decision: Upheld" in pages["case"] and "the decision is reversed" in pages["case"]
    for where, text in pages.items():
        for secret in (RITA_NAME, RITA_EMAIL, RITA_MEMBER_ID, "rita.reports", "Which photo?"):
            assert secret.lower() not in text.lower(), (secret, where)
    # The reporter learns what was done, not the respondent's private data.
    told = client_of(people.rita).get(f"/complaints/{complaint.reference}/").text
    assert "What was done: Listing removed." in told
    assert people.market.supplier.email not in told
    assert LISTING_URL  # the listing's own address is public


def test_each_timeline_says_only_what_its_reader_may_know(people):
    complaint = report(people, "prohibited_goods")
    case = complaint.case
    agent = claimed(people, complaint)
    act(agent, case, "note", text="Looks like the seller's third listing of this kind.")
    act(
        agent,
        case,
        "request_information",
        party="complainant",
        question="Where is the stun gun?",
        days="1",
    )
    later = timezone.now() + timedelta(days=2)
    sweep_deadlines(now=later)
    case.refresh_from_db()
    sweep_deadlines(now=case.due_at + timedelta(minutes=1))
    reporter = client_of(people.rita).get(f"/complaints/{complaint.reference}/").text
    seller = client_of(people.bob).get(f"/complaints/{case.reference}/").text
    agents = (
        client_of(people.agents["listing_compliance"]).get(f"/console/cases/{case.reference}/").text
    )
    assert "Internal note by agent-listing_compliance" in agents
    assert "No answer from the complainant by the deadline" in agents
    assert "The time limit passed" in agents
    assert "The marketplace asked you: “Where is the stun gun?”" in reporter
    assert "The time to answer the question passed." in reporter
    assert "In review: an agent of the marketplace is working on it." in seller
    for party_page in (reporter, seller):
        assert "third listing" not in party_page and "The time limit passed" not in party_page
        assert "agent-listing_compliance" not in party_page
    assert "Where is the stun gun?" not in seller


def test_an_agent_claims_a_case_found_by_search(client):
    from ombuds.cases.actions.filing import file_complaint
    from ombuds.intake.checks import Filer, Submission
    from tests.factories import make_market, make_user

    market = make_market()
    reporter = make_user("sam")
    submission = Submission(
        type_key="listing_rules",
        target=market.listing.product_url,
        answers={
            "violation": "bait_price",
            "description": "The price shown is one cent but the real one is fifty dollars.",
        },
        agreement=True,
    )
    case = file_complaint(submission=submission, filer=Filer.for_user(reporter)).complaint.case
    outsider = make_user("olga")
    outsider.departments.set(Department.objects.filter(code="disputes"))
    client.force_login(outsider)
    assert client.post(f"/console/cases/{case.reference}/claim/").status_code in (403, 404)
    case.refresh_from_db()
    assert case.assigned_to is None

    insider = make_user("ines")
    insider.departments.set(Department.objects.filter(code="listing_compliance"))
    client.force_login(insider)
    page = client.get(f"/console/cases/{case.reference}/").content.decode()
    assert "Claim this case" in page
    client.post(f"/console/cases/{case.reference}/claim/")
    case.refresh_from_db()
    assert case.assigned_to == insider and case.status == "in_review"
    assert "Claim this case" not in client.get(f"/console/cases/{case.reference}/").content.decode()


def test_a_visitor_reporter_answers_a_question_through_the_link_in_the_email(people, mailbox):
    """A reporter without an account is asked by email, opens the signed link and answers with
    a file; nobody else can answer or see that file, and the respondent never learns who."""
    from ombuds.notify.outbox import deliver_outbox

    email = "vera.visitor@example.org"
    visitor = Client()
    filed = file_through_form(visitor, FILINGS_BY_KEY["prohibited_goods"], visitor_email=email)
    confirmed = confirm_by_email(mailbox, email)
    assert confirmed.status_code == 302
    key = confirmed["Location"].partition("?k=")[2]
    assert filed["Location"].partition("?k=")[2] != key
    complaint = Complaint.objects.select_related("case").get(complainant_email=email)
    case = complaint.case
    agent = claimed(people, complaint)
    member_report = report(people, "prohibited_goods")  # a member reports the same listing
    assert member_report.case_id == case.pk
    asked = act(
        agent, case, "request_information", party="complainant", question="Which photo?", days="2"
    )
    assert asked.status_code == 302
    deliver_outbox()
    question_email = mailbox.body(mailbox.to(email)[-1])
    assert "Which photo?" in question_email
    link = re.search(r"http://\S+/complaints/(CMP-\w+)/\?k=(\S+)", question_email)
    assert link and link.group(1) == complaint.reference
    path, key = f"/complaints/{complaint.reference}/", link.group(2)

    page = Client().get(f"{path}?k={key}").text
    assert "Which photo?" in page and 'id="form-information"' in page
    assert f'action="{path}information/?k={key}"' in page

    answer_url = f"{path}information/"
    stranger_post = Client().post(answer_url, {"text": "I am not Vera."})
    assert stranger_post.status_code == 302 and "/accounts/login/" in stranger_post["Location"]
    forged = Client().post(f"{answer_url}?k={key}x", {"text": "Forged."})
    assert forged.status_code == 302 and "/accounts/login/" in forged["Location"]
    # Her key answers on her complaint only.
    other = report(people, "copyright")
    on_other = Client().post(f"/complaints/{other.reference}/information/?k={key}", {"text": "x"})
    assert on_other.status_code == 404
    assert client_of(people.bob).post(answer_url, {"text": "Me?"}).status_code == 404
    assert not PartyStatement.objects.exists()

    blank = visitor.post(
        f"{answer_url}?k={key}",
        {"text": "", "evidence": [SimpleUploadedFile("second.png", corpus.png())]},
    )
    assert blank.status_code == 422 and "Write your answer." in blank.text
    kept = re.search(r'name="evidence_ids" value="([^"]+)"', blank.text).group(1)
    # The kept file is this browser's: another visitor's form cannot take it.
    taken = Client().post(f"{answer_url}?k={key}", {"text": "Taken.", "evidence_ids": kept})
    assert taken.status_code == 400 and 'data-code="evidence_not_found"' in taken.text
    assert not PartyStatement.objects.exists()

    answered = visitor.post(
        f"{answer_url}?k={key}", {"text": "The second photo, bottom left.", "evidence_ids": kept}
    )
    assert answered.status_code == 302 and answered["Location"] == f"{path}?k={key}#information"
    statement = PartyStatement.objects.get()
    assert statement.author is None and statement.complaint == complaint
    assert statement.party == "complainant" and statement.evidence.count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    event = case.events.order_by("-seq").first()
    assert event.kind == "answered" and event.actor is None

    page = visitor.get(f"{path}?k={key}").text
    assert "The second photo, bottom left." in page and 'id="form-information"' not in page
    assert "You answered the question." in page
    member = client_of(people.get(FILINGS_BY_KEY["prohibited_goods"].filer))
    member_page = member.get(f"/complaints/{member_report.reference}/").text
    assert "Another reporter answered the question." in member_page
    assert 'id="form-information"' not in member_page and "vera" not in member_page.lower()
    item = statement.evidence.get()
    assert f'href="/evidence/{item.public_id}/?k={key}"' in page
    assert Client().get(f"/evidence/{item.public_id}/?k={key}").status_code == 200
    assert Client().get(f"/evidence/{item.public_id}/").status_code == 404
    assert client_of(people.bob).get(f"/evidence/{item.public_id}/").status_code == 404
    assert agent.get(f"/evidence/{item.public_id}/").status_code == 200
    agent_page = agent.get(f"/console/cases/{case.reference}/").text
    assert f"{email} (visitor, {complaint.reference})" in agent_page
    assert f"The complainant answered the question ({email}, visitor)." in agent_page
    respondent_page = client_of(people.bob).get(f"/complaints/{case.reference}/").text
    assert "vera" not in respondent_page.lower() and complaint.reference not in respondent_page
