"""Worst-case inputs: adversarial families of text, timed against ordinary answers of the same size.

Usage: python benchmarks/worst_case.py [--chars 100000] [--only NAME]...

Every family is a pattern repeated to the size given (the documented limit is 100,000
characters). Each is timed (best of two) beside an ordinary answer of the same length (corpus
answers joined), in the same run, and printed as a multiple of it; the target is at most 5x.
``tests/test_worst_case.py`` runs the same families at 20,000 characters.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

FAMILIES: dict[str, str] = {
    "dollar_one": "$1",
    "number_space": "1 ",
    "percent": "40% ",
    "multiplier": "3x ",
    "open_paren": "(",
    "stars": "**",
    "double_quote": '"',
    "emoji": "\U0001f600",
    "emoji_spaced": "\U0001f600 ",
    "markdown_result": "# Result\n",
    "letter_headers": "S: a. T: b. A: c. R: d. ",
    "one_word": "a",
    "newlines": "word\n",
    "blank_lines": "word\n\n\n",
    "bullets": "- did it\n",
    "full_stops": ". ",
    "ellipsis": "so... ",
    "semicolons": "a; ",
    "urls": "https://example.com/a/b?c=1 ",
    "big_numbers": "1,000,000 ",
    "changes": "from 1 to 2 ",
    "money_ranges": "$10-50M ",
    "hedges": "I think maybe ",
    "blame_words": "the previous team never tested and it was their fault. ",
    "we_words": "we ",
    "tabs": "word\t",
    "cjk": "\u4e2d\u6587\u6587\u672c",
    "arabic": "\u0645\u0631\u062d\u0628\u0627 ",
    "zero_width": "a\u200b",
    "combining": "e\u0301",
    "bold_headers": "**Situation:** x\n",
    "two_label_headers": "Situation/Task: x. ",
    "headlines": "TL;DR: x\n\n",
    "fences": "```\ncode\n```\n",
    "html": "<b>x</b> ",
    "abbreviations": "e.g. Dr. Mr. U.S. ",
    "dotted": "a.b.c.d.",
    "number_words": "twenty-one ",
    "run_on": "word ",
    "first_person": "I ",
    "timing_notes": "Task (30 seconds) ",
    "question_marks": "why? ",
    "quotes_words": '"quoted" ',
    "hashes": "#",
    "numbered_items": "1. ",
    "list_markers": "- ",
    "nested_prefixes": "> - 1. ",
    "parens_numbers": "(1) ",
    "midline_headers": "the rate Task: a goal Result: ",
}


def ordinary(chars: int) -> str:
    """Corpus answers joined with blank lines, cut to ``chars`` characters."""
    texts = [
        json.loads(line)["text"]
        for line in (HERE / "corpus" / "answers.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    out = ""
    while len(out) < chars:
        for t in texts:
            out += t + "\n\n"
    return out[:chars]


def family_text(pattern: str, chars: int) -> str:
    """The pattern repeated to exactly ``chars`` characters."""
    return (pattern * (chars // len(pattern) + 1))[:chars]


def timed(analyzer, text: str, rounds: int = 2) -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``rounds`` analyses (an InputError counts: it is an answer too)."""
    from staranalyzer import InputError

    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        with contextlib.suppress(InputError):
            analyzer.analyze(text)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    from staranalyzer import Analyzer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--rubric", default="default")
    args = parser.parse_args()
    analyzer = Analyzer(rubric=args.rubric)
    analyzer.analyze("Situation: warm up. Action: I warmed up. Result: warm.")
    base = timed(analyzer, ordinary(args.chars))
    print(f"{len(FAMILIES)} families at {args.chars:,} characters; ordinary answer {base:.3f} s")
    worst = 0.0
    for name, pattern in FAMILIES.items():
        if args.only and name not in args.only:
            continue
        seconds = timed(analyzer, family_text(pattern, args.chars))
        ratio = seconds / base
        worst = max(worst, ratio)
        flag = "" if ratio <= 5 else "   OVER 5x"
        print(f"  {name:20} {seconds:7.3f} s  {ratio:5.2f}x{flag}")
    print(f"worst: {worst:.2f}x the ordinary answer (target <= 5x)")


if __name__ == "__main__":
    main()
