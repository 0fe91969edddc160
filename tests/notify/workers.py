"""Real `ombuds worker` processes against a local SMTP server, webhook receiver and Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from tests.conftest import free_port
from tests.notify.test_worker_crash import worker_env

WORKER = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "ombuds")
# A Redis database of its own, and a key prefix per test on top, so runs side by side (and
# other tests' Redis databases) never meet.
REDIS_DB = 13
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"


class SMTPCounter:
    """An SMTP server that takes `delay` seconds per message and notes when each arrived."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.arrivals: list[tuple[str, str, float]] = []  # (Message-ID, To, monotonic time)
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.delay:
            time.sleep(self.delay)
        message = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        with self.lock:
            self.arrivals.append((message["Message-ID"], message["To"], time.monotonic()))
        return "250 OK"

    @property
    def message_ids(self) -> list[str]:
        with self.lock:
            return [message_id for message_id, _, _ in self.arrivals]

    def arrived(self, to: str) -> float | None:
        with self.lock:
            return next((at for _, address, at in self.arrivals if address == to), None)


class SlowReceiver:
    """A marketplace endpoint that takes `delay` seconds to answer 200 and notes each
    `webhook-id`; `on_request(webhook_id)` runs while the request is being answered."""

    def __init__(self, delay: float = 0.0, on_request: Callable[[str], None] | None = None):
        self.delay = delay
        self.webhook_ids: list[str] = []
        self.started: list[float] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                webhook_id = self.headers["webhook-id"]
                with receiver.lock:
                    receiver.started.append(time.monotonic())
                if on_request is not None:
                    on_request(webhook_id)
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.webhook_ids.append(webhook_id)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/ombuds"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def env_for(backend: str, smtp_port: int, **extra: str) -> dict[str, str]:
    env = {
        **worker_env(smtp_port),
        "OMBUDS_TASK_BACKEND": backend,
        "OMBUDS_WEBHOOKS_ALLOW_PRIVATE": "true",
        # Long enough never to be what brings a message back here: a stop hands back itself.
        "OMBUDS_OUTBOX_LEASE_SECONDS": "60",
        "OMBUDS_WORKER_BATCH_SECONDS": "2",
        "LOG_LEVEL": "INFO",
    }
    if backend == "rq":
        env["REDIS_URL"] = REDIS_URL
        env["RQ_KEY_PREFIX"] = f"ombuds-test-{uuid.uuid4().hex[:12]}"
    env.update(extra)
    return env


def redis_client():  # type: ignore[no-untyped-def]
    import redis

    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def forget_redis_keys(prefix: str) -> None:
    client = redis_client()
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


class Worker:
    """One `ombuds worker` process, its log in a file (never a pipe nobody reads)."""

    def __init__(self, env: dict[str, str], log: Path, interval: float = 0.2) -> None:
        self.log_path = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [WORKER, "worker", "--interval", str(interval)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_started(self, timeout: float = 60) -> None:
        wait_until(lambda: "Worker started" in self.log, timeout, "the worker did not start")

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM; the exit code (the test fails if the worker is still running)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"still running {timeout} s after SIGTERM:\n{self.log[-3000:]}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextmanager
def running(env: dict[str, str], log: Path, interval: float = 0.2) -> Iterator[Worker]:
    worker = Worker(env, log, interval)
    try:
        yield worker
    finally:
        worker.kill()


def wait_until(condition: Callable[[], bool], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(0.02)


def email_context(index: int) -> dict[str, str]:
    return {
        "title": f"Update {index}",
        "text": "News",
        "link": "http://x/",
        "reference": f"R{index}",
        "type_label": "Report",
    }


def in_own_connection(query: Callable[[], object]) -> object:
    """Run a query on this thread's own database connection (a receiver's thread), closed after."""
    try:
        return query()
    finally:
        connection.close()


def payload_ids(bodies: list[bytes]) -> list[str]:
    return [json.loads(body)["data"]["case"] for body in bodies]


def no_traceback(log: str) -> bool:
    return "Traceback" not in log and "StopRequested" not in log


def timestamped(log: str) -> bool:
    """Every line of the worker's own logging starts with a date and time."""
    import re

    lines = [line for line in log.splitlines() if line.strip() and not line.startswith("AXES")]
    return bool(lines) and all(
        re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} ", line) for line in lines
    )


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
