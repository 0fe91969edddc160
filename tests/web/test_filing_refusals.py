"""The refusals of the filing checks that the browser suite does not walk through, each at its
field, with what was typed kept (test client: fast).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from ombuds.cases.models import Complaint
from ombuds.directory.models import Listing, Store
from tests.cases.filings import FILINGS_BY_KEY, LISTING_URL, People, make_people
from tests.evidence import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _second_bob_store(people: People) -> None:
    Store.objects.create(
        name="Bob Supplies",
        store_url="https://market.example/store/bob-supplies-2",
        owner=people.market.other_supplier,
    )


def _carol_listing(people: People) -> None:
    store = Store.objects.get(name="Carol Trading")
    Listing.objects.create(
        product_url="https://market.example/product/carol-charger-77.html",
        title="Charger",
        store=store,
    )


def _protection_over(people: People) -> None:
    order = people.market.online_order
    order.protection_ends_at = timezone.now() - timedelta(days=1)
    order.save()


def _files(*items: tuple[str, bytes]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, data) for name, data in items]


@dataclass
class Refusal:
    id: str
    filing: str
    control: str  # the id of the field's control; the error list is `<control>-error`
    code: str
    text: str
    overrides: dict[str, Any] = field(default_factory=dict)
    filer: str | None = None  # a People attribute; None: the filing's filer; "" a visitor
    setup: Callable[[People], None] | None = None
    evidence: Callable[[], list[SimpleUploadedFile]] | None = None


REFUSALS = [
    Refusal("required", "offline_buyer", "id_amount", "required", "Amount paid or owed: this field is required", {"amount": ""}),
    Refusal("too_short", "offline_buyer", "id_description", "too_short", "at least 50 characters (you wrote 9)", {"description": "Not sent."}),
    Refusal("too_long", "offline_buyer", "id_order_reference", "too_long", "at most 100 characters (you wrote 101)", {"order_reference": "P" * 101}),
    Refusal("invalid_choice", "offline_buyer", "id_scam_type", "invalid_choice", "choose one of the listed options", {"scam_type": "refund_please"}),
    Refusal("invalid_url", "copyright", "id_original_location", "invalid_url", "enter a web address", {"original_location": "my photo album"}),
    Refusal("invalid_amount", "offline_buyer", "id_amount", "invalid_amount", "like 1250.00 USD", {"amount": "four thousand"}),
    Refusal("invalid_date", "offline_buyer", "id_transaction_date", "invalid_date", "cannot be in the future", {"transaction_date": (timezone.localdate() + timedelta(days=30)).isoformat()}),
    Refusal("invalid_email", "prohibited_goods", "id_visitor_email", "invalid_email", "Enter your email address", {"visitor_email": "vera@"}, filer=""),
    Refusal("respondent_required", "offline_buyer", "id_target", "respondent_required", "Enter the respondent's email address, member ID or product URL", {"target": ""}),
    Refusal("respondent_invalid_email", "offline_buyer", "id_target", "respondent_invalid_email", "is not a valid email address", {"target": "bob@@example.com"}),
    Refusal("respondent_kind_not_accepted", "prohibited_goods", "id_target", "respondent_kind_not_accepted", "This form does not take an email address", {"target": "supbob@example.com"}),
    Refusal("respondent_ambiguous", "suspicious_behavior", "id_target", "respondent_ambiguous", "More than one store is named 'Bob Supplies'", setup=_second_bob_store),
    Refusal("too_many_listings", "copyright", "id_target", "too_many_listings", "At most 50 listings", {"target": "\n".join(f"https://market.example/product/p{i}.html" for i in range(51))}),
    Refusal("listings_of_several_members", "ip_rights_holder", "id_target", "listings_of_several_members", "belong to different sellers", {"target": LISTING_URL + "\nhttps://market.example/product/carol-charger-77.html"}, setup=_carol_listing),
    Refusal("evidence_required", "ip_rights_holder", "id_evidence", "evidence_required", "Evidence is required for this form", evidence=list),
    Refusal("evidence_too_many", "prohibited_goods", "id_evidence", "evidence_too_many", "You attached 7 files; at most 6", evidence=lambda: _files(("a.jpg", corpus.jpg()), ("b.png", corpus.png()), ("c.gif", corpus.gif()), ("d.pdf", corpus.pdf()), ("e.doc", corpus.doc()), ("f.docx", corpus.docx()), ("g.jpg", corpus.jpg(seed=3)))),
    Refusal("order_not_theirs", "order_dispute", "id_order_number", "not_eligible", "Order ON-1 is not one of your purchases", filer="rita"),
    Refusal("order_protection_over", "order_dispute", "id_order_number", "not_eligible", "The buyer protection period of order ON-1 ended", setup=_protection_over),
    Refusal("order_unknown", "order_dispute", "id_order_number", "respondent_not_found", "tried it as order number", {"order_number": "ON-404"}),
]  # fmt: skip


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.id)
def test_refusal_at_its_field_keeps_what_was_typed(refusal):
    people = make_people()
    if refusal.setup:
        refusal.setup(people)
    filing = FILINGS_BY_KEY[refusal.filing]
    client = Client()
    filer = filing.filer if refusal.filer is None else refusal.filer
    if filer:
        client.force_login(people.get(filer))
    data = {**filing.form(), **refusal.overrides}
    data["evidence"] = refusal.evidence() if refusal.evidence else filing.uploads()
    response = client.post(f"/report/{filing.type_key}/", data)

    assert response.status_code == 400
    html = response.content.decode()
    errors = re.search(rf'<ul class="errorlist" id="{refusal.control}-error">(.*?)</ul>', html)
    assert errors, f"no error list at {refusal.control}"
    assert f'data-code="{refusal.code}"' in errors.group(1)
    assert escape(refusal.text) in errors.group(1)
    assert f'<a href="#{refusal.control}">' in html  # the summary points to the field
    for name, value in data.items():
        if name == "evidence" or not isinstance(value, str) or not value or len(value) > 500:
            continue
        if name in ("agreement",):
            assert 'id="id_agreement" checked' in html
        elif re.fullmatch(r"[a-z_]+", value):  # a choice: checked again
            if f'value="{value}"' in html:
                assert re.search(rf'value="{value}" checked', html), name
        else:
            assert escape(value) in html, f"{name} lost"
    kept = re.findall(r'name="evidence_ids" value="([0-9a-f-]{36})"', html)
    if refusal.code not in ("evidence_required",):
        assert len(kept) == len(data["evidence"])
    assert not Complaint.objects.exists()


def test_a_visitor_with_a_bad_email_hears_every_other_problem_too():
    make_people()
    filing = FILINGS_BY_KEY["prohibited_goods"]
    data = {**filing.form(), "visitor_email": "vera@", "description": "Нож.", "evidence": []}
    del data["agreement"]
    response = Client().post(f"/report/{filing.type_key}/", data)
    assert response.status_code == 400
    codes = set(re.findall(r'data-code="([a-z_]+)"', response.content.decode()))
    assert {"invalid_email", "too_short", "agreement_required"} <= codes


@pytest.mark.parametrize(
    ("type_key", "user", "text"),
    [
        ("ip_rights_holder", "alice", "Only verified rights holders can file"),
        ("order_dispute", "bob", "can be filed only by a buyer; your membership is registered as supplier"),
        ("offline_trade_dispute", "brand", "Only members of Demo Market can file"),
    ],
)  # fmt: skip
def test_who_may_not_file_a_type_is_told_on_opening_its_form(type_key, user, text):
    people = make_people()
    client = Client()
    client.force_login(people.get(user))
    response = client.get(f"/report/{type_key}/")
    assert response.status_code == 200
    summary = re.search(r'<div class="notice error-summary".*?</div>', response.text, re.S)
    assert summary and 'data-code="not_eligible"' in summary.group(0)
    assert "<h2>You cannot file this form</h2>" in summary.group(0)
    assert escape(text) in summary.group(0)


@pytest.mark.parametrize("key", ["ip_rights_holder", "order_dispute", "offline_buyer"])
def test_who_may_file_sees_no_refusal_on_opening_the_form(key):
    people = make_people()
    filing = FILINGS_BY_KEY[key]
    client = Client()
    client.force_login(people.get(filing.filer))
    response = client.get(f"/report/{filing.type_key}/")
    assert response.status_code == 200
    assert "error-summary" not in response.text and "data-code" not in response.text
