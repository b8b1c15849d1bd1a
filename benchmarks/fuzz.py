"""Fuzzing: hostile text, banks and rubrics; only the documented exceptions may come out.

Usage: python benchmarks/fuzz.py [--minutes 10] [--seed 0]

Runs the targets below round-robin with Hypothesis for the time given and prints, per target,
how many inputs it tried and what failed (any exception other than the documented ones, or a
broken invariant). ``tests/test_fuzz.py`` runs the same targets with a few dozen inputs each.

Targets:
- ``analyze``: any str (lone surrogates, controls, long runs, header-like pieces) and any
  question: a :class:`Report` whose sections and findings lie inside the text, whose JSON is
  valid and renders in every format; or :class:`InputError` for the documented bad inputs.
- ``analyze_many``: lists of answers mixing good and bad with ``errors="return"``: one result
  per input, in order, each a report or an InputError.
- ``banks``: any bytes as a JSONL, CSV or Markdown bank: stories or error records, never an
  exception, and at least one record per non-empty JSONL line.
- ``rubric``: any YAML-ish text as a user rubric: loads or raises :class:`RubricError`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PIECES = [
    "Situation:",
    "**Task:**",
    "## Action",
    "S:",
    "R -",
    "(A)",
    "TL;DR:",
    'Result (30 s) "',
    "\n\n",
    "\n- ",
    ". ",
    "; ",
    "I built",
    "we had to",
    "my manager never",
    "I think maybe",
    "As a result",
    "40%",
    "$1.2M",
    "from 3 to 4",
    "10-25 engineers",
    '"',
    "“",
    "**",
    "#",
    "```",
    "1. ",
    "\ud800",
    "\udfff",
    "\x00",
    "\u200b",
    "\U0001f600",
    "e\u0301",
    "\t",
    "\r\n",
    "Learnings\n",
]

hostile_text = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=()), max_size=400),  # surrogates too
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=10)), max_size=60).map("".join),
    st.tuples(st.sampled_from(PIECES), st.integers(1, 3000)).map(lambda p: p[0] * p[1]),
)
questions = st.one_of(st.none(), st.text(max_size=80), st.sampled_from(
    ["Tell me about a time you failed.", "Tell me about a conflict with a colleague.", ""]
))  # fmt: skip

_ANALYZERS: dict[str, object] = {}


def analyzer(rubric: str = "amazon-l6"):  # type: ignore[no-untyped-def]
    """One Analyzer per rubric for the whole run."""
    from staranalyzer import Analyzer

    if rubric not in _ANALYZERS:
        _ANALYZERS[rubric] = Analyzer(rubric=rubric)
    return _ANALYZERS[rubric]


def check_report(text: str, report) -> None:  # type: ignore[no-untyped-def]
    """The invariants of a report of ``text``."""
    from staranalyzer import Report, render

    assert report.characters == len(text)
    last = 0
    for s in report.sections:
        assert last <= s.start <= s.end <= len(text)
        last = s.end
    for f in report.findings:
        assert f.start is None or 0 <= f.start <= (f.end or f.start) <= len(text)
    for p in report.principles:
        for e in p.evidence:
            assert text[e.start : e.end] == e.text
    data = report.model_dump_json()
    json.loads(data)  # strict JSON
    assert Report.model_validate_json(data) == report
    for fmt in ("text", "markdown", "html", "sarif", "line"):
        render(report, fmt, text)


def target_analyze(text: str, question: str | None) -> None:
    from staranalyzer import InputError

    try:
        report = analyzer().analyze(text, question=question)
    except InputError:
        bad = not text.strip() or any(0xD800 <= ord(c) <= 0xDFFF for c in text + (question or ""))
        assert bad, "InputError on a text that is not one of the documented bad inputs"
        return
    check_report(text, report)


def target_analyze_many(texts: list[str]) -> None:
    from staranalyzer import InputError, Report

    items: list[object] = [*texts, None, 7, ""]
    results = list(analyzer("default").analyze_many(items, errors="return", batch_size=3))
    assert len(results) == len(items)
    for item, result in zip(items, results, strict=True):
        assert isinstance(result, Report | InputError)
        if not isinstance(item, str) or not item.strip():
            assert isinstance(result, InputError)


def target_banks(data: bytes, suffix: str) -> None:
    from staranalyzer.banks import read_stories

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bank{suffix}"
        path.write_bytes(data)
        stories = list(read_stories([str(path)]))
    for s in stories:
        assert s.error is not None or isinstance(s.text, str)
        json.dumps(s.id)  # ids are printable and JSON-safe
        if s.error is not None:
            s.error.encode("utf-8")  # messages never hold a lone surrogate
    # An empty bank gives no records: a file of whitespace (judged as text is: "\x1c" is a
    # separator), a byte-order mark alone, or a CSV file with only its header row.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    rows = [line for line in re.split(r"\r\n|[\n\r]", text) if line.strip()]  # as the reader cuts
    if rows and not (suffix == ".csv" and len(rows) == 1):
        assert stories, "a non-empty file gave no story and no error record"


def target_rubric(text: str) -> None:
    from staranalyzer import RubricError, load_rubric

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mine.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with contextlib.suppress(RubricError):  # the one documented error
            load_rubric(str(path))


rubric_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from([
            "schema_version: 1\n", "extends: default\n", "name: x\n", "rules:\n",
            "  - kind: phrase\n", "    id: a.b\n", "    phrases: []\n", "lexicons: {a: [b]}\n",
            "rules+: [{kind: phrase, id: x}]\n", "extends: mine.yaml\n", "a: &x [*x]\n", "\t",
            "principles:\n  items!: []\n", "scoring: 3\n", "{", "- ", "'\n",
        ]),
        max_size=12,
    ).map("".join),
)  # fmt: skip
bank_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.sampled_from([
            b'{"id": 1, "answer": "I did it."}\n', b'{"answer": null}\n', b"[[[[\n", b'"x",\n',
            b"id,answer\n", b'a,"unterminated\n', b"# Story\n", b"```\n# not\n```\n", b"\xff\xfe",
            b'{"id": NaN, "answer": "x"}\n', b'{"id": "\\ud800", "answer": "a\\udfff"}\n',
        ]),
        max_size=12,
    ).map(b"".join),
)  # fmt: skip

TARGETS: dict[str, Callable[[int], Callable[[], None]]] = {}


def _make(examples: int, seed: int) -> dict[str, Callable[[], None]]:
    common = settings(
        max_examples=examples,
        deadline=None,
        derandomize=seed == 0,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    return {
        "analyze": common(given(hostile_text, questions)(target_analyze)),
        "analyze_many": common(given(st.lists(hostile_text, max_size=6))(target_analyze_many)),
        "banks": common(
            given(bank_bytes, st.sampled_from([".jsonl", ".csv", ".md", ".txt"]))(target_banks)
        ),
        "rubric": common(given(rubric_text)(target_rubric)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    deadline = time.monotonic() + 60 * args.minutes
    tried = dict.fromkeys(("analyze", "analyze_many", "banks", "rubric"), 0)
    failures: list[str] = []
    rounds = 0
    start = time.monotonic()
    while time.monotonic() < deadline:
        rounds += 1
        for name, test in _make(200, args.seed + rounds).items():
            began = time.monotonic()
            try:
                test()
            except Exception as exc:  # a failure: keep it and go on
                failures.append(f"{name}: {exc.__class__.__name__}: {exc}")
                traceback.print_exc(limit=3)
            tried[name] += 200
            print(f"round {rounds} {name}: 200 in {time.monotonic() - began:.1f} s", flush=True)
            if time.monotonic() >= deadline:
                break
    minutes = (time.monotonic() - start) / 60
    print(f"fuzzed for {minutes:.1f} min: " + ", ".join(f"{k} {v:,}" for k, v in tried.items()))
    print(f"failures: {len(failures)}")
    for f in failures:
        print("  " + f[:300])
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
