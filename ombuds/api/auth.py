from django.http import HttpRequest
from ninja.security import HttpBearer

from ombuds.accounts.tokens import Principal, authenticate_token
from ombuds.api.problems import Problem


class BearerToken(HttpBearer):
    """`Authorization: Bearer omb_...`: a user's token, or the marketplace service's."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        return authenticate_token(token)


class UserToken(BearerToken):
    """A person's token: the marketplace's service token is refused (403)."""

    refusal = "The marketplace's service token cannot do this: use the token of the person."

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        principal = super().authenticate(request, token)
        if principal is not None and principal.user is None:
            raise Problem(403, "forbidden", self.refusal)
        return principal


class AgentToken(UserToken):
    """An agent's (or operator's) token; anyone else is refused (403) before the body is read,
    so a member learns nothing from an agent endpoint, not even whether a body is valid."""

    refusal = "Only agents may do this."

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        principal = super().authenticate(request, token)
        if principal is None:
            return None
        user = principal.user
        if not (user.is_agent or user.acts_as_operator):  # type: ignore[union-attr]
            raise Problem(403, "forbidden", self.refusal)
        return principal
