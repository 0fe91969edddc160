"""The checks every submission goes through (PRODUCT.md §2), driven by the policy.

`check_submission` collects every problem it can find and raises them together, each with
its field and stable code, so that a form can show them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone

from ombuds.directory.models import Listing, Member, Order
from ombuds.directory.resolver import Resolution, ResolutionError, resolve_respondent
from ombuds.directory.urls import looks_like_url
from ombuds.evidence.inspection import InspectedFile, check_evidence_set
from ombuds.evidence.models import Evidence
from ombuds.evidence.uploads import type_mismatch
from ombuds.formats import day, megabytes
from ombuds.intake.errors import NON_FIELD, FieldError, SubmissionRefused
from ombuds.intake.language import language_problem
from ombuds.intake.orders import protection_ends
from ombuds.intake.text import INVALID_CHARACTERS, unusable_character
from ombuds.policy.schema import (
    ComplaintType,
    FormField,
    OrderRule,
    PartyKindsRule,
    Policy,
    RefuseChoiceRule,
)

TARGET = "target"
EVIDENCE = "evidence"
AGREEMENT = "agreement"


@dataclass(frozen=True)
class Filer:
    """Who files: a signed-in user (maybe a member), or a visitor known by email only."""

    email: str
    user: Any = None
    member: Member | None = None
    name: str = ""
    verified_rights_holder: bool = False
    # Whether the email address is known to be the filer's: what they file is processed, and
    # anyone told, only once it is (an account's confirmed address; a visitor confirms by link).
    email_confirmed: bool = False

    @classmethod
    def for_user(cls, user: Any, *, vouched: bool = False) -> Filer:
        """A user's filer; `vouched`: the marketplace's service files for them, and it knows
        its members' addresses."""
        member = user.member if user.member_id else None
        return cls(
            email=user.email,
            user=user,
            member=member,
            name=member.display_name if member else (user.get_full_name() or user.username),
            verified_rights_holder=user.is_verified_rights_holder,
            email_confirmed=vouched or user.email_verified_at is not None,
        )


@dataclass
class Submission:
    type_key: str
    target: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    evidence: Sequence[Evidence] = ()
    agreement: bool = False


@dataclass
class CheckedSubmission:
    type_key: str
    complaint_type: ComplaintType
    respondent: Member
    resolution: Resolution
    listings: list[Listing]
    answers: dict[str, Any]
    target_key: str
    target_input: str
    evidence: list[Evidence]


def check_submission(policy: Policy, submission: Submission, filer: Filer) -> CheckedSubmission:
    complaint_type = policy.types.get(submission.type_key)
    if complaint_type is None:
        raise SubmissionRefused(
            [
                FieldError(
                    "type", "unknown_type", f"There is no complaint type {submission.type_key!r}."
                )
            ]
        )
    errors: list[FieldError] = []
    errors += filer_errors(policy, complaint_type, filer)
    answers, field_errors = _clean_answers(
        complaint_type, submission.answers, policy.languages_for(submission.type_key)
    )
    errors += field_errors
    errors += _refused_choice_errors(complaint_type, answers)
    target_input = _target_input(complaint_type, submission, answers)
    target_problem = _target_problem(complaint_type, target_input)
    if target_problem is not None:
        resolution, listings = None, []
        errors.append(target_problem)
    else:
        resolution, listings, target_errors = _resolve_target(complaint_type, target_input)
        errors += target_errors
    if resolution is not None:
        errors += _party_errors(policy, complaint_type, answers, filer, resolution)
    errors += _evidence_errors(submission.type_key, complaint_type, submission.evidence)
    if complaint_type.requires_agreement and not submission.agreement:
        errors.append(
            FieldError(
                AGREEMENT,
                "agreement_required",
                "Accept the user agreement to send this report.",
                {"agreement_url": policy.marketplace.user_agreement_url},
            )
        )
    if errors or resolution is None:
        raise SubmissionRefused(_unique(errors))
    return CheckedSubmission(
        type_key=submission.type_key,
        complaint_type=complaint_type,
        respondent=resolution.member,
        resolution=resolution,
        listings=listings,
        answers=answers,
        target_key=target_key(complaint_type, resolution, listings),
        target_input=target_input,
        evidence=list(submission.evidence),
    )


def _unique(errors: list[FieldError]) -> list[FieldError]:
    seen: set[tuple[str, str, str]] = set()
    result = []
    for error in errors:
        key = (error.field, error.code, error.message)
        if key not in seen:
            seen.add(key)
            result.append(error)
    return result


def target_key(
    complaint_type: ComplaintType, resolution: Resolution, listings: list[Listing]
) -> str:
    """What duplicates are compared on, and what reports about the same thing share."""
    if resolution.order is not None:
        return f"order:{resolution.order.pk}"
    if len(listings) == 1:
        return f"listing:{listings[0].pk}"
    return f"member:{resolution.member.pk}"


# --- who files -------------------------------------------------------------------------------


def _a(text: str) -> str:
    """The text with its indefinite article."""
    return ("an " if text[:1].lower() in "aeiou" else "a ") + text


def filer_errors(policy: Policy, t: ComplaintType, filer: Filer) -> list[FieldError]:
    """Why this filer may not file this type at all (said before they fill the form in)."""
    market = policy.marketplace.name
    if t.filers.who == "members":
        if filer.member is None:
            return [
                FieldError(
                    NON_FIELD,
                    "not_eligible",
                    f"Only members of {market} can file {_a(t.label.lower())}. Sign in with the "
                    "account linked to your marketplace membership.",
                )
            ]
        if not any(filer.member.is_kind(kind) for kind in t.filers.member_kinds):
            kinds = " or ".join(t.filers.member_kinds)
            return [
                FieldError(
                    NON_FIELD,
                    "not_eligible",
                    f"{_a(t.label.lower()).capitalize()} can be filed only by a {kinds}; "
                    "your membership is "
                    f"registered as {filer.member.get_kind_display().lower()}.",
                )
            ]
    if t.filers.who == "verified_rights_holders" and not filer.verified_rights_holder:
        return [
            FieldError(
                NON_FIELD,
                "not_eligible",
                f"Only verified rights holders can file {_a(t.label.lower())}. To become one, "
                "register with your email and password and send proof of your rights (a "
                "trademark, copyright or patent registration) to the marketplace; once an "
                "operator has verified it, you can file. Anyone can report copyright "
                "infringement or prohibited goods without verification.",
                {"how": "verify_rights_holder"},
            )
        ]
    return []


# --- fields ----------------------------------------------------------------------------------


_AMOUNT = re.compile(
    r"^\s*(?:(?P<cur1>[A-Za-z]{3})\s*)?(?P<num>[0-9][0-9,]*(?:\.[0-9]{1,2})?)\s*(?P<cur2>[A-Za-z]{3})?\s*$"
)


def _clean_answers(
    t: ComplaintType, raw: dict[str, Any], languages: list[str]
) -> tuple[dict[str, Any], list[FieldError]]:
    answers: dict[str, Any] = {}
    errors: list[FieldError] = []
    for form_field in t.fields:
        value = raw.get(form_field.name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if form_field.required:
                errors.append(
                    FieldError(
                        form_field.name, "required", f"{form_field.label}: this field is required."
                    )
                )
            continue
        try:
            answers[form_field.name] = _clean_value(form_field, value)
        except _Invalid as exc:
            errors.append(FieldError(form_field.name, exc.code, exc.message))
            continue
        if form_field.checks_language:
            problem = language_problem(str(answers[form_field.name]), languages)
            if problem is not None:
                errors.append(
                    FieldError(
                        form_field.name,
                        problem.code,
                        problem.message,
                        {"language_found": problem.finding.code},
                    )
                )
    return answers, errors


class _Invalid(Exception):
    def __init__(self, code: str, message: str):
        self.code, self.message = code, message


def _clean_value(form_field: FormField, value: Any) -> Any:
    for text in value if isinstance(value, list) else [value]:
        problem = unusable_character(text) if isinstance(text, str) else None
        if problem is not None:
            raise _Invalid(INVALID_CHARACTERS, f"{form_field.label}: {problem}.")
    kind = form_field.kind
    if kind == "multichoice":
        values = value if isinstance(value, list) else [value]
        allowed = {c.value for c in form_field.choices}
        if not all(isinstance(v, str) and v in allowed for v in values):
            raise _Invalid(
                "invalid_choice", f"{form_field.label}: choose among the listed options."
            )
        return values
    if not isinstance(value, str):
        raise _Invalid("invalid", f"{form_field.label}: expected text.")
    if kind == "choice":
        if value not in {c.value for c in form_field.choices}:
            raise _Invalid(
                "invalid_choice", f"{form_field.label}: choose one of the listed options."
            )
        return value
    if kind in ("text", "longtext"):
        if len(value) < form_field.min_length:
            raise _Invalid(
                "too_short",
                f"{form_field.label}: write at least {form_field.min_length} characters "
                f"(you wrote {len(value)}).",
            )
        if len(value) > form_field.max_length:
            raise _Invalid(
                "too_long",
                f"{form_field.label}: at most {form_field.max_length} characters "
                f"(you wrote {len(value)}).",
            )
        return value
    if kind == "url":
        try:
            URLValidator(schemes=["http", "https"])(value if "://" in value else "https://" + value)
        except ValidationError as exc:
            raise _Invalid("invalid_url", f"{form_field.label}: enter a web address.") from exc
        return value[:2000]
    if kind == "email":
        try:
            validate_email(value)
        except ValidationError as exc:
            raise _Invalid(
                "invalid_email", f"{form_field.label}: enter a valid email address."
            ) from exc
        return value.lower()
    if kind == "date":
        return _clean_date(form_field, value)
    if kind == "amount":
        return _clean_amount(form_field, value)
    raise _Invalid("invalid", f"{form_field.label}: unsupported field kind {kind}.")


def _clean_date(form_field: FormField, value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise _Invalid("invalid_date", f"{form_field.label}: enter a date as YYYY-MM-DD.") from exc
    today = timezone.localdate()
    if day > today + timedelta(days=1):
        raise _Invalid("invalid_date", f"{form_field.label}: the date cannot be in the future.")
    if day.year < 2000:
        raise _Invalid("invalid_date", f"{form_field.label}: the date is too far in the past.")
    return day.isoformat()


def _clean_amount(form_field: FormField, value: str) -> str:
    match = _AMOUNT.match(value)
    currency = match and (match.group("cur1") or match.group("cur2"))
    if not match or not currency or (match.group("cur1") and match.group("cur2")):
        raise _Invalid(
            "invalid_amount",
            f"{form_field.label}: give the amount and its currency, like 1250.00 USD.",
        )
    try:
        number = Decimal(match.group("num").replace(",", ""))
    except InvalidOperation as exc:
        raise _Invalid(
            "invalid_amount", f"{form_field.label}: {value!r} is not an amount."
        ) from exc
    if number <= 0 or number >= Decimal("1e12"):
        raise _Invalid("invalid_amount", f"{form_field.label}: the amount must be positive.")
    return f"{number.quantize(Decimal('0.01'))} {currency.upper()}"


def _refused_choice_errors(t: ComplaintType, answers: dict[str, Any]) -> list[FieldError]:
    errors = []
    for rule in t.eligibility:
        if isinstance(rule, RefuseChoiceRule) and answers.get(rule.field) in rule.values:
            details = {"route_to": rule.route_to} if rule.route_to else {}
            errors.append(FieldError(rule.field, "not_eligible", rule.explanation, details))
    return errors


# --- target ----------------------------------------------------------------------------------


def _order_rule(t: ComplaintType) -> OrderRule | None:
    return next((r for r in t.eligibility if isinstance(r, OrderRule)), None)


def _target_input(t: ComplaintType, submission: Submission, answers: dict[str, Any]) -> str:
    rule = _order_rule(t)
    if t.target.identify_by == ["order"] and rule is not None:
        return str(
            answers.get(rule.field, "") or submission.answers.get(rule.field, "") or ""
        ).strip()
    return (submission.target or "").strip()


TARGET_CHARACTERS = 2000  # per URL, member ID, email or name given


def _target_problem(t: ComplaintType, text: str) -> FieldError | None:
    """A target that cannot name anyone: too long to be one (the refusal does not repeat it),
    or holding characters no name or address has."""
    field_name = _target_field(t)
    words = re.split(r"[\s,]+", text.strip())
    many = t.target.listings == "many" and len(words) > 1 and all(map(looks_like_url, words))
    limit = TARGET_CHARACTERS * (t.target.max_listings if many else 1)
    if len(text) > limit:
        return FieldError(
            field_name,
            "too_long",
            f"{t.target.label}: at most {limit:,} characters (you gave {len(text):,}).",
        )
    problem = unusable_character(text)
    if problem is not None:
        return FieldError(field_name, INVALID_CHARACTERS, f"{t.target.label}: {problem}.")
    return None


def _target_field(t: ComplaintType) -> str:
    rule = _order_rule(t)
    return rule.field if t.target.identify_by == ["order"] and rule is not None else TARGET


def _resolution_error(
    field_name: str, error: ResolutionError, line: int | None = None
) -> FieldError:
    prefix = f"Line {line}: " if line is not None else ""
    return FieldError(
        field_name,
        error.code,
        prefix + error.message,
        {"tried": error.tried} if error.tried else {},
    )


def _resolve_target(
    t: ComplaintType, text: str
) -> tuple[Resolution | None, list[Listing], list[FieldError]]:
    field_name = _target_field(t)
    lines = (
        [line for line in re.split(r"[\s,]+", text) if line] if t.target.listings == "many" else []
    )
    if len(lines) > 1 and all(looks_like_url(line) for line in lines):
        return _resolve_listings(t, lines)
    try:
        resolution = resolve_respondent(text, accept=t.target.identify_by)
    except ResolutionError as exc:
        return None, [], [_resolution_error(field_name, exc)]
    listings = [resolution.listing] if resolution.listing is not None else []
    return resolution, listings, []


def _resolve_listings(
    t: ComplaintType, lines: list[str]
) -> tuple[Resolution | None, list[Listing], list[FieldError]]:
    errors: list[FieldError] = []
    if len(lines) > t.target.max_listings:
        errors.append(
            FieldError(
                TARGET,
                "too_many_listings",
                f"At most {t.target.max_listings} listings in one {t.label.lower()}; "
                f"you gave {len(lines)}.",
            )
        )
        return None, [], errors
    resolutions: list[Resolution] = []
    for number, line in enumerate(dict.fromkeys(lines), start=1):
        try:
            resolutions.append(resolve_respondent(line, accept=("product_url",)))
        except ResolutionError as exc:
            errors.append(_resolution_error(TARGET, exc, number))
    if errors:
        return None, [], errors
    owners = {r.member.pk for r in resolutions}
    if len(owners) > 1:
        return (
            None,
            [],
            [
                FieldError(
                    TARGET,
                    "listings_of_several_members",
                    "These listings belong to different sellers. File one notice per seller, so "
                    "that each can answer for their own listings.",
                )
            ],
        )
    listings = [r.listing for r in resolutions if r.listing is not None]
    return resolutions[0], listings, []


# --- the parties -----------------------------------------------------------------------------


def _party_errors(
    policy: Policy,
    t: ComplaintType,
    answers: dict[str, Any],
    filer: Filer,
    resolution: Resolution,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if filer.member is not None and resolution.member.pk == filer.member.pk:
        errors.append(
            FieldError(
                _target_field(t),
                "respondent_is_self",
                "This identifies your own membership: you cannot file a complaint against "
                "yourself.",
            )
        )
        return errors
    for rule in t.eligibility:
        if isinstance(rule, PartyKindsRule) and answers.get(rule.field) == rule.value:
            complainant_ok = filer.member is not None and filer.member.is_kind(rule.complainant)
            if not complainant_ok or not resolution.member.is_kind(rule.respondent):
                errors.append(FieldError(rule.field, "not_eligible", rule.reason))
        if isinstance(rule, OrderRule):
            errors += _order_errors(policy, rule, filer, resolution.order)
    return errors


def _order_errors(
    policy: Policy, rule: OrderRule, filer: Filer, order: Order | None
) -> list[FieldError]:
    if order is None:
        return [FieldError(rule.field, "not_eligible", rule.reason)]
    member = filer.member
    is_buyer = member is not None and order.buyer_id == member.pk
    is_seller = member is not None and order.seller_id == member.pk
    party_ok = {"buyer": is_buyer, "seller": is_seller, "either": is_buyer or is_seller}[
        rule.complainant_is
    ]
    if not party_ok:
        what = "purchases" if rule.complainant_is == "buyer" else "orders"
        return [
            FieldError(
                rule.field,
                "not_eligible",
                f"Order {order.order_number} is not one of your {what}. {rule.reason}",
            )
        ]
    if order.payment != rule.paid:
        how = "outside the marketplace" if order.payment == "offline" else "online"
        return [
            FieldError(
                rule.field,
                "not_eligible",
                f"Order {order.order_number} was paid {how}. {rule.reason}",
                {"route_to": "offline_trade_dispute"} if order.payment == "offline" else {},
            )
        ]
    if rule.within_protection_period:
        ends = protection_ends(policy, order)
        if ends is not None and timezone.now() > ends:
            return [
                FieldError(
                    rule.field,
                    "not_eligible",
                    f"The buyer protection period of order {order.order_number} ended on "
                    f"{day(ends)}. {rule.reason}",
                )
            ]
    return []


# --- evidence --------------------------------------------------------------------------------


def _as_inspected(item: Evidence) -> InspectedFile:
    return InspectedFile(
        format=item.format,
        mime=item.mime,
        size=item.size,
        sha256=item.sha256,
        safe_name=item.safe_name,
    )


def _evidence_errors(
    type_key: str, t: ComplaintType, evidence: Sequence[Evidence]
) -> list[FieldError]:
    rules = t.evidence
    errors: list[FieldError] = []
    for item in evidence:
        if item.type_key != type_key:
            problem = type_mismatch(item, t.label)
            errors.append(
                FieldError(EVIDENCE, problem.code, problem.message, {"file": problem.filename})
            )
            continue
        if item.format not in rules.allowed_formats:
            allowed = ", ".join("." + f for f in rules.allowed_formats)
            errors.append(
                FieldError(
                    EVIDENCE,
                    "evidence_format",
                    f"{item.safe_name}: .{item.format} files are not accepted for a "
                    f"{t.label.lower()}. Accepted: {allowed}.",
                    {"file": str(item.public_id)},
                )
            )
            continue  # its size does not matter: making it smaller would not help
        limit = rules.max_archive_bytes if item.format in ("zip", "rar") else rules.max_file_bytes
        if item.size > limit:
            errors.append(
                FieldError(
                    EVIDENCE,
                    "evidence_too_large",
                    f"{item.safe_name} is {megabytes(item.size)}; files are at most "
                    f"{megabytes(limit)} here.",
                    {"file": str(item.public_id), "limit_bytes": limit},
                )
            )
    inspected = [_as_inspected(item) for item in evidence]
    for problem in check_evidence_set(inspected, rules):
        errors.append(FieldError(EVIDENCE, problem.code, problem.message))
    return errors
