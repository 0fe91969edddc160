"""Characters no text may hold: NUL, lone surrogates and other control characters (tabs and line
breaks excepted). PostgreSQL cannot store them and no person types them: a field holding one is
refused, naming the character and where it is."""

from __future__ import annotations

import re

INVALID_CHARACTERS = "invalid_characters"
_UNUSABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def unusable_character(text: str) -> str | None:
    """What is wrong with the text, in words, or None when every character can be stored."""
    found = _UNUSABLE.search(text)
    if found is None:
        return None
    character, position = found.group(), found.start() + 1
    if character == "\x00":
        what = "a NUL character (U+0000)"
    elif "\ud800" <= character <= "\udfff":
        what = f"a lone surrogate (U+{ord(character):04X}), half of a character"
    else:
        what = f"a control character (U+{ord(character):04X})"
    return f"remove {what} at position {position}: it cannot be stored"


def first_unusable(value: object, path: str = "") -> tuple[str, str] | None:
    """(path, problem) of the first string in a JSON-like value (dict keys included) holding an
    unusable character; paths read like `answers.description` or `evidence.0`."""
    if isinstance(value, str):
        problem = unusable_character(value)
        return (path or "body", problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = first_unusable(str(key), where) or first_unusable(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_unusable(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None
