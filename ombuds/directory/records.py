"""The columns of each kind of directory record, shared by import and export."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ombuds.directory.models import (
    Listing,
    ListingStatus,
    Member,
    MemberKind,
    MemberStatus,
    Order,
    Payment,
    Store,
)
from ombuds.directory.urls import looks_like_url, normalize_url


class FieldError(ValueError):
    pass


def text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise FieldError(f"must be at most {max_length} characters")
        return value

    return parse


def email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError as exc:
        raise FieldError("is not a valid email address") from exc
    return value.lower()


def choice(values: type[Any]) -> Callable[[str], str]:
    allowed = [v.value for v in values]

    def parse(value: str) -> str:
        if value.lower() not in allowed:
            raise FieldError(f"must be one of {', '.join(allowed)}")
        return value.lower()

    return parse


def country(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise FieldError("must be a two-letter ISO country code")
    return value.upper()


def url(value: str) -> str:
    if not looks_like_url(value):
        raise FieldError("is not a URL")
    return normalize_url(value)


def amount(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise FieldError("must be a number such as 1250.00") from exc
    if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
        raise FieldError("must be a positive amount")
    return number.quantize(Decimal("0.01"))


def currency(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise FieldError("must be a three-letter ISO currency code")
    return value.upper()


def moment(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise FieldError("must be a date (2026-03-31) or date and time (2026-03-31T14:00Z)")
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = False
    refers_to: str | None = None
    model_field: str | None = None

    @property
    def attribute(self) -> str:
        return self.model_field or self.name


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[Any]
    key: str
    columns: tuple[Column, ...]

    @property
    def plural(self) -> str:
        return self.name + "s"


KINDS: dict[str, Kind] = {
    "member": Kind(
        "member",
        Member,
        "member_id",
        (
            Column("member_id", text(64), required=True),
            Column("email", email, required=True),
            Column("display_name", text(200), required=True),
            Column("kind", choice(MemberKind), required=True),
            Column("country", country),
            Column("status", choice(MemberStatus)),
        ),
    ),
    "store": Kind(
        "store",
        Store,
        "store_url",
        (
            Column("store_url", url, required=True),
            Column("name", text(200), required=True),
            Column("owner", text(64), required=True, refers_to="member"),
            Column("minisite_url", url),
        ),
    ),
    "listing": Kind(
        "listing",
        Listing,
        "product_url",
        (
            Column("product_url", url, required=True),
            Column("title", text(300), required=True),
            Column("store", url, required=True, refers_to="store"),
            Column("category", text(120)),
            Column("status", choice(ListingStatus)),
        ),
    ),
    "order": Kind(
        "order",
        Order,
        "order_number",
        (
            Column("order_number", text(64), required=True),
            Column("buyer", text(64), required=True, refers_to="member"),
            Column("seller", text(64), required=True, refers_to="member"),
            Column("amount", amount, required=True),
            Column("currency", currency, required=True),
            Column("payment", choice(Payment), required=True),
            Column("listing", url, refers_to="listing"),
            Column("paid_at", moment),
            Column("shipped_at", moment),
            Column("delivered_at", moment),
            Column("protection_ends_at", moment),
        ),
    ),
}
ORDER_OF_KINDS = ("member", "store", "listing", "order")
DEFAULTS = {"member": {"status": "active", "country": ""}, "listing": {"status": "active"}}


def kind_for_name(name: str) -> Kind | None:
    """A kind from a word like 'members', 'Member' or 'orders.csv'."""
    word = name.lower().strip()
    word = word.removesuffix("s") if word.removesuffix("s") in KINDS else word
    return KINDS.get(word)
