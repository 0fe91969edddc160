"""Complete, valid filings of every type in the default policy, and the people who file them.

Shared by the form tests (tests/web) and the visibility tests (tests/cases): each `Filing`
is what a user types into `/report/<type>/`, with the evidence they attach.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ombuds.accounts.models import Department, User
from ombuds.cases.models import Complaint
from ombuds.policy.loader import get_policy
from tests.evidence import corpus
from tests.factories import Market, make_market, make_member, make_user

LISTING_URL = "https://market.example/product/usb-charger-1600123.html"
STORE_URL = "https://market.example/store/bob-supplies"

# The reporter of the anonymous reports: none of this may ever reach the reported party.
RITA_NAME = "Rita Reporter"
RITA_USERNAME = "rita.reports"
RITA_EMAIL = "rita.reporter@example.org"
RITA_MEMBER_ID = "ritamember"
RITA_IDENTITY = (RITA_NAME, RITA_USERNAME, RITA_EMAIL, RITA_MEMBER_ID)


@dataclass
class People:
    market: Market
    alice: User  # buyer member "buyeralice"
    bob: User  # supplier member "supbob", owner of Bob Supplies
    carol: User  # supplier member "supcarol": a stranger to the cases here
    rita: User  # a member who reports listings and sellers
    brand: User  # a verified rights holder who is not a member
    agents: dict[str, User] = field(default_factory=dict)  # department code -> agent

    def get(self, name: str) -> User:
        return getattr(self, name)

    def agent_of_another_department(self, code: str) -> User:
        return next(agent for other, agent in self.agents.items() if other != code)


def make_people() -> People:
    market = make_market()
    alice = make_user("alice", member=market.buyer)
    bob = make_user("bob", member=market.supplier)
    carol = make_user("carol", member=market.other_supplier)
    rita_member = make_member(RITA_MEMBER_ID, "buyer", display_name=RITA_NAME, email=RITA_EMAIL)
    rita = make_user(RITA_USERNAME, member=rita_member)
    brand = make_user("brandco")
    brand.email = "legal@brandco.example"
    brand.rights_holder_verified_at = timezone.now()
    brand.save()
    agents = {}
    for department in Department.objects.filter(active=True):
        agent = make_user(f"agent-{department.code}")
        agent.departments.add(department)
        agents[department.code] = agent
    return People(market, alice, bob, carol, rita, brand, agents)


def _days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Filing:
    key: str
    type_key: str
    filer: str  # a People attribute
    respondent: str  # a People attribute
    data: dict[str, Any]
    evidence: tuple[tuple[str, Callable[[], bytes]], ...] = ()

    @property
    def complaint_type(self) -> Any:
        return get_policy().types[self.type_key]

    def form(self) -> dict[str, Any]:
        data = dict(self.data)
        if "transaction_date" in data:
            data["transaction_date"] = _days_ago(int(data["transaction_date"]))
        if self.complaint_type.requires_agreement:
            data.setdefault("agreement", "on")
        return data

    def uploads(self) -> list[SimpleUploadedFile]:
        return [SimpleUploadedFile(name, make()) for name, make in self.evidence]


FILINGS = [
    Filing(
        "offline_buyer",
        "offline_trade_dispute",
        filer="alice",
        respondent="bob",
        data={
            "target": "supbob@example.com",
            "scam_type": "products_not_received",
            "order_reference": "PI-2026-0415",
            "payment_method": "bank_transfer",
            "amount": "4000 USD",
            "transaction_date": "30",
            "description": "I paid the supplier 4000 USD by bank transfer for two hundred "
            "chargers as agreed in our contract, and the products never arrived. The supplier "
            "stopped answering my emails after the payment.",
        },
        evidence=(("contract.pdf", corpus.pdf), ("bank-receipt.jpg", corpus.jpg)),
    ),
    Filing(
        "offline_supplier",
        "offline_trade_dispute",
        filer="bob",
        respondent="alice",
        data={
            "target": "buyeralice",
            "scam_type": "payment_not_received",
            "payment_method": "money_transfer",
            "amount": "USD 1,250.00",
            "transaction_date": "15",
            "description": "I shipped the ordered chargers to the buyer by sea freight on the "
            "agreed date, the buyer received them, and the buyer never paid the invoice.",
        },
        evidence=(("bill-of-lading.pdf", corpus.pdf),),
    ),
    Filing(
        "order_dispute",
        "order_dispute",
        filer="alice",
        respondent="bob",
        data={
            "order_number": "ON-1",
            "reason": "damaged",
            "requested_resolution": "partial_refund",
            "refund_amount": "40 USD",
            "description": "The box arrived crushed and three of the chargers have broken "
            "plugs, so they cannot be used.",
        },
        evidence=(("broken-plugs.jpg", corpus.jpg),),
    ),
    Filing(
        "ip_rights_holder",
        "ip_rights_holder",
        filer="brand",
        respondent="bob",
        data={
            "target": LISTING_URL,
            "infringement": "trademark",
            "right_type": "trademark_registration",
            "registration_number": "EUTM 018000001",
            "description": "The listing shows our registered word mark on the chargers and in "
            "its title, and the seller has never been authorized to use it.",
        },
        evidence=(("trademark-certificate.pdf", corpus.pdf), ("listing.jpg", corpus.jpg)),
    ),
    Filing(
        "copyright",
        "copyright",
        filer="rita",
        respondent="bob",
        data={
            "target": LISTING_URL,
            "copied_material": "photos",
            "original_location": "https://photos.example.org/rita/chargers",
            "description": "The listing uses the product photos that I took for my own shop, "
            "without asking me and without any licence.",
        },
        evidence=(("my-original-photo.jpg", corpus.jpg),),
    ),
    Filing(
        "listing_rules",
        "listing_rules",
        filer="rita",
        respondent="bob",
        data={
            "target": STORE_URL,
            "violation": "off_platform_payment",
            "description": "The seller writes in every listing that buyers should pay by "
            "bank transfer outside the marketplace to get a discount.",
        },
        evidence=(("listing-text.pdf", corpus.pdf),),
    ),
    Filing(
        "prohibited_goods",
        "prohibited_goods",
        filer="rita",
        respondent="bob",
        data={
            "target": LISTING_URL,
            "category": "police_equipment",
            "description": "Besides the chargers, this listing also sells police handcuffs "
            "and stun guns as an accessory bundle.",
        },
        evidence=(("bundle.gif", corpus.gif),),
    ),
    Filing(
        "phishing",
        "phishing",
        filer="rita",
        respondent="bob",
        data={
            "target": "supbob@example.com",
            "phishing_kind": "credential_message",
            "suspicious_url": "http://market-example-login.example.net/signin",
            "description": "This member sent me an email that asks me to sign in on a page "
            "that imitates the marketplace and to type my password there.",
        },
        evidence=(("the-message.eml", corpus.eml),),
    ),
    Filing(
        "suspicious_behavior",
        "suspicious_behavior",
        filer="rita",
        respondent="bob",
        data={
            "target": "Bob Supplies",
            "behavior": "fake_identity",
            "description": "The store pretends to be the official distributor of a well known "
            "brand, but the brand says it has never worked with this company.",
        },
        evidence=(("brand-statement.docx", corpus.docx),),
    ),
    Filing(
        "illegal_promotion",
        "illegal_promotion",
        filer="rita",
        respondent="bob",
        data={
            "target": STORE_URL,
            "method": "rating_manipulation",
            "description": "Hundreds of five star reviews were posted on the same day by new "
            "accounts, and the seller offers free products for good reviews.",
        },
        evidence=(("reviews.xlsx", corpus.xlsx),),
    ),
]
FILINGS_BY_KEY = {filing.key: filing for filing in FILINGS}


def file_through_form(client: Client, filing: Filing, **overrides: Any) -> Any:
    """Post the form of `filing` as its filer (log the client in first); no redirect followed."""
    data = {**filing.form(), **overrides}
    data["evidence"] = filing.uploads()
    return client.post(f"/report/{filing.type_key}/", data)


def filed(client: Client, people: People, filing: Filing) -> Complaint:
    """File `filing` through the form as its filer; the complaint it made."""
    client.force_login(people.get(filing.filer))
    response = file_through_form(client, filing)
    assert response.status_code == 302, _errors_of(response)
    reference = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.logout()
    return Complaint.objects.select_related("case").get(reference=reference)


def _errors_of(response: Any) -> str:
    html = response.content.decode()
    return " | ".join(re.findall(r'data-code="([^"]+)">([^<]*)', html)) or html[:2000]


def confirm_by_email(mailbox: Any, email: str) -> Any:
    """Open the confirmation link of the last email sent to `email` and press its button, as
    the owner of the address does; the response (a redirect to the complaint page with its key).
    """
    from ombuds.notify.outbox import deliver_outbox

    deliver_outbox()
    body = mailbox.body(mailbox.to(email)[-1])
    link = re.search(r"https?://[^/\s]+(/reports/confirm/\S+/)", body).group(1)
    client = Client()
    shown = client.get(link)
    assert shown.status_code == 200 and 'id="form-confirm"' in shown.text, shown.content[:500]
    return client.post(link)
