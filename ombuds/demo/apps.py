from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ombuds.demo"
    label = "demo"
    verbose_name = "Demo data"
