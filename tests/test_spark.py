"""The Spark recipe (examples/spark_mapinpandas.py): mapInPandas gives one process's reports.

Optional: skipped unless pyspark and Java are installed (CI installs neither: pyspark is
half a gigabyte). Run it with ``pip install pyspark`` on a machine with Java 17+.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys

import pytest
from conftest import ROOT

pyspark = pytest.importorskip("pyspark")
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)

from staranalyzer import Analyzer, InputError  # noqa: E402
from staranalyzer.table import FLAT_COLUMNS, flat_values  # noqa: E402
from staranalyzer.workers import analyzer_spec, score_pandas, worker_analyzer  # noqa: E402


def _recipe():
    path = ROOT / "examples" / "spark_mapinpandas.py"
    spec = importlib.util.spec_from_file_location("spark_mapinpandas", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = _recipe().local_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def answers() -> list[str | None]:
    with (ROOT / "benchmarks" / "corpus" / "answers.jsonl").open(encoding="utf-8") as handle:
        texts: list[str | None] = [json.loads(line)["text"] for line in handle][:80]
    texts[7] = ""
    texts[40] = None
    return texts


def test_recipe_matches_one_process_byte_for_byte(spark, answers):
    frame = pd.DataFrame({"id": [f"s{i}" for i in range(len(answers))], "answer": answers})
    bank = spark.createDataFrame(frame).repartition(6)
    scored = _recipe().score_answers(bank).toPandas().set_index("id")
    assert sorted(scored.index) == sorted(frame["id"])  # every row once
    analyzer = Analyzer()
    for key, text in zip(frame["id"], answers, strict=True):
        row = scored.loc[key]
        try:
            report = analyzer.analyze(text)
        except InputError as exc:
            assert row["error"] == str(exc) and pd.isna(row["report"])
            continue
        assert row["report"] == report.model_dump_json()
        assert {c: row[c] for c in FLAT_COLUMNS} == flat_values(report)


def test_one_analyzer_per_python_worker(spark, answers):
    spec = analyzer_spec()

    def score(batches):
        for batch in batches:
            out = score_pandas(batch, spec, columns=["score"])
            out["pid"] = os.getpid()
            out["analyzer"] = id(worker_analyzer(spec))
            yield out

    bank = spark.createDataFrame(pd.DataFrame({"answer": [a or "x" for a in answers]}))
    schema = "answer string, score double, report string, error string, pid bigint, analyzer bigint"
    got = bank.repartition(8).mapInPandas(score, schema).toPandas()
    per_process = got.groupby("pid")["analyzer"].nunique()
    assert len(got) == len(answers) and (per_process == 1).all()
    assert got["pid"].nunique() <= 2  # Spark reused its two Python workers across 8 partitions
