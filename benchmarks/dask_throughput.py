"""Throughput on one bank: one process, the own process pool, and a 2-worker Dask LocalCluster.

Usage: python benchmarks/dask_throughput.py [--n 4000] [--workers 2] [--batch-size 64]

The bank is the corpus answers (answers.jsonl and the v2 stories), repeated to --n, each made
unique by a sentence with its number. Every engine produces each answer's report as JSON text
(``analyze_many_json``; the bag's report dicts; the dataframe's ``report`` column beside its flat
columns), so the rates compare like with like. The Dask rates are measured after a warm-up run
(cluster started, one Analyzer built per worker); the start-up is printed on its own. Memory:
resident set size of this process after the one-process run, and of each Dask worker process
after its runs (psutil, which distributed brings). CPU ms per answer counts every process that
worked (pool children, Dask workers and this client): unlike the rates, it barely moves when
other jobs share the machine, so it shows what each engine's overhead costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import dask.bag as db
import dask.dataframe as dd
import pandas as pd
import psutil
from distributed import Client

from staranalyzer import Analyzer
from staranalyzer.dask import local_cluster, score_bag, score_frame

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "corpus"))
from stories import load_stories  # noqa: E402


def bank(n: int) -> list[str]:
    with (HERE / "corpus" / "answers.jsonl").open(encoding="utf-8") as handle:
        answers = [json.loads(line)["text"] for line in handle]
    answers += [story.text for story in load_stories()]
    return [f"{answers[i % len(answers)]} This was story {i}." for i in range(n)]


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def worker_cpu() -> float:
    """CPU seconds (user + system) this process has used."""
    times = psutil.Process().cpu_times()
    return times.user + times.system


def children_cpu() -> float:
    """CPU seconds of this process's finished (reaped) child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(fn, cpu) -> tuple[float, float]:
    """Run ``fn``; return its wall seconds and the CPU seconds ``cpu()`` counts meanwhile."""
    cpu0, t0 = cpu(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, cpu() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="answers in the bank")
    parser.add_argument("--workers", type=int, default=2, help="processes (pool and cluster)")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    texts = bank(args.n)
    words = sum(len(t.split()) for t in texts) / len(texts)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(texts):,} answers, {words:.0f} words each on average; {os.cpu_count()} cores")
    print(f"load average before: {load}")
    rows = []

    analyzer = Analyzer()
    list(analyzer.analyze_many_json(texts[:200]))  # warm caches, as the cluster's warm-up does
    wall, cpu = measure(
        lambda: list(analyzer.analyze_many_json(texts, batch_size=args.batch_size)), worker_cpu
    )
    rows.append(("analyze_many_json, 1 process", wall, cpu))
    print(f"  memory: this process {rss_mb():.0f} MB after the 1-process run")
    wall, cpu = measure(
        lambda: list(
            analyzer.analyze_many_json(texts, batch_size=args.batch_size, n_process=args.workers)
        ),
        lambda: worker_cpu() + children_cpu(),
    )
    rows.append((f"analyze_many_json, own pool of {args.workers}", wall, cpu))

    started = time.perf_counter()
    cluster = local_cluster(args.workers)
    client = Client(cluster)
    up = time.perf_counter() - started
    parts = args.workers * 8
    frame = dd.from_pandas(pd.DataFrame({"id": range(len(texts)), "answer": texts}), parts)
    bag = db.from_sequence(texts, npartitions=parts)
    sample = db.from_sequence(texts[:200], npartitions=args.workers * 2)
    warm, _ = measure(score_bag(sample).compute, worker_cpu)  # every worker builds its Analyzer
    first = time.perf_counter() - started

    def cluster_cpu() -> float:  # the workers' CPU and this client's (graph, results)
        return sum(client.run(worker_cpu).values()) + worker_cpu()

    for name, collection in (("score_bag", score_bag(bag)), ("score_frame", score_frame(frame))):
        wall, cpu = measure(collection.compute, cluster_cpu)
        rows.append((f"Dask {name}, LocalCluster {args.workers} workers", wall, cpu))
    workers = client.run(rss_mb)
    print(
        f"  cluster: started in {up:.1f} s; first 200 answers (Analyzers built) {warm:.1f} s; "
        f"ready {first:.1f} s after start"
    )
    for address, mb in sorted(workers.items()):
        print(f"  memory: worker {address} {mb:.0f} MB after its runs")
    client.close()
    cluster.close()

    base = len(texts) / rows[0][1]
    print(f"{'engine':<46}{'answers/s':>10}{'vs 1 process':>14}{'CPU ms/answer':>15}")
    for name, wall, cpu in rows:
        rate = len(texts) / wall
        print(f"{name:<46}{rate:>10,.0f}{rate / base:>13.2f}x{1000 * cpu / len(texts):>15.2f}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average after: {load}")


if __name__ == "__main__":
    main()
