"""The statement of reasons of a decision (DSA Art. 17), and its one rendering for people.

A decision carries what was decided and its scope, the facts relied on, whether automated means
were used, the policy ground, and the redress available. Emails, timelines, pages and the API all
read it through `statement_lines`, so it says the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ombuds.policy.loader import get_policy


@dataclass(frozen=True)
class Statement:
    """What the decider writes; the decision's words and the redress are added."""

    facts: str
    ground: str
    scope: str = ""
    automated: bool = False
    redress: str = ""

    def as_dict(self, *, decision: str, redress: str) -> dict[str, Any]:
        return {
            "decision": decision,
            "scope": self.scope.strip(),
            "facts": self.facts.strip(),
            "automated_means": self.automated,
            "ground": self.ground.strip(),
            "redress": self.redress.strip() or redress,
        }


def redress_for(type_key: str) -> str:
    window = get_policy().types[type_key].appeal_window_days
    return (
        f"The member concerned may appeal this decision within {window} days from the case page; "
        "an appeal is decided by someone other than the first decider. The complainant may submit "
        "again with new information. Out-of-court dispute settlement and the courts remain open."
    )


def decision_words(outcome: str, sanction_kinds: list[str]) -> str:
    policy = get_policy()
    text = f"{policy.outcomes[outcome].label}: {policy.outcomes[outcome].description}"
    if sanction_kinds:
        text += " Measures: " + "; ".join(policy.sanctions[k].label for k in sanction_kinds) + "."
    return text


def statement_lines(statement: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, text) of each part of a stored statement, in order; the scope only if given."""
    if not statement:
        return []
    automated = (
        "Yes, automated means were used"
        if statement.get("automated_means")
        else "No, decided by a person"
    )
    lines = [
        ("Decision", statement.get("decision", "")),
        ("Scope", statement.get("scope", "")),
        ("Facts relied on", statement.get("facts", "")),
        ("Automated means", automated),
        ("Ground", statement.get("ground", "")),
        ("Redress", statement.get("redress", "")),
    ]
    return [(label, text) for label, text in lines if label != "Scope" or text]


def statement_text(statement: dict[str, Any] | None, *, separator: str = "\n") -> str:
    """The statement as text: one part a line (emails), or one sentence a part (timelines)."""
    if separator == "\n":
        return "\n".join(f"{label}: {text}" for label, text in statement_lines(statement))
    return separator.join(
        f"{label}: {text}".rstrip(".") + "." for label, text in statement_lines(statement)
    )
