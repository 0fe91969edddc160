"""Exporting the directory as CSV (one file per kind) or JSON lines (one file for all)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, TextIO

from ombuds.directory.records import KINDS, ORDER_OF_KINDS, Kind


def _key_of(kind: Kind, column_name: str) -> str:
    column = next(c for c in kind.columns if c.name == column_name)
    assert column.refers_to is not None
    return f"{column_name}__{KINDS[column.refers_to].key}"


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def records(kind_name: str) -> Iterator[dict[str, str]]:
    kind = KINDS[kind_name]
    fields = [_key_of(kind, c.name) if c.refers_to else c.name for c in kind.columns]
    for values in kind.model.objects.order_by(kind.key).values_list(*fields).iterator(2000):
        yield {c.name: _as_text(v) for c, v in zip(kind.columns, values, strict=True)}


def write_csv(kind_name: str, stream: TextIO) -> int:
    kind = KINDS[kind_name]
    writer = csv.DictWriter(stream, fieldnames=[c.name for c in kind.columns], lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records(kind_name):
        writer.writerow(record)
        count += 1
    return count


def write_jsonl(stream: TextIO, kinds: tuple[str, ...] = ORDER_OF_KINDS) -> int:
    count = 0
    for kind_name in kinds:
        for record in records(kind_name):
            stream.write(json.dumps({"type": kind_name, **record}, ensure_ascii=False) + "\n")
            count += 1
    return count
