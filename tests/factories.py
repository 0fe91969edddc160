"""A small marketplace for tests, built from the same models the importer fills."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ombuds.accounts.departments import sync_departments
from ombuds.accounts.models import User
from ombuds.directory.models import Listing, Member, Order, Store


@dataclass
class Market:
    buyer: Member
    supplier: Member
    other_supplier: Member
    store: Store
    listing: Listing
    online_order: Order
    offline_order: Order


def make_member(member_id: str, kind: str = "buyer", **extra: object) -> Member:
    return Member.objects.create(
        member_id=member_id,
        email=extra.pop("email", f"{member_id}@example.com"),
        display_name=extra.pop("display_name", member_id.title()),
        kind=kind,
        **extra,
    )


def make_market() -> Market:
    sync_departments()
    buyer = make_member("buyeralice", "buyer", display_name="Alice Buyer")
    supplier = make_member("supbob", "supplier", display_name="Bob Supplies Ltd")
    other = make_member("supcarol", "supplier", display_name="Carol Trading")
    store = Store.objects.create(
        name="Bob Supplies",
        store_url="https://market.example/store/bob-supplies",
        minisite_url="https://bobsupplies.market.example",
        owner=supplier,
    )
    Store.objects.create(
        name="Carol Trading", store_url="https://market.example/store/carol", owner=other
    )
    listing = Listing.objects.create(
        product_url="https://market.example/product/usb-charger-1600123.html",
        title="USB-C charger 65W",
        category="Electronics",
        store=store,
    )
    now = timezone.now()
    online = Order.objects.create(
        order_number="ON-1",
        buyer=buyer,
        seller=supplier,
        listing=listing,
        amount=Decimal("120.00"),
        currency="USD",
        payment="online",
        paid_at=now - timedelta(days=10),
        protection_ends_at=now + timedelta(days=50),
    )
    offline = Order.objects.create(
        order_number="OF-1",
        buyer=buyer,
        seller=supplier,
        amount=Decimal("4000.00"),
        currency="USD",
        payment="offline",
        paid_at=now - timedelta(days=30),
    )
    return Market(buyer, supplier, other, store, listing, online, offline)


def make_user(
    username: str,
    *,
    member: Member | None = None,
    password: str = "s3cret-pass!",
    confirmed: bool = True,
) -> User:
    """A user whose email address is confirmed (unless `confirmed=False`: a new account)."""
    user = User.objects.create_user(
        username=username,
        email=member.email if member else f"{username}@example.com",
        password=password,
        email_verified_at=timezone.now() if confirmed else None,
    )
    if member:
        user.member = member
        user.save()
    return user
