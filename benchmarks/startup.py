"""Start-up: wall time of ``star-check`` on one answer against ``python -c "import spacy"``.

Usage: python benchmarks/startup.py [--runs 5]

Both commands run --runs times, alternately, and the medians are compared.
Target: star-check on one answer at most 1.5x the time of importing spaCy.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ANSWER = Path(__file__).resolve().parents[1] / "examples" / "weak.txt"


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("star-check"))
    spacy_cmd = [sys.executable, "-c", "import spacy"]
    check_cmd = [exe, str(ANSWER)]
    wall(spacy_cmd), wall(check_cmd)  # warm the file cache
    spacy_times, check_times = [], []
    for _ in range(args.runs):
        spacy_times.append(wall(spacy_cmd))
        check_times.append(wall(check_cmd))
    s, c = statistics.median(spacy_times), statistics.median(check_times)
    print(f"python -c 'import spacy': {s:.2f} s (median of {args.runs})")
    print(f"star-check on one answer:  {c:.2f} s (median of {args.runs})")
    print(f"ratio {c / s:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
