"""Who sees what: the complaint page, My Reports and evidence downloads, for every type.

The roles: the complainant, the respondent, a stranger (another member), an agent of the
type's department, an agent of another department, and a visitor who is not logged in.
"""

from __future__ import annotations

import hashlib
from email.message import Message

import pytest
from django.test import Client

from ombuds.cases.models import Complaint
from ombuds.evidence.models import Evidence
from ombuds.notify.outbox import deliver_outbox
from ombuds.policy.loader import get_policy
from tests.cases.filings import (
    FILINGS,
    FILINGS_BY_KEY,
    RITA_EMAIL,
    RITA_IDENTITY,
    RITA_MEMBER_ID,
    RITA_NAME,
    RITA_USERNAME,
    Filing,
    People,
    confirm_by_email,
    file_through_form,
    filed,
    make_people,
)

pytestmark = pytest.mark.django_db

ROLES = ("complainant", "respondent", "stranger", "agent", "other_agent", "visitor")
ANONYMOUS = [f for f in FILINGS if f.complaint_type.reporter_anonymous]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people() -> People:
    return make_people()


def _clients(people: People, filing: Filing) -> dict[str, Client]:
    department = filing.complaint_type.department
    users = {
        "complainant": people.get(filing.filer),
        "respondent": people.get(filing.respondent),
        "stranger": people.carol,
        "agent": people.agents[department],
        "other_agent": people.agent_of_another_department(department),
    }
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    clients["visitor"] = Client()
    return clients


def _download(client: Client, evidence) -> int | str:
    """The status of a download, or "ok" when it is the very file that was uploaded."""
    response = client.get(f"/evidence/{evidence.public_id}/")
    if response.status_code != 200:
        return response.status_code
    digest = hashlib.sha256(b"".join(response.streaming_content)).hexdigest()
    return "ok" if digest == evidence.sha256 else "wrong file"


def _listed(client: Client, box: str, reference: str) -> bool | str:
    response = client.get(f"/my-reports/?box={box}")
    if response.status_code == 302:
        return "login" if "/accounts/login/" in response["Location"] else response["Location"]
    return reference in response.text


def test_the_anonymous_report_types_are_the_policys():
    policy = get_policy()
    assert {f.type_key for f in ANONYMOUS} == {
        key for key, t in policy.types.items() if t.reporter_anonymous
    }
    assert len(ANONYMOUS) >= 6


@pytest.mark.parametrize("filing", FILINGS, ids=lambda f: f.key)
def test_visibility_matrix(people, filing):
    complaint = filed(Client(), people, filing)
    case = complaint.case
    evidence = list(complaint.evidence.order_by("pk"))
    assert len(evidence) == len(filing.evidence) >= 1
    respondent_sees_files = filing.complaint_type.evidence.visible_to_respondent == "all"

    observed = {}
    for role, client in _clients(people, filing).items():
        observed[role] = {
            "complaint page": client.get(f"/complaints/{complaint.reference}/").status_code,
            "case page": client.get(f"/complaints/{case.reference}/").status_code,
            "in Sent": _listed(client, "sent", complaint.reference),
            "in Received": _listed(client, "received", case.reference),
            "files": [_download(client, item) for item in evidence],
        }

    nothing = {
        "complaint page": 404,
        "case page": 404,
        "in Sent": False,
        "in Received": False,
        "files": [404] * len(evidence),
    }
    expected = {
        # The complainant knows their complaint by its number; the case may hold others'.
        "complainant": {**nothing, "complaint page": 200, "in Sent": True, "files": ["ok"] * len(evidence)},
        "respondent": {
            **nothing,
            "case page": 200,
            "in Received": True,
            "files": ["ok" if respondent_sees_files else 404] * len(evidence),
        },
        "stranger": nothing,
        "agent": {**nothing, "complaint page": 200, "case page": 200, "files": ["ok"] * len(evidence)},
        "other_agent": nothing,
        "visitor": {**nothing, "in Sent": "login", "in Received": "login"},
    }  # fmt: skip
    assert observed == expected


def test_files_accepted_on_a_refused_form_are_only_the_uploaders(people):
    filing = FILINGS_BY_KEY["offline_buyer"]
    client = Client()
    client.force_login(people.alice)
    refused = file_through_form(client, filing, description="Too short.")
    assert refused.status_code == 400
    assert not Complaint.objects.exists()
    uploads = list(Evidence.objects.all())
    assert len(uploads) == 2
    for item in uploads:
        assert str(item.public_id) in refused.text
        assert _download(client, item) == "ok"
        for other in (people.bob, people.carol, people.agents["disputes"]):
            stranger = Client()
            stranger.force_login(other)
            assert _download(stranger, item) == 404
        assert _download(Client(), item) == 404


def _email_texts(messages: list[Message]) -> list[str]:
    texts = []
    for message in messages:
        texts.append("\n".join(f"{k}: {v}" for k, v in message.items() if k != "X-Envelope-To"))
        for part in message.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                texts.append(part.get_payload(decode=True).decode())
    return texts


@pytest.mark.parametrize("filing", ANONYMOUS, ids=lambda f: f.key)
def test_the_reported_party_never_learns_who_reported(people, mailbox, filing):
    signed = (
        f"{filing.data['description']} Reported by {RITA_NAME} ({RITA_EMAIL}, member ID "
        f"{RITA_MEMBER_ID})."
    )
    overrides = {"description": signed}
    url_fields = [f.name for f in filing.complaint_type.fields if f.kind == "url"]
    for name in url_fields:
        overrides[name] = f"https://photos.example.org/{RITA_USERNAME}/original"
    reporter = Client()
    reporter.force_login(people.rita)
    response = file_through_form(reporter, filing, **overrides)
    assert response.status_code == 302, response.content[:500]
    complaint = Complaint.objects.select_related("case").get()
    case = complaint.case
    # A second reporter joins: still nobody is named to the reported party.
    carol = Client()
    carol.force_login(people.carol)
    assert file_through_form(carol, filing).status_code == 302
    case.refresh_from_db()
    assert case.reporter_count == 2

    # What the marketplace's agent sees: the reporter's identity is there to be leaked.
    agent = Client()
    agent.force_login(people.agents[filing.complaint_type.department])
    agent_page = agent.get(f"/complaints/{case.reference}/").text
    assert RITA_NAME in agent_page and RITA_EMAIL in agent_page and signed in agent_page

    respondent = Client()
    respondent.force_login(people.bob)
    case_page = respondent.get(f"/complaints/{case.reference}/")
    assert case_page.status_code == 200
    label = filing.complaint_type.label.lower()
    assert f"A report was filed about you: {label}." in case_page.text
    seen = {
        "case page": case_page.text,
        "complaint page": respondent.get(f"/complaints/{complaint.reference}/").text,
        "received": respondent.get("/my-reports/?box=received").text,
        "received, open": respondent.get("/my-reports/?box=received&status=open").text,
        "sent": respondent.get("/my-reports/?box=sent").text,
    }
    assert case.reference in seen["received"]
    for item in complaint.evidence.all():
        download = respondent.get(f"/evidence/{item.public_id}/")
        assert download.status_code == 404
        seen[f"file {item.safe_name}"] = download.text

    deliver_outbox()
    notices = mailbox.to(people.bob.email)
    assert len(notices) == 1 and case.reference in notices[0]["Subject"]
    for number, text in enumerate(_email_texts(notices)):
        seen[f"email part {number}"] = text
    assert len(seen) > 7

    carol_identity = ("Carol Trading", "supcarol")
    for where, text in seen.items():
        for secret in (*RITA_IDENTITY, *carol_identity):
            assert secret.lower() not in text.lower(), (
                f"{secret!r} reaches the reported party in {where}"
            )
    assert "photos.example.org" not in seen["case page"]


@pytest.mark.parametrize("key", ["offline_buyer", "offline_supplier"])
def test_offline_trade_dispute_respondent_sees_who_and_every_file(people, mailbox, key):
    filing = FILINGS_BY_KEY[key]
    complaint = filed(Client(), people, filing)
    complainant = people.get(filing.filer).member
    respondent = Client()
    respondent_user = people.get(filing.respondent)
    respondent.force_login(respondent_user)

    page = respondent.get(f"/complaints/{complaint.case.reference}/")
    assert page.status_code == 200
    assert f"{complainant.display_name} — member ID {complainant.member_id}" in page.text
    assert (
        f"{complainant.display_name} filed a complaint about you: offline trade dispute."
        in page.text
    )
    assert filing.data["description"] in page.text
    items = list(complaint.evidence.all())
    assert len(items) == len(filing.evidence)
    for item in items:
        assert item.safe_name in page.text
        assert _download(respondent, item) == "ok"

    deliver_outbox()
    (notice,) = mailbox.to(respondent_user.email)
    assert f"{complainant.display_name} filed a complaint about you" in mailbox.body(notice)


def test_a_visitor_reporter_sees_their_report_by_its_link_and_stays_unknown(people, mailbox):
    filing = FILINGS_BY_KEY["prohibited_goods"]
    visitor = Client()
    email = "vera.visitor@example.org"
    response = file_through_form(visitor, filing, visitor_email=email)
    assert response.status_code == 302
    path, _, key = response["Location"].partition("?k=")
    complaint = Complaint.objects.get()
    assert path == f"/complaints/{complaint.reference}/" and key
    (item,) = complaint.evidence.all()

    # Before confirming: only the link with its key shows the report, and its file.
    assert visitor.get(f"{path}?k={key}").status_code == 200
    assert Client().get(path).status_code == 404
    assert Client().get(f"{path}?k={key}x").status_code == 404
    assert Client().get(f"/evidence/{item.public_id}/?k={key}").status_code == 200
    assert Client().get(f"/evidence/{item.public_id}/").status_code == 404

    # The page's key does not confirm: only the link sent to the address does.
    assert Client().get(f"/reports/confirm/{key}/").status_code == 400
    assert Client().post(f"/reports/confirm/{key}/").status_code == 400
    confirmed = confirm_by_email(mailbox, complaint.complainant_email)
    assert confirmed.status_code == 302
    complaint.refresh_from_db()
    assert Client().get(f"{path}?k={key}").status_code == 404  # that key was for the wait
    key = confirmed["Location"].partition("?k=")[2]
    page = Client().get(f"{path}?k={key}")
    assert "Submitted — under consideration" in page.text
    # Another complaint's key does not open this one.
    other = filed(Client(), people, FILINGS_BY_KEY["copyright"])
    assert Client().get(f"/complaints/{other.reference}/?k={key}").status_code == 404

    respondent = Client()
    respondent.force_login(people.bob)
    seen = [
        respondent.get(f"/complaints/{complaint.case.reference}/").text,
        respondent.get("/my-reports/?box=received").text,
    ]
    assert complaint.case.reference in seen[1]
    deliver_outbox()
    seen += _email_texts(mailbox.to(people.bob.email))
    assert len(seen) > 2
    for text in seen:
        assert "vera" not in text.lower()
    assert len(mailbox.to(email)) == 2  # the confirmation link, then the receipt
