"""The public catalog of complaint types, and the OpenAPI description of the API."""

from __future__ import annotations

import pytest
from django.test import Client

from ombuds.policy.loader import get_policy
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_catalog_lists_every_type_with_its_fields_and_rules(client: Client):
    response = client.get("/api/v1/complaint-types")  # no token: the catalog is public
    assert response.status_code == 200
    body = response.json()
    policy = get_policy()
    assert body["policy"] == policy.name and body["languages"] == ["en"]
    assert [t["key"] for t in body["types"]] == list(policy.types)
    types = {t["key"]: t for t in body["types"]}

    offline = types["offline_trade_dispute"]
    assert offline["kind"] == "complaint" and offline["department"] == "disputes"
    assert offline["department_name"] == "Disputes"
    assert offline["filers"] == {"who": "members", "member_kinds": ["buyer", "supplier"]}
    assert offline["target"]["identify_by"] == ["email", "member_id", "product_url"]
    assert offline["target"]["listings"] == "none" and offline["target"]["max_listings"] == 1
    assert "minisite" in offline["target"]["help"]
    scam = next(f for f in offline["fields"] if f["name"] == "scam_type")
    assert scam["kind"] == "choice" and scam["required"] is True
    assert [c["value"] for c in scam["choices"]][:2] == [
        "products_not_received",
        "payment_not_received",
    ]
    assert all(c["label"] and c["help"] for c in scam["choices"])
    description = next(f for f in offline["fields"] if f["name"] == "description")
    assert description["min_length"] == 50 and description["max_length"] == 5000
    assert description["language_checked"] is True
    assert offline["evidence"]["max_archive_bytes"] == 2 * 1024 * 1024
    assert "zip" in offline["evidence"]["allowed_formats"]
    assert offline["evidence"]["one_file_per_format"] is True
    assert offline["evidence"]["visible_to_respondent"] == "all"
    assert offline["time_limit"] == {"amount": 2, "unit": "days", "calendar": "calendar"}
    assert offline["reporter_anonymous"] is False and offline["requires_agreement"] is False

    ip = types["ip_rights_holder"]
    assert ip["filers"]["who"] == "verified_rights_holders"
    assert ip["target"]["listings"] == "many" and ip["target"]["max_listings"] == 300
    assert ip["evidence"]["required"] is True
    phishing = types["phishing"]
    assert phishing["urgent"] is True and phishing["reporter_anonymous"] is True
    assert phishing["requires_agreement"] is True
    assert phishing["evidence"]["visible_to_respondent"] == "none"


def test_catalog_is_read_only(client: Client):
    assert client.post("/api/v1/complaint-types").status_code == 405


def test_openapi_lists_the_paths_and_documents_problems(client: Client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    paths = spec["paths"]
    for path in (
        "/api/v1/complaint-types",
        "/api/v1/evidence",
        "/api/v1/complaints",
        "/api/v1/complaints/{reference}",
        "/api/v1/me/complaints",
    ):
        assert path in paths, path
    create = paths["/api/v1/complaints"]["post"]
    assert set(create["responses"]) >= {"201", "401", "403", "409", "422", "429"}
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    problem = create["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"]
    assert problem.endswith("/FilingProblem")
    assert "errors" in spec["components"]["schemas"]["FilingProblem"]["properties"]
    detail = paths["/api/v1/complaints/{reference}"]["get"]
    assert set(detail["responses"]) >= {"200", "401", "404"}
    assert paths["/api/v1/complaint-types"]["get"].get("security") in (None, [])


def test_docs_page_answers_signed_in_people(client: Client):
    """In production the docs are for signed-in people (the OpenAPI document stays public)."""
    assert client.get("/api/v1/docs").status_code == 302
    assert client.get("/api/v1/openapi.json").status_code == 200
    client.force_login(make_user("reader"))
    assert client.get("/api/v1/docs").status_code == 200
