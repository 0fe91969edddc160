from django.http import HttpRequest
from ninja.security import HttpBearer

from ombuds.accounts.tokens import Principal, authenticate_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer omb_...`: a user's token, or the marketplace service's."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        return authenticate_token(token)
