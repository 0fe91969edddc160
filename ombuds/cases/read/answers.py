"""A complaint's answers as people read them: each field's label and value, choices in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ombuds.policy.schema import ComplaintType


@dataclass(frozen=True)
class AnswerRow:
    field: str
    label: str
    value: str


def answer_rows(
    complaint_type: ComplaintType, answers: dict[str, Any], *, free_text: bool = True
) -> list[AnswerRow]:
    """The answers in the type's field order; `free_text=False` leaves out what a person wrote
    (for the respondent of an anonymous report), keeping the choices."""
    rows = []
    for form_field in complaint_type.fields:
        value = answers.get(form_field.name)
        if value in (None, ""):
            continue
        if form_field.kind in ("choice", "multichoice"):
            labels = {c.value: c.label for c in form_field.choices}
            values = value if isinstance(value, list) else [value]
            rows.append(
                AnswerRow(
                    form_field.name, form_field.label, ", ".join(labels.get(v, v) for v in values)
                )
            )
        elif free_text:
            rows.append(AnswerRow(form_field.name, form_field.label, str(value)))
    return rows
