"""Orders a complaint type's order rule accepts: whose, paid how, and within the buyer
protection window. The form's list of orders and the check of a filing use the same rule."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from ombuds.directory.models import Order
from ombuds.policy.schema import OrderRule, Policy


def protection_ends(policy: Policy, order: Order) -> datetime | None:
    """When the buyer protection of an order ends: as the marketplace set it, or the policy's
    days after payment; None when neither is known (nothing to enforce)."""
    if order.protection_ends_at is not None:
        return order.protection_ends_at
    if order.paid_at is not None:
        return order.paid_at + timedelta(days=policy.marketplace.buyer_protection_days)
    return None


def still_protected(policy: Policy, now: datetime | None = None) -> Q:
    """`protection_ends(order) is None or now <= protection_ends(order)`, as a query."""
    now = now or timezone.now()
    since = now - timedelta(days=policy.marketplace.buyer_protection_days)
    return Q(protection_ends_at__gte=now) | Q(
        Q(paid_at__gte=since) | Q(paid_at__isnull=True), protection_ends_at__isnull=True
    )


def orders_for(member_id: int, rule: OrderRule, policy: Policy) -> QuerySet[Order]:
    """The member's orders a filing under `rule` may name (as a buyer, the seller or either)."""
    mine = {
        "buyer": Q(buyer_id=member_id),
        "seller": Q(seller_id=member_id),
        "either": Q(buyer_id=member_id) | Q(seller_id=member_id),
    }[rule.complainant_is]
    orders = Order.objects.filter(mine, payment=rule.paid)
    if rule.within_protection_period:
        orders = orders.filter(still_protected(policy))
    return orders
