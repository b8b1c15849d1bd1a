"""Score a generated 100,000-answer Parquet bank on a Dask LocalCluster, to Parquet.

Usage: python examples/dask_parquet.py [--n 100000] [--workers 2] [--dir DIR]

Needs the dask extra: ``pip install 'staranalyzer[dask]'``. The bank is made from the corpus
answers in ``benchmarks/corpus/answers.jsonl`` (each with an id, a question and its number in
the text), written as Parquet files of 5,000 rows; the scores go to ``DIR/scores/`` with the
bank's columns, the flat result columns and each report's JSON. On a real cluster, replace
``local_cluster(...)`` with ``Client("tcp://scheduler:8786")`` and the paths with shared
storage (``s3://...``): the rest is the same code.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import dask.dataframe as dd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client

from staranalyzer.dask import local_cluster, score_frame

CORPUS = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus" / "answers.jsonl"
ROWS_PER_FILE = 5_000


def make_bank(folder: Path, n: int) -> None:
    """Write an ``n``-answer bank as Parquet files of ``ROWS_PER_FILE`` rows."""
    with CORPUS.open(encoding="utf-8") as handle:
        corpus = [json.loads(line) for line in handle]
    folder.mkdir(parents=True, exist_ok=True)
    for part, start in enumerate(range(0, n, ROWS_PER_FILE)):
        rows = range(start, min(start + ROWS_PER_FILE, n))
        picks = [corpus[i % len(corpus)] for i in rows]
        table = pa.table(
            {
                "id": [f"story-{i:06d}" for i in rows],
                "question": [p["question"] for p in picks],
                "answer": [
                    f"{p['text']} This was story {i}." for p, i in zip(picks, rows, strict=True)
                ],
                "domain": [p["domain"] for p in picks],
            }
        )
        pq.write_table(table, folder / f"part-{part:04d}.parquet")


def main() -> None:
    """Make the bank, score it on a LocalCluster, and show what came out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="answers in the bank")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: temp)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="staranalyzer-dask-"))

    t0 = time.perf_counter()
    make_bank(folder / "bank", args.n)
    print(f"bank: {args.n:,} answers in {folder / 'bank'} ({time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    with local_cluster(args.workers) as cluster, Client(cluster):
        answers = dd.read_parquet(folder / "bank")  # one partition per file
        scored = score_frame(answers, question="question")
        scored.to_parquet(folder / "scores", write_index=False)
    seconds = time.perf_counter() - t0
    print(
        f"scored on a LocalCluster of {args.workers} workers in {seconds:.1f} s "
        f"({args.n / seconds:,.0f} answers/s, cluster start included)"
    )

    scores = pq.read_table(folder / "scores", columns=["id", "score", "verdict", "error"])
    frame = scores.to_pandas()
    missed = int(frame.error.notna().sum())
    print(f"scores: {len(frame):,} rows in {folder / 'scores'}; not scored: {missed}")
    print(
        f"mean score {frame.score.mean():.1f}; verdicts: {frame.verdict.value_counts().to_dict()}"
    )
    print(frame.head(3).to_string(index=False))


if __name__ == "__main__":
    main()
