"""star-check: formats, banks, errors and exit codes, summary, and the installed command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

import staranalyzer
from staranalyzer.cli import ExitCode, main

EXAMPLES = ROOT / "examples"
WEAK = str(EXAMPLES / "weak.txt")
STRONG = str(EXAMPLES / "strong_labelled.md")
ANSWER = (EXAMPLES / "unlabelled.txt").read_text(encoding="utf-8")


def run(*args, input=None, env=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def jsonl(result):
    """The story records (a bank's closing portfolio record dropped)."""
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    if records and list(records[-1]) == ["portfolio"]:
        records.pop()
    return records


def test_text_card():
    result = run("--no-color", WEAK)
    assert result.exit_code == ExitCode.OK
    out = result.stdout
    assert "53/100  WEAK" in out  # 53.9 shown as 53: floored, so it never reads as a higher verdict
    assert "(target 53%)" in out  # the section bar against its target
    assert '1:338  warning Impact claimed without a number: "a huge success".' in out
    assert "follow-up questions" in out and "What was the measurable impact?" in out
    assert 'metrics (1): "three services"' in out
    assert "\x1b[" not in out


def test_colour_only_when_asked_or_on_a_terminal():
    assert "\x1b[" in run("--color", WEAK).stdout
    assert "\x1b[" not in run(WEAK).stdout  # CliRunner's stdout is not a terminal
    assert "\x1b[" not in run(WEAK, env={"NO_COLOR": "1"}).stdout


def test_json_of_one_answer_is_its_report():
    data = json.loads(run("--format", "json", WEAK).stdout)
    assert data["schema_version"] == staranalyzer.SCHEMA_VERSION
    assert data["verdict"] in ("needs work", "weak") and data["findings"]


def test_markdown():
    out = run("--format", "markdown", WEAK).stdout
    assert "| dimension | score | lost to |" in out and "**Likely follow-up questions**" in out


def test_stdin():
    result = run("--format", "json", "-", input=ANSWER)
    assert result.exit_code == 0 and json.loads(result.stdout)["sections"]


def test_story_line_names_functions_only_when_there_are_some():
    # Cross-functional from another team alone ("the platform team"): no empty "()".
    alone = "I met the other team twice a week to agree the API, and we shipped it together."
    out = run("--rubric", "amazon-l6", "-", input=alone).stdout
    story = next(line for line in out.splitlines() if line.strip().startswith("story:"))
    assert story.rstrip().endswith("cross-functional") and "()" not in story
    named = "I ran the launch with the legal team and the finance team and the design team."
    out = run("--rubric", "amazon-l6", "-", input=named).stdout
    story = next(line for line in out.splitlines() if line.strip().startswith("story:"))
    assert "cross-functional (" in story and "()" not in story


def write_bank(tmp_path: Path) -> Path:
    good = {"id": "a1", "question": "Q1", "answer": ANSWER, "coach": "kim", "tags": ["x"]}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"id": "a3", "question": "Q3"}),
        json.dumps({"id": "a4", "answer": "   "}),
        "",
        json.dumps(["a list"]),
        json.dumps({"id": "a7", "answer": ANSWER, "report": "kept", "line": 99}),
    ]
    path = tmp_path / "bank.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bank_with_corrupted_records_loses_nothing(tmp_path):
    result = run("--format", "jsonl", "--quiet", write_bank(tmp_path))
    records = jsonl(result)
    assert [r["id"] for r in records] == [
        "a1",
        f"{tmp_path}/bank.jsonl:2",
        "a3",
        "a4",
        f"{tmp_path}/bank.jsonl:6",
        "a7",
    ]
    assert "report" in records[0] and records[0]["coach"] == "kim" and records[0]["tags"] == ["x"]
    assert records[0]["question"] == "Q1"
    assert "bad JSON" in records[1]["error"] and records[1]["error_kind"] == "input"
    assert "no 'answer' field" in records[2]["error"]
    assert "answer is empty" in records[3]["error"] and records[3]["error_kind"] == "answer"
    assert "must be a JSON object" in records[4]["error"]
    assert records[5]["input_report"] == "kept" and records[5]["input_line"] == 99
    assert "report" in records[5]
    assert result.exit_code == ExitCode.USAGE
    assert f"{tmp_path}/bank.jsonl:2: bad JSON" in result.stderr


def test_jobs_give_the_same_output(tmp_path):
    bank = write_bank(tmp_path)
    one = run("--format", "jsonl", "-q", bank).stdout
    two = run("--format", "jsonl", "-q", "--jobs", "2", "--batch-size", "1", bank).stdout
    assert one == two


def test_csv_bank_with_named_columns(tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text(
        'story,prompt,text,owner\ns1,Q,"' + ANSWER.replace('"', '""') + '",me\ns2,Q2,,you\n',
        encoding="utf-8",
    )
    result = run(
        "--format",
        "jsonl",
        "-q",
        "--id-column",
        "story",
        "--question-column",
        "prompt",
        "--answer-column",
        "text",
        path,
    )
    records = jsonl(result)
    assert [r["id"] for r in records] == ["s1", "s2"]
    assert records[0]["owner"] == "me" and records[0]["question"] == "Q" and "report" in records[0]
    assert "answer is empty" in records[1]["error"]
    assert result.exit_code == ExitCode.FAILED


def test_csv_without_the_answer_column_names_file_and_line(tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text("id,body\n1,hello\n", encoding="utf-8")
    result = run("-q", path)
    assert result.exit_code == ExitCode.USAGE
    assert f"{path}:1: no 'answer' column" in result.stderr and "--answer-column" in result.stderr


def test_markdown_bank_one_story_per_heading():
    records = jsonl(run("--format", "jsonl", "-q", EXAMPLES / "bank.md"))
    assert len(records) == 3
    assert records[0]["id"] == "Tell me about a time you hired for your team."
    assert all(r["line"] > 0 for r in records)
    # a single answer with STAR headings is one story, not a bank
    assert len(jsonl(run("--format", "jsonl", "-q", STRONG))) == 1


def test_directory_is_read_recursively(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(ANSWER, encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text(ANSWER, encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    records = jsonl(run("--format", "jsonl", "-q", tmp_path))
    assert [Path(r["id"]).name for r in records] == ["a.txt", "b.md"]


def test_input_errors_are_one_line_each_and_the_rest_go_on(tmp_path):
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02hello")
    (tmp_path / "latin.txt").write_bytes("Situation: café\nResult: ça va".encode("latin-1"))
    result = run(
        "--format",
        "jsonl",
        tmp_path / "missing.txt",
        tmp_path / "binary.txt",
        tmp_path / "latin.txt",
        WEAK,
    )
    records = jsonl(result)
    assert len(records) == 4 and "report" in records[3]
    errors = result.stderr.strip().splitlines()
    assert f"{tmp_path}/missing.txt: no such file" in errors[0]
    assert f"{tmp_path}/binary.txt:1: looks like a binary file" in errors[1]
    assert f"{tmp_path}/latin.txt:1: cannot decode as utf-8-sig" in errors[2]
    assert "--encoding" in errors[2]
    assert result.exit_code == ExitCode.USAGE
    ok = run("--format", "jsonl", "--encoding", "latin-1", tmp_path / "latin.txt")
    assert ok.exit_code == 0 and "report" in jsonl(ok)[0]


def test_encodings_with_bom(tmp_path):
    for name, data in {
        "bom.txt": ANSWER.encode("utf-8-sig"),
        "u16.txt": ANSWER.encode("utf-16"),
    }.items():
        (tmp_path / name).write_bytes(data)
        assert run("-q", tmp_path / name).exit_code == 0


def test_fail_under():
    assert run("-q", "--fail-under", "99.5", WEAK).exit_code == ExitCode.FAILED
    assert run("-q", "--fail-under", "10", WEAK).exit_code == ExitCode.OK


def test_output_file(tmp_path):
    out = tmp_path / "out.jsonl"
    result = run("--format", "jsonl", "-o", out, WEAK, STRONG)
    assert result.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_summary_with_histogram_and_near_duplicates(tmp_path):
    (tmp_path / "one.txt").write_text(ANSWER, encoding="utf-8")
    (tmp_path / "two.txt").write_text(ANSWER.replace("18 hours", "19 hours"), encoding="utf-8")
    (tmp_path / "three.txt").write_text((EXAMPLES / "weak.txt").read_text(), encoding="utf-8")
    out = run("--no-color", tmp_path).stdout
    assert "3 stories, 3 scored, 0 not scored; mean score" in out
    assert "90-100" in out and "most common findings" in out
    assert "near-duplicate stories:" in out and "one.txt" in out and "two.txt" in out
    assert "stories without any metric: 0" in out
    # machine formats keep stdout to records; the summary goes to stderr
    result = run("--format", "jsonl", tmp_path)
    assert len(jsonl(result)) == 3 and "mean score" in result.stderr


def test_usage_errors():
    assert run().exit_code == ExitCode.USAGE
    result = run("--rubric", "nope", WEAK)
    assert result.exit_code == ExitCode.USAGE and "available: " in result.output
    result = run("--model", "no_such_model", WEAK)
    assert result.exit_code == ExitCode.USAGE and "cannot load spaCy model" in result.output
    assert run("--format", "yaml", WEAK).exit_code == ExitCode.USAGE


def test_rubric_listing_and_schema():
    listing = run("--list-rubrics").stdout
    assert "amazon-l6" in listing and "[L6]" in listing and "default" in listing
    shown = json.loads(run("--show-rubric", "amazon-l7").stdout)
    assert shown["level"] == "L7"
    assert run("--show-rubric", "nope").exit_code == ExitCode.USAGE
    schema = json.loads(run("--schema").stdout)
    committed = Path(staranalyzer.__file__).parent / "schema" / "report.schema.json"
    assert schema == json.loads(committed.read_text(encoding="utf-8"))


def test_render_is_usable_from_python(analyzer):
    report = analyzer.analyze(ANSWER)
    assert staranalyzer.render(report, "markdown", ANSWER).startswith("**")
    assert json.loads(staranalyzer.render(report, "json")) == json.loads(report.model_dump_json())


def installed(*args, input=None):
    exe = Path(sys.executable).with_name("star-check")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, input=input)


@pytest.mark.parametrize(
    "args,code", [((WEAK,), 0), (("--fail-under", "99", WEAK), 1), (("/no/such/file.txt",), 2)]
)
def test_installed_command(args, code):
    proc = installed(*args)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr


def test_installed_command_on_stdin_and_module():
    proc = installed("--format", "json", "-", input=ANSWER)
    assert proc.returncode == 0 and json.loads(proc.stdout)["score"] > 0
    proc = subprocess.run(
        [sys.executable, "-m", "staranalyzer", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "star-check" in proc.stdout


def test_progress_only_on_a_terminal(capsys):
    from staranalyzer.cli import _Progress

    quiet = _Progress(enabled=False)
    quiet.update(100)
    shown = _Progress(enabled=True)
    shown.start -= 10
    shown.update(100)
    shown.close()
    err = capsys.readouterr().err
    assert "scored 100 stories" in err and err.endswith("\r")


def test_quiet_keeps_stderr_clean(tmp_path):
    result = run("--format", "jsonl", "--quiet", WEAK, STRONG)
    assert result.stderr == "" and len(jsonl(result)) == 2


def test_undecodable_line_in_a_bank_is_one_error_record(tmp_path):
    good = json.dumps({"id": "ok1", "answer": ANSWER}).encode()
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        good
        + b"\n"
        + b'{"id": "bad", "answer": "caf\xe9"}\n'
        + good.replace(b"ok1", b"ok3")
        + b"\n"
    )
    result = run("--format", "jsonl", "-q", path)
    records = jsonl(result)
    assert [r["id"] for r in records] == ["ok1", f"{path}:2", "ok3"]
    assert "cannot decode as utf-8" in records[1]["error"] and "--encoding" in records[1]["error"]
    assert result.exit_code == ExitCode.USAGE


def test_bank_is_streamed_not_read_whole(tmp_path, monkeypatch):
    from staranalyzer import banks

    path = write_bank(tmp_path)
    monkeypatch.setattr(
        banks, "_read", lambda *a: (_ for _ in ()).throw(AssertionError("read whole"))
    )
    stories = list(banks.read_stories([str(path)]))
    assert len(stories) == 6


def test_an_internal_error_is_one_line(monkeypatch):
    from staranalyzer import cli

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "score_stories", broken)
    result = run(WEAK)
    assert result.exit_code == ExitCode.FAILED
    assert "star-check: internal error: RuntimeError: boom" in result.stderr
