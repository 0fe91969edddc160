"""Sign up, confirm the email, log in and out, reset the password, and roles."""

import re

import pytest
from django.urls import reverse

from ombuds.accounts.models import Department, User
from tests.factories import make_market, make_user

pytestmark = pytest.mark.django_db


def link_in(mailbox, address) -> str:
    (message,) = mailbox.to(address)
    return re.search(r"https?://\S+", mailbox.body(message)).group(0)


def test_signup_confirms_email_over_smtp_and_links_the_member(client, mailbox):
    market = make_market()
    response = client.post(
        reverse("signup"),
        {
            "username": "alice",
            "email": "BuyerAlice@example.com",
            "password1": "correct horse battery",
            "password2": "correct horse battery",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="alice")
    assert user.member is None and user.email_verified_at is None
    link = link_in(mailbox, "buyeralice@example.com")
    assert "/accounts/confirm-email/" in link
    path = link.split("8000", 1)[1]
    shown = client.get(path)  # a mail scanner opening the link confirms nothing
    assert shown.status_code == 200 and 'id="form-confirm"' in shown.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None
    page = client.post(path, follow=True)
    assert "linked to the marketplace member Alice Buyer" in page.content.decode()
    user.refresh_from_db()
    assert user.member == market.buyer and user.email_verified_at is not None
    assert user.roles == ["member"]


def test_a_tampered_confirmation_link_is_refused(client, mailbox):
    make_user("zed")
    for ask in (client.get, client.post):
        response = ask(reverse("confirm_email", args=["eyJ1c2VyIjoxfQ:bad:sig"]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()


def test_signup_errors_keep_what_was_typed(client):
    make_user("taken")
    response = client.post(
        reverse("signup"),
        {
            "username": "newbie",
            "email": "taken@example.com",
            "password1": "abc",
            "password2": "abd",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "An account with this email address exists" in html
    assert "The two password fields didn’t match" in html
    assert 'value="newbie"' in html and 'value="taken@example.com"' in html


def test_login_logout(client):
    make_user("carol", password="pass-w0rd-long")
    bad = client.post(reverse("login"), {"username": "carol", "password": "wrong"})
    assert "Please enter a correct username and password" in bad.content.decode()
    good = client.post(reverse("login"), {"username": "carol", "password": "pass-w0rd-long"})
    assert good.status_code == 302
    assert "carol" in client.get(reverse("account")).content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("account")).status_code == 302


def test_password_reset_by_email(client, mailbox):
    make_user("dave", password="old-password-1")
    client.post(reverse("password_reset"), {"email": "dave@example.com"})
    link = link_in(mailbox, "dave@example.com")
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-9", "new_password2": "brand-new-secret-9"},
    )
    assert done.status_code == 302
    login = client.post(reverse("login"), {"username": "dave", "password": "brand-new-secret-9"})
    assert login.status_code == 302
    assert "dave" in client.get(reverse("account")).content.decode()


def test_roles_and_admin_access(client):
    market = make_market()
    member = make_user("member", member=market.supplier)
    agent = make_user("agent")
    agent.departments.set(Department.objects.filter(code__in=["disputes", "risk"]))
    operator = make_user("op")
    operator.is_operator = operator.is_staff = operator.is_superuser = True
    operator.save()
    assert member.roles == ["member"]
    assert User.objects.get(pk=agent.pk).roles == ["agent"]
    assert User.objects.get(pk=agent.pk).department_codes == {"disputes", "risk"}
    assert operator.roles == ["operator"]
    client.force_login(member)
    assert client.get("/admin/").status_code == 302
    client.force_login(operator)
    admin_page = client.get("/admin/")
    assert admin_page.status_code == 200
    for section in ("Members", "Stores", "Listings", "Orders", "Users", "Departments"):
        assert section in admin_page.content.decode()
