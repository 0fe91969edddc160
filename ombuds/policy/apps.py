from django.apps import AppConfig
from django.core import checks


class PolicyConfig(AppConfig):
    name = "ombuds.policy"
    label = "policy"
    verbose_name = "Policy"

    def ready(self) -> None:
        checks.register(check_policy_file, "ombuds")


def check_policy_file(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Django runs this before serving and migrating: an invalid policy stops the server."""
    from ombuds.policy.loader import PolicyError, get_loaded_policy

    try:
        get_loaded_policy()
    except PolicyError as exc:
        return [
            checks.Error(str(problem), obj=exc.source, id="ombuds.E001") for problem in exc.problems
        ]
    return []
