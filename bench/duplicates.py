"""Time of one duplicate check with 1,000 and with 1,000,000 complaints in PostgreSQL.

    .venv/bin/python bench/duplicates.py [--small 1000] [--large 1000000] [--calls 200]

Goal: with 1,000,000 complaints a duplicate check takes at most twice as long as with 1,000.

The check is `ombuds.cases.actions.filing.find_duplicate`, called as `file_complaint` calls it.
A fresh
database `ombuds_bench_dup` (on 127.0.0.1:5432, user postgres) is migrated, then filled with
plain SQL (`INSERT ... SELECT generate_series(...)`): one case per complaint, half of the cases
open, types cycling through the policy's nine, targets `listing:<n>` for reports (unique, as
the open-report constraint wants), `member:<n>` for complaints and `order:<n>` for disputes
(shared by many complainants). 98 % of the complaints are filed by 300 users (about 3,300
each at 1M), 2 % by visitors known only by email (half of those still unconfirmed, without a
case). The small set lives in a schema `small` (copies of the two tables, with all their
indexes), the large one in `public`; both share the users, members and policy rows. Both are
ANALYZEd, and each scenario is timed on both in turns of ten inputs, switching with
`SET search_path`, so that load from other processes on the machine hits both sizes alike.

Scenarios (each timed over --calls different inputs, after a warm-up):

  user: open duplicate      the user has an open complaint of this type and target (found)
  user: closed, refile      the user's complaint of this type and target is closed (none)
  user: new target          a user with complaints, a type and target never filed (none)
  user: no complaints       a user who never filed anything (none)
  visitor: unconfirmed dup  a visitor's unconfirmed report, filed again (found)
  visitor: new email        an email that never filed (none)

For each, "call" is the whole Python function (ORM and round trips; median and p99) and "SQL"
is the exact statements the function sent (captured with CaptureQueriesContext) sent again
through a plain cursor: round trips and execution, without the ORM. EXPLAIN (ANALYZE,
BUFFERS) of those statements at the large size is printed at the end. The database is dropped
at the end, also after an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "ombuds_bench_dup"
PG = "postgres://postgres@127.0.0.1:5432"
USERS = 300
MEMBERS = 500
CHUNK = 100_000
TIME_BUDGET_S = 60.0  # per scenario, for the timed calls and SQL re-runs of both sizes
BATCH = 10  # inputs per turn
SMALL = "small"  # the schema of the small copy; the large one is in public
GOAL_RATIO = 2.0
DESCRIPTION = (
    "The seller publishes the same offer again and again under different titles to stay on "
    "the first page of results; the listings have identical photos and the same price."
)


def _admin(sql: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"{PG}/{DB_NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "ombuds.settings"
    os.environ["DEBUG"] = "0"  # no query log; as in production
    os.environ.setdefault("SECRET_KEY", "bench-duplicates-" + "x" * 40)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- seeding ------------------------------------------------------------------------------------


def _prepare() -> dict[str, Any]:
    """Migrate; departments, the policy version, members and users through the ORM."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from ombuds.accounts.departments import sync_departments
    from ombuds.accounts.models import User
    from ombuds.directory.models import Member
    from ombuds.policy.loader import get_policy
    from ombuds.policy.versions import current_policy_version

    call_command("migrate", verbosity=0)
    departments = {d.code: d.pk for d in sync_departments()}
    version = current_policy_version()
    Member.objects.bulk_create(
        Member(
            member_id=f"bench{n:04d}",
            email=f"bench{n:04d}@members.example",
            display_name=f"Bench Member {n}",
            kind="supplier" if n % 2 else "buyer",
        )
        for n in range(MEMBERS)
    )
    password = make_password(None)  # unusable
    User.objects.bulk_create(
        User(username=f"dupuser{n:04d}", email=f"dupuser{n:04d}@users.example", password=password)
        for n in range(USERS + 1)  # the last one never files
    )
    users = list(User.objects.order_by("pk").values_list("pk", flat=True))
    members = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    types = [(key, t.kind, departments[t.department]) for key, t in get_policy().types.items()]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_types (n int PRIMARY KEY, key text, kind text, dept bigint)"
        )
        cursor.executemany(
            "INSERT INTO bench_types VALUES (%s, %s, %s, %s)",
            [(n, key, kind, dept) for n, (key, kind, dept) in enumerate(types)],
        )
        _default_other_columns(cursor)
        cursor.execute(f"CREATE SCHEMA {SMALL}")
        for table in ("cases_case", "cases_complaint"):
            cursor.execute(f"CREATE TABLE {SMALL}.{table} (LIKE public.{table} INCLUDING ALL)")
    return {
        "policy_version": version.pk,
        "users": users[:USERS],
        "idle_user": users[USERS],
        "members": members,
        "types": len(types),
    }


SEEDED_COLUMNS = {
    "cases_case": {
        "id", "reference", "type_key", "kind", "department_id", "policy_version_id", "status",
        "respondent_id", "target_key", "reporter_count", "urgent", "due_at", "created_at",
        "updated_at", "event_count", "last_event_hash",
    },
    "cases_complaint": {
        "id", "reference", "case_id", "type_key", "complainant_id", "complainant_member_id",
        "complainant_email", "complainant_name", "respondent_id", "target_key", "target_input",
        "answers", "agreement_accepted_at", "via", "confirmed_at", "created_at",
    },
}  # fmt: skip


def _default_other_columns(cursor: Any) -> None:
    """Columns SEED_SQL does not name get their model default as a column default.

    So that the seeding keeps working when the models gain NOT NULL fields with a default
    (Django keeps defaults in Python, not in the table). Only in this throwaway database.
    """
    from ombuds.cases.models import Case, Complaint

    for model in (Case, Complaint):
        table = model._meta.db_table
        for f in model._meta.concrete_fields:
            if f.column in SEEDED_COLUMNS[table] or f.null:
                continue
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            value = None if auto else f.get_db_prep_save(f.get_default(), cursor.db)
            if value is None and not auto:
                raise RuntimeError(
                    f"{table}.{f.column} is NOT NULL without a default: add it to SEED_SQL"
                )
            default = "now()" if auto else cursor.mogrify("%s", [value])
            cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{f.column}" SET DEFAULT {default}')


SEED_SQL = """
WITH src AS (
    SELECT g, t.key AS type_key, t.kind, t.dept,
        CASE t.kind
            WHEN 'report' THEN 'listing:' || g
            WHEN 'dispute' THEN 'order:' || (g %% 300000)
            ELSE 'member:' || (g * 7 %% 5000)
        END AS target_key,
        g %% 50 = 1 AS visitor,
        g %% 100 = 1 AS unconfirmed,
        CASE WHEN g %% 2 = 0
            THEN (ARRAY['submitted', 'in_review', 'waiting'])[1 + (g / 2) %% 3]
            ELSE (ARRAY['decided', 'closed'])[1 + (g / 2) %% 2]
        END AS status,
        (%(users)s::bigint[])[1 + (g * 37) %% %(n_users)s] AS user_id,
        (%(members)s::bigint[])[1 + g %% %(n_members)s] AS respondent_id,
        now() - make_interval(secs => (%(stop)s - g)) AS created_at
    FROM generate_series(%(start)s, %(stop)s - 1) AS g
    JOIN bench_types t ON t.n = g %% %(n_types)s
), new_cases AS (
    INSERT INTO cases_case (id, reference, type_key, kind, department_id, policy_version_id,
        status, respondent_id, target_key, reporter_count, urgent, due_at, created_at,
        updated_at, event_count, last_event_hash)
    SELECT g, 'CASE-B' || g, type_key, kind, dept, %(policy_version)s, status, respondent_id,
        target_key, 1, false, created_at + interval '2 days', created_at, created_at, 1,
        md5(g::text) || md5(g::text)
    FROM src WHERE NOT unconfirmed
)
INSERT INTO cases_complaint (id, reference, case_id, type_key, complainant_id,
    complainant_member_id, complainant_email, complainant_name, respondent_id, target_key,
    target_input, answers, agreement_accepted_at, via, confirmed_at, created_at)
SELECT g, 'CMP-B' || g,
    CASE WHEN unconfirmed THEN NULL ELSE g END,
    type_key,
    CASE WHEN visitor THEN NULL ELSE user_id END,
    NULL,
    CASE WHEN visitor THEN 'visitor' || (g / 50) || '@mail.example'
        ELSE 'user' || user_id || '@users.example' END,
    '', respondent_id, target_key,
    'https://market.example/product/item-' || g || '.html',
    jsonb_build_object('violation', 'duplicate_listing', 'description', %(description)s),
    created_at, 'web',
    CASE WHEN unconfirmed THEN NULL ELSE created_at END,
    created_at
FROM src
"""


def _seed(ctx: dict[str, Any], start: int, stop: int) -> None:
    """Complaints (and their cases) with ids start..stop-1."""
    from django.db import connection, transaction

    params = {
        "users": ctx["users"],
        "n_users": len(ctx["users"]),
        "members": ctx["members"],
        "n_members": len(ctx["members"]),
        "n_types": ctx["types"],
        "policy_version": ctx["policy_version"],
        "description": DESCRIPTION,
    }
    for lo in range(start, stop, CHUNK):
        hi = min(stop, lo + CHUNK)
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(SEED_SQL, {**params, "start": lo, "stop": hi})
        if stop - start > CHUNK:
            took = time.perf_counter() - began
            print(f"  seeded complaints {lo:>9,}..{hi - 1:>9,} in {took:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute("ANALYZE cases_complaint")


# --- inputs -------------------------------------------------------------------------------------


@dataclass
class Lookup:
    checked: Any  # what find_duplicate reads of a CheckedSubmission: type_key, target_key
    filer: Any  # ombuds.intake.checks.Filer
    expect_found: bool


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _lookups(ctx: dict[str, Any], n: int) -> dict[str, list[Lookup]]:
    from ombuds.accounts.models import User
    from ombuds.intake.checks import Filer

    users = {u.pk: u for u in User.objects.filter(pk__in=[*ctx["users"], ctx["idle_user"]])}

    def user_lookups(rows: list[tuple[Any, ...]], found: bool) -> list[Lookup]:
        return [
            Lookup(
                SimpleNamespace(type_key=type_key, target_key=target_key),
                Filer.for_user(users[user_id]),
                found,
            )
            for user_id, type_key, target_key in rows
        ]

    def visitor_lookups(rows: list[tuple[Any, ...]], found: bool) -> list[Lookup]:
        return [
            Lookup(
                SimpleNamespace(type_key=type_key, target_key=target_key),
                Filer(email=email),
                found,
            )
            for email, type_key, target_key in rows
        ]

    sample = (
        "SELECT {cols} FROM cases_complaint c LEFT JOIN cases_case k ON k.id = c.case_id "
        "WHERE {where} ORDER BY random() LIMIT %s"
    )
    user_cols = "c.complainant_id, c.type_key, c.target_key"
    # the newest open complaint per user, type and target decides; any closed ones must have
    # no open sibling for the "closed" scenario
    open_rows = _rows(
        sample.format(
            cols=user_cols,
            where="c.complainant_id IS NOT NULL AND k.status IN "
            "('submitted', 'in_review', 'waiting')",
        ),
        [n],
    )
    closed_rows = _rows(
        sample.format(
            cols=user_cols,
            where="c.complainant_id IS NOT NULL AND k.status IN ('decided', 'closed') "
            "AND NOT EXISTS (SELECT 1 FROM cases_complaint o JOIN cases_case ok "
            "ON ok.id = o.case_id WHERE o.complainant_id = c.complainant_id "
            "AND o.type_key = c.type_key AND o.target_key = c.target_key "
            "AND ok.status IN ('submitted', 'in_review', 'waiting'))",
        ),
        [n],
    )
    type_keys = [r[0] for r in _rows("SELECT key FROM bench_types ORDER BY n", [])]
    new_rows = [
        (ctx["users"][i % len(ctx["users"])], type_keys[i % len(type_keys)], f"listing:9{i:08d}")
        for i in range(n)
    ]
    idle_rows = [(ctx["idle_user"], type_keys[i % len(type_keys)], f"member:{i}") for i in range(n)]
    unconfirmed_rows = _rows(
        sample.format(
            cols="c.complainant_email, c.type_key, c.target_key",
            where="c.complainant_id IS NULL AND c.case_id IS NULL AND c.confirmed_at IS NULL",
        ),
        [n],
    )
    new_email_rows = [
        (f"Nobody{i}@Mail.example", type_keys[i % len(type_keys)], f"listing:{i + 1}")
        for i in range(n)
    ]

    def cycle(rows: list[Any]) -> list[Any]:
        return [rows[i % len(rows)] for i in range(n)] if rows else []

    return {
        "user: open duplicate": user_lookups(cycle(open_rows), True),
        "user: closed, refile": user_lookups(cycle(closed_rows), False),
        "user: new target": user_lookups(new_rows, False),
        "user: no complaints": user_lookups(idle_rows, False),
        "visitor: unconfirmed dup": visitor_lookups(cycle(unconfirmed_rows), True),
        "visitor: new email": visitor_lookups(new_email_rows, False),
    }


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Timing:
    calls_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: int = 0
    statements: list[list[str]] = field(default_factory=list)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _use(schema: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET search_path TO {schema}, public")


def _capture(lookups: list[Lookup]) -> list[list[str]]:
    """Check each answer, and keep the exact statements each call sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ombuds.cases.actions.filing import find_duplicate

    statements = []
    for lookup in lookups:
        with CaptureQueriesContext(connection) as captured:
            found = find_duplicate(lookup.checked, lookup.filer)
        if (found is not None) != lookup.expect_found:
            raise AssertionError(
                f"find_duplicate({lookup.checked}, {lookup.filer.email}) returned {found!r}"
            )
        statements.append([q["sql"] for q in captured.captured_queries])
    return statements


def _measure(lookups: dict[str, list[Lookup]]) -> dict[str, Timing]:
    """Both sizes in turns of BATCH inputs, so that other load on the machine hits both alike."""
    from django.db import connection

    from ombuds.cases.actions.filing import find_duplicate

    timings = {schema: Timing() for schema in lookups}
    for schema, items in lookups.items():
        _use(schema)
        timings[schema].statements = _capture(items)
        timings[schema].queries = round(statistics.mean(len(s) for s in timings[schema].statements))
        for lookup in items[:BATCH]:  # warm-up
            find_duplicate(lookup.checked, lookup.filer)

    def run(sqls: list[str]) -> None:
        with connection.cursor() as cursor:
            for text in sqls:
                cursor.execute(text)
                cursor.fetchall()

    n = min(len(items) for items in lookups.values())
    budget_end = time.perf_counter() + TIME_BUDGET_S
    for lo in range(0, n, BATCH):
        if time.perf_counter() > budget_end:
            break
        for schema, items in lookups.items():
            _use(schema)
            timing = timings[schema]
            for lookup in items[lo : lo + BATCH]:
                began = time.perf_counter()
                find_duplicate(lookup.checked, lookup.filer)
                timing.calls_ms.append((time.perf_counter() - began) * 1000)
            for sqls in timing.statements[lo : lo + BATCH]:
                began = time.perf_counter()
                run(sqls)
                timing.sql_ms.append((time.perf_counter() - began) * 1000)
    _use("public")
    return timings


def _complaints() -> int:
    return _rows("SELECT count(*) FROM cases_complaint", [])[0][0]


def _explain(statements: list[str]) -> str:
    out = []
    for text in statements:
        plan = _rows("EXPLAIN (ANALYZE, BUFFERS) " + text, [])
        out.append(re.sub(r"^SELECT .*? FROM", "SELECT ... FROM", text))
        out.extend("    " + row[0] for row in plan)
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"Duplicate check benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB_NAME}")
    try:
        _setup_django()
        from django.db import connection

        version = connection.cursor().connection.info.server_version
        print(f"database {DB_NAME}: PostgreSQL {version // 10000}.{version % 10000}")
        ctx = _prepare()
        lookups: dict[str, dict[str, list[Lookup]]] = {}
        for schema, size in ((SMALL, args.small), ("public", args.large)):
            began = time.perf_counter()
            print(f"\nseeding {size:,} complaints into schema {schema}...", flush=True)
            _use(schema)
            _seed(ctx, 1, size + 1)
            count = _complaints()
            took = time.perf_counter() - began
            print(f"{count:,} complaints, seeded and analysed in {took:.1f} s", flush=True)
            assert count == size, (count, size)
            lookups[schema] = _lookups(ctx, args.calls)
        _use("public")
        results: dict[str, dict[str, Timing]] = {SMALL: {}, "public": {}}
        explains: dict[str, str] = {}
        print(f"\ntiming, {args.small:,} and {args.large:,} in turns:", flush=True)
        for name in lookups[SMALL]:
            both = _measure({schema: lookups[schema][name] for schema in (SMALL, "public")})
            for schema, timing in both.items():
                results[schema][name] = timing
            explains[name] = _explain(both["public"].statements[0])
            print(
                f"  {name:26} call p50 {_pct(both[SMALL].calls_ms, 0.5):7.3f} ms vs "
                f"{_pct(both['public'].calls_ms, 0.5):7.3f} ms ({len(both[SMALL].calls_ms)} "
                "calls each)",
                flush=True,
            )
        _report(results, explains, args.small, args.large)
    finally:
        from django.db import connections

        connections.close_all()
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        print(f"\ndropped database {DB_NAME}; total {time.perf_counter() - started:.0f} s")
    return 0


def _report(
    results: dict[str, dict[str, Timing]], explains: dict[str, str], small: int, large: int
) -> None:
    print(
        f"\nOne duplicate check (find_duplicate): median and p99 in ms, {small:,} vs {large:,} "
        "complaints"
    )
    at_small, at_large = f"call at {small:,}", f"call at {large:,}"
    print(
        f"{'':29} | {at_small:>17} | {at_large:>17} | {'call':>6} | {'SQL p50':>9} "
        f"{'SQL p50':>9} {'SQL':>6} |"
    )
    head = (
        f"{'scenario':26} {'q':>2} | {'p50':>8} {'p99':>8} | {'p50':>8} {'p99':>8} | "
        f"{'ratio':>6} | {small:>9,} {large:>9,} {'ratio':>6} | goal"
    )
    print(head)
    print("-" * len(head))
    worst = 0.0
    for name, timing in results["public"].items():
        base = results[SMALL][name]
        ratio = _pct(timing.calls_ms, 0.5) / _pct(base.calls_ms, 0.5)
        sql_ratio = _pct(timing.sql_ms, 0.5) / _pct(base.sql_ms, 0.5)
        worst = max(worst, ratio)
        print(
            f"{name:26} {timing.queries:>2} | {_pct(base.calls_ms, 0.5):8.3f} "
            f"{_pct(base.calls_ms, 0.99):8.3f} | {_pct(timing.calls_ms, 0.5):8.3f} "
            f"{_pct(timing.calls_ms, 0.99):8.3f} | {ratio:5.2f}x | "
            f"{_pct(base.sql_ms, 0.5):9.3f} {_pct(timing.sql_ms, 0.5):9.3f} {sql_ratio:5.2f}x | "
            f"{'ok' if ratio <= GOAL_RATIO else 'MISSED'}"
        )
    print(
        f"q: queries per check. Goal: {large:,} within {GOAL_RATIO:g}x of {small:,} "
        f"(call medians); worst {worst:.2f}x: {'met' if worst <= GOAL_RATIO else 'NOT met'}."
    )
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) at {large:,} complaints, one input per scenario:")
    for name, text in explains.items():
        print(f"\n-- {name}\n{text}")


if __name__ == "__main__":
    sys.exit(main())
