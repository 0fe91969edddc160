"""Directory import and export, in CSV and JSON lines, with per-line errors."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from ombuds.directory.exporter import write_csv, write_jsonl
from ombuds.directory.importer import import_file, import_text
from ombuds.directory.models import Listing, Member, Order, Store
from ombuds.directory.records import ORDER_OF_KINDS

pytestmark = pytest.mark.django_db

JSONL = """\
{"type": "member", "member_id": "sup1", "email": "Sales@Sup1.example", "display_name": "Sup One", "kind": "supplier", "country": "cn"}
{"type": "member", "member_id": "buy1", "email": "buy1@example.com", "display_name": "Buyer One", "kind": "buyer"}
{"type": "store", "store_url": "https://market.example/store/sup-one", "name": "Sup One Store", "owner": "sup1", "minisite_url": "https://supone.market.example"}
{"type": "listing", "product_url": "https://market.example/product/lamp-1.html", "title": "Lamp", "store": "https://market.example/store/sup-one", "category": "Home"}
{"type": "order", "order_number": "A-1", "buyer": "buy1", "seller": "sup1", "amount": "99.5", "currency": "usd", "payment": "online", "listing": "https://market.example/product/lamp-1.html", "paid_at": "2026-03-01T10:00:00+00:00", "protection_ends_at": "2026-04-30"}
"""


def snapshot():
    return {kind: list(records_of(kind)) for kind in ORDER_OF_KINDS}


def records_of(kind):
    from ombuds.directory.exporter import records

    return records(kind)


def test_jsonl_import_creates_then_updates():
    report = import_text(JSONL, fmt="jsonl")
    assert report.written and not report.errors
    assert dict(report.created) == {"member": 2, "store": 1, "listing": 1, "order": 1}
    member = Member.objects.get(member_id="sup1")
    assert member.email == "sales@sup1.example" and member.country == "CN"
    order = Order.objects.get(order_number="A-1")
    assert (
        order.currency == "USD" and str(order.amount) == "99.50" and order.listing.title == "Lamp"
    )
    changed = JSONL.replace('"title": "Lamp"', '"title": "Desk lamp"')
    again = import_text(changed, fmt="jsonl")
    assert dict(again.updated) == {"member": 2, "store": 1, "listing": 1, "order": 1}
    assert not again.created
    assert Listing.objects.get().title == "Desk lamp"
    assert Member.objects.count() == 2


def test_round_trip_jsonl_and_csv(tmp_path):
    import_text(JSONL, fmt="jsonl")
    before = snapshot()
    out = io.StringIO()
    assert write_jsonl(out) == 5
    csv_files = {}
    for kind in ORDER_OF_KINDS:
        stream = io.StringIO()
        write_csv(kind, stream)
        csv_files[kind] = stream.getvalue()
    for model in (Order, Listing, Store, Member):
        model.objects.all().delete()
    assert import_text(out.getvalue(), fmt="jsonl").written
    assert snapshot() == before
    for model in (Order, Listing, Store, Member):
        model.objects.all().delete()
    for kind in ORDER_OF_KINDS:
        path = tmp_path / f"{kind}s.csv"
        path.write_text(csv_files[kind])
        report = import_file(path)
        assert report.written and not report.errors, report.errors
    assert snapshot() == before


def test_bad_lines_are_named_and_nothing_is_imported():
    text = JSONL + "\n".join(
        [
            '{"type": "member", "member_id": "x1", "email": "not-an-email", "display_name": "X", "kind": "buyer"}',
            '{"type": "member", "member_id": "x2", "email": "x2@example.com", "display_name": "X", "kind": "alien"}',
            "{not json",
            '{"type": "order", "order_number": "B-1", "buyer": "ghost", "seller": "sup1", "amount": "-3", "currency": "USD", "payment": "online"}',
            '{"type": "planet", "name": "Mars"}',
            '{"type": "listing", "product_url": "https://market.example/product/x.html", "title": "X", "store": "https://market.example/store/sup-one", "colour": "red"}',
        ]
    )
    report = import_text(text, fmt="jsonl")
    assert not report.written
    messages = {e.line: e.message for e in report.errors}
    assert "email: is not a valid email address" in messages[6]
    assert "kind: must be one of buyer, supplier, both" in messages[7]
    assert messages[8].startswith("not valid JSON")
    assert "amount: must be a positive amount" in messages[9]
    assert "type must be one of member, store, listing, order" in messages[10]
    assert "unknown column(s) for a listing: colour" in messages[11]
    assert Member.objects.count() == 0


def test_unknown_reference_and_skip_invalid():
    text = (
        JSONL
        + '{"type": "order", "order_number": "B-2", "buyer": "ghost", "seller": "sup1", "amount": "3", "currency": "USD", "payment": "offline"}\n'
    )
    report = import_text(text, fmt="jsonl")
    assert [str(e) for e in report.errors] == [
        "line 6: buyer: no member 'ghost' in the directory or in this file"
    ]
    assert Order.objects.count() == 0
    skipped = import_text(text, fmt="jsonl", skip_invalid=True)
    assert skipped.written and Order.objects.count() == 1


def test_email_belongs_to_one_member():
    import_text(JSONL, fmt="jsonl")
    clash = '{"type": "member", "member_id": "other", "email": "buy1@example.com", "display_name": "O", "kind": "buyer"}\n'
    report = import_text(clash, fmt="jsonl")
    assert "email: buy1@example.com already belongs to member buy1" in report.errors[0].message


def test_csv_errors_name_the_line(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(
        "member_id,email,display_name,kind,country\n"
        "m1,m1@example.com,One,buyer,US\n"
        "m2,m2@example.com,,supplier,USA\n"
        "m3,m3@example.com,Three,buyer,FR,extra\n"
    )
    report = import_file(path)
    assert [str(e) for e in report.errors] == [
        "line 3: display_name: is required; country: must be a two-letter ISO country code (got 'USA')",
        "line 4: more values than columns in the header",
    ]
    assert Member.objects.count() == 0


def test_cli_import_and_export(tmp_path):
    good = tmp_path / "directory.jsonl"
    good.write_text(JSONL)
    out = io.StringIO()
    call_command("directory", "import", str(good), stdout=out)
    assert "members: 2 created" in out.getvalue()
    exported = io.StringIO()
    call_command("directory", "export", stdout=exported)
    lines = [json.loads(line) for line in exported.getvalue().splitlines()]
    assert [line["type"] for line in lines] == ["member", "member", "store", "listing", "order"]
    call_command("directory", "export", "--format", "csv", "--output", str(tmp_path / "csv"))
    assert (tmp_path / "csv" / "orders.csv").read_text().startswith("order_number,buyer,seller")


def test_cli_exits_non_zero_on_bad_lines(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"type": "member", "member_id": "x", "email": "nope", "display_name": "X", "kind": "buyer"}\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "directory", "import", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(tmp_path),
    )
    assert result.returncode != 0
    assert "line 1: email: is not a valid email address" in result.stderr
    assert "nothing was imported" in result.stderr


def _env(tmp_path):
    import os

    env = {**os.environ, "OMBUDS_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "migrate", "-v0"], env=env, check=True, timeout=120
    )
    return env
