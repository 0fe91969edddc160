"""`ombuds demo`: a whole marketplace and a user for every role, the same each time."""

import io

import pytest
from django.core.management import call_command

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
        assert client.login(username=username, password="demo"), username
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
