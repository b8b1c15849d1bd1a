"""Throughput: answers per second for each way of calling the analyzer, beside the bare spaCy floor.

Usage: python benchmarks/throughput.py [--n 3000] [--model NAME] [--rounds 2]

Two sets of texts: the v1 corpus answers (about 140 words) and long answers (v2 corpus stories of
250-450 words, about 300 on average). Two floors over the same texts: issue 9's reference,
``nlp.pipe`` of a blank English pipeline with spaCy's sentencizer (what the first version ran
on), and ``nlp.pipe`` of the analyzer's own pipeline (a blank English tokenizer: sentences,
lines and list items are split by staranalyzer itself; with --model, the model's pipeline).
Each figure is the best of --rounds runs in one process; compare the ratios, not the absolute
rates, on a shared machine.

Targets (issue 9): analyze_many at most 2x the floor in one process; 2 processes at least 1.6x
one process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import spacy

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE / "corpus")]

from evaluation import load_gold  # noqa: E402
from v1 import load_corpus  # noqa: E402

from staranalyzer import Analyzer  # noqa: E402

CORPUS = HERE / "corpus" / "answers.jsonl"


def best(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``rounds`` calls."""
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def text_sets(n: int) -> dict[str, list[str]]:
    """The corpus answers and the long answers, each repeated to ``n`` texts."""
    corpus = [a.text for a in load_corpus(CORPUS)]
    long = [g.text for g in load_gold(include_v1=False) if 250 <= len(g.text.split()) <= 450]
    return {
        name: (texts * (n // len(texts) + 1))[:n]
        for name, texts in (("corpus answers", corpus), ("long answers", long))
    }


def measure(analyzer: Analyzer, texts: list[str], args: argparse.Namespace) -> None:
    """Print the rates for one set of texts."""
    nlp = analyzer.nlp
    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    list(analyzer.analyze_many(texts[:100]))  # warm caches (syllables, matchers, stems)
    list(reference.pipe(texts[:100]))

    def floor() -> None:
        for _ in nlp.pipe(texts, batch_size=args.batch_size):
            pass

    def reference_floor() -> None:
        for _ in reference.pipe(texts, batch_size=args.batch_size):
            pass

    single = texts[: max(len(texts) // 3, 1)]
    rows = [
        ("blank en + sentencizer (floor)", len(texts), best(reference_floor, args.rounds)),
        ("analyzer's own nlp.pipe", len(texts), best(floor, args.rounds)),
        (
            "Analyzer.analyze, one by one",
            len(single),
            best(lambda: [analyzer.analyze(t) for t in single], args.rounds),
        ),
        (
            "analyze_many, 1 process",
            len(texts),
            best(
                lambda: list(analyzer.analyze_many(texts, batch_size=args.batch_size)), args.rounds
            ),
        ),
        (
            "analyze_many_json, 1 process",
            len(texts),
            best(
                lambda: list(analyzer.analyze_many_json(texts, batch_size=args.batch_size)),
                args.rounds,
            ),
        ),
        (
            "analyze_many_json, 2 processes",
            len(texts),
            best(
                lambda: list(
                    analyzer.analyze_many_json(texts, batch_size=args.batch_size, n_process=2)
                ),
                args.rounds,
            ),
        ),
    ]
    rates = {}
    for label, n, seconds in rows:
        rates[label] = n / seconds
        print(f"  {label:32} {n / seconds:8.0f} answers/s  ({seconds * 1000 / n:.2f} ms each)")
    floor_rate = rates["blank en + sentencizer (floor)"]
    one = rates["analyze_many, 1 process"]
    print(f"  analyze_many costs {floor_rate / one:.1f}x the floor (target <= 2x)")
    own = rates["analyzer's own nlp.pipe"]
    print(
        f"  (and {own / one:.0f}x its own tokenizer-only nlp.pipe, which is the spaCy part of it)"
    )
    two = rates["analyze_many_json, 2 processes"] / rates["analyze_many_json, 1 process"]
    print(f"  2 processes give {two:.2f}x one (target >= 1.6x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="texts per set (repeated)")
    parser.add_argument("--model", default=None, help="an installed spaCy pipeline")
    parser.add_argument("--rubric", default="default")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    analyzer = Analyzer(rubric=args.rubric, model=args.model)
    print(f"engine: {args.model or 'default (blank en + sentencizer)'}; rubric {args.rubric}")
    for name, texts in text_sets(args.n).items():
        words = sum(len(t.split()) for t in texts) / len(texts)
        print(f"\n{name}: {len(texts)} texts, {words:.0f} words each; best of {args.rounds} runs")
        measure(analyzer, texts, args)


if __name__ == "__main__":
    main()
