"""One `ombuds worker` delivering 10,000 queued emails to a local SMTP server.

    .venv/bin/python bench/email_worker.py [--emails 10000] [--timeout 540] [--profile]

Goal (issue 4, "Speed"): one worker delivers 10,000 queued emails to a local SMTP server in
less than 60 s.

What it does, all on 127.0.0.1 and bounded in count and time (1 to 11 minutes; the worker's
run stops after --timeout seconds, the patched worker's of step 7 after 240):

1. Creates a fresh PostgreSQL database `ombuds_bench_email` (127.0.0.1:5432, user postgres)
   and migrates it.
2. Queues --emails emails in one transaction through `ombuds.notify.outbox.queue_email`, as
   a filing does: template `complaint_received` (plain text and HTML), each to its own
   address, with the context `_queue_receipt` writes (name, reference, type label, due time,
   answer days, link).
3. Starts an aiosmtpd server on a free port of 127.0.0.1 (a thread of this process) that
   accepts everything and counts messages, Message-IDs, recipients and multipart/alternative
   bodies.
4. Starts ONE `ombuds worker` process (DEBUG off, EMAIL_HOST/EMAIL_PORT pointing at that
   server, DATABASE_URL at the fresh database) and waits until the server has every message
   and the outbox has nothing pending or sending (at most --timeout seconds); then stops it
   with SIGTERM. Elapsed time: from starting the process (Django's start-up included) to the
   last message received; also from the first message to the last.
5. Checks: exactly --emails messages arrived, each address once, each Message-ID once, and
   the outbox says `sent` for every one.
6. Where the time goes, in-process against the same server (500 more emails): the time and
   SQL statements of each stage of `deliver_outbox` per email (by wrapping its functions).
7. With --profile or when the goal is missed: the same delivery in-process as it is, with
   TCP_NODELAY on the SMTP socket, and with that plus `synchronous_commit = off` (500 emails
   each); then --emails more emails through a second `ombuds worker` process into which this
   script patches only TCP_NODELAY (the product is not changed); then cProfile of 500 more.

The database is dropped, the worker stopped and the server shut down at the end, also after
an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import logging
import os
import platform
import pstats
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DB_NAME = "ombuds_bench_email"
PG = "postgres://postgres@127.0.0.1:5432"
GOAL_SECONDS = 60.0
GOAL_EMAILS = 10_000
TEMPLATE = "complaint_received"
STAGE_EMAILS = 500
PROFILE_EMAILS = 500
WHAT_IF_EMAILS = 500
NODELAY_TIMEOUT = 240.0  # the patched worker's run


def _admin(sql: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(data_dir: str, smtp_port: int) -> dict[str, str]:
    """For the worker and this process alike."""
    return {
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "ombuds.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-email-worker-" + "e" * 40,
        "OMBUDS_DATA_DIR": data_dir,
        "OMBUDS_BASE_URL": "https://complaints.market.example",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING",
    }


# --- the SMTP server ----------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that accepts every message and counts what it got."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.size = 0
        self.alternative = 0
        self.message_ids: Counter[str] = Counter()
        self.recipients: Counter[str] = Counter()
        self.subjects: Counter[str] = Counter()
        self.first: float | None = None
        self.last: float | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.perf_counter()
        headers = BytesParser(policy=compat32).parsebytes(envelope.content, headersonly=True)
        with self.lock:
            self.count += 1
            self.size += len(envelope.content)
            self.message_ids[str(headers.get("Message-ID", ""))] += 1
            for recipient in envelope.rcpt_tos:
                self.recipients[recipient.lower()] += 1
            self.subjects[str(headers.get("Subject", ""))[:40]] += 1
            if headers.get_content_type() == "multipart/alternative":
                self.alternative += 1
            self.first = self.first or now
            self.last = now
        return "250 Message accepted for delivery"

    def reset(self) -> None:
        with self.lock:
            self.__init__()  # type: ignore[misc]


# --- queueing -----------------------------------------------------------------------------------


def _queue(count: int, prefix: str) -> list[str]:
    """`count` receipts in one transaction through queue_email; their addresses."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from ombuds.cases.models import new_reference
    from ombuds.notify.outbox import queue_email
    from ombuds.policy.loader import get_policy

    types = list(get_policy().types.values())
    due = timezone.now() + timedelta(days=2)
    addresses = []
    with transaction.atomic():
        for n in range(count):
            complaint_type = types[n % len(types)]
            reference = new_reference("CMP")
            address = f"{prefix}{n:05d}@mail.example"
            queue_email(
                to=address,
                template=TEMPLATE,
                context={
                    "name": f"Reporter {n}",
                    "reference": reference,
                    "type_label": complaint_type.label,
                    "due": due.strftime("%-d %B %Y, %H:%M %Z"),
                    "answer_days": None if complaint_type.urgent else 5,
                    "link": f"{settings.OMBUDS_BASE_URL}/complaints/{reference}/",
                },
            )
            addresses.append(address)
    return addresses


def _outbox_status() -> dict[str, int]:
    from django.db.models import Count

    from ombuds.notify.models import OutboxEmail

    rows = OutboxEmail.objects.values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


# --- the worker ---------------------------------------------------------------------------------


# `ombuds worker` with one change: TCP_NODELAY on CarefulSMTP's socket (the product unchanged).
NODELAY_WORKER = """
import socket
import sys

from ombuds.notify.smtp import CarefulSMTP

plain_init = CarefulSMTP.__init__


def init_nodelay(self, *args, **kwargs):
    plain_init(self, *args, **kwargs)
    self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


CarefulSMTP.__init__ = init_nodelay
sys.argv = ["ombuds", "worker"]
from ombuds.cli import main

main()
"""


def run_worker(
    inbox: Inbox,
    expected: int,
    env: dict[str, str],
    log: Path,
    timeout: float,
    command: list[str] | None = None,
) -> dict[str, Any]:
    from django.db import connections

    connections.close_all()
    began = time.perf_counter()
    with log.open("w") as out:
        worker = subprocess.Popen(
            command or [str(BIN / "ombuds"), "worker"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    done_at = None
    status: dict[str, int] = {}
    try:
        end = began + timeout
        next_db_check = 0.0
        while time.perf_counter() < end:
            if worker.poll() is not None:
                raise RuntimeError(f"the worker exited ({worker.returncode}):\n{log.read_text()}")
            now = time.perf_counter()
            if inbox.count >= expected and now >= next_db_check:
                status = _outbox_status()
                if not status.get("pending") and not status.get("sending"):
                    done_at = now
                    break
                next_db_check = now + 0.5
            time.sleep(0.05)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=5)
        connections.close_all()
    if done_at is None:
        status = _outbox_status()
    return {"began": began, "done_at": done_at, "status": status, "code": worker.returncode}


# --- where the time goes ------------------------------------------------------------------------

# (label, module, attribute): functions the worker's delivery path calls through the module or
# class attribute, so wrapping the attribute times every call; nested labels are included in
# the ones above them. Missing ones (the code changed) are listed, not timed.
STAGES = [
    ("deliver_outbox (one batch)", "ombuds.notify.outbox", "deliver_outbox"),
    ("  claim_due (take a batch)", "ombuds.notify.models", "claim_due"),
    ("  CarefulSMTP() (connect, EHLO)", "ombuds.notify.smtp", "CarefulSMTP.__init__"),
    ("  _as_email", "ombuds.notify.outbox", "_as_email"),
    ("    render_email (2 templates)", "ombuds.notify.outbox", "render_email"),
    ("  EmailMessage.message (MIME)", "django.core.mail.message", "EmailMessage.message"),
    ("  CarefulSMTP.send", "ombuds.notify.smtp", "CarefulSMTP.send"),
    ("    _mark_sent (UPDATE, autocommit)", "ombuds.notify.outbox", "_mark_sent"),
    ("  _failed", "ombuds.notify.outbox", "_failed"),
]


def _resolve(module_name: str, attribute: str) -> tuple[Any, str] | None:
    owner: Any = importlib.import_module(module_name)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part, None)
        if owner is None:
            return None
    return (owner, name) if hasattr(owner, name) else None


def _drain() -> int:
    from ombuds.notify.outbox import deliver_outbox

    total = 0
    while True:
        sent = deliver_outbox()
        if not sent:
            return total
        total += sent


def stages(inbox: Inbox, count: int) -> None:
    from django.db import connection

    addresses = _queue(count, "stage")
    inbox.reset()
    spent: dict[str, list[float]] = {}
    queries = 0
    sql_s = 0.0

    def count_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries, sql_s
        queries += 1
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_s += time.perf_counter() - began

    def timed(label: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began, before = time.perf_counter(), queries
            try:
                return function(*args, **kwargs)
            finally:
                entry = spent.setdefault(label, [0.0, 0, 0])
                entry[0] += time.perf_counter() - began
                entry[1] += queries - before
                entry[2] += 1

        return wrapper

    patched, missing = [], []
    for label, module_name, attribute in STAGES:
        found = _resolve(module_name, attribute)
        if found is None:
            missing.append(f"{module_name}.{attribute}")
            continue
        owner, name = found
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        patched.append((owner, name, original))
        setattr(owner, name, timed(label, original))
    try:
        with connection.execute_wrapper(count_sql):
            began = time.perf_counter()
            sent = _drain()
            took = time.perf_counter() - began
    finally:
        for owner, name, original in patched:
            setattr(owner, name, original)
    if sent != count or inbox.count != count:
        print(f"  (sent {sent}, the server got {inbox.count}, of {count} queued)")
    assert len(addresses) == count
    print(
        f"\nWhere the time goes: {sent} more emails delivered in-process ({took:.1f} s, "
        f"{sent / took:.0f}/s, with the timing wrappers), per email:"
    )
    print(f"  {'stage':40} {'ms/email':>9} {'SQL/email':>9} {'calls':>6}")
    for label, _, _ in STAGES:
        if label in spent:
            total, statements, calls = spent[label]
            print(f"  {label:40} {total * 1000 / sent:9.3f} {statements / sent:9.2f} {calls:6}")
    print(f"  {'all SQL statements (execute)':40} {sql_s * 1000 / sent:9.3f} {queries / sent:9.2f}")
    smtp = (
        spent.get("  CarefulSMTP.send", [0.0])[0]
        - spent.get("    _mark_sent (UPDATE, autocommit)", [0.0])[0]
    )
    print(f"  {'SMTP round trips (send - _mark_sent)':40} {smtp * 1000 / sent:9.3f}")
    if missing:
        print(f"  (not found, not timed: {', '.join(missing)})")


def _nodelay() -> Any:
    """CarefulSMTP's socket with TCP_NODELAY: the final "." goes out without waiting for an ACK."""
    from ombuds.notify.smtp import CarefulSMTP

    original = CarefulSMTP.__init__

    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    CarefulSMTP.__init__ = patched  # type: ignore[method-assign]
    return lambda: setattr(CarefulSMTP, "__init__", original)


def _async_commit() -> Any:
    """This process's connection with synchronous_commit off: COMMIT does not wait for fsync."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")

    def undo() -> None:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")

    return undo


def what_if(inbox: Inbox, count: int) -> None:
    """The same delivery in-process with one change at a time (nothing in the product changes)."""
    print(
        f"\nWhat if (in-process, {count} emails each, same server and database; the product "
        "code is patched in this process only):"
    )
    variants = [
        ("as it is", []),
        ("TCP_NODELAY on the SMTP socket", [_nodelay]),
        ("TCP_NODELAY + synchronous_commit off", [_nodelay, _async_commit]),
    ]
    for label, changes in variants:
        _queue(count, "whatif")
        inbox.reset()
        undo = [change() for change in changes]
        try:
            began = time.perf_counter()
            sent = _drain()
            took = time.perf_counter() - began
        finally:
            for restore in reversed(undo):
                restore()
        print(
            f"  {label:40} {took * 1000 / sent:6.2f} ms/email, {sent / took:6.0f}/s "
            f"-> 10,000 in {took / sent * 10_000:5.1f} s ({inbox.count} received)"
        )


def profile(inbox: Inbox, count: int) -> None:
    _queue(count, "profile")
    inbox.reset()
    profiler = cProfile.Profile()
    profiler.enable()
    sent = _drain()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
    print(
        f"\ncProfile of {sent} more emails in-process (the SMTP server is a thread of the same "
        "process): top 18 functions by own time"
    )
    table = out.getvalue()
    print(table[table.find("   ncalls") :].rstrip())


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=540.0, help="for the worker's run")
    parser.add_argument("--profile", action="store_true", help="cProfile even if the goal is met")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"Email worker benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="ombuds-bench-email-"))
    smtp_port = _free_port()
    env = _environment(str(tmp / "data"), smtp_port)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = None
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB_NAME}")
    try:
        import django

        django.setup()
        from aiosmtpd.controller import Controller
        from django.core.management import call_command
        from django.db import connection

        version = connection.cursor().connection.info.server_version
        print(f"database {DB_NAME}: PostgreSQL {version // 10000}.{version % 10000}")
        call_command("migrate", verbosity=0)

        began = time.perf_counter()
        addresses = _queue(args.emails, "reporter")
        print(
            f"queued {len(addresses):,} emails ({TEMPLATE}) through queue_email in one "
            f"transaction: {time.perf_counter() - began:.1f} s; outbox: {_outbox_status()}"
        )
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        print(f"SMTP server (aiosmtpd) on 127.0.0.1:{smtp_port}")

        print("\n== One `ombuds worker` ==", flush=True)
        run = run_worker(inbox, args.emails, env, tmp / "worker.log", args.timeout)
        report(inbox, run, addresses, args.emails, args.timeout)
        elapsed = (inbox.last or run["began"]) - run["began"]
        missed = run["done_at"] is None or elapsed * GOAL_EMAILS / args.emails >= GOAL_SECONDS

        stages(inbox, STAGE_EMAILS)
        if missed or args.profile:
            what_if(inbox, WHAT_IF_EMAILS)
            print(
                f"\n== What if, end to end: {args.emails:,} more emails, one `ombuds worker` "
                "with TCP_NODELAY set on CarefulSMTP's socket (patched in the worker process "
                "by this script; the product is unchanged) =="
            )
            addresses = _queue(args.emails, "nodelay")
            inbox.reset()
            command = [sys.executable, "-c", NODELAY_WORKER]
            bound = min(args.timeout, NODELAY_TIMEOUT)
            patched = run_worker(
                inbox, args.emails, env, tmp / "worker-nodelay.log", bound, command
            )
            report(inbox, patched, addresses, args.emails, bound, what_if=True)
            profile(inbox, PROFILE_EMAILS)
    finally:
        if controller is not None:
            controller.stop()
        from django.db import connections

        connections.close_all()
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"\ndropped database {DB_NAME}; total {time.perf_counter() - started:.0f} s")
    return 0


def report(
    inbox: Inbox,
    run: dict[str, Any],
    addresses: list[str],
    expected: int,
    timeout: float,
    what_if: bool = False,
) -> None:
    began, first, last = run["began"], inbox.first, inbox.last
    if first is None or last is None:
        raise RuntimeError(f"no message arrived in {timeout:.0f} s; outbox: {run['status']}")
    elapsed = last - began
    rate = inbox.count / elapsed
    sending = last - first
    finished = run["done_at"] is not None
    print(
        f"worker started at 0.0 s; first message at {first - began:.2f} s; last ({inbox.count:,}"
        f" received) at {elapsed:.2f} s"
        + ("" if finished else f" — NOT FINISHED within {timeout:.0f} s")
    )
    print(
        f"  {rate:.0f} messages/s from the start of the process, "
        f"{(inbox.count - 1) / sending if sending else 0:.0f}/s from the first message to the "
        f"last; {inbox.size / inbox.count / 1024:.1f} KB a message; worker exit code "
        f"{run['code']} after SIGTERM"
    )
    wanted = set(addresses)
    got = set(inbox.recipients)
    twice = sum(1 for n in inbox.recipients.values() if n > 1)
    ids_twice = sum(1 for n in inbox.message_ids.values() if n > 1)
    print("\nChecks:")
    print(
        f"  messages received: {inbox.count:,} (expected {expected:,}): "
        + ("exactly" if inbox.count == expected else "MISMATCH")
    )
    print(
        f"  addresses: {len(got & wanted):,} of {len(wanted):,} queued received, "
        f"{len(got - wanted)} unknown, {twice} received more than once"
    )
    print(
        f"  Message-IDs: {len(inbox.message_ids):,} different, {ids_twice} more than once; "
        f"multipart/alternative (text + HTML): {inbox.alternative:,}"
    )
    print(f"  outbox after the run: {run['status']}")
    print(f"  subjects (first 40 characters): {inbox.subjects.most_common(3)}")
    ok = inbox.count == expected and got == wanted and not twice and not ids_twice
    at_goal = elapsed * GOAL_EMAILS / expected
    verdict = "met" if finished and at_goal < GOAL_SECONDS and ok else "MISSED"
    scaled = "" if expected == GOAL_EMAILS else f" (at this rate {GOAL_EMAILS:,}: {at_goal:.0f} s)"
    print(
        f"\n{'What if, not the product — goal' if what_if else 'Goal'}: {GOAL_EMAILS:,} emails "
        f"in < {GOAL_SECONDS:g} s with one worker: {expected:,} in {elapsed:.1f} s{scaled}, "
        f"{verdict}" + ("" if ok else " (the checks above failed)")
    )


if __name__ == "__main__":
    sys.exit(main())
