"""Demo complaints, filed through the same action as real ones, so every page has content."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.accounts.models import User
from ombuds.cases.actions import file_complaint
from ombuds.directory.models import Listing, Order
from ombuds.intake.checks import Filer, Submission
from ombuds.intake.errors import SubmissionRefused


@dataclass(frozen=True)
class DemoComplaint:
    username: str
    type_key: str
    target: str
    answers: dict[str, str]


def _listing(owner: str, title_part: str = "") -> str:
    listings = Listing.objects.filter(store__owner__member_id=owner)
    if title_part:
        listings = listings.filter(title__icontains=title_part)
    listing = listings.order_by("product_url").first()
    return listing.product_url if listing else ""


def demo_complaints() -> list[DemoComplaint]:
    online = Order.objects.filter(buyer__member_id="us1001anna", payment="online")
    order = online.exclude(protection_ends_at__isnull=True).order_by("-paid_at").first()
    ivory = Listing.objects.filter(title__icontains="ivory").first()
    return [
        DemoComplaint(
            "buyer",
            "offline_trade_dispute",
            _listing("cn2001bright"),
            {
                "scam_type": "products_not_received",
                "payment_method": "bank_transfer",
                "amount": "2480.00 USD",
                "transaction_date": "2026-09-14",
                "order_reference": "PI-2026-0914",
                "description": "I paid proforma invoice PI-2026-0914 by bank transfer on 14 "
                "September for 400 USB-C chargers. The supplier confirmed the payment but has "
                "not shipped anything and stopped answering my messages in October.",
            },
        ),
        DemoComplaint(
            "supplier2",
            "offline_trade_dispute",
            "de1002jonas",
            {
                "scam_type": "payment_not_received",
                "payment_method": "money_transfer",
                "amount": "860.00 EUR",
                "transaction_date": "2026-10-02",
                "description": "We shipped 120 ceramic mugs on 2 October with tracking number "
                "LP00123456789CN. The buyer received them on 19 October but never sent the "
                "agreed payment of 860 EUR.",
            },
        ),
        DemoComplaint(
            "buyer2",
            "prohibited_goods",
            ivory.product_url if ivory else "",
            {
                "category": "endangered_animals",
                "description": "This listing sells a bracelet made of genuine elephant ivory, "
                "which is a protected species. The title says so plainly.",
            },
        ),
        DemoComplaint(
            "buyer",
            "prohibited_goods",
            ivory.product_url if ivory else "",
            {
                "category": "endangered_animals",
                "description": "The listing offers carved elephant ivory. Trade in ivory is "
                "banned; please remove it.",
            },
        ),
        DemoComplaint(
            "buyer",
            "listing_rules",
            _listing("cn2002sunrise"),
            {
                "violation": "off_platform_payment",
                "description": "The seller asks buyers in the listing description to pay by "
                "Western Union to get a 10% discount, outside the marketplace.",
            },
        ),
        DemoComplaint(
            "buyer",
            "order_dispute",
            "",
            {
                "order_number": order.order_number if order else "",
                "reason": "damaged",
                "requested_resolution": "partial_refund",
                "refund_amount": "40.00 USD",
                "description": "Two of the ten items arrived with cracked casings; photos of "
                "the box and the items are attached to my messages with the seller.",
            },
        ),
    ]


def ensure_demo_complaints() -> int:
    """File what is not filed yet; returns how many were filed now."""
    filed = 0
    for demo in demo_complaints():
        user = User.objects.get(username=demo.username)
        submission = Submission(
            type_key=demo.type_key, target=demo.target, answers=demo.answers, agreement=True
        )
        try:
            file_complaint(submission=submission, filer=Filer.for_user(user), via="demo")
        except SubmissionRefused as refused:
            if refused.codes() != {"duplicate_complaint"}:
                raise
            continue
        filed += 1
    return filed
