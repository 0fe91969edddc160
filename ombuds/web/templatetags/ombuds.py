"""Names from the policy for keys stored on cases: sanction, outcome and type labels."""

from django import template

from ombuds.policy.loader import get_policy

register = template.Library()


@register.filter
def sanction_label(key: str) -> str:
    spec = get_policy().sanctions.get(key)
    return spec.label if spec else key


@register.filter
def outcome_label(key: str) -> str:
    outcome = get_policy().outcomes.get(key)
    return outcome.label if outcome else key


@register.filter
def type_label(key: str) -> str:
    complaint_type = get_policy().types.get(key)
    return complaint_type.label if complaint_type else key
