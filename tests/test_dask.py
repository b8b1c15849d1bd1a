"""Dask: score_bag, score_frame and star-check --dask on a LocalCluster match one process."""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

dd = pytest.importorskip("dask.dataframe")
db = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")

from stories import load_stories  # noqa: E402  (benchmarks/corpus, on the path via conftest)

from staranalyzer import Analyzer, InputError, Report, load_rubric  # noqa: E402
from staranalyzer.dask import (  # noqa: E402
    analyzer_spec,
    local_cluster,
    score_bag,
    score_frame,
    worker_analyzer,
)
from staranalyzer.table import FLAT_COLUMNS, flat_values  # noqa: E402
from staranalyzer.workers import _ANALYZERS  # noqa: E402

CORPUS = ROOT / "benchmarks" / "corpus" / "answers.jsonl"
TOO_LONG = "I led the migration. " * 5000  # 105,000 characters: over the default limit


def _analyzer_ids() -> dict[str, int]:
    return {key: id(analyzer) for key, analyzer in _ANALYZERS.items()}


@pytest.fixture(scope="module")
def texts() -> list[object]:
    """Some 400 corpus answers (two corpora, four fields, strong and weak) and bad records."""
    with CORPUS.open(encoding="utf-8") as handle:
        answers: list[object] = [json.loads(line)["text"] for line in handle]
    answers += [story.text for story in load_stories()]
    for at, bad in ((5, ""), (77, "  \n\t "), (150, TOO_LONG), (151, None), (300, 42)):
        answers.insert(at, bad)
    return answers


@pytest.fixture(scope="module")
def expected(texts) -> list[str]:
    """What Analyzer.analyze says in one process: the report's JSON, or the InputError."""
    analyzer = Analyzer()
    out = []
    for text in texts:
        try:
            out.append(analyzer.analyze(text).model_dump_json())
        except InputError as exc:
            out.append(f"error: {exc}")
    return out


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of two worker processes, started once for the module."""
    cluster = local_cluster(2)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_score_bag_matches_one_process_byte_for_byte(client, texts, expected):
    results = score_bag(db.from_sequence(texts, npartitions=8)).compute()
    assert len(results) == len(texts)
    got = [
        Report.model_validate(r["report"]).model_dump_json()
        if "report" in r
        else f"error: {r['error']}"
        for r in results
    ]
    assert got == expected
    assert all(r["id"] is None for r in results)
    assert sum("error" in r for r in results) == 5
    # both worker processes scored, each with one Analyzer, built once and kept across runs
    built = client.run(_analyzer_ids)
    assert len(built) == 2 and all(len(ids) == 1 for ids in built.values())
    score_bag(db.from_sequence(texts[:40], npartitions=4)).compute()
    assert client.run(_analyzer_ids) == built


def test_score_bag_records_keep_ids_fields_and_order(client, texts, expected):
    records = [
        {"id": f"s{(i * 37) % 1000:03d}", "question": "Tell me about a time…", "answer": t, "n": i}
        for i, t in enumerate(texts)
    ]
    records.insert(10, {"id": "no-answer", "question": "?"})
    records.insert(20, {"id": "with-report-field", "answer": texts[0], "report": "mine"})
    results = score_bag(db.from_sequence(records, npartitions=6)).compute()
    assert [r["id"] for r in results] == [r["id"] for r in records]  # order, no loss or dupes
    assert results[10] == {
        "id": "no-answer",
        "question": "?",
        "error": "no 'answer' field",
        "error_kind": "input",
    }
    assert results[20]["input_report"] == "mine" and "report" in results[20]
    kept = [r for i, r in enumerate(results) if i not in (10, 20)]
    assert [r["n"] for r in kept] == list(range(len(texts)))
    analyzer = Analyzer()
    for r, want in zip(kept, expected, strict=True):
        if "report" in r:  # scored with the record's question
            asked = analyzer.analyze(r_text(r, records), question=r["question"])
            assert Report.model_validate(r["report"]).model_dump_json() == asked.model_dump_json()
            assert r["report"]["question_fit"]["question"] == "Tell me about a time…"
        else:
            assert f"error: {r['error']}" == want and r["error_kind"] == "answer"


def r_text(result, records):
    """The answer of the record a result came from (matched by its ``n`` field)."""
    return next(x["answer"] for x in records if x.get("n") == result["n"])


def test_score_frame_matches_one_process_and_writes_parquet(client, texts, tmp_path):
    # A dataframe column holds text or nulls (dask stores answers as strings), so the bad rows
    # here are an empty answer, white space, an answer over the limit and a null.
    answers = [t if isinstance(t, str) else None for t in texts]
    frame = pd.DataFrame(
        {
            "id": [f"a{i}" for i in range(len(answers))],
            "question": "Tell me about a time you led a change.",
            "answer": answers,
        }
    )
    ddf = dd.from_pandas(frame, npartitions=7)
    scored = score_frame(ddf, question="question", rubric="amazon-l6")
    out = tmp_path / "scored"
    scored.to_parquet(out, write_index=False)
    back = pd.read_parquet(out)
    assert back["id"].tolist() == frame["id"].tolist()
    assert back.columns.tolist() == ["id", "question", "answer", *FLAT_COLUMNS, "report", "error"]
    analyzer = Analyzer(rubric="amazon-l6")
    errors = 0
    for row in back.itertuples(index=False):
        text = None if pd.isna(row.answer) else row.answer
        try:
            report = analyzer.analyze(text, question=row.question)
        except InputError as exc:
            errors += 1
            assert row.error == str(exc) and pd.isna(row.report) and pd.isna(row.score)
            continue
        assert row.report == report.model_dump_json()
        flat = {name: getattr(row, name) for name in FLAT_COLUMNS}
        assert flat == flat_values(report)
        assert pd.isna(row.error)
    assert errors == 5
    assert (back["level_verdict"] != "unknown").any()  # the level rubric's verdicts came through


def test_score_frame_with_an_own_rubric_ships_the_rubric(client, texts):
    # a team's rubric (as a rubric file loads): no bundled name the workers could load it by
    rubric = load_rubric("default").model_copy(
        update={"name": "team", "source": "team.yaml", "disabled": ["redflag.hedging"]}
    )
    spec = analyzer_spec(rubric)
    assert not isinstance(spec.rubric, str)  # the loaded rubric travels, not the path
    answers = [t for t in texts if isinstance(t, str) and t.strip() and len(t) < 100_000]
    frame = pd.DataFrame({"id": range(60), "answer": answers[:60]})
    back = score_frame(dd.from_pandas(frame, npartitions=3), rubric=rubric).compute()
    analyzer = Analyzer(rubric=rubric)
    assert back["report"].tolist() == [analyzer.analyze(t).model_dump_json() for t in frame.answer]
    assert all(json.loads(r)["rubric"] == "team" for r in back["report"])
    assert back["findings_hedging"].sum() == 0


def test_score_frame_refuses_bad_columns_at_once():
    ddf = dd.from_pandas(pd.DataFrame({"id": [1], "text": ["I fixed it."], "score": [3]}), 1)
    with pytest.raises(ValueError, match="no 'answer' column for text="):
        score_frame(ddf)
    with pytest.raises(ValueError, match="already has column\\(s\\) 'score'"):
        score_frame(ddf, text="text")
    with pytest.raises(ValueError, match="unknown result column\\(s\\) 'grade'"):
        score_frame(ddf, text="text", columns=["verdict", "grade"])
    only = score_frame(ddf.drop(columns="score"), text="text", columns=["score", "verdict"])
    assert list(only.columns) == ["id", "text", "score", "verdict", "report", "error"]


def test_a_task_carries_a_small_spec_and_workers_check_the_version():
    spec = analyzer_spec("amazon-l5")
    assert spec.rubric == "amazon-l5" and len(pickle.dumps(spec)) < 1000
    assert analyzer_spec("amazon-l5") == spec  # the same cache key every time
    with pytest.raises(RuntimeError, match="install the same version everywhere"):
        worker_analyzer(dataclasses.replace(spec, version="0.0.0", key="other"))


def _first_difference(one: bytes, other: bytes) -> str:
    for n, (a, b) in enumerate(zip(one.splitlines(), other.splitlines(), strict=False), 1):
        if a != b:
            at = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
            return f"line {n}: ...{a[at - 200 : at + 80]!r} vs ...{b[at - 200 : at + 80]!r}"
    return "different lengths"


def star_check(*args) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("star-check")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, timeout=120)


def test_star_check_dask_gives_the_same_output(client, texts, expected, tmp_path):
    lines = [json.dumps({"id": f"q{i}", "answer": t}) for i, t in enumerate(texts)]
    lines.insert(33, "{not json")
    lines.insert(34, json.dumps({"id": "no-answer"}))
    bank = tmp_path / "bank.jsonl"
    bank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plain = star_check("--format", "jsonl", "--quiet", bank)
    on_dask = star_check("--format", "jsonl", "--quiet", "--dask", "local", "--jobs", "2", bank)
    assert on_dask.returncode == plain.returncode == 2, on_dask.stderr
    assert b"Traceback" not in on_dask.stderr
    assert on_dask.stdout == plain.stdout, _first_difference(plain.stdout, on_dask.stdout)
    assert on_dask.stderr == plain.stderr, on_dask.stderr.decode()[:600]  # the same error lines
    records = [json.loads(line) for line in on_dask.stdout.decode().splitlines()]
    assert len(records) == len(lines)
    kept = [r for r in records if r["id"] not in (f"{bank}:34", "no-answer")]
    for record, want in zip(kept, expected, strict=True):
        if "report" in record:
            assert Report.model_validate(record["report"]).model_dump_json() == want
        else:  # the bank reader words a null or numeric answer its own way
            assert want.startswith("error: ") and record["error"].startswith(f"{bank}:")
    # Parquet out, on a running cluster by its scheduler's address: the same file as without
    star_check("--format", "parquet", "-o", tmp_path / "a.parquet", "-q", bank)
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    args = ("--format", "parquet", "-o", tmp_path / "b.parquet", "-q", "--dask", address, bank)
    assert star_check(*args).returncode == 2
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert pq.read_table(tmp_path / "b.parquet").num_rows == len(lines)


@pytest.mark.parametrize("address", ["", "locall"])
def test_a_bad_cluster_address_is_a_usage_error(address):
    from click.testing import CliRunner

    from staranalyzer.cli import main

    result = CliRunner().invoke(main, ["--dask", address, str(ROOT / "examples" / "weak.txt")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--dask takes 'local' or a scheduler's address such as tcp://scheduler:8786" in (
        result.output
    )
