"""The built wheel carries the rubrics, py.typed and the spaCy entry point."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT


def test_wheel_ships_rubrics_and_entry_points(tmp_path):
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
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
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel offline here: {proc.stderr[-300:]}")
    (wheel,) = tmp_path.glob("staranalyzer-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    rubrics = {p.name for p in (ROOT / "rubrics").glob("*.yaml")}
    assert {f"staranalyzer/rubrics/{r}" for r in rubrics} <= set(names)
    assert "staranalyzer/py.typed" in names
    assert "staranalyzer/data/syllables.txt.gz" in names
    assert "staranalyzer/schema/report.schema.json" in names
    for module in ("detectors", "quantities", "render", "rubric", "sectioning"):
        assert f"staranalyzer/{module}/__init__.py" in names
    assert "staranalyzer/render/templates/answer.html.j2" in names
    assert "staranalyzer/render/templates/style.css" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry).decode()
    assert "[spacy_factories]" in text and "staranalyzer_sectioner" in text
    assert "star-check = staranalyzer.cli:run" in text
