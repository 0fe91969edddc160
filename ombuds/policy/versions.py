"""The stored versions of the policy."""

from ombuds.policy.loader import get_loaded_policy
from ombuds.policy.models import PolicyVersion

_known: dict[str, PolicyVersion] = {}


def current_policy_version() -> PolicyVersion:
    """The stored record of the policy in force, created the first time it is seen."""
    loaded = get_loaded_policy()
    version = _known.get(loaded.digest)
    if version is None or not PolicyVersion.objects.filter(pk=version.pk).exists():
        version, _ = PolicyVersion.objects.get_or_create(
            digest=loaded.digest,
            defaults={"name": loaded.policy.name, "source": loaded.source, "text": loaded.text},
        )
        _known[loaded.digest] = version
    return version
