"""Strict headers: the Content-Security-Policy of every page, Permissions-Policy everywhere,
no caching of case data, the API docs from our own files, and X-Forwarded-Proto trusted only
when a setting says a proxy sets it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from ombuds.accounts.tokens import create_token
from ombuds.cases.models import Complaint
from ombuds.web.headers import PERMISSIONS_POLICY
from tests.cases.filings import FILINGS_BY_KEY, People, filed

pytestmark = pytest.mark.django_db


def client_of(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict_policy(response) -> None:
    """Our policy, with a nonce that the page's own scripts and stylesheets carry."""
    path = response.request["PATH_INFO"]
    policy = directives(response)
    assert policy["default-src"] == ["'self'"], path
    assert policy["object-src"] == ["'none'"], path
    assert policy["base-uri"] == ["'self'"], path
    assert policy["form-action"] == ["'self'"], path
    assert policy["frame-ancestors"] == ["'none'"], path
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, path
    assert "http:" not in header and "https:" not in header and "*" not in header, path
    nonces = {v for v in policy["script-src"] if v.startswith("'nonce-")}
    assert len(nonces) == 1, f"no nonce in script-src on {path}: {header}"
    assert policy["script-src"][0] == "'self'", path
    nonce = nonces.pop()[len("'nonce-") : -1]
    assert f'nonce="{nonce}"' in response.text, f"the page {path} does not use its nonce"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def assert_nothing_inline(response) -> None:
    """Nothing the policy would block: no style attribute or element, no inline script, no
    on...= handler (scripts are files; JSON data blocks are not scripts)."""
    path, html = response.request["PATH_INFO"], response.text
    assert not INLINE_STYLE.search(html), (path, INLINE_STYLE.search(html).group(0))
    assert not INLINE_SCRIPT.search(html), (path, INLINE_SCRIPT.search(html).group(0))
    assert not INLINE_HANDLER.search(html), (path, INLINE_HANDLER.search(html).group(0))
    assert "javascript:" not in html.lower(), path


@pytest.fixture
def dispute(people: People) -> Complaint:
    """Alice's dispute against Bob, with a PDF and a photo, in the disputes queue."""
    return filed(Client(), people, FILINGS_BY_KEY["offline_buyer"])


def pages(people: People, complaint: Complaint) -> list[tuple[str, Client, str]]:
    """(name, client, path) of a page of every kind."""
    agent = people.agents[complaint.case.department.code]
    alice, agent_client = client_of(people.alice), client_of(agent)
    return [
        ("home", Client(), "/"),
        ("home signed in", alice, "/"),
        ("complaint types", Client(), "/types/"),
        ("triage", Client(), "/report/"),
        ("filing form", alice, "/report/offline_trade_dispute/"),
        ("visitor filing form", Client(), "/report/prohibited_goods/"),
        ("complaint page", alice, f"/complaints/{complaint.reference}/"),
        ("my reports", alice, "/my-reports/"),
        ("notifications", alice, "/notifications/"),
        ("account", alice, "/accounts/"),
        ("login", Client(), "/accounts/login/"),
        ("signup", Client(), "/accounts/signup/"),
        ("console", agent_client, "/console/"),
        ("console queue", agent_client, f"/console/queue/{complaint.case.department.code}/"),
        ("console search", agent_client, "/console/search/?q=charger"),
        ("console case", agent_client, f"/console/cases/{complaint.case.reference}/"),
        ("admin login", Client(), "/admin/login/"),
        ("api docs", alice, "/api/v1/docs"),
    ]


def test_every_page_has_the_strict_policy_and_nothing_inline(people, dispute):
    for name, client, path in pages(people, dispute):
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
        assert_strict_policy(response)
        assert_nothing_inline(response)


def test_the_admin_pages_of_an_operator_have_the_policy(people, django_user_model):
    operator = django_user_model.objects.create_superuser("root", "root@example.com", "pw-12345")
    client = client_of(operator)
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{people.bob.pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict_policy(response)
        policy = directives(response)
        assert policy["style-src"][0] == "'self'" and policy["img-src"] == ["'self'"], path


def test_a_refused_filing_form_keeps_the_policy(people):
    response = client_of(people.alice).post(
        "/report/offline_trade_dispute/", {"description": "It never came."}
    )
    assert response.status_code in (200, 400, 422)
    assert "error-summary" in response.text
    assert_strict_policy(response)
    assert_nothing_inline(response)


def test_the_pdf_preview_is_a_frame_of_our_own_evidence_url(people, dispute):
    agent = people.agents[dispute.case.department.code]
    response = client_of(agent).get(f"/console/cases/{dispute.case.reference}/")
    html = response.text
    assert "<object" not in html and "<embed" not in html  # object-src 'none' would block them
    frames = re.findall(r'<iframe src="([^"]+)" class="pdf-preview"', html)
    pdf = dispute.evidence.get(format="pdf")
    assert frames == [f"/evidence/{pdf.public_id}/"]
    assert directives(response)["frame-src"] == ["'self'"]
    # The framed download: its own stricter policy, framable by our pages only.
    download = client_of(agent).get(frames[0])
    assert download.status_code == 200
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["X-Frame-Options"] == "SAMEORIGIN"
    assert download["Content-Type"] == "application/pdf"


def test_permissions_policy_on_every_response(people, dispute):
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in PERMISSIONS_POLICY
    responses = [client.get(path) for _, client, path in pages(people, dispute)]
    alice = client_of(people.alice)
    evidence = dispute.evidence.first()
    responses += [
        alice.get(f"/evidence/{evidence.public_id}/"),
        Client().get("/api/v1/openapi.json"),
        Client().get("/api/v1/me"),  # 401 problem details
        Client().get("/no-such-page/"),  # 404
        Client().get("/my-reports/"),  # a redirect to log in
        Client().post("/notifications/read/"),  # refused by CSRF
    ]
    for response in responses:
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY, response.request
        assert response["Referrer-Policy"] == "same-origin", response.request
        assert "Content-Security-Policy" in response, response.request


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_case_data_is_never_cached(people, dispute):
    agent = client_of(people.agents[dispute.case.department.code])
    alice = client_of(people.alice)
    evidence = dispute.evidence.first()
    case_pages = [
        (alice, f"/complaints/{dispute.reference}/"),
        (alice, "/my-reports/"),
        (alice, "/my-reports/?box=received"),
        (alice, "/notifications/"),
        (alice, f"/evidence/{evidence.public_id}/"),
        (alice, "/report/offline_trade_dispute/"),
        (agent, "/console/"),
        (agent, f"/console/queue/{dispute.case.department.code}/"),
        (agent, "/console/search/?q=charger"),
        (agent, f"/console/cases/{dispute.case.reference}/"),
    ]
    for client, path in case_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert {"private", "no-store"} <= cache_control(response), (
            path,
            response.get("Cache-Control"),
        )
    # Actions that answer with case data or redirect to it.
    claimed = agent.post(f"/console/cases/{dispute.case.reference}/claim/")
    assert claimed.status_code == 302
    assert {"private", "no-store"} <= cache_control(claimed)
    # The API's answers about cases too.
    _, token = create_token(name="tests", user=people.alice)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(
        f"/api/v1/complaints/{dispute.reference}"
    )
    assert api.status_code == 200, api.content[:300]
    assert {"private", "no-store"} <= cache_control(api)


def test_public_pages_need_no_store(people):
    # Not required there: the home page and the catalog say nothing about anyone's cases.
    for path in ("/", "/types/", "/report/"):
        response = Client().get(path)
        assert response.status_code == 200
        assert "no-store" not in cache_control(response), path


def test_the_docs_page_loads_only_our_own_files(people, settings):
    settings.DEBUG = True  # the page for everyone, as in the demo
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.text
    assert "swagger-ui" in html
    assert not re.search(r"https?://", html), re.search(r"https?://\S*", html).group(0)
    assert "cdn" not in html.lower()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    for url in urls:
        assert url.startswith("/static/"), url
        assert finders.find(url.split("/static/", 1)[1]), f"{url} is not among our static files"
    for needed in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js"):
        assert any(url.endswith(needed) for url in urls), needed
    assert '"url": "/api/v1/openapi.json"' in html
    assert_strict_policy(response)
    assert_nothing_inline(response)


def test_the_docs_page_is_for_signed_in_users_when_debug_is_off(people, settings):
    settings.DEBUG = False
    anonymous = Client().get("/api/v1/docs")
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/api/v1/docs"
    assert client_of(people.alice).get("/api/v1/docs").status_code == 200
    # The OpenAPI description stays public.
    described = Client().get("/api/v1/openapi.json")
    assert described.status_code == 200 and described.json()["info"]["title"] == "Ombuds API"
    settings.DEBUG = True
    assert Client().get("/api/v1/docs").status_code == 200


def settings_in_a_new_process(tmp_path, **env: str) -> str:
    environment = {**os.environ, "OMBUDS_DATA_DIR": str(tmp_path), **env}
    environment.pop("OMBUDS_TRUST_X_FORWARDED_PROTO", None)
    environment.update(env)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import ombuds.settings as s; print(repr(getattr(s, 'SECURE_PROXY_SSL_HEADER', None)))",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "None"),
        ("false", "None"),
        ("true", "('HTTP_X_FORWARDED_PROTO', 'https')"),
    ],
)
def test_x_forwarded_proto_is_trusted_only_when_a_setting_says_so(tmp_path, value, expected):
    env = {} if value is None else {"OMBUDS_TRUST_X_FORWARDED_PROTO": value}
    assert settings_in_a_new_process(tmp_path, **env) == expected
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        **env,
    }
    assert settings_in_a_new_process(tmp_path, **production) == expected
