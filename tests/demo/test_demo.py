"""`ombuds demo`: a whole marketplace and a user for every role, the same each time."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ombuds.accounts.models import User
from ombuds.directory.models import Listing, Member, Order, Store
from ombuds.directory.resolver import resolve_respondent

pytestmark = pytest.mark.django_db


def test_demo_is_complete_and_idempotent(client):
    out = io.StringIO()
    call_command("demo", stdout=out)
    counts = (
        Member.objects.count(),
        Store.objects.count(),
        Listing.objects.count(),
        Order.objects.count(),
    )
    assert counts[0] >= 50 and counts[2] >= 200 and counts[3] >= 100
    assert Store.objects.exclude(minisite_url="").count() == counts[1]
    assert (
        Order.objects.filter(payment="online").exists()
        and Order.objects.filter(payment="offline").exists()
    )
    assert Listing.objects.filter(title__icontains="ivory").exists()
    call_command("demo", stdout=io.StringIO())
    assert (
        Member.objects.count(),
        Store.objects.count(),
        Listing.objects.count(),
        Order.objects.count(),
    ) == counts

    users = {u.username: u for u in User.objects.all()}
    assert users["buyer"].member.is_kind("buyer") and users["buyer2"].member.is_kind("buyer")
    assert users["supplier"].member.is_kind("supplier") and users["supplier2"].member.is_kind(
        "supplier"
    )
    assert users["rightsholder"].is_verified_rights_holder and users["rightsholder"].member is None
    assert users["operator"].acts_as_operator
    everything = {
        "disputes",
        "ip_protection",
        "listing_compliance",
        "security",
        "risk",
        "customer_service",
    }
    assert users["agent"].department_codes == everything
    assert users["agent2"].department_codes == everything
    assert users["agent_security"].department_codes == {"security"}
    for username in ("buyer", "supplier", "rightsholder", "agent", "operator"):
        login = client.post(reverse("login"), {"username": username, "password": "demo"})
        assert login.status_code == 302, username
        client.post(reverse("logout"))
    assert "buyer  " in out.getvalue() and "password: demo" in out.getvalue()

    from ombuds.cases.history import verify_all
    from ombuds.cases.models import Case

    states = set(Case.objects.values_list("status", flat=True))
    assert states == {"submitted", "in_review", "waiting", "decided", "appealed", "closed"}
    assert Case.objects.filter(reporter_count=2).exists()
    assert list(verify_all()) == []


def test_demo_stores_resolve_and_minisites_are_refused():
    call_command("demo", stdout=io.StringIO())
    store = Store.objects.select_related("owner").get(owner__member_id="cn2001bright")
    assert resolve_respondent(store.store_url).member == store.owner
    listing = store.listings.first()
    assert resolve_respondent(listing.product_url).member == store.owner
    from ombuds.directory.resolver import ResolutionError

    with pytest.raises(ResolutionError) as info:
        resolve_respondent(store.minisite_url)
    assert info.value.code == "respondent_minisite_url"


def test_the_buyer_finds_both_boxes_filled(client):
    """A newcomer signed in as the demo buyer sees what they sent and what was filed against
    them (a supplier's complaint)."""
    call_command("demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username="buyer"))
    sent = client.get("/my-reports/").text
    received = client.get("/my-reports/?box=received").text
    assert sent.count("CMP-") >= 3
    assert "CASE-" in received and "Offline trade dispute" in received


def test_quickstart_links_the_address_it_serves(monkeypatch, settings):
    """`make run ADDR=127.0.0.1:9000` prints, and links in the demo's emails, that address."""
    from ombuds.demo.management.commands import quickstart

    started = {}
    settings.OMBUDS_BASE_URL = settings.OMBUDS_BASE_URL  # restored after the test
    monkeypatch.delenv("OMBUDS_BASE_URL", raising=False)
    monkeypatch.setattr(quickstart.threading, "Thread", lambda **kwargs: type(
        "NoThread", (), {"start": lambda self: None}
    )())  # fmt: skip
    real_call = quickstart.call_command

    def call(name, *args, **kwargs):
        if name == "runserver":
            started["addr"] = args[0]
            return None
        return real_call(name, *args, **kwargs)

    monkeypatch.setattr(quickstart, "call_command", call)
    out = io.StringIO()
    call_command("quickstart", addr="127.0.0.1:9000", noreload=True, stdout=out)
    assert started["addr"] == "127.0.0.1:9000"
    assert "Starting Ombuds on http://127.0.0.1:9000/" in out.getvalue()
    assert "Open http://127.0.0.1:9000/ and log in" in out.getvalue()
    assert "http://127.0.0.1:8000" not in out.getvalue()
    assert quickstart.served_address("9000") == "http://127.0.0.1:9000"
    assert quickstart.served_address("0.0.0.0:8080") == "http://127.0.0.1:8080"
