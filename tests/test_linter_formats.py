"""The formats prose linters speak: line, GitHub Actions commands, SARIF 2.1.0 (schema-validated);
the pre-commit hook; file positions of findings in answers, Markdown banks and JSONL banks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

from staranalyzer.banks import read_stories
from staranalyzer.cli import ExitCode, main
from staranalyzer.render import file_position, render
from staranalyzer.render.linters import artifact_uri

EXAMPLES = ROOT / "examples"
WEAK = EXAMPLES / "weak.txt"
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
LINE = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info) (?P<rule>[\w.-]+): "
    r"(?P<msg>.+)$"
)

UNLABELLED_BANK = """Some notes before the first story.

## Tell me about a time you disagreed with your manager.

My manager wanted to ship the new pricing page before the holiday sale. I thought that was risky,
because our previous release had broken checkout for a day and we had no rollback plan.

I asked for a meeting and brought the incident report. I proposed we ship behind a feature flag
to 10% of users first, and I wrote the rollback runbook myself that evening.

We shipped on time, the flag caught a tax bug in the first hour, and we fixed it before it
reached more than 10% of users. Honestly I think it went kind of well, basically a huge success.

## Tell me about a time you failed.

We were late on a project. The team didn't really communicate and my predecessor had left a mess.
In the end it was fine and everyone was happy.
"""


def run(*args, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_sarif(doc):
    errors = sorted(validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_line_format_of_one_answer(analyzer):
    result = run("--format", "line", WEAK)
    assert result.exit_code == ExitCode.OK
    lines = result.stdout.splitlines()
    assert (
        f"{WEAK}:1:153: warning ownership.action_we.none: "
        'The Action says "we" 3 times and never "I".'
    ) in lines
    assert (
        f"{WEAK}:1:338: warning redflag.vague.unquantified_impact: "
        'Impact claimed without a number: "a huge success".'
    ) in lines
    text = WEAK.read_text(encoding="utf-8")
    assert text.splitlines()[0][337:].startswith("a huge success")
    report = analyzer.analyze(text)
    expected = sorted((1, f.start + 1, f.rule, f.message) for f in report.findings)
    assert lines == [f"{WEAK}:{ln}:{col}: warning {rule}: {msg}" for ln, col, rule, msg in expected]


def test_positions_point_at_the_finding_in_a_markdown_bank(tmp_path, analyzer):
    bank = tmp_path / "stories.md"
    bank.write_text(UNLABELLED_BANK, encoding="utf-8")
    file_lines = UNLABELLED_BANK.splitlines()
    stories = list(read_stories([str(bank)]))
    assert [s.line for s in stories] == [3, 14]
    assert [s.text_line for s in stories] == [5, 16]
    checked = 0
    for story in stories:
        report = analyzer.analyze(story.text)
        for f in report.findings:
            if f.start is None or not f.text or "\n" in f.text:
                continue
            line, col = file_position(story.text, f.start, story.text_line, story.line)
            assert file_lines[line - 1][col - 1 :].startswith(f.text), (f.rule, line, col)
            checked += 1
    assert checked >= 3
    out = run("--format", "line", "-q", bank).stdout.splitlines()
    parsed = [LINE.match(line).groupdict() for line in out]
    assert {p["path"] for p in parsed} == {str(bank)}
    hedges = [p for p in parsed if p["rule"].startswith("redflag.hedging")]
    assert hedges and all(p["line"] == "12" for p in hedges)
    blame = [p for p in parsed if p["rule"].startswith("redflag.blame")]
    assert blame and blame[0]["line"] == "16"
    assert "predecessor" in file_lines[15] and int(blame[0]["col"]) > 1
    # findings come in file order
    keys = [(int(p["line"]), int(p["col"])) for p in parsed]
    assert keys == sorted(keys)


def test_jsonl_bank_findings_at_the_record_line(tmp_path):
    bank = tmp_path / "bank.jsonl"
    weak = WEAK.read_text(encoding="utf-8")
    bank.write_text(
        json.dumps({"id": "a", "answer": weak})
        + "\n{broken\n"
        + json.dumps({"id": "b", "answer": weak})
        + "\n",
        encoding="utf-8",
    )
    result = run("--format", "line", "-q", bank)
    assert result.exit_code == ExitCode.USAGE
    parsed = [LINE.match(line).groupdict() for line in result.stdout.splitlines()]
    assert {(p["line"], p["col"]) for p in parsed if p["rule"] != "star-check.not_scored"} == {
        ("1", "1"),
        ("3", "1"),
    }
    (bad,) = [p for p in parsed if p["rule"] == "star-check.not_scored"]
    assert bad["line"] == "2" and bad["sev"] == "error" and bad["msg"].startswith("bad JSON")


def test_fail_under_is_an_error_line_and_exit_1(analyzer):
    report = analyzer.analyze(WEAK.read_text(encoding="utf-8"))
    above = f"{report.score + 1:.0f}"
    result = run("--format", "line", "--fail-under", above, WEAK)
    assert result.exit_code == ExitCode.FAILED
    last = result.stdout.splitlines()[-1]
    assert last == (
        f"{WEAK}:1:1: error star-check.fail_under: scored {int(report.score)}/100 "
        f"({report.verdict}), under --fail-under {above}"
    )
    below = run("--format", "line", "--fail-under", f"{report.score - 1:.0f}", WEAK)
    assert below.exit_code == ExitCode.OK and "fail_under" not in below.stdout


def test_github_commands(tmp_path, analyzer):
    result = run("--format", "github", WEAK)
    lines = result.stdout.splitlines()
    assert len(lines) == len(analyzer.analyze(WEAK.read_text(encoding="utf-8")).findings)
    assert lines[-1] == (
        f"::warning file={WEAK},line=1,col=338,title=star-check redflag.vague.unquantified_impact"
        '::Impact claimed without a number: "a huge success".%0A'
        "Put a number on it (a percentage, time saved, money, a before and after)."
    )
    # escaping: a path with a comma and a colon, a message with a percent sign
    odd = tmp_path / "my, story: v2.txt"
    odd.write_text((EXAMPLES / "strong_labelled.md").read_text(encoding="utf-8")[:400])
    out = run("--format", "github", "-q", "--fail-under", "99", odd).stdout
    assert f"file={str(odd).replace(',', '%2C').replace(':', '%3A')}," in out
    assert out.startswith("::")
    levels = ("::warning ", "::notice ", "::error ")
    assert all(line.startswith(levels) for line in out.splitlines())
    assert "%25" in out or "%" not in out.split("::")[-1]
    assert "::error " in out and "title=star-check%3A score::scored" in out


def test_github_info_is_a_notice_and_records_have_no_column(tmp_path):
    bank = tmp_path / "bank.jsonl"
    bank.write_text(json.dumps({"id": "x", "answer": UNLABELLED_BANK}) + "\n", encoding="utf-8")
    out = run("--format", "github", "-q", bank).stdout.splitlines()
    assert any(line.startswith("::notice ") for line in out)
    assert all(",col=" not in line for line in out)


def test_sarif_of_an_answer_is_valid_and_places_findings(analyzer):
    result = run("--format", "sarif", WEAK)
    doc = json.loads(result.stdout)
    assert_valid_sarif(doc)
    run_ = doc["runs"][0]
    assert doc["version"] == "2.1.0" and run_["tool"]["driver"]["name"] == "star-check"
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    text = WEAK.read_text(encoding="utf-8")
    report = analyzer.analyze(text)
    assert rules == list(dict.fromkeys(f.rule for f in report.findings))
    assert "redflag.vague.unquantified_impact" in rules
    results = run_["results"]
    assert [r["ruleId"] for r in results] == [f.rule for f in report.findings]
    for r in results:
        assert rules[r["ruleIndex"]] == r["ruleId"]
        region = r["locations"][0]["physicalLocation"]["region"]
        snippet = region["snippet"]["text"]
        assert text.splitlines()[0][region["startColumn"] - 1 :].startswith(snippet)
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == WEAK.as_uri()
    assert {r["level"] for r in results} == {"warning"}
    assert run_["properties"]["stories"][0]["score"] == report.score
    assert run_["invocations"][0]["executionSuccessful"] is True


def test_sarif_of_a_bank_with_bad_records_is_valid(tmp_path):
    bank = tmp_path / "bank with space.jsonl"
    weak = WEAK.read_text(encoding="utf-8")
    bank.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "answer": weak}),
                "{broken",
                json.dumps({"id": "c", "answer": "   "}),
                json.dumps({"id": "d", "answer": UNLABELLED_BANK}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = run("--format", "sarif", "-q", "--fail-under", "90", bank, WEAK)
    assert result.exit_code == ExitCode.USAGE
    doc = json.loads(result.stdout)
    assert_valid_sarif(doc)
    run_ = doc["runs"][0]
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["region"]["startLine"] for n in notes] == [2, 3]
    assert run_["invocations"][0]["executionSuccessful"] is False
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]
    }
    assert uris == {Path(bank).as_uri(), WEAK.as_uri()}
    assert sum(r["ruleId"] == "star-check.fail_under" for r in run_["results"]) == 3
    ids = [s["id"] for s in run_["properties"]["stories"]]
    assert ids[0] == "a" and ids[-1] == str(WEAK) and len(ids) == 5


def test_sarif_is_deterministic():
    one = run("--format", "sarif", "-q", EXAMPLES / "bank.jsonl", WEAK).stdout
    two = run("--format", "sarif", "-q", EXAMPLES / "bank.jsonl", WEAK).stdout
    assert one == two
    assert_valid_sarif(json.loads(one))


def test_linter_formats_from_python(analyzer):
    text = WEAK.read_text(encoding="utf-8")
    report = analyzer.analyze(text)
    lines = render(report, "line", text, path="stories/weak.txt").splitlines()
    assert lines[0].startswith("stories/weak.txt:1:153: warning ownership.action_we.none:")
    assert render(report, "github", text, path="w.txt").startswith("::warning file=w.txt,line=1")
    doc = json.loads(render(report, "sarif", text, path="w.txt"))
    assert_valid_sarif(doc)
    assert len(doc["runs"][0]["results"]) == len(report.findings)
    # without the text, findings point at the answer's first line
    assert render(report, "line", path="w.txt").splitlines()[0] == (
        'w.txt:1:1: warning ownership.action_we.none: The Action says "we" 3 times and never "I".'
    )


def test_artifact_uris():
    assert artifact_uri("stories/a b.md") == "stories/a%20b.md"
    assert artifact_uri("/tmp/x.md") == "file:///tmp/x.md"
    assert artifact_uri("<stdin>") == "%3Cstdin%3E"


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "star-check"]
    assert hook["entry"] == "star-check" and hook["language"] == "python"
    files = re.compile(hook["files"])
    assert files.search("stories/leadership.md") and files.search("answers/q1.txt")
    assert not files.search("bank.jsonl") and not files.search("tool.py")
    args = hook["args"]
    assert "--fail-under" in args and args[args.index("--format") + 1] == "line"
    # the hook's command line works on a story file as pre-commit runs it
    result = run(*args, WEAK)
    assert result.exit_code == ExitCode.FAILED
    assert result.stdout.splitlines()[-1].startswith(f"{WEAK}:1:1: error star-check.fail_under:")
