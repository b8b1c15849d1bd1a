"""Score a Parquet bank with Spark's mapInPandas: one Analyzer per Python worker process.

Usage: python examples/spark_mapinpandas.py BANK.parquet OUT_DIR [--master local[2]]

Needs pyspark (and Java 17+) besides staranalyzer with pyarrow and pandas (the ``dask`` extra
brings both). The bank needs ``id`` and ``answer`` columns. Spark reuses its Python worker
processes, so :func:`staranalyzer.workers.worker_analyzer` builds each process's Analyzer once,
at its first batch, and keeps it; a batch carries only the small spec. The scores are written to
``OUT_DIR`` as Parquet with the bank's columns, the flat result columns, each report's JSON and
the error of any answer that could not be scored.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from staranalyzer.table import sql_types
from staranalyzer.workers import analyzer_spec, score_pandas


def score_answers(answers: DataFrame, rubric: str = "default") -> DataFrame:
    """``answers`` with the result columns added, scored where Spark runs Python."""
    spec = analyzer_spec(rubric)  # checked here, on the driver; small enough for every task

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            yield score_pandas(batch, spec, text="answer")

    schema = StructType(list(answers.schema.fields))  # a copy: add() changes it in place
    for name, sql_type in sql_types():
        schema.add(name, sql_type)
    return answers.mapInPandas(score, schema)


def local_session(master: str = "local[2]") -> SparkSession:
    """A Spark session on this machine only (loopback, no web UI)."""
    return (
        SparkSession.builder.master(master)
        .appName("staranalyzer")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def main() -> None:
    """Score BANK into OUT_DIR and print the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bank")
    parser.add_argument("out")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--rubric", default="default")
    args = parser.parse_args()
    spark = local_session(args.master)
    try:
        scored = score_answers(spark.read.parquet(args.bank), args.rubric)
        scored.write.mode("overwrite").parquet(args.out)
        spark.read.parquet(args.out).groupBy("verdict").count().orderBy("verdict").show()
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
