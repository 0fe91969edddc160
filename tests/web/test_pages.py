"""The first pages: what one can do here, and the catalog of complaint types."""

import pytest
from django.utils.html import escape

from ombuds.policy.loader import get_policy

pytestmark = pytest.mark.django_db


def test_home_says_what_one_can_do(client):
    html = client.get("/").content.decode()
    assert "complaint center of Demo Market" in html
    assert "File a complaint, a report or a dispute" in html
    assert "My Reports" in html
    assert 'href="/types/"' in html
    assert 'href="/accounts/login/"' in html


def test_types_page_lists_every_type_with_its_help(client):
    html = client.get("/types/").content.decode()
    policy = get_policy()
    for key, complaint_type in policy.types.items():
        assert f'id="{key}"' in html
        assert escape(complaint_type.label) in html
        for field in complaint_type.fields:
            for choice in field.choices:
                assert escape(choice.label) in html and escape(choice.help) in html
    assert "Everything you upload is shown to both parties." in html
    assert "The reported party is not told who reported them." in html
    assert "Verified rights holders" in html and "up to 300 listings" in html


def test_pages_are_labelled_for_assistive_technology(client):
    html = client.get("/types/").content.decode()
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert 'aria-label="What this covers"' in html


def test_login_and_signup_forms_have_labels(client):
    for url in ("/accounts/login/", "/accounts/signup/"):
        html = client.get(url).content.decode()
        assert '<label for="id_username">' in html
