"""What a package above cases adds to the cases of one kind (order disputes: `ombuds.disputes`).

A case of such a kind keeps one history, hash-chained like every case's; the extension brings
its closed list of event kinds and their data, what each does to the case's own fields (the
replay), how each reads in the timeline, what it checks before a filing and does once the case
is filed, its own rows' replay check, and its answer when a party's question expires. Cases
know nothing of disputes: they ask the registry, which the extension's app fills in `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

_EXTENSIONS: dict[str, CaseKindExtension] = {}
_BY_EVENT: dict[str, CaseKindExtension] = {}


@dataclass(frozen=True)
class CaseKindExtension:
    kind: str  # the complaint types' `kind` it extends, e.g. "dispute"
    event_kinds: type[StrEnum]
    shapes: Mapping[str, Any]  # event kind -> its data shape (an `events.EventData`)
    # (state, kind, data, actor id, moment) -> the case's state after the event
    apply: Callable[[Any, str, Any, int | None, datetime], Any]
    texts: Mapping[str, Callable[[Any], str | None]]  # event kind -> its words per viewer
    # (checked submission, filer) -> field errors refusing the filing (before anything is written)
    before_filing: Callable[[Any, Any], list[Any]] | None = None
    # (case, complaint, complaint type, actor), in the filing's transaction, after `filed`
    on_filed: Callable[[Any, Any, Any, Any], None] | None = None
    sends_own_notices: bool = False  # the filing's receipt and respondent notice are its own
    decides: bool = False  # its cases are decided by its own action, not `decide_case`
    appeals: bool = False  # and appealed through its own action
    # (case, its events) -> what is wrong with its own rows, as words, or None
    verify: Callable[[Any, list[Any]], str | None] | None = None
    # (case, the expired question, moment), in the sweep's transaction
    on_question_expired: Callable[[Any, Any, datetime], None] | None = None


def register(extension: CaseKindExtension) -> None:
    """Add an extension (once: an app's `ready()` may run again in tests)."""
    _EXTENSIONS[extension.kind] = extension
    for kind in extension.event_kinds:
        _BY_EVENT[kind.value] = extension


def for_kind(kind: str) -> CaseKindExtension | None:
    return _EXTENSIONS.get(kind)


def for_event(stored_kind: str) -> CaseKindExtension | None:
    return _BY_EVENT.get(stored_kind)
