"""Accuracy and speed of the content-language check over its corpus.

    .venv/bin/python bench/language_accuracy.py

Prints how many English texts are accepted and other-language texts refused under the default
English-only policy, the language named for the refused ones, the languages covered, and the
time of a call on ~1 KB texts.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _kilobyte(texts: list[str]) -> str:
    text = ""
    while len(text) < 1024:
        text += " ".join(texts) + " "
    return text[:1024]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from ombuds.intake.language import detect_language, language_name, language_problem, warm_up
    from tests.intake.language_corpus import ENGLISH, FOREIGN, TOO_SHORT_TO_REFUSE

    start = time.perf_counter()
    warm_up()
    print(f"py3langid model loaded in {time.perf_counter() - start:.2f} s")

    allowed = ["en"]
    refused_english = [item for item in ENGLISH if language_problem(item.text, allowed)]
    problems = [(item, language_problem(item.text, allowed)) for item in FOREIGN]
    accepted_foreign = [item for item, problem in problems if problem is None]
    refused = [(item, problem) for item, problem in problems if problem is not None]
    named = [(item, p) for item, p in refused if p.finding.code == item.lang]

    english_ok = len(ENGLISH) - len(refused_english)
    total = len(ENGLISH) + len(FOREIGN)
    print(f"English accepted:      {english_ok}/{len(ENGLISH)}")
    print(f"non-English refused:   {len(refused)}/{len(FOREIGN)}")
    print(f"overall accuracy:      {100 * (english_ok + len(refused)) / total:.1f} %")
    if refused:
        share = 100 * len(named) / len(refused)
        print(f"language named right:  {len(named)}/{len(refused)} refused ({share:.1f} %)")
    languages = Counter(item.lang for item in FOREIGN)
    print(
        f"languages covered:     {len(languages)} besides English: "
        + ", ".join(f"{language_name(code)} {n}" for code, n in sorted(languages.items()))
    )
    for item in refused_english:
        print(f"  ! English refused: {item.text[:70]!r} -> {detect_language(item.text)}")
    for item in accepted_foreign:
        print(f"  ! {item.lang} accepted: {item.text[:70]!r} -> {detect_language(item.text)}")
    for item, problem in refused:
        if problem.finding.code != item.lang:
            print(f"  ~ {item.lang} named {problem.finding.code}: {item.text[:60]!r}")

    limits = [item for item in TOO_SHORT_TO_REFUSE if not language_problem(item.text, allowed)]
    print(
        f"known limit: {len(limits)}/{len(TOO_SHORT_TO_REFUSE)} other-language texts of a few "
        "words accepted as too short to judge: " + ", ".join(repr(i.text) for i in limits)
    )

    spanish = [item for item in FOREIGN if item.lang == "es"]
    mix = [
        text
        for pair in zip(ENGLISH, spanish, strict=False)
        for text in (pair[0].text, pair[1].text)
    ]
    samples = {
        "English": _kilobyte([item.text for item in ENGLISH]),
        "English, names/codes": _kilobyte([item.text for item in ENGLISH if item.note]),
        "Spanish": _kilobyte([item.text for item in FOREIGN if item.lang == "es"]),
        "French": _kilobyte([item.text for item in FOREIGN if item.lang == "fr"]),
        "Indonesian": _kilobyte([item.text for item in FOREIGN if item.lang == "id"]),
        "Russian": _kilobyte([item.text for item in FOREIGN if item.lang == "ru"]),
        "Chinese": _kilobyte([item.text for item in FOREIGN if item.lang == "zh"]),
        "Spanish+English mix": _kilobyte(mix),
    }
    # CPU time of this thread per call (other processes on the machine do not count), and the
    # wall-clock mean for comparison
    print("time per call, ~1 KB texts (500 calls each; CPU time, wall-clock mean):")
    everything: list[float] = []
    for name, text in samples.items():
        language_problem(text, allowed)
        times = []
        wall = time.perf_counter()
        for _ in range(500):
            start = time.thread_time()
            language_problem(text, allowed)
            times.append(time.thread_time() - start)
        wall = (time.perf_counter() - wall) / 500
        everything += times
        times.sort()
        print(
            f"  {name:22s} {len(text):5d} chars  mean {1e6 * statistics.mean(times):5.0f} µs"
            f"  p99 {1e6 * times[int(0.99 * len(times))]:5.0f} µs  (wall {1e6 * wall:5.0f} µs)"
        )
    everything.sort()
    print(
        f"  all ~1 KB texts: mean {1e6 * statistics.mean(everything):.0f} µs, "
        f"p99 {1e6 * everything[int(0.99 * len(everything))]:.0f} µs"
    )
    return 0 if not refused_english else 1


if __name__ == "__main__":
    sys.exit(main())
