from django.http import HttpRequest
from ninja import Router, Schema

from ombuds.api.problems import ProblemDetails

router = Router(tags=["account"])


class Me(Schema):
    kind: str
    username: str | None
    member_id: str | None
    roles: list[str]
    departments: list[str]


@router.get("/me", response={200: Me, 401: ProblemDetails}, summary="Who the token acts for")
def me(request: HttpRequest) -> Me:
    principal = request.auth  # type: ignore[attr-defined]
    user = principal.user
    if user is None:
        return Me(kind="service", username=None, member_id=None, roles=["service"], departments=[])
    return Me(
        kind="user",
        username=user.username,
        member_id=user.member.member_id if user.member else None,
        roles=user.roles,
        departments=sorted(user.department_codes),
    )
