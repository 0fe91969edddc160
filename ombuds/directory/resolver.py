"""Turning what a complainant types into a member of the marketplace.

A respondent may be named by email, member ID, product URL, store URL, store name or
order number; which of these a form accepts is the policy's to say. A supplier's minisite
URL names a shop front, not a member, and is refused with advice to use a product URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ombuds.directory.models import Listing, Member, Order, Store
from ombuds.directory.urls import looks_like_url, normalize_url
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import Marketplace

ALL_KINDS = ("email", "member_id", "product_url", "store_url", "store_name", "order")
KIND_NAMES = {
    "email": "email address",
    "member_id": "member ID",
    "product_url": "product URL",
    "store_url": "store URL",
    "store_name": "store name",
    "order": "order number",
}


@dataclass(frozen=True)
class Resolution:
    member: Member
    via: str
    listing: Listing | None = None
    store: Store | None = None
    order: Order | None = None


@dataclass
class ResolutionError(Exception):
    code: str
    message: str
    tried: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def url_kind(url: str, marketplace: Marketplace) -> str | None:
    """'product_url', 'store_url', 'minisite' or None, by the marketplace's URL patterns."""
    normalized = normalize_url(url)
    patterns = marketplace.url_patterns
    for kind, regexes in (
        ("product_url", patterns.product),
        ("store_url", patterns.store),
        ("minisite", patterns.minisite),
    ):
        if any(re.search(regex, normalized, re.IGNORECASE) for regex in regexes):
            return kind
    if Store.objects.filter(minisite_url=normalized).exists():
        return "minisite"
    return None


def _accepted_names(accept: Sequence[str]) -> str:
    names = [KIND_NAMES[k] for k in accept]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def resolve_respondent(identifier: str, *, accept: Sequence[str] = ALL_KINDS) -> Resolution:
    """Find the member an identifier names, or raise ResolutionError with a coded reason."""
    text = identifier.strip()
    if not text:
        raise ResolutionError(
            "respondent_required", f"Enter the respondent's {_accepted_names(accept)}."
        )
    if "@" in text and not looks_like_url(text):
        return _by_email(text, accept)
    if looks_like_url(text):
        return _by_url(text, accept)
    return _by_name_or_id(text, accept)


def _not_accepted(what: str, accept: Sequence[str]) -> ResolutionError:
    return ResolutionError(
        "respondent_kind_not_accepted",
        f"This form does not take {what}: enter the {_accepted_names(accept)}.",
    )


def _by_email(text: str, accept: Sequence[str]) -> Resolution:
    if "email" not in accept:
        raise _not_accepted("an email address", accept)
    try:
        validate_email(text)
    except ValidationError as exc:
        raise ResolutionError(
            "respondent_invalid_email", f"{text!r} is not a valid email address."
        ) from exc
    member = Member.objects.filter(email__iexact=text).first()
    if member is None:
        raise ResolutionError(
            "respondent_not_found",
            f"No member of the marketplace has the email address {text}. Check it, or use "
            "the URL of one of their products.",
            tried=["email"],
        )
    return Resolution(member=member, via="email")


def _by_url(text: str, accept: Sequence[str]) -> Resolution:
    marketplace = get_policy().marketplace
    kind = url_kind(text, marketplace)
    normalized = normalize_url(text)
    if kind == "minisite":
        raise ResolutionError(
            "respondent_minisite_url",
            "This is the address of a supplier's minisite (shop home page), which does not "
            "identify the supplier. Open one of their products and use the product URL instead.",
            tried=["minisite URL"],
        )
    if kind is None:
        raise ResolutionError(
            "respondent_not_found",
            f"This address is not a product or store page of {marketplace.name} "
            f"({marketplace.base_url}). Use the URL of one of the respondent's products.",
            tried=["product URL", "store URL"],
        )
    if kind not in accept:
        raise _not_accepted(f"a {KIND_NAMES[kind]}", accept)
    if kind == "product_url":
        listing = (
            Listing.objects.select_related("store__owner").filter(product_url=normalized).first()
        )
        if listing is None:
            raise ResolutionError(
                "respondent_not_found",
                "No listing of the marketplace has this product URL. Check that you copied the "
                "whole address from the product page.",
                tried=["product URL"],
            )
        return Resolution(
            member=listing.store.owner, via="product_url", listing=listing, store=listing.store
        )
    store = Store.objects.select_related("owner").filter(store_url=normalized).first()
    if store is None:
        raise ResolutionError(
            "respondent_not_found",
            "No store of the marketplace has this address. Use the URL of one of its products.",
            tried=["store URL"],
        )
    return Resolution(member=store.owner, via="store_url", store=store)


def _by_name_or_id(text: str, accept: Sequence[str]) -> Resolution:
    tried: list[str] = []
    pattern = get_policy().marketplace.member_id_pattern
    if "order" in accept:
        tried.append("order number")
        order = Order.objects.select_related("seller", "buyer").filter(order_number=text).first()
        if order is not None:
            return Resolution(member=order.seller, via="order", order=order)
    if "member_id" in accept and re.fullmatch(pattern, text, re.IGNORECASE):
        tried.append("member ID")
        member = Member.objects.filter(member_id__iexact=text).first()
        if member is not None:
            return Resolution(member=member, via="member_id")
    if "store_name" in accept:
        tried.append("store name")
        stores = list(Store.objects.select_related("owner").filter(name__iexact=text)[:2])
        if len(stores) == 1:
            return Resolution(member=stores[0].owner, via="store_name", store=stores[0])
        if len(stores) > 1:
            raise ResolutionError(
                "respondent_ambiguous",
                f"More than one store is named {text!r}. Use the store URL or a product URL.",
                tried=tried,
            )
    if not tried:
        raise ResolutionError(
            "respondent_kind_not_accepted",
            f"{text!r} is not a {_accepted_names(accept)}.",
        )
    raise ResolutionError(
        "respondent_not_found",
        f"Nothing in the marketplace matches {text!r}: tried it as "
        f"{_accepted_names_list(tried)}. Check the spelling, or use a product URL.",
        tried=tried,
    )


def _accepted_names_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def resolve_listing(url: str) -> Listing:
    """A listing by its product URL, for targets that name listings."""
    resolution = resolve_respondent(url, accept=("product_url",))
    assert resolution.listing is not None
    return resolution.listing
