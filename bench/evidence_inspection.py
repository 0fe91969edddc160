"""Speed and memory of evidence inspection, against its goals.

    .venv/bin/python bench/evidence_inspection.py

Goals: a 2 MB zip of 50 files (JPEGs and PDFs of random-ish content, so that it does not
compress away) is inspected in < 100 ms; a zip bomb of at most 50 KB that unpacks past 1 GB is
refused in < 100 ms, and the process grows by less than 50 MB of RSS while refusing it.

Times are the median and maximum of several warm runs (the first, cold run loads libmagic's
database and is shown apart). Memory is measured in a fresh subprocess, so that earlier runs
cannot hide growth: the peak RSS (VmHWM, reset through /proc/self/clear_refs) during the
refusal, minus the RSS before it.
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ombuds.policy.schema import EvidenceRules

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
RUNS = 30
GOAL_MS = 100.0
GOAL_RSS_MB = 50.0
# The formats the default policy allows for a complaint (ombuds/policy/default_policy.yaml).
DEFAULT_POLICY_FORMATS = [
    "doc",
    "docx",
    "eml",
    "msg",
    "pdf",
    "rar",
    "zip",
    "jpg",
    "gif",
    "xls",
    "xlsx",
]


def _rules() -> EvidenceRules:
    from ombuds.policy.schema import EvidenceRules

    return EvidenceRules(
        allowed_formats=DEFAULT_POLICY_FORMATS,
        max_file_bytes=2 * MB,
        max_archive_bytes=2 * MB,
        help="The default policy's evidence rules.",
    )


def realistic_zip(files: int = 50, target: int = 2_000_000) -> bytes:
    """Half JPEGs of pixel noise, half PDFs carrying random image bytes: ~2 MB in all."""
    from tests.evidence import corpus

    photos = {
        f"photos/photo-{i:02d}.jpg": corpus.noisy_jpg(target // files, seed=i)
        for i in range(files // 2)
    }
    documents = files - len(photos)
    left = target - sum(len(data) for data in photos.values()) - files * 150  # zip headers
    payload = left // documents - 900  # the PDF around its payload
    members = photos | {
        f"documents/receipt-{i:02d}.pdf": corpus.pdf_with_random_payload(payload, seed=i)
        for i in range(documents)
    }
    return corpus.zip_of(members)


def _time(inspect: Callable[[], str]) -> tuple[str, float, list[float]]:
    start = time.perf_counter()
    outcome = inspect()
    cold = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        inspect()
        times.append((time.perf_counter() - start) * 1000)
    return outcome, cold, times


def _outcome(data: bytes, name: str) -> Callable[[], str]:
    from ombuds.evidence.inspection import EvidenceError, inspect_file

    rules = _rules()

    def run() -> str:
        try:
            result = inspect_file(io.BytesIO(data), name, rules)
        except EvidenceError as exc:
            return f"refused: {exc.code}"
        return f"accepted: {result.format}, {len(result.archive_members)} members"

    return run


def _status(line: dict[str, float]) -> str:
    return "OK" if line["max"] < GOAL_MS else "MISSED"


def _memory_child(path: str) -> int:
    """Runs in a fresh process: RSS growth while one bomb is refused."""
    sys.path.insert(0, str(ROOT))
    from ombuds.evidence.inspection import EvidenceError, inspect_file
    from tests.evidence import corpus

    rules = _rules()
    inspect_file(io.BytesIO(corpus.pdf()), "warm-up.pdf", rules)  # loads libmagic
    data = Path(path).read_bytes()
    stream = io.BytesIO(data)
    reset = True
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        reset = False
    before = _status_kb("VmRSS")
    code = "accepted"
    try:
        inspect_file(stream, Path(path).name, rules)
    except EvidenceError as exc:
        code = exc.code
    peak = _status_kb("VmHWM") if reset else _status_kb("VmRSS")
    print(json.dumps({"code": code, "growth_kb": peak - before, "peak_reset": reset}))
    return 0


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _memory(data: bytes, name: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        output = subprocess.run(
            [sys.executable, __file__, "--memory", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import magic

    from tests.evidence import corpus

    print(
        f"evidence inspection benchmark: Python {platform.python_version()}, "
        f"libmagic {magic.version()}, {os.cpu_count()} CPUs, {RUNS} warm runs each"
    )
    cases = []
    bundle = realistic_zip()
    cases.append(("2 MB zip of 50 files (25 jpg, 25 pdf)", "evidence.zip", bundle))
    overlap = corpus.overlap_bomb()
    cases.append(("zip bomb: 160 overlapping members", "bomb.zip", overlap))
    deflate = corpus.deflate_bomb()
    cases.append(("zip bomb: one member of zeros", "zeros.zip", deflate))

    missed = False
    for label, name, data in cases:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
        outcome, cold, times = _time(_outcome(data, name))
        line = {"median": statistics.median(times), "max": max(times)}
        status = _status(line)
        missed |= status != "OK"
        print(
            f"- {label}: {len(data):,} bytes, unpacks to {unpacked / MB:,.1f} MB; {outcome}\n"
            f"  median {line['median']:.1f} ms, max {line['max']:.1f} ms, cold first run "
            f"{cold:.1f} ms (goal < {GOAL_MS:.0f} ms): {status}"
        )

    for label, name, data in cases[1:]:
        result = _memory(data, name)
        growth = float(result["growth_kb"]) / 1024  # type: ignore[arg-type]
        status = "OK" if growth < GOAL_RSS_MB else "MISSED"
        missed |= status != "OK"
        how = "peak RSS" if result["peak_reset"] else "RSS after"
        print(
            f"- memory, {label}: {result['code']}, {how} grew by {growth:.1f} MB in a fresh "
            f"process (goal < {GOAL_RSS_MB:.0f} MB): {status}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        sys.exit(_memory_child(sys.argv[2]))
    sys.exit(main())
