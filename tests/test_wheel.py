"""The built wheel carries the rubrics, models, py.typed and the spaCy entry point, and runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT


def test_wheel_ships_rubrics_and_entry_points(tmp_path):
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    # Build from a copy of what the build reads, so that neither a stale build/ folder of the
    # checkout ends up in the wheel nor the build writes into the checkout.
    source = tmp_path / "source"
    for part in ("src", "rubrics"):
        shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel offline here: {proc.stderr[-300:]}")
    (wheel,) = out.glob("staranalyzer-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    rubrics = {p.name for p in (ROOT / "rubrics").glob("*.yaml")}
    assert {f"staranalyzer/rubrics/{r}" for r in rubrics} <= set(names)
    assert "staranalyzer/py.typed" in names
    assert "staranalyzer/data/syllables.txt.gz" in names
    shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith("staranalyzer/data/")}
    models = {p.name for p in (ROOT / "src" / "staranalyzer" / "data").glob("*.model")}
    assert len(models) == 4 and models <= shipped and "rubrics.json" in shipped
    assert not any(n.endswith(".model.gz") for n in shipped)  # the first format: none left
    assert "staranalyzer/schema/report.schema.json" in names
    for module in ("detectors", "quantities", "render", "rubric", "sectioning"):
        assert f"staranalyzer/{module}/__init__.py" in names
    assert "staranalyzer/render/templates/answer.html.j2" in names
    assert "staranalyzer/render/templates/style.css" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry).decode()
    assert "[spacy_factories]" in text and "staranalyzer_sectioner" in text
    assert "star-check = staranalyzer.cli:run" in text
    # Installed from the wheel alone (its dependencies from this environment), every bundled
    # rubric loads from the wheel's own files and scores an answer, without PyYAML.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    code = (
        "import sys, staranalyzer\n"
        f"assert staranalyzer.__file__.startswith({str(target)!r}), staranalyzer.__file__\n"
        "for name in staranalyzer.available_rubrics():\n"
        "    r = staranalyzer.Analyzer(name).analyze(\n"
        "        'Situation: checkout failed twice a week. Task: I owned the fix. '\n"
        "        'Action: I added retries and a canary. Result: failures fell 90% in a month.')\n"
        "    assert r.sections and r.principles, name\n"
        "    print(name, r.score)\n"
        "print('yaml' in sys.modules)\n"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(target)}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.split()
    assert len(lines) == 2 * len(rubrics) + 1 and lines[-1] == "False"
