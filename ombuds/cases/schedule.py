"""What the worker runs every minute: deadlines, unanswered cases, and sanctions that end."""

from __future__ import annotations

from datetime import datetime

from ombuds.cases.decisions import expire_sanctions, rule_for_unanswered_cases
from ombuds.cases.handling import sweep_deadlines


def run_schedule(now: datetime | None = None) -> dict[str, int]:
    counts = sweep_deadlines(now)
    counts["ruled_for_complainant"] = rule_for_unanswered_cases(now)
    counts["sanctions_ended"] = expire_sanctions(now)
    return counts
