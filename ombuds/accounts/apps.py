import contextlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "ombuds.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        post_migrate.connect(_sync_departments_after_migrate, sender=self)


def _sync_departments_after_migrate(**kwargs: object) -> None:
    from ombuds.accounts.departments import sync_departments
    from ombuds.policy.loader import PolicyError

    # With an invalid policy the system check has already reported its problems.
    with contextlib.suppress(PolicyError):
        sync_departments(using=str(kwargs.get("using", "default")))
