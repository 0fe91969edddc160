from typing import Any

from django.http import HttpRequest

from ombuds.policy.loader import get_policy


def site(request: HttpRequest) -> dict[str, Any]:
    return {"marketplace": get_policy().marketplace}
