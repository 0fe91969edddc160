"""Names from the policy for keys stored on cases: sanction, outcome and type labels."""

from django import template

from ombuds.cases.statements import statement_lines as lines_of_statement
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


SHORT_STATUS = {
    "submitted": "In the queue",
    "in_review": "In review",
    "waiting": "Waiting for a party",
    "decided": "Decided",
    "appealed": "Appeal",
    "closed": "Closed",
}


@register.filter
def short_status(status: str) -> str:
    """A case's status in the console's few words."""
    return SHORT_STATUS.get(status, status)


@register.filter
def statement_lines(statement: dict | None) -> list[tuple[str, str]]:
    """A stored statement of reasons as (label, text) parts: the one rendering everywhere."""
    return lines_of_statement(statement)
