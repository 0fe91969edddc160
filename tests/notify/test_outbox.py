"""The outbox over SMTP: a message the server refuses after its data is not lost."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from ombuds.notify.models import OutboxEmail
from ombuds.notify.outbox import deliver_outbox, queue_email
from tests.conftest import Mailbox, free_port

pytestmark = pytest.mark.django_db


class RefusesFirst(Mailbox):
    """Answers the final "." of the first message with a temporary failure."""

    def __init__(self) -> None:
        super().__init__()
        self.refusals = 1

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        return await super().handle_DATA(server, session, envelope)


def test_a_message_refused_after_its_data_is_sent_again(settings):
    mailbox = RefusesFirst()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_PORT = controller.port
        context = {
            "title": "Decided", "text": "The listing was removed.", "reference": "CASE-TEST",
            "link": "http://127.0.0.1:8000/complaints/CASE-TEST/", "type_label": "Phishing",
        }  # fmt: skip
        queue_email(to="rhea@example.com", template="case_update", context=context)
        assert deliver_outbox() == 0
        message = OutboxEmail.objects.get()
        assert message.status == "pending" and message.sent_at is None
        assert "451" in message.last_error and mailbox.messages == []
        OutboxEmail.objects.update(next_attempt_at=timezone.now())
        assert deliver_outbox() == 1
        assert len(mailbox.to("rhea@example.com")) == 1
        message.refresh_from_db()
        assert message.status == "sent" and message.attempts == 2
    finally:
        controller.stop()
