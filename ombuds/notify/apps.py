from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "ombuds.notify"
    label = "notify"
    verbose_name = "Notifications"
