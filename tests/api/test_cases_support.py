"""Helpers for the case-handling API tests (no tests here): the people, a filed report, posts.

The scene: Alice (a buyer member) reports Bob's listing for a bait price — an anonymous
report — so Bob is the respondent; Ada and Ben are agents of listing compliance, Otto of
disputes; Mallory is a stranger; `service` is the marketplace's token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ombuds.accounts.models import User
from ombuds.directory.models import Listing
from tests.api.conftest import PRODUCT_URL, Api, api_for, make_agent, valid_body
from tests.evidence import corpus
from tests.factories import Market, make_market, make_user

STATEMENT = {
    "facts": "The listing shows one dollar; the cart asks fifty dollars for the same charger.",
    "ground": "Listing rules: prices must be the real selling price (no bait prices).",
    "scope": "The listing named in the report.",
    "automated": False,
}
UPHELD = {
    "outcome": "upheld",
    "sanctions": [{"kind": "listing_removed", "listing": PRODUCT_URL}],
    "statement": STATEMENT,
}


def post(api: Api, path: str, body: Any = None, raw: str | None = None) -> Any:
    data = raw if raw is not None else json.dumps(body if body is not None else {})
    return api.client.post(
        "/api/v1" + path, data, content_type="application/json", headers=api.headers()
    )


def secrets_of(user: User) -> list[str]:
    """Every string that would identify a member who reported."""
    member = user.member
    strings = [user.username, user.email]
    if member is not None:
        strings += [member.member_id, member.display_name, member.email]
    return strings


def assert_hidden(text: str, user: User) -> None:
    for secret in secrets_of(user):
        assert secret not in text, f"{secret!r} is revealed"


@dataclass
class Scene:
    market: Market
    alice: User
    bob: User
    ada: User
    ben: User
    otto: User
    mallory: User
    complaint: str = ""
    case: str = ""

    def api(self, user: User | None) -> Api:
        return api_for(user)

    @property
    def alice_api(self) -> Api:
        return api_for(self.alice)

    @property
    def bob_api(self) -> Api:
        return api_for(self.bob)

    @property
    def ada_api(self) -> Api:
        return api_for(self.ada)

    @property
    def ben_api(self) -> Api:
        return api_for(self.ben)


def make_scene() -> Scene:
    market = make_market()
    return Scene(
        market=market,
        alice=make_user("alice", member=market.buyer),
        bob=make_user("bob", member=market.supplier),
        ada=make_agent("ada", "listing_compliance"),
        ben=make_agent("ben", "listing_compliance"),
        otto=make_agent("otto", "disputes"),
        mallory=make_user("mallory"),
    )


def file_report(scene: Scene, target: str = PRODUCT_URL) -> Scene:
    """Alice reports the listing through the API; the scene learns both references."""
    api = scene.alice_api
    evidence = api.evidence_id("listing_rules", "cart.jpg", corpus.jpg())
    response = api.file(valid_body("listing_rules", target=target, evidence=[evidence]))
    assert response.status_code == 201, response.content
    body = response.json()
    scene.complaint, scene.case = body["reference"], body["case_reference"]
    return scene


def claimed(scene: Scene, api: Api | None = None) -> dict:
    response = post(api or scene.ada_api, "/departments/listing_compliance/claim-next")
    assert response.status_code == 201, response.content
    return response.json()


def answered_by_respondent(scene: Scene) -> None:
    response = post(
        scene.bob_api,
        f"/complaints/{scene.case}/answers",
        {"text": "The one dollar price is for the cable alone; the title says so."},
    )
    assert response.status_code == 201, response.content


def decided(scene: Scene, body: dict | None = None) -> dict:
    response = post(scene.ada_api, f"/cases/{scene.case}/decision", body or UPHELD)
    assert response.status_code == 201, response.content
    return response.json()


def appealed(scene: Scene) -> int:
    response = post(
        scene.bob_api,
        f"/complaints/{scene.case}/appeal",
        {"reason": "The cart price includes a power adapter the buyer chose."},
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def decided_case(scene: Scene) -> Scene:
    """Filed, claimed by Ada, answered by Bob, decided upheld with the listing removed."""
    file_report(scene)
    claimed(scene)
    answered_by_respondent(scene)
    decided(scene)
    return scene


def another_listing(scene: Scene, index: int) -> str:
    listing = Listing.objects.create(
        product_url=f"https://market.example/product/charger-{index}.html",
        title=f"Charger {index}",
        store=scene.market.store,
    )
    return listing.product_url
