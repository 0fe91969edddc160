"""The cases' periodic work, registered with the worker (`ombuds.notify.tasks`)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from ombuds.cases.actions.sweeps import run_schedule
from ombuds.evidence.uploads import delete_unattached_uploads

# Files uploaded for a filing that never came are kept this long, then deleted.
UNATTACHED_UPLOADS_KEPT = timedelta(days=1)


@task()
def run_scheduled_checks() -> dict[str, int]:
    """Deadlines, cases ruled for the complainant, sanctions that end."""
    return run_schedule()


@task()
def delete_abandoned_uploads() -> int:
    """Uploads never attached to a filing, more than a day old: their files and rows."""
    return delete_unattached_uploads(older_than=UNATTACHED_UPLOADS_KEPT)
