"""Hostile input (issue 12): nothing lost, no traceback, only documented exceptions, valid and
byte-identical output. Each test reproduces a case that failed before the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from conftest import ROOT

from staranalyzer import Analyzer, InputError, RubricError, analyze
from staranalyzer.cli import main

ANSWER = (ROOT / "examples" / "unlabelled.txt").read_text(encoding="utf-8")
STAR_CHECK = [sys.executable, "-m", "staranalyzer"]


def run_cli(*args, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def installed(*args, env=None, input=None, timeout=120):
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", **(env or {})}
    return subprocess.run(
        [*STAR_CHECK, *map(str, args)],
        capture_output=True,
        env=full_env,
        input=input,
        timeout=timeout,
    )


def jsonl(stdout: bytes | str) -> list[dict]:
    """The story records of JSON Lines output (a bank's closing portfolio record dropped)."""
    text = stdout.decode("utf-8") if isinstance(stdout, bytes) else stdout
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    if records and list(records[-1]) == ["portfolio"]:
        records.pop()
    return records


# -- 2. nothing lost --------------------------------------------------------------------------
def test_deeply_nested_jsonl_line_is_one_error_record(tmp_path):
    bank = tmp_path / "deep.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    lines = [
        json.dumps({"id": "a", "answer": ANSWER}),
        deep,
        json.dumps({"id": "c", "answer": ANSWER}),
    ]
    bank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = installed(bank, "--format", "jsonl", "--quiet")
    records = jsonl(proc.stdout)
    assert [r.get("id") for r in records] == ["a", f"{bank}:2", "c"]
    assert "nested too deeply" in records[1]["error"] or "bad JSON" in records[1]["error"]
    assert "report" in records[0] and "report" in records[2]
    assert b"Traceback" not in proc.stderr and proc.returncode == 2


def test_lone_surrogates_in_answer_and_id_do_not_abort_the_run(tmp_path):
    bank = tmp_path / "sur.jsonl"
    lines = [
        '{"id": "ok1", "answer": ' + json.dumps(ANSWER) + "}",
        '{"id": "bad\\udeed", "answer": "H\\udeed is my answer"}',
        '{"id": "ok3", "answer": ' + json.dumps(ANSWER) + "}",
    ]
    bank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for fmt in ("jsonl", "text", "markdown", "json"):
        proc = installed(bank, "--format", fmt, "--quiet")
        assert b"Traceback" not in proc.stderr, proc.stderr[-500:]
        proc.stdout.decode("utf-8")  # valid UTF-8, whatever the ids hold
        if fmt == "jsonl":
            records = jsonl(proc.stdout)
            assert [r.get("report") is not None for r in records] == [True, False, True]
            assert records[1]["id"] == "bad\udeed"  # escaped in JSON, the same string back
            assert "surrogate" in records[1]["error"]


def test_file_name_that_is_not_utf8_does_not_abort_a_directory_run(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "a.txt").write_text(ANSWER, encoding="utf-8")
    name = os.path.join(os.fsencode(folder), b"b\xff.txt")
    with open(name, "wb") as handle:
        handle.write(ANSWER.encode("utf-8"))
    (folder / "c.txt").write_text(ANSWER, encoding="utf-8")
    for fmt in ("text", "jsonl"):
        proc = installed(folder, "--format", fmt, "--quiet")
        assert proc.returncode == 0, proc.stderr[-400:]
        out = proc.stdout.decode("utf-8")
        if fmt == "jsonl":
            assert len(jsonl(proc.stdout)) == 3 and all("report" in r for r in jsonl(out))


# -- 3. only documented exceptions -------------------------------------------------------------
def test_lone_surrogate_is_an_input_error():
    with pytest.raises(InputError, match="lone surrogate"):
        analyze("H\udeed")


def test_analyze_many_can_return_errors_in_place(analyzer):
    got = list(analyzer.analyze_many([ANSWER, "", "H\udeed", 7, ANSWER], errors="return"))
    assert [type(x).__name__ for x in got] == [
        "Report",
        "InputError",
        "InputError",
        "InputError",
        "Report",
    ]
    with pytest.raises(InputError, match="text #1"):
        list(analyzer.analyze_many([ANSWER, ""]))


def test_timeout_is_a_clear_error():
    slow = Analyzer(timeout=0.0)
    with pytest.raises(InputError, match="timeout"):
        slow.analyze(ANSWER)


# -- 4. no traceback, valid output -------------------------------------------------------------
def test_output_to_a_path_that_cannot_be_opened(tmp_path):
    proc = installed(ROOT / "examples" / "weak.txt", "-o", tmp_path / "no" / "such" / "out.txt")
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert proc.stderr.decode().count("\n") == 1 and b"cannot write" in proc.stderr


def test_rubric_that_is_not_utf8_names_its_file(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("extends: default\nname: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RubricError, match="latin.yaml.*not UTF-8"):
        Analyzer(rubric=str(path))
    result = run_cli("--rubric", path, ROOT / "examples" / "weak.txt")
    assert result.exit_code == 2 and "latin.yaml" in result.output


def test_jsonl_output_is_strict_json_and_ids_keep_their_type(tmp_path):
    bank = tmp_path / "odd.jsonl"
    lines = [
        '{"id": 17, "answer": ' + json.dumps(ANSWER) + ', "weight": NaN}',
        '{"id": {"a": 1}, "answer": ' + json.dumps(ANSWER) + ', "limit": Infinity}',
        '{"id": "s", "answer": ' + json.dumps(ANSWER) + ', "low": -Infinity}',
    ]
    bank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run_cli(bank, "--format", "jsonl", "--quiet").stdout
    for line in out.splitlines():
        assert "NaN" not in line and "Infinity" not in line
        json.loads(line, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    records = jsonl(out)
    assert [r["id"] for r in records] == [17, {"a": 1}, "s"]
    assert records[0]["weight"] is None and records[1]["limit"] is None


# -- 5. determinism ----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "jsonl", "markdown"])
def test_output_is_identical_across_hash_seeds(fmt):
    bank = ROOT / "examples" / "bank.jsonl"
    outs = {
        installed(bank, "--format", fmt, "--summary", env={"PYTHONHASHSEED": seed}).stdout
        for seed in ("0", "1", "4242")
    }
    assert len(outs) == 1


# -- 7. smaller --------------------------------------------------------------------------------
def test_unterminated_csv_quote_swallows_no_records(tmp_path):
    bank = tmp_path / "bank.csv"
    bank.write_text(
        f'id,answer\na,"{ANSWER}"\nb,"this quote never closes\nc,"{ANSWER}"\n',
        encoding="utf-8",
    )
    records = jsonl(run_cli(bank, "--format", "jsonl", "--quiet").stdout)
    b_line = 3 + ANSWER.count("\n")  # the answer of "a" spans several lines
    assert [r["id"] for r in records] == ["a", f"{bank}:{b_line}", "c"]
    assert "bad CSV record" in records[1]["error"]
    assert "report" in records[2]


def test_hash_line_in_a_fenced_code_block_is_not_a_new_story(tmp_path):
    bank = tmp_path / "bank.md"
    bank.write_text(
        "# Story one\n\n" + ANSWER + "\n\n```\n# not a heading\n```\n\n# Story two\n\n" + ANSWER,
        encoding="utf-8",
    )
    records = jsonl(run_cli(bank, "--format", "jsonl", "--quiet").stdout)
    assert [r["id"] for r in records] == ["Story one", "Story two"]


def test_fifo_without_a_writer_does_not_block(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    proc = installed(fifo, "--format", "jsonl", timeout=60)
    assert proc.returncode == 2 and b"not a regular file" in proc.stderr


def write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_rule_examples_that_do_not_behave_fail_at_load(tmp_path):
    path = write(
        tmp_path,
        "wrong.yaml",
        """
        extends: default
        name: wrong
        rules:
          - kind: phrase
            id: redflag.blame.weather
            category: blame
            severity: warning
            message: 'Blames the weather: "{text}".'
            suggestion: Say what you did about it.
            phrases: ["the weather ruined"]
            examples:
              match: ["The sun was out all day."]
              no_match: ["The weather was fine."]
        """,
    )
    with pytest.raises(RubricError, match=r"wrong.yaml.*redflag.blame.weather.*must match"):
        Analyzer(rubric=str(path))


def test_empty_phrases_and_duplicate_keys_are_refused(tmp_path):
    empty = write(
        tmp_path,
        "empty.yaml",
        """
        extends: default
        name: empty
        failure_phrases: ["i failed", "  "]
        """,
    )
    with pytest.raises(RubricError, match="failure_phrases"):
        Analyzer(rubric=str(empty))
    dup = write(tmp_path, "dup.yaml", "extends: default\nname: a\nname: b\n")
    with pytest.raises(RubricError, match="duplicate key 'name'"):
        Analyzer(rubric=str(dup))


def test_missing_parent_names_the_file_that_asked(tmp_path):
    child = write(tmp_path, "child.yaml", "extends: ./nowhere.yaml\nname: child\n")
    with pytest.raises(RubricError, match="asked for by .*child.yaml"):
        Analyzer(rubric=str(child))


def test_a_file_that_fails_part_way_keeps_its_stories_and_adds_one_error(tmp_path, monkeypatch):
    from staranalyzer import banks

    def flaky(name, lines, columns):  # the JSONL reader breaks after its first record
        first = next(iter(lines))
        yield banks.Story(id="ok-1", source=name, line=1, text=first)
        raise RuntimeError("disk went away")

    monkeypatch.setattr(banks, "_jsonl", flaky)
    (tmp_path / "a.jsonl").write_text('{"answer": "first"}\n{"answer": "second"}\n')
    (tmp_path / "b.txt").write_text("I owned the release and shipped it.", encoding="utf-8")
    stories = list(banks.read_stories([str(tmp_path / "a.jsonl"), str(tmp_path / "b.txt")]))
    assert [s.id for s in stories][:1] == ["ok-1"] and stories[0].error is None
    assert "cannot read on after 1 record(s)" in stories[1].error
    assert "RuntimeError: disk went away" in stories[1].error
    assert stories[2].error is None and "shipped" in stories[2].text  # the next file goes on
