from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ombuds.web"
    label = "web"
    verbose_name = "Web pages"
