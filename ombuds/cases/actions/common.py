"""What every action on a case starts with."""

from __future__ import annotations

from ombuds.cases.models import Case


def lock(case: Case) -> Case:
    """The case row, read again and locked for this transaction: the rule book decides on the
    case as it is now, not as the caller last saw it."""
    return Case.objects.select_for_update().select_related("department").get(pk=case.pk)
