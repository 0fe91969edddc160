"""API bearer tokens: created on the command line, stored hashed, accepted by the API."""

import hashlib
import io

import pytest
from django.core.management import call_command

from ombuds.accounts.models import ApiToken
from ombuds.accounts.tokens import create_token, revoke_token
from tests.factories import make_market, make_user

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_token_stored_only_as_its_hash(client):
    market = make_market()
    make_user("seller", member=market.supplier)
    out = io.StringIO()
    call_command("token", "create", "--user", "seller", stdout=out)
    token = out.getvalue().strip()
    record = ApiToken.objects.get()
    assert token.startswith("omb_") and record.kind == "user"
    assert token not in str(ApiToken.objects.values_list())
    assert record.digest == hashlib.sha256(token.encode()).hexdigest()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json() == {
        "kind": "user",
        "username": "seller",
        "member_id": "supbob",
        "roles": ["member"],
        "departments": [],
    }


def test_service_token(client):
    _, token = create_token(name="marketplace backend")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["kind"] == "service"


def test_missing_wrong_and_revoked_tokens_get_problem_details(client):
    user = make_user("erin")
    record, token = create_token(name="t", user=user)
    for header in ({}, {"Authorization": "Bearer omb_nope_nope"}, {"Authorization": token}):
        response = client.get("/api/v1/me", headers=header)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"] == "Bearer"
        body = response.json()
        assert body["status"] == 401 and body["type"].endswith("not_authenticated")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    )
    assert revoke_token(record.prefix)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_of_a_deactivated_user_is_refused(client):
    user = make_user("frank")
    _, token = create_token(name="t", user=user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_unknown_user_is_an_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("token", "create", "--user", "ghost")
