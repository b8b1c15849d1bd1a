"""Peak memory of ``star-check --format jsonl`` streaming a generated story bank.

Usage: python benchmarks/memory.py [--sizes 10000 100000] [--jobs 1]

Generates JSONL banks from the corpus answers (each story's id and a number in its text made
unique), runs the installed ``star-check`` on each, output to /dev/null, and prints the child's
peak resident set size (``ru_maxrss``) and wall time. Targets: at most 300 MB for 100,000 stories,
and within 10 % of the 10,000-story run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent / "corpus")]
from v1 import load_corpus  # noqa: E402

CORPUS = Path(__file__).parent / "corpus" / "answers.jsonl"


def make_bank(path: Path, n: int) -> None:
    answers = load_corpus(CORPUS)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            a = answers[i % len(answers)]
            text = a.text + f" Story {i} of the bank."
            out.write(json.dumps({"id": f"s{i}", "question": a.question, "answer": text}) + "\n")


def peak_rss(args: list[str]) -> tuple[float, float]:
    """Run a command; return its peak RSS in MB (Linux reports ru_maxrss in KB) and seconds."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "dt = time.perf_counter() - t\n"
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, dt)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    ).stdout.split()
    if out[0] != "0":
        raise SystemExit(f"star-check exited {out[0]}")
    return int(out[1]) / 1024, float(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("star-check"))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            bank = Path(tmp) / f"bank-{n}.jsonl"
            make_bank(bank, n)
            rss, seconds = peak_rss(
                [exe, "--format", "jsonl", "--quiet", "--jobs", str(args.jobs), str(bank)]
            )
            results[n] = rss
            print(
                f"{n:>8,} stories: peak RSS {rss:6.1f} MB, {seconds:6.1f} s "
                f"({n / seconds:,.0f} stories/s), --jobs {args.jobs}"
            )
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(
            f"{large:,} vs {small:,}: {results[large] / results[small] - 1:+.1%} "
            "(target within 10 %, and at most 300 MB)"
        )


if __name__ == "__main__":
    main()
