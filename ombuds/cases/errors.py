"""Refusals of an action on a case: a stable code and words for people."""

from __future__ import annotations


class ActionRefused(Exception):
    """The actor may not do this, or not in the case's present state."""

    def __init__(self, code: str, message: str, status: int = 409):
        self.code, self.message, self.status = code, message, status
        super().__init__(message)


def forbidden(message: str) -> ActionRefused:
    return ActionRefused("forbidden", message, status=403)
