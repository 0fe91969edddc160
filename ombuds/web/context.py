from typing import Any

from django.http import HttpRequest

from ombuds.notify.inbox import unread_count
from ombuds.policy.loader import get_policy


def site(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"marketplace": get_policy().marketplace}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_notifications"] = unread_count(user)
    return context
