"""The API keeps the promises of its OpenAPI: schemathesis generates requests from the document
(valid and invalid, with a fixed seed and a bounded number of examples) against the running
product, as a member, an agent and the marketplace's service: no server error, and every answer's
status, content type and body as the document declares them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ombuds.accounts.tokens import create_token
from tests.api.test_cases_support import claimed, file_report, make_scene

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)


@pytest.mark.django_db(transaction=True)
def test_generated_requests_get_the_answers_the_openapi_declares(live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    scene = file_report(make_scene())  # something to find: a case, its complaint, a queue
    claimed(scene)
    tokens = {
        "member": create_token(name="fuzz", user=scene.alice)[1],
        "agent": create_token(name="fuzz", user=scene.ben)[1],
        "service": create_token(name="fuzz")[1],
    }
    failures = []
    for who, token in tokens.items():
        run = subprocess.run(
            [
                str(SCHEMATHESIS), "run", f"{live_server.url}/api/v1/openapi.json",
                "--header", f"Authorization: Bearer {token}",
                "--seed", "42", "--max-examples", "6", "--workers", "1",
                "--checks", CHECKS, "--request-timeout", "20", "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )  # fmt: skip
        if run.returncode != 0:
            failures.append(f"as the {who}:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}")
    assert not failures, "\n\n".join(failures)
