"""How long what people write on a case may be, checked by the actions whichever shell calls
them (the API's schemas declare the same numbers)."""

from __future__ import annotations

from ombuds.cases.errors import ActionRefused, RefusalCode
from ombuds.intake.text import unusable_character

NOTE = 5000
QUESTION = 2000
ANSWER = 5000
REASON = 2000
APPEAL_REASON = 5000
APPEAL_STATEMENT = 5000
FACTS = 10000
GROUND = 2000
SCOPE = 2000
REDRESS = 2000


def written(
    text: str,
    *,
    field: str,
    limit: int,
    empty: tuple[RefusalCode, str] | None = None,
    label: str = "The text",
) -> str:
    """The text, stripped; refused when empty (if `empty` gives the code and words) or too long."""
    text = (text or "").strip()
    if not text and empty is not None:
        raise ActionRefused(empty[0], empty[1], field)
    problem = unusable_character(text)
    if problem is not None:
        raise ActionRefused(RefusalCode.INVALID_CHARACTERS, f"{label}: {problem}.", field)
    if len(text) > limit:
        raise ActionRefused(
            RefusalCode.TEXT_TOO_LONG,
            f"{label} is at most {limit:,} characters; this one has {len(text):,}.",
            field,
        )
    return text
