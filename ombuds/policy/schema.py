"""The policy schema: the catalog of complaint types as data.

The models describe what an operator may write in a policy file. Kinds of rules are
implemented in code (the `kind` of a field, of an eligibility rule, of a triage answer);
the policy names and parameterizes them. Cross-references (departments, sanctions,
outcomes, fields, choice values, triage nodes) are checked in `validate_references`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _positive(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise PydanticCustomError("positive_integer", "must be a positive integer")
    return value


def _non_negative(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PydanticCustomError("non_negative_integer", "must be zero or a positive integer")
    return value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise PydanticCustomError(
            "regex", "is not a valid regular expression: {error}", {"error": str(exc)}
        ) from exc
    return value


PositiveInt = Annotated[int, BeforeValidator(_positive)]
NonNegativeInt = Annotated[int, BeforeValidator(_non_negative)]
Regex = Annotated[str, AfterValidator(_regex)]

MemberKind = Literal["buyer", "supplier"]
EVIDENCE_FORMATS = (
    "doc",
    "docx",
    "eml",
    "msg",
    "pdf",
    "rar",
    "zip",
    "jpg",
    "png",
    "gif",
    "webp",
    "xls",
    "xlsx",
    "txt",
)
ARCHIVE_FORMATS = ("zip", "rar")
EvidenceFormat = Literal[
    "doc",
    "docx",
    "eml",
    "msg",
    "pdf",
    "rar",
    "zip",
    "jpg",
    "png",
    "gif",
    "webp",
    "xls",
    "xlsx",
    "txt",
]
TargetKind = Literal["email", "member_id", "product_url", "store_url", "store_name", "order"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UrlPatterns(Strict):
    """Regular expressions that recognise the marketplace's URLs, searched in the URL."""

    product: list[Regex] = Field(min_length=1)
    store: list[Regex] = Field(min_length=1)
    minisite: list[Regex] = Field(default_factory=list)


class Marketplace(Strict):
    name: Text
    base_url: Text
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] = Field(
        default=["en"], min_length=1
    )
    member_id_pattern: Regex = r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$"
    url_patterns: UrlPatterns
    user_agreement_url: Text
    buyer_protection_days: PositiveInt = 60
    online_payment_name: Text = "online payment with buyer protection"


class Department(Strict):
    name: Text
    description: Text


class Outcome(Strict):
    label: Text
    description: Text
    upholds: bool = False


class Sanction(Strict):
    label: Text
    description: Text
    applies_to: Literal["listing", "member"]
    severity: NonNegativeInt = 0
    # The longest a sanction with an end may last; without an end it lasts until lifted.
    max_days: int = Field(default=3650, ge=1, le=36500)


class Choice(Strict):
    value: Key
    label: Text
    help: Text


class FormField(Strict):
    name: Key
    kind: Literal["choice", "multichoice", "text", "longtext", "url", "email", "date", "amount"]
    label: Text
    help: Text
    required: bool = True
    choices: list[Choice] = Field(default_factory=list)
    language_checked: bool | None = None
    min_length: NonNegativeInt = 0
    max_length: PositiveInt = 5000

    @model_validator(mode="after")
    def _choices_match_kind(self) -> FormField:
        has_choices = self.kind in ("choice", "multichoice")
        if has_choices and not self.choices:
            raise PydanticCustomError(
                "choices", "a {kind} field needs choices", {"kind": self.kind}
            )
        if not has_choices and self.choices:
            raise PydanticCustomError("choices", "only choice fields have choices")
        values = [c.value for c in self.choices]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise PydanticCustomError(
                "duplicate", "duplicate choice values: {values}", {"values": ", ".join(duplicates)}
            )
        if self.min_length > self.max_length:
            raise PydanticCustomError("length", "min_length is greater than max_length")
        return self

    @property
    def checks_language(self) -> bool:
        """Free-text fields are checked unless the policy says otherwise."""
        if self.language_checked is not None:
            return self.language_checked
        return self.kind in ("text", "longtext")


class Filers(Strict):
    """Who may file a type."""

    who: Literal["members", "verified_rights_holders", "anyone"]
    member_kinds: list[MemberKind] = Field(default=["buyer", "supplier"], min_length=1)


class Target(Strict):
    """What a complaint is about, and how the complainant names it."""

    identify_by: list[TargetKind] = Field(min_length=1)
    listings: Literal["none", "one", "many"] = "none"
    max_listings: PositiveInt = 1
    label: Text
    help: Text

    @model_validator(mode="after")
    def _listing_counts(self) -> Target:
        if self.listings != "many" and self.max_listings != 1:
            raise PydanticCustomError("listings", "max_listings > 1 needs listings: many")
        return self


class PartyKindsRule(Strict):
    """When a field has a value, complainant and respondent must be of these member kinds."""

    kind: Literal["party_kinds"]
    field: Key
    value: Key
    complainant: MemberKind
    respondent: MemberKind
    reason: Text


class RefuseChoiceRule(Strict):
    """Some choices are named so the form can refuse them with the policy's explanation."""

    kind: Literal["refuse_choice"]
    field: Key
    values: list[Key] = Field(min_length=1)
    explanation: Text
    route_to: Key | None = None


class OrderRule(Strict):
    """The complaint names an order of the complainant that was paid a given way."""

    kind: Literal["order"]
    field: Key
    paid: Literal["online", "offline"]
    complainant_is: Literal["buyer", "seller", "either"] = "buyer"
    within_protection_period: bool = False
    reason: Text


EligibilityRule = Annotated[
    PartyKindsRule | RefuseChoiceRule | OrderRule, Field(discriminator="kind")
]


class EvidenceRules(Strict):
    required: bool = False
    allowed_formats: list[EvidenceFormat] = Field(min_length=1)
    max_file_bytes: PositiveInt
    max_archive_bytes: PositiveInt
    max_files: PositiveInt = 10
    one_file_per_format: bool = True
    visible_to_respondent: Literal["all", "none"] = "all"
    archive_max_uncompressed_bytes: PositiveInt = 200 * 1024 * 1024
    archive_max_ratio: PositiveInt = 100
    archive_max_members: PositiveInt = 500
    help: Text


class TimeLimit(Strict):
    amount: PositiveInt = 2
    unit: Literal["hours", "days"] = "days"
    calendar: Literal["calendar", "business"] = "calendar"


class RespondentAnswer(Strict):
    allowed: bool = True
    days: PositiveInt = 5
    on_no_answer: Literal["decide_on_evidence", "rule_for_complainant"] = "decide_on_evidence"


class Strikes(Strict):
    """Penalty points a type gives the respondent when a case of it is upheld."""

    points: NonNegativeInt = 0
    serious: bool = False


class ComplaintType(Strict):
    kind: Literal["complaint", "report", "dispute"]
    label: Text
    summary: Text
    help: Text
    department: Key
    filers: Filers
    target: Target
    fields: list[FormField] = Field(min_length=1)
    eligibility: list[EligibilityRule] = Field(default_factory=list)
    evidence: EvidenceRules
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] | None = None
    time_limit: TimeLimit = TimeLimit()
    respondent_answer: RespondentAnswer = RespondentAnswer()
    urgent: bool = False
    outcomes: list[Key] = Field(min_length=1)
    sanctions: list[Key] = Field(default_factory=list)
    reporter_anonymous: bool = False
    requires_agreement: bool = False
    appeal_window_days: PositiveInt = 183
    strikes: Strikes = Strikes()

    @field_validator("fields")
    @classmethod
    def _unique_field_names(cls, fields: list[FormField]) -> list[FormField]:
        names = [f.name for f in fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise PydanticCustomError(
                "duplicate", "duplicate field names: {names}", {"names": ", ".join(duplicates)}
            )
        return fields

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)


class RepeatInfringer(Strict):
    """Points per upheld case, valid for a period; thresholds propose a sanction to the agent."""

    points_valid_days: PositiveInt = 365
    thresholds: list[Threshold] = Field(default_factory=list)


class Threshold(Strict):
    points: PositiveInt | None = None
    serious_violations: PositiveInt | None = None
    propose: Key

    @model_validator(mode="after")
    def _one_measure(self) -> Threshold:
        if (self.points is None) == (self.serious_violations is None):
            raise PydanticCustomError(
                "threshold", "give exactly one of points or serious_violations"
            )
        return self


class TriageAnswer(Strict):
    label: Text
    help: Text | None = None
    next: Key | None = None
    type: Key | None = None
    preset: dict[Key, Key] = Field(default_factory=dict)
    refuse: Text | None = None
    route_to: Key | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> TriageAnswer:
        destinations = [d for d in (self.next, self.type, self.refuse) if d is not None]
        if len(destinations) != 1:
            raise PydanticCustomError(
                "destination", "an answer needs exactly one of next, type or refuse"
            )
        if self.preset and self.type is None:
            raise PydanticCustomError("preset", "preset is only for answers that lead to a type")
        return self


class TriageNode(Strict):
    question: Text
    help: Text | None = None
    answers: list[TriageAnswer] = Field(min_length=2)


class Triage(Strict):
    start: Key
    nodes: dict[Key, TriageNode] = Field(min_length=1)


class Policy(Strict):
    name: Text
    marketplace: Marketplace
    departments: dict[Key, Department] = Field(min_length=1)
    outcomes: dict[Key, Outcome] = Field(min_length=1)
    sanctions: dict[Key, Sanction] = Field(default_factory=dict)
    repeat_infringer: RepeatInfringer = RepeatInfringer()
    types: dict[Key, ComplaintType] = Field(min_length=1)
    triage: Triage

    def languages_for(self, type_key: str) -> list[str]:
        return self.types[type_key].languages or self.marketplace.languages


RepeatInfringer.model_rebuild()
