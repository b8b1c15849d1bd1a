"""star-check: the thin CLI (issue 5 extends it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from staranalyzer.cli import ExitCode, main

EXAMPLE = str(ROOT / "examples" / "unlabelled.txt")


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_text_card_lists_sections():
    result = run(EXAMPLE)
    assert result.exit_code == ExitCode.OK
    assert "4 sections" in result.output
    assert "situation" in result.output and "result" in result.output


def test_json_output_is_the_report():
    result = run("--format", "json", EXAMPLE)
    data = json.loads(result.output)
    assert [s["label"] for s in data["sections"]] == ["situation", "task", "action", "result"]


def test_stdin():
    result = run("-", input="Situation: We were late.\nResult: We shipped.")
    assert result.exit_code == 0 and "2 sections" in result.output


def test_missing_file_is_a_usage_error_without_traceback(tmp_path):
    result = run(str(tmp_path / "nope.txt"))
    assert result.exit_code == ExitCode.USAGE
    assert "nope.txt: cannot read" in result.output
    assert "Traceback" not in result.output


def test_empty_file_fails_with_its_name(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n", encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == ExitCode.FAILED
    assert "empty.txt: answer is empty" in result.output


def test_encodings(tmp_path):
    text = "Situation: Café was late.\nResult: We shipped."
    for name, data in {
        "bom.txt": text.encode("utf-8-sig"),
        "utf16.txt": text.encode("utf-16"),
    }.items():
        (tmp_path / name).write_bytes(data)
        assert run(str(tmp_path / name)).exit_code == 0
    (tmp_path / "latin.txt").write_bytes(text.encode("latin-1"))
    result = run(str(tmp_path / "latin.txt"))
    assert result.exit_code == ExitCode.USAGE and "--encoding" in result.output
    assert run("--encoding", "latin-1", str(tmp_path / "latin.txt")).exit_code == 0
    (tmp_path / "binary.bin").write_bytes(b"\x00\x01\x02abc")
    assert run(str(tmp_path / "binary.bin")).exit_code == ExitCode.USAGE


def test_unknown_rubric_is_a_usage_error():
    result = run("--rubric", "nope", EXAMPLE)
    assert result.exit_code == ExitCode.USAGE and "available: " in result.output


def test_installed_command_runs():
    # The command installed beside this interpreter (the venv the tests run in).
    exe = str(Path(sys.executable).with_name("star-check"))
    if not Path(exe).exists():
        exe = shutil.which("star-check")
    proc = subprocess.run([exe, "--format", "json", EXAMPLE], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["sections"]
    proc = subprocess.run(
        [sys.executable, "-m", "staranalyzer", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "star-check" in proc.stdout
