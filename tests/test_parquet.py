"""Parquet banks in and out of star-check (without Dask), and a lean base import."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT

from staranalyzer import InputError, Report
from staranalyzer.cli import ExitCode, main
from staranalyzer.table import FLAT_COLUMNS, flat_values

CORPUS = ROOT / "benchmarks" / "corpus" / "answers.jsonl"
HEAVY = ("dask", "distributed", "pandas", "pyarrow")


def corpus(n: int) -> list[dict]:
    with CORPUS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle][:n]


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def reference(analyzer, text, question=None) -> str:
    """The one-process report JSON of a text, or its InputError message."""
    try:
        return analyzer.analyze(text, question=question).model_dump_json()
    except InputError as exc:
        return f"error: {exc}"


def test_import_staranalyzer_stays_lean():
    code = (
        "import sys, staranalyzer, staranalyzer.cli, staranalyzer.table, staranalyzer.banks; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    """A Parquet bank as a platform would export it: int ids, a timestamp, a null answer."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = corpus(12)
    answers = [r["text"] for r in rows] + ["", None, "   "]
    n = len(answers)
    table = pa.table(
        {
            "story_id": pa.array([1000 - 7 * i for i in range(n)], pa.int64()),
            "question": pa.array([r["question"] for r in rows] + ["Q?"] * 3),
            "text": pa.array(answers, pa.string()),
            "submitted": pa.array(
                [datetime.datetime(2026, 1, 1 + i) for i in range(n)], pa.timestamp("s")
            ),
            "tags": pa.array([["a", "b"]] * n, pa.list_(pa.string())),
        }
    )
    path = tmp_path_factory.mktemp("pq") / "bank.parquet"
    pq.write_table(table, path, row_group_size=5)  # several row groups: order across them
    return path, answers


def test_parquet_bank_is_read_in_row_order_with_ids_and_fields(bank, analyzer):
    path, answers = bank
    result = run(
        "--format", "jsonl", "--quiet", "--id-column", "story_id", "--answer-column", "text", path
    )
    assert result.exit_code == ExitCode.USAGE  # the null answer is an input error
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == [1000 - 7 * i for i in range(len(answers))]
    assert [r["line"] for r in records] == list(range(1, len(answers) + 1))
    assert records[0]["submitted"] == "2026-01-01T00:00:00" and records[0]["tags"] == ["a", "b"]
    for record, text in zip(records, answers, strict=True):
        if "report" in record:
            got = Report.model_validate(record["report"]).model_dump_json()
            assert got == reference(analyzer, text, record.get("question"))
    assert records[-3]["error"].endswith(": answer is empty")
    assert records[-3]["error_kind"] == "answer"
    assert records[-2]["error"] == f"{path}:14: no 'text' field"
    assert records[-2]["error_kind"] == "input"
    assert f"{path}:14: no 'text' field" in result.stderr


def test_parquet_bank_without_the_answer_column_is_one_line(bank):
    path, _ = bank
    result = run("--format", "jsonl", path)
    assert result.exit_code == ExitCode.USAGE
    assert f"{path}: no 'answer' column (columns: story_id, question, text" in result.stderr


def test_a_file_that_is_not_parquet_is_an_error_record(tmp_path):
    pytest.importorskip("pyarrow")
    bad = tmp_path / "export.parquet"
    bad.write_text("id,answer\n1,hello\n", encoding="utf-8")
    result = run("--format", "jsonl", bad, ROOT / "examples" / "weak.txt")
    assert result.exit_code == ExitCode.USAGE
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["error"].startswith(f"{bad}: not a readable Parquet file")
    assert "report" in records[1]  # the next file is still scored


def test_parquet_output_has_flat_columns_report_json_and_error_rows(tmp_path, analyzer):
    pq = pytest.importorskip("pyarrow.parquet")
    rows = corpus(10)
    lines = [
        json.dumps({"id": r["id"], "question": r["question"], "answer": r["text"]}) for r in rows
    ]
    lines[3] = json.dumps({"id": "empty-one", "answer": " \n "})
    lines[6] = '{"id": "broken", '
    src = tmp_path / "bank.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "scores.parquet"
    result = run("--format", "parquet", "-o", out, "--quiet", src)
    assert result.exit_code == ExitCode.USAGE and result.stdout == ""
    table = pq.read_table(out)
    expected = ["id", "source", "line", "question", "extra", *FLAT_COLUMNS, "report", "error"]
    assert table.column_names == [*expected, "error_kind"]
    got = table.to_pylist()
    assert [g["id"] for g in got] == [r["id"] for r in rows[:3]] + ["empty-one"] + [
        r["id"] for r in rows[4:6]
    ] + [f"{src}:7"] + [r["id"] for r in rows[7:]]
    for i, row in enumerate(got):
        if i == 3:
            assert row["error"] == f"{src}:4: answer is empty" and row["error_kind"] == "answer"
            assert row["report"] is None and row["score"] is None and row["findings"] is None
        elif i == 6:
            assert row["error"].startswith(f"{src}:7: bad JSON") and row["error_kind"] == "input"
        else:
            report = analyzer.analyze(rows[i]["text"], question=rows[i]["question"])
            assert row["report"] == report.model_dump_json()
            assert {k: row[k] for k in FLAT_COLUMNS} == flat_values(report)
            assert row["error"] is None and row["line"] == i + 1
    weak = [g for g in got if g["score"] is not None and g["findings_vague"]]
    assert weak, "the corpus has vague answers: the per-category counts must show them"
    again = tmp_path / "again.parquet"
    run("--format", "parquet", "-o", again, "--quiet", src)
    assert again.read_bytes() == out.read_bytes()  # deterministic: same bank, same bytes


def test_parquet_output_needs_a_file(tmp_path):
    result = run("--format", "parquet", ROOT / "examples" / "weak.txt")
    assert result.exit_code == ExitCode.USAGE
    assert "--format parquet writes a file: give -o FILE.parquet" in result.output


def test_missing_extra_is_one_line_naming_it(tmp_path, monkeypatch):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "bank.parquet"
    pq.write_table(pa.table({"id": [1], "answer": ["I fixed the build."]}), path)
    for name in ("pyarrow", "pyarrow.parquet", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    result = run("--format", "jsonl", path)
    assert result.exit_code == ExitCode.USAGE
    assert f"{path}: reading Parquet needs pyarrow: pip install 'staranalyzer[dask]'" in (
        result.stderr
    )
    result = run(
        "--format", "parquet", "-o", tmp_path / "o.parquet", ROOT / "examples" / "weak.txt"
    )
    assert result.exit_code == ExitCode.USAGE
    assert "--format parquet needs pyarrow: pip install 'staranalyzer[dask]'" in result.output
    result = run("--dask", "local", ROOT / "examples" / "weak.txt")
    assert result.exit_code == ExitCode.USAGE
    assert "--dask needs the dask extra" in result.output
    assert "pip install 'staranalyzer[dask]'" in result.output
