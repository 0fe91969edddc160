"""Filing throughput of `POST /api/v1/complaints` under gunicorn, against a bare endpoint.

    .venv/bin/python bench/filing_api.py [--clients 4,8] [--seconds 10] [--rounds 2]
                                         [--threads 4] [--profile]

Goal: filing reaches at least half the requests per second of a bare endpoint of the same
project (one that authenticates the same bearer token, parses the JSON body and inserts one
row), with the same server, database and number of clients.

What it does, all on 127.0.0.1 and bounded in time and count:

1. Creates a fresh PostgreSQL database `ombuds_bench`, runs `ombuds migrate`, `ombuds demo`
   (241 listings) and `ombuds directory import` of --listings generated listings in the demo's
   stores, and creates --users users, each with an API token (`create_token`).
2. Starts gunicorn (`ombuds.wsgi`, settings `bench.benchsite.settings`: the project's settings
   plus `POST /bench/bare`) with 2 sync workers, then again with 2 gthread workers of
   --threads threads. DEBUG is off, the filing rate limits are 1000000/hour, the data
   directory is a temporary one.
3. For each server and each number of clients, runs --rounds rounds of --seconds seconds on
   each endpoint in turn (filing, bare, filing, bare...), each client a thread with its own
   http.client connection (kept alive when the server allows it; sync workers close it).
   Every filing is a `listing_rules` report (anyone may file one) by product URL, with a
   1 KB English description, no evidence, the agreement accepted. Each request takes the next
   (user, listing) pair of a sequence in which no pair comes twice, so no filing is a
   duplicate, and requests in flight at the same time are about different listings: most
   filings open a new case; once the listings are used up, later ones join an open case.
4. Checks that every filing answered 201 (other answers are counted and shown) and that the
   database holds exactly as many new complaints (and bare rows) as there were 201s.
5. In-process, with the Django test client (gunicorn stopped): lists and times every SQL
   statement of a filing that opens a case, of one that joins a case, and of a bare request
   (CaptureQueriesContext plus an execute wrapper), and times joining one case 200 times.
   When the ratio misses the goal (or with --profile), times each stage of 60 filings by
   wrapping the functions of the filing path (ms and queries per stage), and runs 60 more
   under cProfile.

The database and the temporary directory are removed at the end, and gunicorn is stopped,
also after an error or Ctrl-C. Takes about 5 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import itertools
import json
import math
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DB_NAME = "ombuds_bench"
PG = "postgres://postgres@127.0.0.1:5432"
FILING_PATH = "/api/v1/complaints"
BARE_PATH = "/bench/bare"
GOAL_RATIO = 0.5
MAX_REQUESTS_PER_RUN = 20_000  # a bound on any one timed run, whatever its duration
RESERVED_LISTINGS = 120  # kept out of the load, for the in-process measurements
STAGE_FILINGS = 60  # of them, filed with every stage timed (the rest under cProfile)
SAMPLES = 10  # in-process requests of each kind
POPULAR_REPORTERS = 200  # reporters of one case, in-process
SPARE_USERS = POPULAR_REPORTERS + 3 * SAMPLES + 3
TYPE_KEY = "listing_rules"
DESCRIPTION = (
    "This seller publishes the same offer again and again to stay at the top of the search "
    "results. I searched for a USB charger yesterday and found the same product, with the same "
    "photos, the same price and the same description, listed at least twelve times under "
    "slightly different titles. Each copy has a different product number, but the pictures "
    "are identical and the text is copied word for word, including the spelling mistakes in "
    "the second paragraph. The store also changes the category of some copies so that they "
    "appear in unrelated searches, like kitchen tools and garden furniture. This makes it very "
    "hard for buyers to compare offers from honest sellers, who publish each product only once "
    "as the rules require. I have reported this store before and the copies came back a week "
    "later. Please remove the repeated listings and check whether the store uses other "
    "accounts to publish the same offers again, because I think the same company is behind "
    "several of the stores that sell this charger."
)


def _answers() -> dict[str, Any]:
    return {"violation": "duplicate_listing", "description": DESCRIPTION}


# --- setup -------------------------------------------------------------------------------------


def _admin(sql: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(data_dir: str, port: int) -> dict[str, str]:
    """For gunicorn, the management commands and this process alike."""
    return {
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "bench.benchsite.settings",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        "DEBUG": "0",
        "SECRET_KEY": "bench-filing-api-" + "k" * 40,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "OMBUDS_FILING_RATE_PER_USER": "1000000/hour",
        "OMBUDS_FILING_RATE_PER_IP": "1000000/hour",
        "OMBUDS_DATA_DIR": data_dir,
        "OMBUDS_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }


def _ombuds(*args: str) -> str:
    began = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "ombuds"), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"ombuds {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    last = (done.stdout.strip().splitlines() or [""])[0]
    print(f"  ombuds {' '.join(args)}: {time.perf_counter() - began:.1f} s  {last[:90]}")
    return done.stdout


def _generated_listings(path: Path, count: int) -> None:
    """`count` listings spread over the demo's stores, as JSON lines for the importer."""
    from ombuds.directory.models import Store

    stores = list(Store.objects.order_by("pk").values_list("store_url", flat=True))
    with path.open("w") as out:
        for n in range(count):
            record = {
                "type": "listing",
                "product_url": f"https://market.example/product/bench-item-{n}.html",
                "title": f"Bench item {n}",
                "store": stores[n % len(stores)],
                "category": "Electronics",
                "status": "active",
            }
            out.write(json.dumps(record) + "\n")


@dataclass
class Market:
    tokens: list[str]  # one per load user
    urls: list[str]  # the product URLs of the load
    reserved_urls: list[str]  # kept for the in-process measurements
    spare_tokens: list[str]  # users that file nothing during the load


def _make_users(count: int, prefix: str) -> list[str]:
    from django.contrib.auth.hashers import make_password

    from ombuds.accounts.models import User
    from ombuds.accounts.tokens import create_token

    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            username=f"{prefix}{n:04d}",
            email=f"{prefix}{n:04d}@bench.example",
            first_name="Bench",
            last_name=f"User {n}",
            password=password,
        )
        for n in range(count)
    )
    return [create_token(name="bench", user=user)[1] for user in users]


def _prepare(args: argparse.Namespace, tmp: Path) -> Market:
    _ombuds("migrate", "--noinput", "-v", "0")
    _ombuds("demo")
    import django

    django.setup()
    from ombuds.directory.models import Listing

    jsonl = tmp / "listings.jsonl"
    _generated_listings(jsonl, args.listings)
    _ombuds("directory", "import", str(jsonl))
    urls = list(Listing.objects.order_by("pk").values_list("product_url", flat=True))
    reserved, urls = urls[-RESERVED_LISTINGS:], urls[:-RESERVED_LISTINGS]
    users = args.users
    while math.gcd(users, len(urls)) != 1:  # so that (i % users, i % listings) never repeats
        users -= 1
    began = time.perf_counter()
    tokens = _make_users(users, "loaduser")
    spare = _make_users(SPARE_USERS, "spareuser")
    print(
        f"  {len(tokens)} load users and {len(spare)} spare users with tokens: "
        f"{time.perf_counter() - began:.1f} s; {len(urls)} listings for the load "
        f"(+{len(reserved)} reserved)"
    )
    return Market(tokens, urls, reserved, spare)


# --- the server --------------------------------------------------------------------------------


class Server:
    def __init__(self, name: str, port: int, env: dict[str, str], log: Path, extra: list[str]):
        self.name, self.port, self.log = name, port, log
        command = [
            str(BIN / "gunicorn"),
            "ombuds.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "2",
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--log-level", "warning",
            "--error-logfile", str(log),
            "--no-control-socket",
            *extra,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/complaint-types")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn not ready after {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the session it was started in
                self.process.wait(timeout=5)


# --- the load ----------------------------------------------------------------------------------


class Pairs:
    """The i-th filing: user i % U about listing i % L, with U and L coprime: never twice."""

    def __init__(self, tokens: list[str], urls: list[str]):
        self.tokens, self.urls = tokens, urls
        self._next = itertools.count()

    def take(self) -> tuple[str, str]:
        i = next(self._next)  # atomic under the GIL
        return self.tokens[i % len(self.tokens)], self.urls[i % len(self.urls)]


@dataclass
class Run:
    endpoint: str
    server: str
    clients: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    ok: int = 0
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + sum(self.errors.values())

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def add(self, other: Run) -> None:
        self.latencies_ms += other.latencies_ms
        self.errors.update(other.errors)
        self.ok += other.ok
        self.seconds += other.seconds


def _body(endpoint: str, url: str) -> bytes:
    if endpoint == "filing":
        data = {"type": TYPE_KEY, "target": url, "answers": _answers(), "evidence": []}
        return json.dumps({**data, "agreement": True}).encode()
    return json.dumps({"type": TYPE_KEY, "target": url, "answers": _answers()}).encode()


def run_load(
    server: Server, endpoint: str, clients: int, seconds: float, pairs: Pairs, max_requests: int
) -> Run:
    path = FILING_PATH if endpoint == "filing" else BARE_PATH
    run = Run(endpoint, server.name, clients)
    lock = threading.Lock()
    issued = itertools.count()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        ok = 0
        start.wait()
        while time.perf_counter() < deadline and next(issued) < max_requests:
            token, url = pairs.take()
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            began = time.perf_counter()
            try:
                conn.request("POST", path, _body(endpoint, url), headers)
                response = conn.getresponse()
                text = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                errors[f"{type(exc).__name__}: {exc}"] += 1
                continue
            if response.status == 201:
                latencies.append((time.perf_counter() - began) * 1000)
                ok += 1
            else:
                errors[f"{response.status} {text[:300].decode(errors='replace')}"] += 1
        conn.close()
        with lock:
            run.latencies_ms += latencies
            run.errors.update(errors)
            run.ok += ok

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    run.seconds = time.perf_counter() - began
    return run


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


# --- in-process measurements -------------------------------------------------------------------


def _short(sql: str) -> str:
    sql = re.sub(r'^SELECT .*? FROM "', 'SELECT … FROM "', sql)
    sql = re.sub(r'^(INSERT INTO "\w+") \(.*?\) VALUES .*?( RETURNING .*)?$', r"\1 …\2", sql)
    sql = re.sub(r"^(UPDATE \"\w+\" SET) .*? WHERE", r"\1 … WHERE", sql)
    return sql if len(sql) <= 150 else sql[:147] + "..."


@dataclass
class Captured:
    status: int
    ms: float
    statements: list[tuple[str, float]]  # SQL (placeholders as sent) and ms, in order

    @property
    def queries(self) -> int:
        """Statements other than BEGIN / COMMIT / ROLLBACK (savepoints count)."""
        return sum(1 for sql, _ in self.statements if sql not in TRANSACTION_CONTROL)

    @property
    def db_ms(self) -> float:
        return sum(ms for _, ms in self.statements)


TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}


def _in_process(path: str, token: str, url: str) -> Captured:
    """One request through the test client, every statement timed (BEGIN/COMMIT included)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    timed: list[tuple[str, float]] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((sql, (time.perf_counter() - began) * 1000))

    client = Client()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        began = time.perf_counter()
        response = client.post(
            path,
            data=_body("filing" if path == FILING_PATH else "bare", url),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        ms = (time.perf_counter() - began) * 1000
    # the wrapper sees what goes through cursor.execute; BEGIN and COMMIT only the query log
    statements, rest = [], iter(timed)
    for query in captured.captured_queries:
        if query["sql"] in TRANSACTION_CONTROL:
            statements.append((query["sql"], float(query["time"]) * 1000))
        else:
            statements.append(next(rest, (query["sql"], float(query["time"]) * 1000)))
    return Captured(response.status_code, ms, statements)


def _print_statements(title: str, samples: list[Captured]) -> None:
    one = samples[-1]
    print(
        f"\n{title}: HTTP {sorted({c.status for c in samples})}, {one.queries} queries "
        f"(+{len(one.statements) - one.queries} BEGIN/COMMIT); median of {len(samples)}: "
        f"{statistics.median(c.ms for c in samples):.1f} ms in-process, "
        f"{statistics.median(c.db_ms for c in samples):.1f} ms of it in the database calls"
    )
    for number, (sql, ms) in enumerate(one.statements, 1):
        print(f"  {number:2}. {ms:6.2f} ms  {_short(sql)}")


# (label, module, global name): each is called through that module's global, so wrapping the
# global times every call; nested labels are included in the ones above them
STAGES = [
    ("bearer token lookup", "ombuds.api.auth", "authenticate_token"),
    ("reading the request (_read_request)", "ombuds.api.filing", "_read_request"),
    ("submit (the filing entry point)", "ombuds.api.filing", "submit"),
    ("  rate limits (check_filing_rate)", "ombuds.cases.actions.filing", "check_filing_rate"),
    ("  file_complaint (+ COMMIT)", "ombuds.cases.actions.filing", "file_complaint"),
    ("    check_submission", "ombuds.cases.actions.filing", "check_submission"),
    ("      language_problem", "ombuds.intake.checks", "language_problem"),
    ("      resolve_respondent", "ombuds.intake.checks", "resolve_respondent"),
    ("    find_duplicate", "ombuds.cases.actions.filing", "find_duplicate"),
    ("    _create_complaint", "ombuds.cases.actions.filing", "_create_complaint"),
    ("    _file_into_case", "ombuds.cases.actions.filing", "_file_into_case"),
    ("      _open_report_case", "ombuds.cases.actions.filing", "_open_report_case"),
    ("      _new_case", "ombuds.cases.actions.filing", "_new_case"),
    ("      record_event", "ombuds.cases.actions.filing", "record_event"),
    ("      _queue_receipt", "ombuds.cases.actions.filing", "_queue_receipt"),
    ("      _queue_respondent_notice", "ombuds.cases.actions.filing", "_queue_respondent_notice"),
    ("      complaint_event_data", "ombuds.cases.actions.filing", "complaint_event_data"),
    ("      queue_webhook", "ombuds.cases.actions.filing", "queue_webhook"),
    ("filed_response", "ombuds.api.filing", "filed_response"),
    ("  view_for", "ombuds.api.filing", "view_for"),
    ("  complaint_out", "ombuds.api.filing", "complaint_out"),
]


def _post_filing(client: Any, token: str, url: str) -> int:
    return client.post(
        FILING_PATH,
        data=_body("filing", url),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).status_code


def _stages(tokens: list[str], urls: list[str]) -> None:
    """Wall time and queries of each stage of a filing, without a profiler's overhead."""
    import importlib

    from django.db import connection
    from django.test import Client

    queries = 0
    current: dict[str, list[float]] = {}

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def timed(label: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began, before = time.perf_counter(), queries
            try:
                return function(*args, **kwargs)
            finally:
                spent = current.setdefault(label, [0.0, 0])
                spent[0] += (time.perf_counter() - began) * 1000
                spent[1] += queries - before

        return wrapper

    patched, missing = [], []
    for label, module_name, name in STAGES:
        module = importlib.import_module(module_name)
        if hasattr(module, name):
            patched.append((module, name, getattr(module, name)))
            setattr(module, name, timed(label, getattr(module, name)))
        else:
            missing.append(f"{module_name}.{name}")
    per_filing: list[dict[str, list[float]]] = []
    totals: list[tuple[float, int]] = []
    client = Client()
    try:
        with connection.execute_wrapper(count):
            for n, url in enumerate(urls):
                current = {}
                began, before = time.perf_counter(), queries
                status = _post_filing(client, tokens[n % len(tokens)], url)
                if status != 201:
                    raise RuntimeError(f"in-process filing answered {status}")
                totals.append(((time.perf_counter() - began) * 1000, queries - before))
                per_filing.append(current)
    finally:
        for module, name, original in patched:
            setattr(module, name, original)
    print(
        f"\nWhere a filing's time goes: {len(urls)} filings in-process (new cases), each stage "
        "timed by wrapping its function; median ms per filing, queries per filing (BEGIN and "
        "COMMIT not counted):"
    )
    print(f"  {'whole request (test client)':40} {statistics.median(t for t, _ in totals):7.2f} ms"
          f"  {statistics.mean(q for _, q in totals):5.1f} queries")  # fmt: skip
    for label, _, _ in STAGES:
        spent = [f.get(label, [0.0, 0]) for f in per_filing]
        print(
            f"  {label:40} {statistics.median(s[0] for s in spent):7.2f} ms"
            f"  {statistics.mean(s[1] for s in spent):5.1f} queries"
        )
    if missing:
        print(f"  (not found, not timed: {', '.join(missing)})")


def _profile(tokens: list[str], urls: list[str]) -> None:
    from django.test import Client

    client = Client()
    profiler = cProfile.Profile()
    profiler.enable()
    statuses = Counter(_post_filing(client, tokens[n % len(tokens)], u) for n, u in enumerate(urls))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    print(
        f"\ncProfile of {len(urls)} more filings (answers {dict(statuses)}): top 15 functions by "
        "own time (psycopg's wait is the time spent waiting for PostgreSQL):"
    )
    table = out.getvalue()
    print(table[table.find("   ncalls") :].rstrip())


def analyse(market: Market, ratio_missed: bool, force_profile: bool) -> None:
    from ombuds.accounts.tokens import authenticate_token
    from ombuds.intake.ratelimit import check_filing_rate

    print("\n== In-process: SQL per request (Django test client, same settings, no load) ==")
    print(
        "As in the steady state of the load, each token was used less than a minute ago (no "
        "last_used_at UPDATE) and each rate-limit window has its row (no INSERT)."
    )
    for token in market.spare_tokens:
        principal = authenticate_token(token)
        assert principal is not None and principal.user is not None
        check_filing_rate(user_id=principal.user.pk, ip="127.0.0.1")  # the test client's IP
    spare, reserved = iter(market.spare_tokens), iter(market.reserved_urls)

    def file(token: str, url: str) -> Captured:
        captured = _in_process(FILING_PATH, token, url)
        if captured.status != 201:
            raise RuntimeError(f"in-process filing answered {captured.status}")
        return captured

    file(next(spare), next(reserved))  # warm-up: this process loads the language models
    new_cases = [file(next(spare), next(reserved)) for _ in range(SAMPLES)]
    _print_statements("Filing that opens a new case", new_cases)
    target = next(reserved)
    file(next(spare), target)
    joins = [file(next(spare), target) for _ in range(SAMPLES)]
    _print_statements("Filing that joins the open case of its listing", joins)
    popular = next(reserved)
    reporters = [file(next(spare), popular) for _ in range(POPULAR_REPORTERS)]
    early, late = reporters[1 : 1 + SAMPLES], reporters[-SAMPLES:]
    print(
        f"\nJoining one case again and again: reporters 2-{1 + SAMPLES} take "
        f"{statistics.median(c.ms for c in early):.1f} ms (median), reporters "
        f"{POPULAR_REPORTERS - SAMPLES + 1}-{POPULAR_REPORTERS} "
        f"{statistics.median(c.ms for c in late):.1f} ms; {late[-1].queries} queries each. "
        "Slowest statements of the last:"
    )
    for sql, ms in sorted(late[-1].statements, key=lambda s: -s[1])[:3]:
        print(f"  {ms:6.2f} ms  {_short(sql)}")
    token = next(spare)
    bare = [_in_process(BARE_PATH, token, popular) for _ in range(SAMPLES)]
    _print_statements("Bare endpoint", bare)
    if ratio_missed or force_profile:
        tokens, urls = list(spare), list(reserved)
        _stages(tokens, urls[:STAGE_FILINGS])
        _profile(tokens, urls[STAGE_FILINGS:])


# --- main --------------------------------------------------------------------------------------


def _counts() -> tuple[int, int, int]:
    from django.contrib.sessions.models import Session

    from ombuds.cases.models import Case, Complaint

    return Complaint.objects.count(), Case.objects.count(), Session.objects.count()


def _last_ids() -> tuple[int, int]:
    from django.db.models import Max

    from ombuds.cases.models import Case, Complaint

    return (
        Complaint.objects.aggregate(m=Max("pk"))["m"] or 0,
        Case.objects.aggregate(m=Max("pk"))["m"] or 0,
    )


def _joins(last_complaint: int, last_case: int) -> str:
    """How the load's filings that did not open a case joined one."""
    from django.db.models import Count

    from ombuds.cases.models import Case, Complaint

    into_earlier = Complaint.objects.filter(pk__gt=last_complaint, case_id__lte=last_case).count()
    shared = (
        Case.objects.filter(pk__gt=last_case)
        .annotate(n=Count("complaints"))
        .filter(n__gt=1)
        .values_list("target_key", "n")
    )
    kinds = Counter(target.split(":")[0] for target, _ in shared)
    examples = ", ".join(f"{target} x{n}" for target, n in shared[:3])
    return (
        f"{into_earlier} into cases that existed before the load (the demo's); "
        f"{sum(n - 1 for _, n in shared)} into {len(shared)} cases the load opened "
        f"(targets {dict(kinds) or '-'}{', e.g. ' + examples if examples else ''})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="4,8", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=10.0, help="per timed run")
    parser.add_argument("--rounds", type=int, default=2, help="timed runs per endpoint")
    parser.add_argument("--threads", type=int, default=4, help="gthread threads; 0: skip")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--listings", type=int, default=20_000, help="generated, besides 241")
    parser.add_argument("--profile", action="store_true", help="profile even if the goal is met")
    args = parser.parse_args()
    client_counts = [int(c) for c in args.clients.split(",")]
    started = time.perf_counter()
    print(f"Filing API benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="ombuds-bench-"))
    port = _free_port()
    os.environ.update(_environment(str(tmp / "data"), port))
    sys.path.insert(0, str(ROOT))
    server: Server | None = None
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB_NAME}")
    try:
        print(f"\n== Setup: database {DB_NAME} on 127.0.0.1:5432, port {port} ==")
        market = _prepare(args, tmp)
        from django.db import connections

        before, last_ids = _counts(), _last_ids()
        connections.close_all()
        pairs = Pairs(market.tokens, market.urls)
        servers = [("sync", ["--worker-class", "sync"])]
        if args.threads:
            servers.append(
                (
                    f"gthread x{args.threads}",
                    ["--worker-class", "gthread", "--threads", str(args.threads)],
                )
            )
        results: dict[tuple[str, int, str], Run] = {}
        totals = Counter[str]()
        all_errors: Counter[str] = Counter()
        for name, extra in servers:
            print(f"\n== gunicorn, 2 {name} workers ==", flush=True)
            server = Server(name, port, dict(os.environ), tmp / f"gunicorn-{name[:7]}.log", extra)
            server.wait_ready()
            for endpoint in ("filing", "bare"):  # every worker (and thread) loads and connects
                warm = run_load(server, endpoint, 8, 4.0, pairs, 80)
                totals[endpoint] += warm.ok
                all_errors.update(warm.errors)
                print(f"  warm-up {endpoint}: {warm.ok} x 201, {sum(warm.errors.values())} other")
            for clients in client_counts:
                for round_ in range(args.rounds):
                    for endpoint in ("filing", "bare"):
                        run = run_load(
                            server, endpoint, clients, args.seconds, pairs, MAX_REQUESTS_PER_RUN
                        )
                        totals[endpoint] += run.ok
                        all_errors.update(run.errors)
                        key = (name, clients, endpoint)
                        results.setdefault(key, Run(endpoint, name, clients)).add(run)
                        print(
                            f"  {clients} clients, round {round_ + 1}, {endpoint:6}: "
                            f"{run.ok:5} x 201 in {run.seconds:5.1f} s = {run.rate:7.1f}/s, "
                            f"p50 {_pct(run.latencies_ms, 0.5):6.1f} ms, "
                            f"{sum(run.errors.values())} other",
                            flush=True,
                        )
            server.stop()
            server = None
        after = _counts()
        joins = _joins(*last_ids)
        print(f"\nload average after the load: {os.getloadavg()[0]:.2f}")
        ratio_missed = _report(results, totals, all_errors, before, after, joins)
        analyse(market, ratio_missed, args.profile)
    finally:
        if server is not None:
            server.stop()
        from django.db import connections

        connections.close_all()
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"\ndropped database {DB_NAME}; total {time.perf_counter() - started:.0f} s")
    return 0


def _report(
    results: dict[tuple[str, int, str], Run],
    totals: Counter[str],
    errors: Counter[str],
    before: tuple[int, int, int],
    after: tuple[int, int, int],
    joins: str,
) -> bool:
    print("\n== Results (all rounds of each cell together; per s counts 201 answers) ==")
    head = (
        f"{'endpoint':8} {'server':12} {'clients':>7} {'requests':>8} {'errors':>6} "
        f"{'complaints/s':>12} {'p50 ms':>7} {'p99 ms':>7}"
    )
    print(head)
    print("-" * len(head))
    for (name, clients, endpoint), run in results.items():
        print(
            f"{endpoint:8} {name:12} {clients:>7} {run.requests:>8} {sum(run.errors.values()):>6} "
            f"{run.rate:>12.1f} {_pct(run.latencies_ms, 0.5):>7.1f} "
            f"{_pct(run.latencies_ms, 0.99):>7.1f}"
        )
    print("\nfiling/bare (requests per second):")
    worst = math.inf
    for (name, clients, endpoint), run in results.items():
        if endpoint != "filing":
            continue
        bare = results[(name, clients, "bare")]
        ratio = run.rate / bare.rate if bare.rate else 0.0
        worst = min(worst, ratio)
        print(
            f"  {name:12} {clients} clients: {run.rate:6.1f} / {bare.rate:6.1f} = {ratio:.3f} "
            f"({'goal met' if ratio >= GOAL_RATIO else f'below the goal of {GOAL_RATIO}'})"
        )
    complaints, cases = after[0] - before[0], after[1] - before[1]
    rows = after[2] - before[2]
    print("\nChecks:")
    print(
        f"  filing: {totals['filing']} answers 201 (warm-ups included), {complaints} new "
        f"complaints in the database: {'match' if complaints == totals['filing'] else 'MISMATCH'}"
        f"; {cases} new cases"
    )
    print(f"  filings that joined an open case: {joins}")
    print(
        f"  bare: {totals['bare']} answers 201, {rows} new rows: "
        f"{'match' if rows == totals['bare'] else 'MISMATCH'}"
    )
    if errors:
        print(f"  {sum(errors.values())} answers other than 201:")
        for message, count in errors.most_common(10):
            print(f"    {count:5} x {message}")
    else:
        print("  every request answered 201")
    missed = worst < GOAL_RATIO
    print(f"\nGoal filing/bare >= {GOAL_RATIO}: {'met' if not missed else 'NOT met'} "
          f"(lowest {worst:.3f})")  # fmt: skip
    return missed


if __name__ == "__main__":
    sys.exit(main())
