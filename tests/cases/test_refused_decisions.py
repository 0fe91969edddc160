"""A refused decision changes nothing: not the case, not its history, not the sanctions, the
directory, the outbox or the webhooks — whatever the reason, through the API or the console.
(On PostgreSQL, a year-10000 sanction end used to commit the decision and then fail.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ombuds.cases.models import Case, CaseEvent, Sanction
from ombuds.directory.models import Listing, Member
from ombuds.notify.models import OutboxEmail, WebhookDelivery, WebhookEndpoint
from tests.api.test_cases_support import (
    PRODUCT_URL,
    STATEMENT,
    answered_by_respondent,
    claimed,
    file_report,
    make_scene,
    post,
)

pytestmark = pytest.mark.django_db


def _everything(case: Case) -> str:
    """The rows a decision writes, as they are."""
    rows: dict[str, Any] = {
        "case": list(Case.objects.filter(pk=case.pk).values()),
        "events": list(CaseEvent.objects.filter(case=case).values()),
        "sanctions": list(Sanction.objects.values()),
        "members": list(Member.objects.values("pk", "status")),
        "listings": list(Listing.objects.values("pk", "status")),
        "outbox": list(OutboxEmail.objects.values("pk", "to", "template")),
        "webhooks": list(WebhookDelivery.objects.values("pk", "event_type", "payload")),
    }
    for row in rows["case"]:
        row.pop("updated_at")
    return json.dumps(rows, default=str, sort_keys=True)


def _decision(**changes: Any) -> dict[str, Any]:
    body = {
        "outcome": "upheld",
        "sanctions": [{"kind": "listing_removed", "listing": PRODUCT_URL}],
        "statement": dict(STATEMENT),
    }
    statement = changes.pop("statement", {})
    body["statement"].update(statement)
    body.update(changes)
    return body


def _ending(at: str) -> dict[str, Any]:
    return _decision(sanctions=[{"kind": "account_limited", "ends_at": at}])


REFUSED = [
    # (why, the body, status, code)
    ("an end in year 10000 in UTC", _ending("9999-12-31T23:59:59-14:00"), 422, "ends_at_too_far"),
    ("an end 20 years ahead", _ending("2046-12-31T12:00:00+00:00"), 422, "ends_at_too_far"),
    ("an end in the past", _ending("2001-01-01T00:00:00+00:00"), 422, "ends_at_past"),
    ("a NUL in the facts", _decision(statement={"facts": "a\x00b"}), 422, "invalid_characters"),
    ("half a character", _decision(statement={"ground": "\ud800"}), 422, "invalid_characters"),
    ("too long facts", _decision(statement={"facts": "x" * 10_001}), 422, "text_too_long"),
    ("no ground", _decision(statement={"ground": " "}), 422, "statement_incomplete"),
    ("an outcome of another type", _decision(outcome="full_refund"), 422, "outcome_not_allowed"),
    (
        "another member's listing",
        _decision(sanctions=[{"kind": "listing_removed", "listing": "https://x.example/p"}]),
        422,
        "listing_not_found",
    ),
]


@pytest.fixture
def scene(settings):
    settings.OMBUDS_WEBHOOKS_ALLOW_PRIVATE = True
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hooks")  # queued, never sent here
    scene = file_report(make_scene())
    claimed(scene)
    answered_by_respondent(scene)
    return scene


@pytest.mark.parametrize(("why", "body", "status", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_decision_through_the_api_leaves_everything_as_it_was(
    scene, why, body, status, code
):
    case = Case.objects.get(reference=scene.case)
    before = _everything(case)
    raw = json.dumps(body)  # "\ud800" goes out as its JSON escape, as an attacker sends it
    response = post(scene.ada_api, f"/cases/{scene.case}/decision", raw=raw)
    assert response.status_code == status, response.content
    assert response.json()["type"].endswith("/" + code)
    assert _everything(case) == before
    # And everything about the case and the member still reads.
    assert scene.ada_api.get(f"/cases/{scene.case}").status_code == 200
    assert scene.bob_api.get(f"/complaints/{scene.case}").status_code == 200


@pytest.mark.parametrize(
    ("ends_at", "code"),
    [
        ("9999-12-31", "ends_at_too_far"),
        ("2026-02-30", "invalid_date"),
        ("31/12/2026", "invalid_date"),
        ("2001-01-01", "ends_at_past"),
    ],
)
def test_a_refused_decision_through_the_console_leaves_everything_as_it_was(
    scene, settings, ends_at, code
):
    settings.TIME_ZONE = "America/Los_Angeles"  # west of UTC: 9999-12-31 23:59 is year 10000 UTC
    assert timezone.get_current_timezone_name() == "America/Los_Angeles"
    case = Case.objects.get(reference=scene.case)
    before = _everything(case)
    client = Client()
    client.force_login(scene.ada)
    form = {
        "outcome": "upheld",
        "sanctions": "account_limited",
        "ends_at": ends_at,
        **STATEMENT,
    }
    response = client.post(f"/console/cases/{scene.case}/decide/", form)
    assert response.status_code == 422, response.content[:300]
    assert f'data-code="{code}"' in response.text
    assert f'value="{ends_at}"' in response.text  # what was typed comes back
    assert _everything(case) == before
    assert client.get(f"/console/cases/{scene.case}/").status_code == 200
