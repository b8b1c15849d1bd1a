"""Profile of the hot path: ``analyze_many`` over the corpus, with pyinstrument.

Usage: pip install pyinstrument; python benchmarks/profile_hot_path.py [--n 600]
Prints pyinstrument's call tree (time per function, warm caches).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pyinstrument import Profiler

sys.path[:0] = [str(Path(__file__).parent / "corpus")]
from v1 import load_corpus  # noqa: E402

from staranalyzer import Analyzer

CORPUS = Path(__file__).parent / "corpus" / "answers.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600)
    args = parser.parse_args()
    answers = [a.text for a in load_corpus(CORPUS)]
    texts = (answers * (args.n // len(answers) + 1))[: args.n]
    analyzer = Analyzer()
    list(analyzer.analyze_many(texts[:50]))  # warm caches
    profiler = Profiler(interval=0.0005)
    profiler.start()
    list(analyzer.analyze_many(texts))
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
