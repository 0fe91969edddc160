"""Signed webhooks: a local receiver verifies the signature; failures are retried, then logged."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from ombuds.cases.actions.filing import file_complaint
from ombuds.intake.checks import Filer, Submission
from ombuds.notify.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, claim_due
from ombuds.notify.webhooks import RETRY_SCHEDULE, deliver_webhooks, queue_webhook, resend
from tests.factories import make_market, make_user

pytestmark = pytest.mark.django_db


class Receiver:
    """A marketplace endpoint on localhost that records what it gets and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/ombuds"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def endpoint(receiver, settings):
    settings.OMBUDS_WEBHOOKS_ALLOW_PRIVATE = True
    return WebhookEndpoint.objects.create(url=receiver.url)


def test_complaint_created_is_signed_and_verifiable(receiver, endpoint):
    market = make_market()
    reporter = make_user("rita")
    submission = Submission(
        type_key="prohibited_goods",
        target=market.listing.product_url,
        answers={
            "category": "firearms",
            "description": "This listing sells a replica gun that fires real bullets.",
        },
        agreement=True,
    )
    filed = file_complaint(submission=submission, filer=Filer.for_user(reporter))
    assert deliver_webhooks() == 1
    (headers, body) = receiver.requests[0]
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload["type"] == "complaint.created"
    assert payload["data"]["complaint"] == filed.complaint.reference
    assert payload["data"]["respondent"] == "supbob"
    assert payload["data"]["listings"] == [market.listing.product_url]
    for secret in ("rita", reporter.email):
        assert secret not in body.decode()
    assert "complainant" not in payload["data"]
    tampered = body.replace(b"firearms", b"nothing") + b" "
    with pytest.raises(Exception, match=r"(?i)signature"):
        Webhook(endpoint.secret).verify(tampered, headers)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.log.count() == 1


def test_failures_are_retried_with_backoff_then_given_up(receiver, endpoint):
    receiver.status = 503
    queue_webhook("case.decided", {"case": "CASE-TEST"})
    assert deliver_webhooks() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code == 503
    waits = []
    for _ in RETRY_SCHEDULE:
        waits.append((delivery.next_attempt_at - timezone.now()).total_seconds())
        assert deliver_webhooks() == 0, "not due yet"
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        deliver_webhooks()
        delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == len(RETRY_SCHEDULE) + 1
    assert sum(RETRY_SCHEDULE) >= timedelta(hours=24).total_seconds()
    assert waits[0] == pytest.approx(5, abs=2) and waits[-1] == pytest.approx(36000, abs=5)
    assert delivery.log.count() == len(RETRY_SCHEDULE) + 1
    message_ids = {json.loads(b)["data"]["case"] for _, b in receiver.requests}
    assert message_ids == {"CASE-TEST"}
    assert len({h["webhook-id"] for h, _ in receiver.requests}) == 1

    receiver.status = 200
    resend(delivery)
    assert deliver_webhooks() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_private_addresses_are_refused_unless_allowed(receiver, settings):
    settings.OMBUDS_WEBHOOKS_ALLOW_PRIVATE = False
    WebhookEndpoint.objects.create(url=receiver.url)
    queue_webhook("sanction.applied", {"sanction": 1})
    assert deliver_webhooks() == 0
    delivery = WebhookDelivery.objects.get()
    assert "non-public address" in delivery.last_error
    assert receiver.requests == []


def test_endpoints_receive_only_their_events(receiver, endpoint):
    endpoint.events = ["sanction.lifted"]
    endpoint.save()
    queue_webhook("case.decided", {"case": "x"})
    queue_webhook("sanction.lifted", {"sanction": 1})
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == ["sanction.lifted"]
    with pytest.raises(ValueError, match="unknown webhook event"):
        queue_webhook("case.exploded", {})


def test_a_delivery_left_sending_by_a_dead_worker_goes_out_after_its_lease(receiver, endpoint):
    queue_webhook("case.decided", {"case": "CASE-DEAD"})
    queue_webhook("case.decided", {"case": "CASE-BUSY"})
    dead, busy = WebhookDelivery.objects.order_by("created_at")
    lease = timedelta(seconds=120)  # OMBUDS_OUTBOX_LEASE_SECONDS
    # One worker died holding `dead`; another is posting `busy` right now.
    WebhookDelivery.objects.filter(pk=dead.pk).update(
        status="sending", claimed_at=timezone.now() - lease - timedelta(seconds=1)
    )
    WebhookDelivery.objects.filter(pk=busy.pk).update(status="sending", claimed_at=timezone.now())
    assert deliver_webhooks() == 1
    assert [json.loads(b)["data"]["case"] for _, b in receiver.requests] == ["CASE-DEAD"]
    dead.refresh_from_db()
    busy.refresh_from_db()
    assert dead.status == "delivered" and busy.status == "sending"


def test_a_worker_whose_lease_was_taken_over_does_not_post_again(receiver, endpoint):
    """A batch so slow that its lease ran out: another worker took the delivery back; the
    first one, reaching it at last, leaves it to them."""
    from ombuds.notify import webhooks

    queue_webhook("case.decided", {"case": "CASE-SLOW"})
    (delivery,) = claim_due(WebhookDelivery, limit=10, order_by="created_at", related=("endpoint",))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now())  # retaken
    with requests.Session() as session:
        assert webhooks._attempt(session, delivery) == 0
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_the_attempt_is_in_the_delivery_log_before_the_post_completes(settings):
    """The receiver, while it is being called, looks in the database (its own connection)."""
    from tests.notify.workers import SlowReceiver, in_own_connection

    seen = []

    def look(webhook_id: str) -> None:
        seen.append(
            in_own_connection(
                lambda: list(
                    WebhookAttempt.objects.filter(delivery__message_id=webhook_id).values_list(
                        "finished_at", "status_code"
                    )
                )
            )
        )

    settings.OMBUDS_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = SlowReceiver(on_request=look)
    try:
        WebhookEndpoint.objects.create(url=receiver.url)
        queue_webhook("case.decided", {"case": "CASE-LOGGED"})
        assert deliver_webhooks() == 1
    finally:
        receiver.close()
    assert seen == [[(None, None)]], "begun and committed, not yet finished"
    attempt = WebhookAttempt.objects.get()
    assert attempt.finished_at is not None and attempt.status_code == 200
    assert WebhookDelivery.objects.get().attempts == 1


def test_a_post_lost_to_a_crash_shows_in_the_delivery_log(receiver, endpoint, monkeypatch):
    class Killed(BaseException):
        """kill -9 while the request is on its way"""

    def die(*args: object, **kwargs: object) -> None:
        raise Killed

    queue_webhook("case.decided", {"case": "CASE-LOST"})
    monkeypatch.setattr(requests.Session, "post", die)
    with pytest.raises(Killed):
        deliver_webhooks()
    delivery = WebhookDelivery.objects.get()
    (lost,) = delivery.log.all()
    assert (lost.finished_at, lost.status_code, lost.error) == (None, None, "")
    assert delivery.status == "sending" and delivery.attempts == 1

    monkeypatch.undo()  # the lease runs out; another worker posts it
    WebhookDelivery.objects.update(claimed_at=timezone.now() - timedelta(seconds=121))
    assert deliver_webhooks() == 1
    assert [a.status_code for a in delivery.log.all()] == [None, 200]
    assert [a.finished_at is None for a in delivery.log.all()] == [True, False]
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2
