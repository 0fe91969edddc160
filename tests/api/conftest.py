"""An API client with a bearer token, the test marketplace, and a valid complaint of each type."""

from __future__ import annotations

import json
from collections.abc import Callable
from email.message import Message
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ombuds.accounts.models import Department, User
from ombuds.accounts.tokens import create_token
from tests.evidence import corpus
from tests.factories import Market, make_market, make_user

PRODUCT_URL = "https://market.example/product/usb-charger-1600123.html"
STORE_URL = "https://market.example/store/bob-supplies"
MINISITE_URL = "https://bobsupplies.market.example"

DESCRIPTIONS = {
    "offline_buyer": "I paid the supplier 4000 USD by bank transfer for two hundred chargers in "
    "March, and they never shipped the goods or answered my emails since then.",
    "offline_supplier": "I shipped two hundred chargers to the buyer in March as agreed in our "
    "contract, and the buyer has not paid the invoice despite many reminders.",
    "order_dispute": "The charger arrived with a cracked case and it does not power my laptop "
    "at all.",
    "ip_rights_holder": "The listing uses our registered trademark in its title and on the "
    "product photos without any authorization from us.",
    "copyright": "The seller uses my own product photos from my blog in this listing without "
    "asking for my permission.",
    "listing_rules": "The listing shows a price of one dollar, but the real price in the cart is "
    "fifty dollars for the same charger.",
    "prohibited_goods": "This store also sells combat knives that are designed as weapons, which "
    "are not allowed on the marketplace.",
    "phishing": "I received an email asking for my account password and card number, claiming "
    "to be the marketplace support team.",
    "suspicious_behavior": "The seller claims to be the official distributor of a large brand, "
    "but the company registration number they gave does not exist.",
    "illegal_promotion": "The seller offers buyers free chargers in exchange for five star "
    "reviews and asks them to delete their bad reviews.",
}

# type key -> (target, answers, evidence file name, evidence maker)
VALID: dict[str, tuple[str, dict[str, Any], str, Callable[[], bytes]]] = {
    "offline_trade_dispute": (
        "supbob",
        {
            "scam_type": "products_not_received",
            "payment_method": "bank_transfer",
            "amount": "4000 USD",
            "transaction_date": "2025-03-01",
            "order_reference": "PI-2025-001",
            "description": DESCRIPTIONS["offline_buyer"],
        },
        "receipt.pdf",
        corpus.pdf,
    ),
    "order_dispute": (
        "",
        {
            "order_number": "ON-1",
            "reason": "damaged",
            "requested_resolution": "full_refund",
            "description": DESCRIPTIONS["order_dispute"],
        },
        "photo.jpg",
        corpus.jpg,
    ),
    "ip_rights_holder": (
        PRODUCT_URL,
        {
            "infringement": "trademark",
            "right_type": "trademark_registration",
            "registration_number": "EU-018000123",
            "description": DESCRIPTIONS["ip_rights_holder"],
        },
        "certificate.pdf",
        corpus.pdf,
    ),
    "copyright": (
        PRODUCT_URL,
        {"copied_material": "photos", "description": DESCRIPTIONS["copyright"]},
        "screenshot.png",
        corpus.png,
    ),
    "listing_rules": (
        PRODUCT_URL,
        {"violation": "bait_price", "description": DESCRIPTIONS["listing_rules"]},
        "cart.jpg",
        corpus.jpg,
    ),
    "prohibited_goods": (
        STORE_URL,
        {"category": "cold_weapons", "description": DESCRIPTIONS["prohibited_goods"]},
        "knives.gif",
        corpus.gif,
    ),
    "phishing": (
        "supbob@example.com",
        {
            "phishing_kind": "credential_message",
            "suspicious_url": "https://market-example.login-check.example/signin",
            "description": DESCRIPTIONS["phishing"],
        },
        "message.eml",
        corpus.eml,
    ),
    "suspicious_behavior": (
        STORE_URL,
        {"behavior": "fake_identity", "description": DESCRIPTIONS["suspicious_behavior"]},
        "registry.pdf",
        corpus.pdf,
    ),
    "illegal_promotion": (
        "Bob Supplies",
        {"method": "rating_manipulation", "description": DESCRIPTIONS["illegal_promotion"]},
        "reviews.xlsx",
        corpus.xlsx,
    ),
}


def valid_body(type_key: str, **changes: Any) -> dict[str, Any]:
    target, answers, _, _ = VALID[type_key]
    body: dict[str, Any] = {
        "type": type_key,
        "target": target,
        "answers": dict(answers),
        "evidence": [],
        "agreement": True,
    }
    answer_changes = changes.pop("answers", {})
    body["answers"].update(answer_changes)
    body.update(changes)
    return body


class Api:
    """The Django test client, speaking to /api/v1 with a bearer token."""

    def __init__(self, token: str | None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params, headers=self.headers())

    def upload(self, type_key: str, name: str, data: bytes) -> Any:
        return self.client.post(
            f"/api/v1/evidence?type={type_key}",
            {"file": SimpleUploadedFile(name, data)},
            headers=self.headers(),
        )

    def evidence_id(self, type_key: str, name: str, data: bytes) -> str:
        response = self.upload(type_key, name, data)
        assert response.status_code == 201, response.content
        return response.json()["id"]

    def file(self, body: dict[str, Any], key: str | None = None) -> Any:
        extra = {"Idempotency-Key": key} if key is not None else {}
        return self.client.post(
            "/api/v1/complaints",
            json.dumps(body),
            content_type="application/json",
            headers=self.headers(extra),
        )

    def file_multipart(
        self,
        body: dict[str, Any],
        files: list[tuple[str, bytes]],
        key: str | None = None,
    ) -> Any:
        data: dict[str, Any] = {
            "type": body["type"],
            "target": body.get("target", ""),
            "answers": json.dumps(body.get("answers", {})),
            "agreement": "true" if body.get("agreement") else "false",
            "evidence": [SimpleUploadedFile(name, content) for name, content in files],
        }
        if body.get("evidence"):
            data["evidence_ids"] = body["evidence"]
        if body.get("on_behalf_of"):
            data["on_behalf_of"] = body["on_behalf_of"]
        extra = {"Idempotency-Key": key} if key is not None else {}
        return self.client.post("/api/v1/complaints", data, headers=self.headers(extra))


def api_for(user: User | None) -> Api:
    """An API client with a new token of this user (None: the marketplace's service)."""
    _, token = create_token(name="tests", user=user)
    return Api(token)


def assert_problem(response: Any, status: int, code: str, field: str | None = None) -> dict:
    """A problem-details response with this status whose errors include (field, code)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        matches = [e for e in body["errors"] if e["field"] == field and e["code"] == code]
        assert matches, body["errors"]
        assert all(e["message"] for e in matches)
    return body


def make_agent(username: str, department: str) -> User:
    user = make_user(username)
    user.departments.add(Department.objects.get(code=department))
    return user


def make_rights_holder(username: str = "acmebrand") -> User:
    user = make_user(username)
    user.rights_holder_verified_at = timezone.now()
    user.save()
    return user


def message_text(message: Message) -> str:
    """Every header and decoded text part of an email, to search for what must not be there."""
    parts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_payload(decode=True).decode())
    return "\n".join(parts)


@pytest.fixture
def market() -> Market:
    return make_market()


@pytest.fixture
def alice(market: Market) -> User:
    """A buyer member."""
    return make_user("alice", member=market.buyer)


@pytest.fixture
def bob(market: Market) -> User:
    """A supplier member: the owner of the store, its listing and both orders."""
    return make_user("bob", member=market.supplier)


@pytest.fixture
def stranger(market: Market) -> User:
    return make_user("mallory")
