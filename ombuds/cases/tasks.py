"""The cases' periodic work, registered with the worker (`ombuds.notify.tasks`)."""

from __future__ import annotations

from django_tasks import task

from ombuds.cases.actions.sweeps import run_schedule


@task()
def run_scheduled_checks() -> dict[str, int]:
    """Deadlines, cases ruled for the complainant, sanctions that end."""
    return run_schedule()
