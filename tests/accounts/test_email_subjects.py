"""Subjects arrive as written: `&`, quotes and `<` are not HTML-escaped in email headers or
plain-text bodies, while HTML bodies stay escaped."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ombuds.notify.outbox import deliver_outbox, queue_email
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TITLE = """Tom & Jerry's "shop" <x>"""


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def part(message: Message, kind: str) -> str:
    found = next(p for p in message.walk() if p.get_content_type() == kind)
    return found.get_payload(decode=True).decode()


def test_an_outbox_subject_and_text_are_not_escaped_but_the_html_is(mailbox):
    context = {
        "title": TITLE,
        "text": "Your complaint about Tom & Jerry's <b>shop</b> was decided.",
        "reference": "CASE-1",
        "link": "http://127.0.0.1:8000/complaints/CASE-1/",
        "type_label": 'Listing "rules" & <more>',
    }
    queue_email(to="rhea@example.com", template="case_update", context=context)
    assert deliver_outbox() == 1
    (message,) = mailbox.to("rhea@example.com")
    assert subject(message) == TITLE
    text = part(message, "text/plain")
    assert "Tom & Jerry's <b>shop</b>" in text
    assert 'Listing "rules" & <more> CASE-1' in text
    assert "&amp;" not in text and "&#x27;" not in text and "&lt;" not in text
    html = part(message, "text/html")
    assert "<b>shop</b>" not in html and "&lt;b&gt;shop&lt;/b&gt;" in html
    assert "Tom &amp; Jerry&#x27;s &quot;shop&quot; &lt;x&gt;" in html
    assert "<x>" not in html


def test_the_password_reset_subject_is_not_escaped(mailbox, settings, tmp_path):
    default = Path(settings.OMBUDS_POLICY_FILE).read_text()
    assert "\n  name: Demo Market\n" in default
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        default.replace(
            "\n  name: Demo Market\n", "\n  name: '" + TITLE.replace("'", "''") + "'\n", 1
        )
    )
    settings.OMBUDS_POLICY_FILE = policy
    make_user("dave")
    Client().post(reverse("password_reset"), {"email": "dave@example.com"})
    (message,) = mailbox.to("dave@example.com")
    assert subject(message) == f"Reset your password at the {TITLE} complaint center"
    body = mailbox.body(message)
    assert f"at the {TITLE} complaint center" in body
    assert re.search(r"https?://\S+/accounts/reset/", body)
