"""Why an action on a case is refused: a stable code, the field it concerns, words for people.

The codes are a closed list: the console shows them at the form, the party pages at theirs, and
the API maps each to its HTTP status in one place (`RefusalCode.status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RefusalCode(StrEnum):
    # Who may not: the case is not theirs to see (as if it did not exist), or not theirs to act on.
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    OWN_DECISION = "own_decision"
    # Not now: the case's state does not allow it.
    NOT_CLAIMABLE = "not_claimable"
    NOT_ASSIGNED = "not_assigned"
    NOT_TRANSFERABLE = "not_transferable"
    CASE_NOT_OPEN = "case_not_open"
    CASE_NOT_DECIDABLE = "case_not_decidable"
    RESPONDENT_ANSWER_PENDING = "respondent_answer_pending"
    NO_OPEN_QUESTION = "no_open_question"
    ANSWER_NOT_ALLOWED = "answer_not_allowed"
    ANSWER_TOO_LATE = "answer_too_late"
    NOT_APPEALABLE = "not_appealable"
    APPEAL_TOO_LATE = "appeal_too_late"
    APPEAL_DECIDED = "appeal_decided"
    SANCTION_ALREADY_LIFTED = "sanction_already_lifted"
    # What was given: a domain rule on the action's input.
    NOTE_EMPTY = "note_empty"
    QUESTION_EMPTY = "question_empty"
    ANSWER_EMPTY = "answer_empty"
    REASON_EMPTY = "reason_empty"
    TEXT_TOO_LONG = "text_too_long"
    INVALID_CHARACTERS = "invalid_characters"
    PARTY_INVALID = "party_invalid"
    DEADLINE_INVALID = "deadline_invalid"
    TRANSFER_INVALID = "transfer_invalid"
    OUTCOME_NOT_ALLOWED = "outcome_not_allowed"
    SANCTION_NOT_ALLOWED = "sanction_not_allowed"
    SANCTION_WITHOUT_UPHELD = "sanction_without_upheld"
    SANCTION_NEEDS_LISTING = "sanction_needs_listing"
    SANCTION_NEEDS_RESPONDENT = "sanction_needs_respondent"
    SANCTION_UNKNOWN = "sanction_unknown"
    LISTING_NOT_FOUND = "listing_not_found"
    LISTING_NOT_APPLICABLE = "listing_not_applicable"
    LISTING_NOT_RESPONDENTS = "listing_not_respondents"
    ENDS_AT_PAST = "ends_at_past"
    ENDS_AT_TOO_FAR = "ends_at_too_far"
    INVALID_DATE = "invalid_date"
    STATEMENT_INCOMPLETE = "statement_incomplete"
    RESULT_MISSING = "result_missing"
    EVIDENCE_NOT_FOUND = "evidence_not_found"

    @property
    def status(self) -> int:
        """The HTTP status the API answers this refusal with."""
        if self is RefusalCode.NOT_FOUND:
            return 404
        if self in (RefusalCode.FORBIDDEN, RefusalCode.OWN_DECISION):
            return 403
        if self in _STATE_CODES:
            return 409
        return 422


_STATE_CODES = frozenset(
    {
        RefusalCode.NOT_CLAIMABLE,
        RefusalCode.NOT_ASSIGNED,
        RefusalCode.NOT_TRANSFERABLE,
        RefusalCode.CASE_NOT_OPEN,
        RefusalCode.CASE_NOT_DECIDABLE,
        RefusalCode.RESPONDENT_ANSWER_PENDING,
        RefusalCode.NO_OPEN_QUESTION,
        RefusalCode.ANSWER_NOT_ALLOWED,
        RefusalCode.ANSWER_TOO_LATE,
        RefusalCode.NOT_APPEALABLE,
        RefusalCode.APPEAL_TOO_LATE,
        RefusalCode.APPEAL_DECIDED,
        RefusalCode.SANCTION_ALREADY_LIFTED,
    }
)


@dataclass(frozen=True)
class Refusal:
    """Why not: the code, words for people, and the input field it concerns (if one)."""

    code: RefusalCode
    message: str
    field: str | None = None

    @property
    def status(self) -> int:
        return self.code.status


class ActionRefused(Exception):
    """The actor may not do this, or not in the case's present state, or not with this input."""

    def __init__(self, code: RefusalCode, message: str, field: str | None = None):
        self.refusal = Refusal(RefusalCode(code), message, field)
        super().__init__(message)

    @classmethod
    def of(cls, refusal: Refusal) -> ActionRefused:
        return cls(refusal.code, refusal.message, refusal.field)

    @property
    def code(self) -> RefusalCode:
        return self.refusal.code

    @property
    def message(self) -> str:
        return self.refusal.message

    @property
    def field(self) -> str | None:
        return self.refusal.field

    @property
    def status(self) -> int:
        return self.refusal.status


def refuse_unless_allowed(refusal: Refusal | None) -> None:
    """Raise the rule book's refusal, if it gave one."""
    if refusal is not None:
        raise ActionRefused.of(refusal)
