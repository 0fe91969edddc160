"""Importing the marketplace's members, stores, listings and orders from CSV or JSON lines.

Records are upserted by their natural keys (member ID, store URL, product URL, order
number). Every line is checked before anything is written; a file with errors imports
nothing unless the caller asks to skip the invalid lines.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction

from ombuds.directory.models import Member
from ombuds.directory.records import (
    DEFAULTS,
    KINDS,
    ORDER_OF_KINDS,
    FieldError,
    Kind,
    kind_for_name,
)

BATCH = 1000


@dataclass
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    errors: list[LineError] = field(default_factory=list)
    written: bool = False

    def summary(self) -> str:
        parts = [
            f"{kind}s: {self.created[kind]} created, {self.updated[kind]} updated"
            for kind in ORDER_OF_KINDS
            if self.created[kind] or self.updated[kind]
        ]
        return "; ".join(parts) or "nothing to import"


@dataclass
class Row:
    line: int
    kind: Kind
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)


class ImportFormatError(Exception):
    """The file as a whole cannot be read (unknown format, no header, unknown kind)."""


def read_rows(stream: TextIO, *, fmt: str, kind: str | None = None) -> Iterator[Row | LineError]:
    """Rows with their line numbers; a line that cannot even be parsed yields a LineError."""
    if fmt == "csv":
        yield from _read_csv(stream, kind)
    elif fmt == "jsonl":
        yield from _read_jsonl(stream, kind)
    else:
        raise ImportFormatError(f"unknown format {fmt!r}: use csv or jsonl")


def _guess_csv_kind(header: list[str]) -> Kind | None:
    for name in ORDER_OF_KINDS:
        candidate = KINDS[name]
        required = {c.name for c in candidate.columns if c.required}
        if required <= set(header):
            return candidate
    return None


def _read_csv(stream: TextIO, kind_name: str | None) -> Iterator[Row | LineError]:
    reader = csv.DictReader(stream)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ImportFormatError("the CSV file has no header line")
    reader.fieldnames = header
    fixed = KINDS.get(kind_name) if kind_name else None
    if kind_name and fixed is None:
        raise ImportFormatError(f"unknown kind {kind_name!r}: use {', '.join(ORDER_OF_KINDS)}")
    if fixed is None and "type" not in header:
        fixed = _guess_csv_kind(header)
        if fixed is None:
            raise ImportFormatError(
                "cannot tell what the CSV holds: give --kind, or a 'type' column"
            )
    for record in reader:
        line = reader.line_num
        if None in record:
            yield LineError(line, "more values than columns in the header")
            continue
        values = {k: (v or "").strip() for k, v in record.items()}
        kind = fixed or kind_for_name(values.pop("type", ""))
        if kind is None:
            yield LineError(line, f"type must be one of {', '.join(ORDER_OF_KINDS)}")
            continue
        values.pop("type", None)
        yield Row(line, kind, values)


def _read_jsonl(stream: TextIO, kind_name: str | None) -> Iterator[Row | LineError]:
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield LineError(line, f"not valid JSON: {exc.msg}")
            continue
        if not isinstance(record, dict):
            yield LineError(line, "each line must be a JSON object")
            continue
        kind = kind_for_name(str(record.pop("type", kind_name or "")))
        if kind is None:
            yield LineError(line, f"type must be one of {', '.join(ORDER_OF_KINDS)}")
            continue
        values = {k: "" if v is None else str(v).strip() for k, v in record.items()}
        yield Row(line, kind, values)


def _parse(row: Row) -> list[str]:
    problems: list[str] = []
    known = {c.name for c in row.kind.columns}
    unknown = sorted(set(row.raw) - known)
    if unknown:
        problems.append(f"unknown column(s) for a {row.kind.name}: {', '.join(unknown)}")
    for column in row.kind.columns:
        value = row.raw.get(column.name, "")
        if value == "":
            if column.required:
                problems.append(f"{column.name}: is required")
            continue
        try:
            row.values[column.name] = column.parse(value)
        except FieldError as exc:
            problems.append(f"{column.name}: {exc} (got {value[:60]!r})")
    return problems


class _References:
    """Keys that exist, in the database or among the valid rows of the file."""

    def __init__(self, rows: list[Row]):
        self.in_file: dict[str, set[Any]] = {name: set() for name in KINDS}
        for row in rows:
            if row.kind.key in row.values:
                self.in_file[row.kind.name].add(row.values[row.kind.key])
        self.in_db: dict[str, set[Any]] = {}
        for name, kind in KINDS.items():
            wanted = {
                row.values[c.name]
                for row in rows
                for c in row.kind.columns
                if c.refers_to == name and c.name in row.values
            }
            self.in_db[name] = (
                set(
                    kind.model.objects.filter(**{f"{kind.key}__in": wanted}).values_list(
                        kind.key, flat=True
                    )
                )
                if wanted
                else set()
            )

    def exists(self, kind: str, key: Any) -> bool:
        return key in self.in_file[kind] or key in self.in_db[kind]


def _check_references(rows: list[Row]) -> dict[int, list[str]]:
    references = _References(rows)
    problems: dict[int, list[str]] = {}
    for row in rows:
        for column in row.kind.columns:
            target = column.refers_to
            if (
                target
                and column.name in row.values
                and not references.exists(target, row.values[column.name])
            ):
                problems.setdefault(row.line, []).append(
                    f"{column.name}: no {target} {row.values[column.name]!r} in the "
                    "directory or in this file"
                )
    return problems


def _check_unique_emails(rows: list[Row]) -> dict[int, list[str]]:
    """An email belongs to one member: in the file and against the directory."""
    problems: dict[int, list[str]] = {}
    owners: dict[str, str] = {}
    members = [r for r in rows if r.kind.name == "member" and "email" in r.values]
    existing = dict(
        Member.objects.filter(email__in=[r.values["email"] for r in members]).values_list(
            "email", "member_id"
        )
    )
    for row in members:
        address, member_id = row.values["email"], row.values.get("member_id")
        owner = owners.setdefault(address, member_id)
        holder = existing.get(address)
        if owner != member_id or (holder is not None and holder != member_id):
            problems.setdefault(row.line, []).append(
                f"email: {address} already belongs to member {holder or owner}"
            )
    return problems


def validate_rows(parsed: Iterable[Row | LineError]) -> tuple[list[Row], list[LineError]]:
    rows: list[Row] = []
    errors: list[LineError] = []
    for item in parsed:
        if isinstance(item, LineError):
            errors.append(item)
            continue
        problems = _parse(item)
        if problems:
            errors.append(LineError(item.line, "; ".join(problems)))
        else:
            rows.append(item)
    for check in (_check_references, _check_unique_emails):
        found = check(rows)
        if found:
            errors.extend(LineError(line, "; ".join(p)) for line, p in found.items())
            rows = [r for r in rows if r.line not in found]
    errors.sort(key=lambda e: e.line)
    return rows, errors


def _write(rows: list[Row], report: ImportReport) -> None:
    for name in ORDER_OF_KINDS:
        kind = KINDS[name]
        latest: dict[Any, Row] = {}
        for row in rows:
            if row.kind.name == name:
                latest[row.values[kind.key]] = row
        if latest:
            _upsert(kind, list(latest.values()), report)


def _foreign_keys(kind: Kind, rows: list[Row]) -> dict[str, dict[Any, int]]:
    ids: dict[str, dict[Any, int]] = {}
    for column in kind.columns:
        if column.refers_to:
            target = KINDS[column.refers_to]
            keys = {r.values[column.name] for r in rows if column.name in r.values}
            ids[column.name] = dict(
                target.model.objects.filter(**{f"{target.key}__in": keys}).values_list(
                    target.key, "pk"
                )
            )
    return ids


def _upsert(kind: Kind, rows: list[Row], report: ImportReport) -> None:
    keys = [r.values[kind.key] for r in rows]
    existing = set(
        kind.model.objects.filter(**{f"{kind.key}__in": keys}).values_list(kind.key, flat=True)
    )
    fk_ids = _foreign_keys(kind, rows)
    objects = []
    for row in rows:
        attributes: dict[str, Any] = dict(DEFAULTS.get(kind.name, {}))
        for column in kind.columns:
            value = row.values.get(column.name)
            if column.refers_to:
                attributes[f"{column.name}_id"] = fk_ids[column.name].get(value)
            elif value is not None:
                attributes[column.name] = value
            elif not column.required and column.name not in attributes:
                attributes[column.name] = None if _nullable(kind, column.name) else ""
        objects.append(kind.model(**attributes))
    update_fields = [c.name for c in kind.columns if c.name != kind.key] + ["updated_at"]
    for start in range(0, len(objects), BATCH):
        kind.model.objects.bulk_create(
            objects[start : start + BATCH],
            update_conflicts=True,
            unique_fields=[kind.key],
            update_fields=update_fields,
        )
    report.updated.update({kind.name: len(existing)})
    report.created.update({kind.name: len(rows) - len(existing)})
    report.created = +report.created
    report.updated = +report.updated


def _nullable(kind: Kind, name: str) -> bool:
    return kind.model._meta.get_field(name).null


def import_rows(parsed: Iterable[Row | LineError], *, skip_invalid: bool = False) -> ImportReport:
    rows, errors = validate_rows(parsed)
    report = ImportReport(errors=errors)
    if errors and not skip_invalid:
        return report
    with transaction.atomic():
        _write(rows, report)
    report.written = True
    return report


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise ImportFormatError(f"cannot tell the format of {path.name}: give --format csv or jsonl")


def import_file(
    path: str | Path,
    *,
    fmt: str | None = None,
    kind: str | None = None,
    skip_invalid: bool = False,
) -> ImportReport:
    path = Path(path)
    fmt = detect_format(path, fmt)
    if fmt == "csv" and kind is None:
        guessed = kind_for_name(path.stem.split("-")[0].split("_")[0])
        kind = guessed.name if guessed else None
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return import_rows(read_rows(stream, fmt=fmt, kind=kind), skip_invalid=skip_invalid)


def import_text(
    text: str, *, fmt: str, kind: str | None = None, skip_invalid: bool = False
) -> ImportReport:
    return import_rows(read_rows(io.StringIO(text), fmt=fmt, kind=kind), skip_invalid=skip_invalid)
