"""Compare maintained quantity parsers with staranalyzer's quantity engine.

Usage: pip install quantulum3 price-parser number-parser; python benchmarks/quantity_parsers.py

1. Span extraction (quantulum3 vs ours): precision and recall against the corpus's gold metric
   spans, and against the case table of tests/test_quantities.py (surface text must match).
2. Money values (price-parser vs ours) on the money rows of the table.
3. Number words (number-parser vs ours) on a list of written numbers.
Parsers that are not installed are skipped.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks" / "corpus")]

from test_quantities import CASES, NOT_METRICS  # noqa: E402
from v1 import load_corpus, match_spans  # noqa: E402

from staranalyzer.quantities import find_quantities, word_value  # noqa: E402

warnings.filterwarnings("ignore")


def ours(text: str) -> list[tuple[int, int]]:
    return [(q.start, q.end) for q in find_quantities(text)]


def quantulum(text: str) -> list[tuple[int, int]]:
    from quantulum3 import parser

    return [q.span for q in parser.parse(text)]


def table_score(extract) -> tuple[int, int, int]:
    exact = 0
    for text, expected in CASES:
        got = [text[s:e] for s, e in extract(text)]
        exact += got == [row[0] for row in expected]
    clean = sum(not extract(t) for t in NOT_METRICS)
    return exact, len(CASES), clean


def main() -> None:
    answers = load_corpus(ROOT / "benchmarks" / "corpus" / "answers.jsonl")
    extractors = {"staranalyzer": ours}
    try:
        import quantulum3  # noqa: F401

        extractors["quantulum3"] = quantulum
    except ImportError:
        print("quantulum3 not installed: skipped")
    head = ["corpus P", "corpus R", "table exact", "non-metrics", "ms/answer"]
    print(f"{'extractor':14} " + " ".join(f"{h:>12}" for h in head))
    for name, extract in extractors.items():
        t0 = time.perf_counter()
        m = match_spans((a.id, a.text, a.gold_metrics, extract(a.text)) for a in answers)
        ms = (time.perf_counter() - t0) * 1000 / len(answers)
        exact, n, clean = table_score(extract)
        cells = [f"{m.precision:.3f}", f"{m.recall:.3f}", f"{exact}/{n}"]
        cells += [f"{clean}/{len(NOT_METRICS)} clean", f"{ms:.2f}"]
        print(f"{name:14} " + " ".join(f"{c:>12}" for c in cells))

    money = [(t, rows[0][2]) for t, rows in CASES if rows and rows[0][1] == "money"]
    print("\nmoney values:", len(money), "cases")
    got = sum(any(q.value == v for q in find_quantities(t)) for t, v in money)
    print(f"  staranalyzer  {got}/{len(money)}")
    try:
        from price_parser import Price

        got = sum(
            Price.fromstring(t).amount_float is not None
            and abs(Price.fromstring(t).amount_float - v) < 1e-6
            for t, v in money
        )
        print(f"  price-parser  {got}/{len(money)} (no scale words: $2.5M reads as 2.5)")
    except ImportError:
        print("  price-parser not installed: skipped")

    words = {
        "three": 3,
        "twelve": 12,
        "eighty-seven": 87,
        "ninety": 90,
        "zero": 0,
        "fourteen": 14,
        "a dozen": 12,
        "twenty-five": 25,
        "a hundred": 100,
        "half": 0.5,
    }
    print("\nnumber words:", len(words))
    print(f"  staranalyzer  {sum(word_value(w) == v for w, v in words.items())}/{len(words)}")
    try:
        from number_parser import parse_number

        print(f"  number-parser {sum(parse_number(w) == v for w, v in words.items())}/{len(words)}")
    except ImportError:
        print("  number-parser not installed: skipped")


if __name__ == "__main__":
    main()
