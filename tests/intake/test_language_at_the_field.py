"""The content-language refusals reach the writer at the field they concern, through the web form
and through the API: the words to change named, what was typed kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.html import escape

from ombuds.cases.models import Complaint
from tests.api.conftest import api_for, assert_problem, valid_body
from tests.cases.filings import FILINGS_BY_KEY, make_people

pytestmark = pytest.mark.django_db

# "bank" and "payment" typed with a Cyrillic a (U+0430)
BANK, PAYMENT = "b\u0430nk", "p\u0430yment"
DESCRIPTION = (
    f"I paid the supplier 4000 USD by {BANK} transfer for two hundred chargers as agreed in our "
    f"contract, and the products never arrived. The supplier stopped answering after the {PAYMENT}."
)
SAID = (
    "Some words are written with look-alike letters of another alphabet: "
    f"\u201c{BANK}\u201d has a Cyrillic \u201c\u0430\u201d (U+0430) among Latin letters; "
    f"\u201c{PAYMENT}\u201d has a Cyrillic \u201c\u0430\u201d (U+0430) among Latin letters. "
    "Please retype them in Latin letters only."
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_form_names_the_mixed_words_at_the_description():
    people = make_people()
    filing = FILINGS_BY_KEY["offline_buyer"]
    client = Client()
    client.force_login(people.get(filing.filer))
    data = {**filing.form(), "description": DESCRIPTION, "evidence": filing.uploads()}
    response = client.post(f"/report/{filing.type_key}/", data)

    assert response.status_code == 400
    html = response.content.decode()
    errors = re.search(r'<ul class="errorlist" id="id_description-error">(.*?)</ul>', html)
    assert errors, "no error list at the description"
    assert f'<li data-code="language_not_english">{escape(SAID)}</li>' in errors.group(1)
    assert '<a href="#id_description">' in html  # the summary points to the field
    assert escape(DESCRIPTION) in html  # what was typed is kept, to be corrected
    assert not Complaint.objects.exists()


def test_the_api_names_the_mixed_words_at_the_description():
    people = make_people()
    body = valid_body("offline_trade_dispute", answers={"description": DESCRIPTION})
    problem = assert_problem(
        api_for(people.alice).file(body), 422, "language_not_english", "answers.description"
    )
    (error,) = [e for e in problem["errors"] if e["field"] == "answers.description"]
    assert error["message"] == SAID
    assert error["language_found"] == "en"  # English, with disguised words
    assert not Complaint.objects.exists()


def test_the_api_names_a_long_foreign_script_passage():
    people = make_people()
    shop = "\u6df1\u5733\u5e02\u534e\u5f3a\u5317\u7535\u5b50\u79d1\u6280\u6709\u9650\u516c\u53f8"
    text = f"Supplier {shop * 3} took my money and shipped nothing."  # more Han than Latin
    body = valid_body("offline_trade_dispute", answers={"description": text})
    problem = assert_problem(
        api_for(people.alice).file(body), 422, "language_not_english", "answers.description"
    )
    (error,) = [e for e in problem["errors"] if e["field"] == "answers.description"]
    assert error["language_found"] == "zh"
    assert error["message"].startswith(
        f"This text seems to be partly in Chinese (Han script): \u201c{(shop * 3)[:39]}\u2026\u201d."
    )
