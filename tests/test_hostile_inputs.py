"""What a tester threw at Ombuds and got a 500 for: each now a clear 4xx, with the right code at the
right field, and nothing written (no new row anywhere but the rate-limit counters)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ombuds.cases.models import Case, PartyStatement
from tests.api.conftest import Api, api_for, assert_problem, valid_body
from tests.api.test_cases_support import claimed, file_report, make_scene
from tests.evidence import corpus

pytestmark = pytest.mark.django_db

# Rows a refused request may still write: its rate-limit counts, log-in throttling, sessions.
NOT_COUNTED = {"accounts.ratecounter", "sessions.session", "axes.accessattempt", "axes.accesslog",
               "axes.accessfailurelog"}  # fmt: skip


def rows() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_COUNTED
    }


@pytest.fixture
def scene():
    scene = file_report(make_scene())
    claimed(scene)
    return scene


def _raw(api: Api, path: str, body: bytes | str, content_type: str) -> Any:
    return api.client.post("/api/v1" + path, body, content_type=content_type, headers=api.headers())


def test_nul_bytes_and_half_characters_are_refused_at_their_field(scene):
    alice, ada = api_for(scene.alice), api_for(scene.ada)
    before = rows()
    for path in ("/complaints/CMP-%00", "/complaints/CASE-A%00B", "/cases/CASE-%00X"):
        api = ada if path.startswith("/cases") else alice
        assert_problem(api.client.get("/api/v1" + path, headers=api.headers()), 404, "not_found")
    with_nul = valid_body("listing_rules", answers={"description": "Fake\x00 price shown"})
    assert_problem(alice.file(with_nul), 422, "invalid_characters", "answers.description")
    # A lone surrogate, as a client writes it in JSON text: "\ud800".
    raw = json.dumps(valid_body("listing_rules", target="https://x.example/\ud800"))
    assert "\\ud800" in raw
    assert_problem(_raw(alice, "/complaints", raw, "application/json"), 422,
                   "invalid_characters", "target")  # fmt: skip
    note = _raw(ada, f"/cases/{scene.case}/notes", '{"text": "a\\u0000b"}', "application/json")
    assert_problem(note, 422, "invalid_characters", "text")
    assert rows() == before


def test_nul_bytes_in_pages_addresses_and_queries(scene):
    agent, member = Client(), Client()
    agent.force_login(scene.ada)
    member.force_login(scene.alice)
    before = rows()
    search = agent.get("/console/search/?q=a%00b")
    assert search.status_code == 400 and 'data-code="invalid_characters"' in search.text
    assert member.get("/my-reports/?status=a%00b").status_code == 200
    assert member.get("/my-reports/?box=received&status=%00").status_code == 200
    assert member.get("/complaints/CMP-%00/").status_code == 404
    assert agent.get("/console/cases/CASE-%00/").status_code == 404
    assert rows() == before


def test_malformed_requests_get_problem_details(scene, settings):
    alice, ada = api_for(scene.alice), api_for(scene.ada)
    before = rows()
    for path in ("/evidence?type=listing_rules", "/complaints"):
        response = _raw(alice, path, b"--x\r\nnothing", "multipart/form-data")
        assert_problem(response, 400, "invalid_multipart")
    deep = "[" * 100_000
    assert_problem(_raw(alice, "/complaints", deep, "application/json"), 400, "invalid_json")
    deep_note = _raw(ada, f"/cases/{scene.case}/notes", deep, "application/json")
    assert deep_note.status_code == 400
    assert deep_note["Content-Type"] == "application/problem+json"
    huge = alice.client.get(
        "/api/v1/me/complaints", {"offset": str(2**63)}, headers=alice.headers()
    )
    assert_problem(huge, 422, "less_than_equal", "offset")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    too_big = json.dumps(valid_body("listing_rules", answers={"description": "x" * 100_000}))
    assert_problem(_raw(alice, "/complaints", too_big, "application/json"), 413, "body_too_large")
    assert rows() == before


def test_a_huge_target_is_refused_without_being_echoed(scene):
    alice = api_for(scene.alice)
    before = rows()
    name = "Bob Supplies " * 5_000  # 65,000 characters of store name
    response = alice.file(valid_body("illegal_promotion", target=name))
    body = assert_problem(response, 422, "too_long", "target")
    assert len(response.content) < 5_000 and "at most 2,000 characters" in body["detail"]
    member = Client()
    member.force_login(scene.alice)
    form = member.post("/report/illegal_promotion/", {"target": name, "agreement": "on"})
    assert form.status_code == 400 and 'data-code="too_long"' in form.text
    assert rows() == before


def test_every_text_limit_holds_whichever_shell_is_used(scene):
    """The pages used to accept a 5 MB answer the API capped at 5,000 characters."""
    bob, bob_api = Client(), api_for(scene.bob)
    bob.force_login(scene.bob)
    before = rows()
    long_answer = "We did nothing wrong. " * 300  # 6,600 characters
    page = bob.post(f"/complaints/{scene.case}/answer/", {"text": long_answer})
    assert page.status_code == 422 and 'data-code="text_too_long"' in page.text
    api = _raw(
        bob_api, f"/complaints/{scene.case}/answers",
        json.dumps({"text": long_answer}), "application/json",
    )  # fmt: skip
    assert_problem(api, 422, "text_too_long", "text")
    assert rows() == before and not PartyStatement.objects.exists()


def test_a_file_of_a_refused_format_and_too_large_is_told_its_format_first(scene):
    """Making it smaller would not help: the format is what to change."""
    alice = api_for(scene.alice)
    big_png = corpus.png() + b"\0" * (6 * 1024 * 1024)  # .png is not accepted for offline trade
    upload = alice.client.post(
        "/api/v1/evidence?type=offline_trade_dispute",
        {"file": SimpleUploadedFile("photo.png", big_png)},
        headers=alice.headers(),
    )
    body = assert_problem(upload, 422, "evidence_format", "file")
    assert "not accepted here" in body["detail"] and "too large" not in body["detail"]
    big_exe = b"MZ" + b"\0" * (6 * 1024 * 1024)
    program = alice.client.post(
        "/api/v1/evidence?type=listing_rules",
        {"file": SimpleUploadedFile("tool.pdf", big_exe)},
        headers=alice.headers(),
    )
    assert "program" in assert_problem(program, 422, "evidence_format", "file")["detail"]
    assert Case.objects.count() == 1
