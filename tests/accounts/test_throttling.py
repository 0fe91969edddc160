"""Log-in lockouts (django-axes), and the limits on password-reset emails and sign-ups."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ombuds.accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "right-pass-w0rd"
WRONG = "Please enter a correct username and password"


def log_in(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


def is_logged_in(client: Client, username: str) -> bool:
    page = client.get(reverse("account"))
    return page.status_code == 200 and username in page.content.decode()


def lockout_end(response) -> datetime:  # type: ignore[no-untyped-def]
    found = re.search(r'<time datetime="([^"]+)">', response.content.decode())
    assert found, response.content.decode()
    return datetime.fromisoformat(found.group(1))


def reset_path(mailbox, address: str) -> str:  # type: ignore[no-untyped-def]
    """The path of the password-reset link emailed to this address."""
    (message,) = mailbox.to(address)
    link = re.search(r"https?://\S+", mailbox.body(message)).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_the_eleventh_wrong_password_is_refused_and_so_is_the_right_one():
    make_user("erin", password=PASSWORD)
    make_user("frank", password=PASSWORD)
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    for attempt in range(1, 10):
        response = log_in(attacker, "erin", f"guess-{attempt}")
        assert response.status_code == 200 and WRONG in response.content.decode(), attempt
    before = timezone.now()
    tenth = log_in(attacker, "erin", "guess-10")
    assert tenth.status_code == 429

    eleventh = log_in(attacker, "erin", "guess-11")
    assert eleventh.status_code == 429
    retry_after = int(eleventh["Retry-After"])
    assert 14 * 60 < retry_after <= 15 * 60
    html = eleventh.content.decode()
    assert "Too many failed log-ins" in html and "You may try again at" in html
    assert "in 15 minutes" in html
    ends = lockout_end(eleventh)
    assert before + timedelta(minutes=15) - timedelta(seconds=5) <= ends
    assert ends <= timezone.now() + timedelta(minutes=15)
    assert f"{timezone.localtime(ends):%H:%M}" in html  # the time, readable, on the page
    assert 'class="site"' in html  # the site's own page, not axes' bare text

    right = log_in(attacker, "erin", PASSWORD)
    assert right.status_code == 429 and "Retry-After" in right
    assert not is_logged_in(attacker, "erin")
    # Attempts while locked out do not move the end the page gave.
    assert lockout_end(right) == ends

    other = Client(REMOTE_ADDR="198.51.100.20")
    assert log_in(other, "frank", PASSWORD).status_code == 302
    assert is_logged_in(other, "frank")


def test_the_lockout_ends_after_the_cool_off():
    make_user("erin", password=PASSWORD)
    client = Client(REMOTE_ADDR="203.0.113.5")
    for attempt in range(10):
        log_in(client, "erin", f"guess-{attempt}")
    assert log_in(client, "erin", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, "erin", PASSWORD).status_code == 302
    assert is_logged_in(client, "erin")


def test_the_lockout_counts_the_forwarded_address_when_trusted(settings):
    settings.OMBUDS_TRUST_X_FORWARDED_FOR = True
    make_user("erin", password=PASSWORD)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.1")
    for attempt in range(10):
        log_in(attacker, "erin", f"guess-{attempt}")
    assert log_in(attacker, "erin", PASSWORD).status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    # Erin herself, through the same proxy from her own address, is not locked out.
    erin = Client(**proxy, HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert log_in(erin, "erin", PASSWORD).status_code == 302


def test_a_password_reset_lets_a_locked_out_person_in(mailbox):
    make_user("erin", password=PASSWORD)
    client = Client(REMOTE_ADDR="203.0.113.5")
    for attempt in range(10):
        log_in(client, "erin", f"guess-{attempt}")
    assert log_in(client, "erin", PASSWORD).status_code == 429
    client.post(reverse("password_reset"), {"email": "erin@example.com"})
    form = client.get(reset_path(mailbox, "erin@example.com"), follow=True)
    new = {"new_password1": "a-brand-new-secret", "new_password2": "a-brand-new-secret"}
    assert client.post(form.redirect_chain[-1][0], new).status_code == 302
    assert log_in(client, "erin", "a-brand-new-secret").status_code == 302
    assert is_logged_in(client, "erin")


def test_a_password_reset_flood_sends_at_most_the_limit(mailbox, settings):
    settings.OMBUDS_PASSWORD_RESET_RATE_PER_EMAIL = "3/hour"
    make_user("dave")
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = [
        client.post(reverse("password_reset"), {"email": "dave@example.com"}) for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429, 429]
    assert len(mailbox.to("dave@example.com")) == 3
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 3600
    html = refused.content.decode()
    assert "asked for many times in a short time" in html
    assert 'value="dave@example.com"' in html  # what was typed is kept

    # An address without an account gets exactly the same answers: nothing is revealed.
    unknown = [
        client.post(reverse("password_reset"), {"email": "nobody@example.com"}) for _ in range(4)
    ]
    assert [a.status_code for a in unknown] == [302, 302, 302, 429]
    assert all(a.url == reverse("password_reset_done") for a in unknown[:3])
    assert mailbox.to("nobody@example.com") == []


def test_password_resets_are_limited_per_address_of_the_client(mailbox, settings):
    settings.OMBUDS_PASSWORD_RESET_RATE_PER_IP = "4/hour"
    for n in range(6):
        make_user(f"user{n}")
    flooder = Client(REMOTE_ADDR="203.0.113.9")
    codes = [
        flooder.post(reverse("password_reset"), {"email": f"user{n}@example.com"}).status_code
        for n in range(6)
    ]
    assert codes == [302, 302, 302, 302, 429, 429]
    assert len(mailbox.messages) == 4
    other = Client(REMOTE_ADDR="198.51.100.1")
    assert other.post(reverse("password_reset"), {"email": "user5@example.com"}).status_code == 302
    assert len(mailbox.to("user5@example.com")) == 1


def signup(client: Client, username: str, email: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("signup"),
        {
            "username": username,
            "email": email or f"{username}@example.com",
            "password1": "correct horse battery",
            "password2": "correct horse battery",
        },
    )


def test_a_signup_flood_is_refused_and_keeps_what_was_typed(settings):
    settings.OMBUDS_SIGNUP_RATE_PER_IP = "2/hour"
    make_user("taken")
    address = {"REMOTE_ADDR": "203.0.113.77"}
    assert signup(Client(**address), "first").status_code == 302
    assert signup(Client(**address), "second").status_code == 302
    refused = signup(Client(**address), "third", "Third.Person@example.com")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    html = refused.content.decode()
    assert "Many accounts were created from your network" in html
    assert 'value="third"' in html and 'value="Third.Person@example.com"' in html
    assert not User.objects.filter(username="third").exists()
    # Over the limit, the form does not tell which addresses have accounts.
    probe = signup(Client(**address), "fourth", "taken@example.com")
    assert probe.status_code == 429
    assert "An account with this email address exists" not in probe.content.decode()
    # Another network signs up as usual.
    assert signup(Client(REMOTE_ADDR="198.51.100.3"), "third").status_code == 302
    assert User.objects.filter(username="third").exists()
