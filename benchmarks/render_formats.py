"""Rendering cost of the output formats on a bank: time per story and output size, analysis apart.

Usage: python benchmarks/render_formats.py [--stories 2000] [--runs 3]

The stories of examples/bank.jsonl and examples/*.txt are analysed once and repeated up to
--stories; each format's writer (the one ``star-check`` uses) then renders them all, --runs
times, and the best run is reported. Also: the import time of the HTML renderer (Jinja2 and
its templates), which only ``--format html`` pays.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from staranalyzer.analyzer import Analyzer
from staranalyzer.banks import read_stories
from staranalyzer.render import OutputFormat, render, story_writer
from staranalyzer.summary import SummaryBuilder

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    analyzer = Analyzer()
    paths = [str(ROOT / "examples" / "bank.jsonl")]
    paths += sorted(str(p) for p in (ROOT / "examples").glob("*.txt"))
    base = [(s, analyzer.analyze(s.text)) for s in read_stories(paths) if s.error is None]
    stories = [base[i % len(base)] for i in range(args.stories)]
    builder = SummaryBuilder()
    for story, report in stories:
        builder.add(story.id, story.text, report)
    summary = builder.build()
    findings = sum(len(r.findings) for _, r in stories)
    print(f"{len(stories):,} stories ({len(base)} distinct), {findings:,} findings")
    print(f"{'format':<9} {'ms/story':>9} {'total s':>8} {'output':>10} {'per story':>10}")
    for fmt in OutputFormat:
        best = float("inf")
        size = 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            writer = story_writer(fmt)
            parts = []
            for story, report in stories:
                if writer is None:
                    parts.append(render(report, fmt, story.text, title=story.id))
                else:
                    parts.append(writer.add(story, report))
            if writer is not None:
                parts.append(writer.finish(summary))
            best = min(best, time.perf_counter() - t0)
            size = sum(len(p.encode("utf-8")) for p in parts)
        print(
            f"{fmt.value:<9} {1000 * best / len(stories):>9.3f} {best:>8.2f}"
            f" {size / 1e6:>8.2f} MB {size / len(stories) / 1024:>7.1f} KB"
        )
    code = "import time, staranalyzer; t=time.perf_counter(); import staranalyzer.render.html; " + (
        "print(time.perf_counter()-t)"
    )
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(5)
    ]
    print(f"import of the HTML renderer after staranalyzer: {1000 * min(runs):.0f} ms (best of 5)")


if __name__ == "__main__":
    main()
