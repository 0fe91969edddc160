from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "ombuds.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from ombuds.cases.tasks import run_scheduled_checks
        from ombuds.notify.tasks import register_periodic

        register_periodic(run_scheduled_checks)
