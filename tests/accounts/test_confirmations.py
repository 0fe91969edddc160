"""Confirmations that cannot be forged: a report is processed, and the member it is about told,
only once the address it came from has confirmed through a link sent to it; links confirm on a
press of their button (POST), once, and expire."""

from __future__ import annotations

import re
import time

import pytest
from django.core import signing
from django.test import Client

from ombuds.accounts.models import User
from ombuds.cases.models import Case, Complaint
from ombuds.notify.outbox import deliver_outbox
from tests.cases.filings import FILINGS_BY_KEY, confirm_by_email, file_through_form
from tests.factories import make_market, make_user

pytestmark = pytest.mark.django_db

REPORT = FILINGS_BY_KEY["prohibited_goods"]


def _link(mailbox, address: str, marker: str) -> str:
    deliver_outbox()
    for message in reversed(mailbox.to(address)):
        found = re.search(r"https?://[^/\s]+(" + marker + r"\S+/)", mailbox.body(message))
        if found:
            return found.group(1)
    raise AssertionError(f"no {marker} link sent to {address}")


def test_signing_up_with_someone_elses_address_files_nothing_and_tells_nobody(mailbox):
    market = make_market()
    seller = market.supplier.email
    client = Client()
    signed_up = client.post(
        "/accounts/signup/",
        {"username": "mallory", "email": "victim@example.org",
         "password1": "correct horse battery", "password2": "correct horse battery"},
    )  # fmt: skip
    assert signed_up.status_code == 302
    filed = file_through_form(client, REPORT)
    assert filed.status_code == 302
    page = client.get(filed["Location"]).text
    assert "Confirm your email address first" in page
    complaint = Complaint.objects.get()
    assert complaint.case is None and complaint.confirmed_at is None
    assert not Case.objects.exists()
    deliver_outbox()
    assert mailbox.to(seller) == []  # the reported member is not told
    assert all("received" not in m["Subject"] for m in mailbox.to("victim@example.org"))

    # The owner of the address confirms: the filing goes out, the member is told.
    link = _link(mailbox, "victim@example.org", "/accounts/confirm-email/")
    assert Client().get(link).status_code == 200
    assert not Case.objects.exists()  # opening the link is not confirming
    done = Client().post(link, follow=True)
    assert "We sent what you filed meanwhile" in done.text and complaint.reference in done.text
    complaint.refresh_from_db()
    assert complaint.case is not None and complaint.confirmed_at is not None
    deliver_outbox()
    assert len(mailbox.to(seller)) == 1
    # A second use of the link confirms nothing new and files nothing twice.
    Client().post(link)
    assert Case.objects.count() == 1


def test_the_sweep_files_what_waited_for_an_address_confirmed_elsewhere():
    from ombuds.cases.actions.sweeps import run_schedule

    make_market()
    user = make_user("newcomer", confirmed=False)
    client = Client()
    client.force_login(user)
    assert file_through_form(client, REPORT).status_code == 302
    assert run_schedule()["filed_once_confirmed"] == 0
    User.objects.filter(pk=user.pk).update(email_verified_at="2026-01-01T00:00Z")  # the admin
    assert run_schedule()["filed_once_confirmed"] == 1
    assert Complaint.objects.get().case is not None


def test_a_visitors_report_is_confirmed_only_by_the_link_sent_to_the_address(mailbox):
    make_market()
    visitor = Client()
    filed = file_through_form(visitor, REPORT, visitor_email="vera@example.org")
    key = filed["Location"].partition("?k=")[2]
    for forged in (f"/reports/confirm/{key}/", f"/reports/confirm/{key[:-2]}xx/"):
        assert visitor.post(forged).status_code == 400
        assert visitor.get(forged).status_code == 400
    assert not Case.objects.exists()
    confirmed = confirm_by_email(mailbox, "vera@example.org")
    assert confirmed.status_code == 302 and Case.objects.count() == 1
    link = _link(mailbox, "vera@example.org", "/reports/confirm/")
    again = Client().post(link, follow=True)
    assert "already confirmed" in again.text and Case.objects.count() == 1


def test_a_confirmation_link_expires(mailbox, monkeypatch):
    make_market()
    long_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: long_ago)
    file_through_form(Client(), REPORT, visitor_email="late@example.org")
    monkeypatch.undo()
    link = _link(mailbox, "late@example.org", "/reports/confirm/")
    assert Client().get(link).status_code == 400
    assert Client().post(link).status_code == 400
    assert not Case.objects.exists()
