from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "ombuds.intake"
    label = "intake"
    verbose_name = "Intake"
