"""The catalog of complaint types: what can be filed, with each type's fields and rules."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from ombuds.api.schemas import (
    CatalogOut,
    ChoiceOut,
    ComplaintTypeOut,
    EvidenceRulesOut,
    FieldOut,
    FilersOut,
    TargetOut,
    TimeLimitOut,
)
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType

router = Router(tags=["complaints"])


@router.get(
    "/complaint-types",
    auth=None,
    response={200: CatalogOut},
    summary="The catalog of complaint types, with each type's fields and rules",
)
def complaint_types(request: HttpRequest) -> CatalogOut:
    policy = get_policy()
    return CatalogOut(
        policy=policy.name,
        languages=policy.marketplace.languages,
        user_agreement_url=policy.marketplace.user_agreement_url,
        types=[
            _type_out(key, t, policy.departments[t.department].name)
            for key, t in policy.types.items()
        ],
    )


def _type_out(key: str, t: ComplaintType, department_name: str) -> ComplaintTypeOut:
    return ComplaintTypeOut(
        key=key, kind=t.kind, label=t.label, summary=t.summary, help=t.help,
        department=t.department, department_name=department_name,
        filers=FilersOut(who=t.filers.who, member_kinds=list(t.filers.member_kinds)),
        target=TargetOut(**t.target.model_dump()),
        fields=[
            FieldOut(
                name=f.name, kind=f.kind, label=f.label, help=f.help, required=f.required,
                choices=[ChoiceOut(**c.model_dump()) for c in f.choices],
                min_length=f.min_length, max_length=f.max_length,
                language_checked=f.checks_language,
            )
            for f in t.fields
        ],
        evidence=EvidenceRulesOut(
            required=t.evidence.required, allowed_formats=list(t.evidence.allowed_formats),
            max_file_bytes=t.evidence.max_file_bytes,
            max_archive_bytes=t.evidence.max_archive_bytes, max_files=t.evidence.max_files,
            one_file_per_format=t.evidence.one_file_per_format,
            visible_to_respondent=t.evidence.visible_to_respondent, help=t.evidence.help,
        ),
        time_limit=TimeLimitOut(**t.time_limit.model_dump()),
        reporter_anonymous=t.reporter_anonymous, requires_agreement=t.requires_agreement,
        urgent=t.urgent,
    )  # fmt: skip
