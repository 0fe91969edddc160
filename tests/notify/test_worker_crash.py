"""Kill the worker in the middle of a batch and start it again: every email arrives once."""

import os
import signal
import subprocess
import sys
import threading
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from ombuds.notify.models import OutboxEmail
from ombuds.notify.outbox import queue_email
from tests.conftest import free_port

COUNT = 120


class CountingServer:
    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        time.sleep(0.004)  # a real server takes a moment: the kill lands mid-batch
        message = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        with self.lock:
            self.message_ids.append(message["Message-ID"])
        return "250 OK"


def worker_env(smtp_port: int) -> dict[str, str]:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "OMBUDS_OUTBOX_LEASE_SECONDS": "2",
        "OMBUDS_POLICY_FILE": str(settings.OMBUDS_POLICY_FILE),
    }
    return env


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ombuds.cli", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.django_db(transaction=True)
def test_killed_worker_loses_nothing_and_sends_nothing_twice():
    for index in range(COUNT):
        queue_email(
            to=f"member{index}@example.com",
            template="case_update",
            context={
                "title": f"Update {index}",
                "text": "News",
                "link": "http://x/",
                "reference": f"R{index}",
                "type_label": "Report",
            },
        )
    counter = CountingServer()
    controller = Controller(counter, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = worker_env(controller.port)
    worker = start_worker(env)
    try:
        deadline = time.monotonic() + 60
        while len(counter.message_ids) < COUNT // 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        received_at_kill = len(counter.message_ids)
        assert 0 < received_at_kill < COUNT, "the kill must land in the middle of the work"
        assert (
            OutboxEmail.objects.filter(status="sending").exists()
            or OutboxEmail.objects.filter(status="pending").exists()
        )

        worker = start_worker(env)
        deadline = time.monotonic() + 90
        while OutboxEmail.objects.exclude(status="sent").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
        controller.stop()
    assert OutboxEmail.objects.filter(status="sent").count() == COUNT
    duplicates = len(counter.message_ids) - len(set(counter.message_ids))
    lost = COUNT - len(set(counter.message_ids))
    assert (duplicates, lost) == (0, 0), f"{duplicates} arrived twice, {lost} lost"
    assert len(set(counter.message_ids)) == COUNT
