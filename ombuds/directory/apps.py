from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "ombuds.directory"
    label = "directory"
    verbose_name = "Marketplace directory"
