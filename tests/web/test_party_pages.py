"""The parties' side of a case: in a dispute each side reads what the other says and uploads,
in an anonymous report neither does; nobody else can act on a complaint's page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.cases.actions.claiming import claim_case
from ombuds.cases.actions.decisions import Decision, decide_case
from ombuds.cases.actions.questions import answer_as_respondent, request_information
from ombuds.cases.models import Case, CaseEvent, PartyStatement
from tests.api.conftest import api_for
from tests.cases.filings import People
from tests.cases.test_workflow import STATEMENT
from tests.evidence import corpus
from tests.web.test_console import client_of, report

pytestmark = pytest.mark.django_db


def answer(client, reference: str, form: str, text: str, file_name: str):
    response = client.post(
        f"/complaints/{reference}/{form}/",
        {"text": text, "evidence": [SimpleUploadedFile(file_name, corpus.pdf())]},
    )
    assert response.status_code == 302, response.content[:500]


def ask(people: People, case: Case, agent_key: str, party: str) -> None:
    agent = people.agents[agent_key]
    claim_case(agent=agent, case=case)
    request_information(agent=agent, case=case, party=party, question="Which vessel and date?")


def both_sides_answer(people: People, key: str, department: str, said: dict[str, str]):
    """Filing `key`; Bob (the respondent) answers with a file, an agent asks the complainant,
    who answers with a file. The complaint, its case, and each side's file."""
    complaint = report(people, key)
    case = complaint.case
    answer(client_of(people.bob), case.reference, "answer", said["respondent"], "bob.pdf")
    ask(people, case, department, "complainant")
    complainant = client_of(complaint.complainant)
    answer(complainant, complaint.reference, "information", said["complainant"], "theirs.pdf")
    files = {
        party: PartyStatement.objects.get(case=case, party=party).evidence.get() for party in said
    }
    return complaint, case, files


def test_both_sides_of_a_dispute_read_each_others_answers_and_files(people):
    said = {"respondent": "We shipped on 2 October.", "complainant": "Nothing arrived at Hamburg."}
    # Alice against Bob, about an order paid outside the platform.
    complaint, case, files = both_sides_answer(people, "offline_buyer", "disputes", said)
    alice, bob = client_of(people.alice), client_of(people.bob)
    bob_file, alice_file = files["respondent"], files["complainant"]

    page = alice.get(f"/complaints/{complaint.reference}/").text
    assert "The other party's answer" in page and "We shipped on 2 October." in page
    assert "bob.pdf" in page and "Nothing arrived at Hamburg." in page  # and her own
    assert alice.get(f"/evidence/{bob_file.public_id}/").status_code == 200
    page = bob.get(f"/complaints/{case.reference}/").text
    assert "What the complainant added" in page and "Nothing arrived at Hamburg." in page
    assert "Which vessel and date?" in page  # the question it answers
    assert bob.get(f"/evidence/{alice_file.public_id}/").status_code == 200

    through_api = api_for(people.alice).get(f"/complaints/{complaint.reference}").json()
    said = {(s["party"], s["yours"], s["text"]) for s in through_api["statements"]}
    assert said == {
        ("respondent", False, "We shipped on 2 October."),
        ("complainant", True, "Nothing arrived at Hamburg."),
    }
    theirs = next(s for s in through_api["statements"] if not s["yours"])
    assert theirs["kind"] == "answer" and theirs["evidence"][0]["name"] == "bob.pdf"
    assert "author" not in theirs  # no account names of the other side

    for outsider in (people.carol, people.rita, people.agents["security"], None):
        assert client_of(outsider).get(f"/evidence/{bob_file.public_id}/").status_code in (
            302,
            404,
        )


def test_an_anonymous_report_keeps_each_sides_words_from_the_other(people):
    said = {"respondent": "An old text we forgot.", "complainant": "Seen on 3 November."}
    # Rita reports Bob's listing.
    complaint, case, files = both_sides_answer(people, "listing_rules", "listing_compliance", said)
    rita, bob = client_of(people.rita), client_of(people.bob)
    bob_file, rita_file = files["respondent"], files["complainant"]

    page = rita.get(f"/complaints/{complaint.reference}/").text
    assert "An old text we forgot." not in page and "bob.pdf" not in page
    assert rita.get(f"/evidence/{bob_file.public_id}/").status_code == 404
    page = bob.get(f"/complaints/{case.reference}/").text
    assert "Seen on 3 November." not in page and "theirs.pdf" not in page
    assert bob.get(f"/evidence/{rita_file.public_id}/").status_code == 404
    through_api = api_for(people.bob).get(f"/complaints/{case.reference}").json()
    assert [s["text"] for s in through_api["statements"]] == ["An old text we forgot."]


@pytest.mark.parametrize("form", ["answer", "information", "appeal"])
def test_nobody_but_the_right_party_acts_on_a_complaint_page(people, form):
    """Strangers and agents of other departments get 404 (or the login page) on each party
    form, the case's agents and the other party 403, and the case is left as it was."""
    complaint = report(people, "offline_buyer")
    case = complaint.case
    if form == "appeal":
        answer_as_respondent(user=people.bob, case=case, text="We shipped it.")
        claim_case(agent=people.agents["disputes"], case=case)
        decide_case(
            agent=people.agents["disputes"], case=case, decision=Decision("upheld", STATEMENT, [])
        )
    elif form == "information":
        ask(people, case, "disputes", "respondent")
    events = CaseEvent.objects.filter(case=case).count()
    data = {"text": "Let me in.", "reason": "Let me in."}
    for reference in (complaint.reference, case.reference):
        for outsider in (people.carol, people.rita, *people.agents.values()):
            response = client_of(outsider).post(f"/complaints/{reference}/{form}/", data)
            # The case's own agents see it: the parties' forms are refused to them (403).
            sees = outsider == people.agents["disputes"]
            assert response.status_code == (403 if sees else 404), (outsider, reference)
        assert client_of(None).post(f"/complaints/{reference}/{form}/", data).status_code in (
            302,
            404,
        )
    # The complainant cannot answer as the respondent, nor appeal; the question of this
    # parametrization is the respondent's.
    alice = client_of(people.alice)
    refused = alice.post(f"/complaints/{complaint.reference}/{form}/", data)
    expected = (409, "no_open_question") if form == "information" else (403, "forbidden")
    assert refused.status_code == expected[0]
    assert f'data-code="{expected[1]}"' in refused.text
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not PartyStatement.objects.filter(text="Let me in.").exists()
