"""The complaint catalog as pages show it: the policy's types, grouped and explained."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.intake.checks import megabytes
from ombuds.policy.schema import ComplaintType, Policy

KIND_HEADINGS = {
    "complaint": ("Complaints", "Between members, about a trade that went wrong."),
    "dispute": ("Disputes", "About an order paid online, under buyer protection."),
    "report": ("Reports", "About a listing, a store or a member that breaks the rules."),
}
FILER_TEXT = {
    "members": "Members of the marketplace, signed in",
    "verified_rights_holders": "Verified rights holders",
    "anyone": "Anyone, member or not",
}
TARGET_NAMES = {
    "email": "email address",
    "member_id": "member ID",
    "product_url": "product URL",
    "store_url": "store URL",
    "store_name": "store name",
    "order": "order number",
}


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    type: ComplaintType

    @property
    def who_may_file(self) -> str:
        text = FILER_TEXT[self.type.filers.who]
        if self.type.filers.who == "members" and len(self.type.filers.member_kinds) == 1:
            text += f" ({self.type.filers.member_kinds[0]}s)"
        return text

    @property
    def identified_by(self) -> str:
        names = [TARGET_NAMES[k] for k in self.type.target.identify_by]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]

    @property
    def time_limit(self) -> str:
        limit = self.type.time_limit
        unit = limit.unit if limit.amount != 1 else limit.unit.removesuffix("s")
        business = " business" if limit.calendar == "business" and limit.unit == "days" else ""
        return f"{limit.amount}{business} {unit}"

    @property
    def formats(self) -> str:
        return ", ".join("." + f for f in self.type.evidence.allowed_formats)

    @property
    def max_file_mb(self) -> str:
        return megabytes(self.type.evidence.max_file_bytes)

    @property
    def max_archive_mb(self) -> str:
        return megabytes(self.type.evidence.max_archive_bytes)


def catalog_sections(policy: Policy) -> list[tuple[str, str, list[CatalogEntry]]]:
    sections = []
    for kind, (heading, intro) in KIND_HEADINGS.items():
        entries = [CatalogEntry(k, t) for k, t in policy.types.items() if t.kind == kind]
        if entries:
            sections.append((heading, intro, entries))
    return sections
