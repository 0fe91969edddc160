"""Refusals of a submission: a stable code, the field it concerns, and words for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NON_FIELD = "__all__"


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message, **self.details}


class SubmissionRefused(Exception):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.code}" for e in errors))

    def codes(self) -> set[str]:
        return {e.code for e in self.errors}
