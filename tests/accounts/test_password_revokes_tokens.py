"""A password reset through the emailed link, or a change on the account page, revokes the
user's API tokens: the API refuses the old ones."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ombuds.accounts.models import ApiToken
from tests.api.conftest import api_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_password_reset_revokes_the_users_tokens(mailbox):
    dave = make_user("dave", password="old-password-1")
    other = api_for(make_user("olga"))
    api = api_for(dave)
    assert api.get("/me").status_code == 200
    client = Client()
    client.post(reverse("password_reset"), {"email": "dave@example.com"})
    (message,) = mailbox.to("dave@example.com")
    link = re.search(r"https?://\S+", mailbox.body(message)).group(0)
    form = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    assert "revokes every API token" in form.content.decode()
    new = {"new_password1": "brand-new-secret-9", "new_password2": "brand-new-secret-9"}
    done = client.post(form.redirect_chain[-1][0], new, follow=True)
    assert "API tokens of your account are revoked" in done.content.decode()

    refused = api.get("/me")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert ApiToken.objects.get(user=dave).revoked_at is not None
    assert other.get("/me").status_code == 200  # nobody else's


def test_changing_the_password_revokes_the_users_tokens(client):
    erin = make_user("erin", password="old-password-1")
    api, second = api_for(erin), api_for(erin)
    other = api_for(make_user("olga"))
    client.force_login(erin)
    account = client.get(reverse("account")).content.decode()
    assert reverse("password_change") in account
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "revokes every API token" in page.content.decode()

    wrong = client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": "n3w-secret-pw",
            "new_password2": "n3w-secret-pw",
        },
    )
    assert wrong.status_code == 200 and api.get("/me").status_code == 200

    done = client.post(
        reverse("password_change"),
        {
            "old_password": "old-password-1",
            "new_password1": "n3w-secret-pw",
            "new_password2": "n3w-secret-pw",
        },
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Your API tokens are revoked" in done.content.decode()
    assert api.get("/me").status_code == 401 and second.get("/me").status_code == 401
    assert other.get("/me").status_code == 200
    # Still logged in here, and the new password is the one that works.
    assert "erin" in client.get(reverse("account")).content.decode()
    fresh = Client()
    login = {"username": "erin", "password": "n3w-secret-pw"}
    assert fresh.post(reverse("login"), login).status_code == 302


def test_the_password_change_page_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response.url
