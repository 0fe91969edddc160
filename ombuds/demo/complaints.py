"""Demo complaints, filed through the same action as real ones, so every page has content."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.accounts.models import User
from ombuds.cases.actions.filing import file_complaint
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
            "supplier",
            "offline_trade_dispute",
            "us1001anna",
            {
                "scam_type": "payment_not_received",
                "payment_method": "bank_transfer",
                "amount": "1150.00 USD",
                "transaction_date": "2026-10-20",
                "order_reference": "PI-2026-1020",
                "description": "We shipped 50 desk lamps on 20 October against proforma invoice "
                "PI-2026-1020; the buyer confirmed delivery on 3 November but has not paid the "
                "agreed 1150 USD by bank transfer.",
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
            "buyer2",
            "copyright",
            _listing("cn2001bright"),
            {
                "copied_material": "photos",
                "description": "The product photos in this listing are mine: I took them for "
                "my review blog in June and never licensed them to this seller.",
            },
        ),
        DemoComplaint(
            "buyer2",
            "illegal_promotion",
            "https://market.example/store/sunrise-crafts",
            {
                "method": "rating_manipulation",
                "description": "The store offers a free gift card in exchange for five-star "
                "reviews; the message is printed on a card inside every parcel.",
            },
        ),
        DemoComplaint(
            "buyer",
            "phishing",
            "cn2002sunrise",
            {
                "phishing_kind": "credential_message",
                "description": "The seller sent me a chat message with a link to a fake sign-in "
                "page asking for my marketplace password to confirm the order.",
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
    from ombuds.cases.models import Complaint

    for demo in demo_complaints():
        user = User.objects.get(username=demo.username)
        if Complaint.objects.filter(complainant=user, type_key=demo.type_key).exists():
            continue
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
    if filed == len(demo_complaints()):
        advance_demo_cases()
    return filed


def _case_of(username: str, type_key: str):  # type: ignore[no-untyped-def]
    from ombuds.cases.models import Complaint

    complaint = (
        Complaint.objects.filter(complainant__username=username, type_key=type_key)
        .select_related("case")
        .order_by("created_at")
        .first()
    )
    return complaint.case if complaint else None


def advance_demo_cases() -> None:
    """Move the freshly filed demo cases into every state, through the real actions."""
    from ombuds.cases.actions.appeals import decide_appeal, open_appeal
    from ombuds.cases.actions.claiming import claim_case
    from ombuds.cases.actions.decisions import Decision, SanctionOrder, decide_case
    from ombuds.cases.actions.questions import answer_as_respondent, request_information
    from ombuds.cases.statements import Statement

    users = {
        u.username: u
        for u in User.objects.filter(username__in=["agent", "agent2", "supplier", "supplier2"])
    }
    agent, agent2 = users["agent"], users["agent2"]

    def claim(case):  # type: ignore[no-untyped-def]
        return claim_case(agent=agent, case=case)

    offline = _case_of("buyer", "offline_trade_dispute")
    answer_as_respondent(
        user=users["supplier"],
        case=offline,
        text="We shipped the chargers on 2 October by sea freight; the bill of lading is "
        "attached to our messages. The buyer has not collected them at the port.",
    )
    claim(offline)

    unpaid = _case_of("supplier2", "offline_trade_dispute")
    request_information(
        agent=agent,
        case=claim(unpaid),
        party="complainant",
        question="Please send the tracking record showing delivery to the buyer.",
        days=3,
    )

    ivory = _case_of("buyer2", "prohibited_goods")
    decide_case(
        agent=agent,
        case=claim(ivory),
        decision=Decision(
            "upheld",
            Statement(
                facts="The listing title and photos offer genuine elephant ivory.",
                ground="Prohibited goods: endangered animals and their parts.",
                scope="The reported listing.",
            ),
            [SanctionOrder("listing_removed")],
        ),
    )

    bait = _case_of("buyer", "listing_rules")
    answer_as_respondent(
        user=users["supplier2"],
        case=bait,
        text="The Western Union note was an old text we forgot to remove.",
    )
    decide_case(
        agent=agent,
        case=claim(bait),
        decision=Decision(
            "upheld",
            Statement(
                facts="The listing asked buyers to pay by Western Union outside the marketplace.",
                ground="Listing rules: payment methods outside the platform.",
                scope="The reported listing.",
            ),
            [SanctionOrder("warning")],
        ),
    )
    appeal = open_appeal(
        user=users["supplier2"], case=bait, reason="We removed the text the same day."
    )
    phishing = _case_of("buyer", "phishing")
    decide_case(
        agent=agent,
        case=claim(phishing),
        decision=Decision(
            "upheld",
            Statement(
                facts="The chat log shows a link to a page imitating the sign-in page.",
                ground="Security policy: phishing.",
                scope="The seller's account.",
            ),
            [SanctionOrder("account_limited")],
        ),
    )
    open_appeal(
        user=users["supplier2"],
        case=phishing,
        reason="Our employee's account was hacked; we have changed all passwords.",
    )
    decide_appeal(
        agent=agent2,
        appeal=appeal,
        reverse=False,
        statement="The listing did ask for off-platform payment; the warning stands.",
    )
