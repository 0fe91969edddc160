import logging
import os
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
logging.getLogger("mail.log").setLevel(logging.WARNING)

CHROMIUM = Path("/usr/lib/chromium/chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """Messages received by a real SMTP server on localhost."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)  # type: ignore[attr-defined]
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    @staticmethod
    def body(message: Message) -> str:
        if message.is_multipart():
            part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
            return part.get_payload(decode=True).decode()
        return message.get_payload(decode=True).decode()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, Mailbox]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture(autouse=True)
def _email_over_smtp(settings, smtp_server) -> None:
    """Every test sends its email over SMTP to the local server, never to a fake outbox."""
    controller, mailbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    # Tests create many users: a fast hasher keeps them quick (production keeps PBKDF2).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    mailbox.messages.clear()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    return smtp_server[1]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def _uses_database(request: pytest.FixtureRequest) -> bool:
    return bool(request.node.get_closest_marker("django_db")) or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _every_case_is_the_replay_of_its_history(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test's workflow, each case's hash chain holds and its row equals the replay
    of its events (`ombuds history verify`), unless the test edits case rows behind the
    actions' back to set its scene (`@pytest.mark.edits_case_rows`)."""
    checked = _uses_database(request) and "edits_case_rows" not in request.keywords
    if checked:
        request.getfixturevalue("_django_db_helper")  # set up first, so torn down after us
    yield
    if checked:
        from ombuds.cases.history import verify_all

        broken = [str(problem) for problem in verify_all()]
        assert not broken, f"cases that are not the replay of their history: {broken}"


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    """The marketplace's members, a rights holder, an agent per department, and a second
    agent of listing compliance."""
    from ombuds.accounts.models import Department, User
    from tests.cases.filings import make_people

    people = make_people()
    second = User.objects.create_user("agent-lc-two", "lc2@example.com", "s3cret-pass!")
    second.departments.add(Department.objects.get(code="listing_compliance"))
    people.agents["listing_compliance_2"] = second
    return people
