from datetime import timedelta

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "ombuds.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from ombuds.cases.tasks import delete_abandoned_uploads, run_scheduled_checks
        from ombuds.notify.tasks import register_periodic

        register_periodic(run_scheduled_checks, every=timedelta(minutes=1))
        register_periodic(delete_abandoned_uploads, every=timedelta(hours=1))
