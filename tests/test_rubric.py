"""Rubric loading: bundled and user files, extends, strict validation with precise errors."""

from __future__ import annotations

import re
import textwrap

import pytest

from staranalyzer import Analyzer, RubricError, available_rubrics, load_rubric


def test_default_is_bundled_and_loads():
    assert "default" in available_rubrics()
    rubric = load_rubric("default")
    assert rubric.name == "default"
    assert rubric.timing.seconds["action"] == 90
    assert rubric.sectioning.headers["situation"]


@pytest.mark.parametrize("name", available_rubrics())
def test_every_bundled_rubric_loads_and_analyses(name):
    Analyzer(rubric=name).analyze("Situation: We were late.\nResult: We shipped.")


def write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_user_rubric_extends_a_bundled_one(tmp_path):
    path = write(
        tmp_path,
        "mine.yaml",
        """
        extends: default
        name: mine
        sectioning:
          headers:
            situation: [scene]
        """,
    )
    rubric = load_rubric(path)
    assert rubric.name == "mine" and rubric.source == str(path)
    assert rubric.sectioning.headers["situation"] == ["scene"]  # lists replace
    assert rubric.sectioning.headers["task"] == load_rubric("default").sectioning.headers["task"]
    report = Analyzer(rubric=str(path)).analyze("Scene: It rained.\nTask: Stay dry.")
    assert [s.label for s in report.sections] == ["situation", "task"]


def test_user_rubric_can_extend_a_sibling_file(tmp_path):
    write(tmp_path, "base.yaml", "extends: default\nname: base\n")
    child = write(tmp_path, "child.yaml", "extends: ./base.yaml\nname: child\n")
    assert load_rubric(child).name == "child"


def test_error_names_file_rule_and_field(tmp_path):
    path = write(
        tmp_path,
        "bad.yaml",
        """
        extends: default
        name: bad
        rules:
          - kind: phrase
            id: redflag.custom.broken
            category: blame
            severity: loud
            message: m
            suggestion: s
            phrases: [once upon a time]
            examples: {match: [a], no_match: [b]}
        """,
    )
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = str(info.value)
    assert str(path) in message
    assert "redflag.custom.broken" in message
    assert re.search(r"field 'rules\.\d+\.severity': Input should be", message)


def test_unknown_field_is_rejected(tmp_path):
    path = write(tmp_path, "typo.yaml", "extends: default\nname: typo\ntimng: {}\n")
    with pytest.raises(RubricError, match="field 'timng': Extra inputs are not permitted"):
        load_rubric(path)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("sectioning:\n  headers: {summary: [s]}\n", "sectioning.headers.summary"),
        ("scoring:\n  situation_dominant_over: 1.5\n", "situation_dominant_over must be above"),
    ],
    ids=["unknown_label", "share_limits_must_rise"],
)
def test_invalid_values_are_rejected(tmp_path, body, error):
    path = write(tmp_path, "bad.yaml", "extends: default\nname: x\n" + body)
    with pytest.raises(RubricError, match=error):
        load_rubric(path)


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "broken.yaml", "name: [unclosed\n")
    with pytest.raises(RubricError, match=r"broken.yaml: line \d+, column \d+: not valid YAML"):
        load_rubric(path)


def test_missing_file_and_cycle(tmp_path):
    with pytest.raises(RubricError, match="no such rubric file"):
        load_rubric(tmp_path / "absent.yaml")
    write(tmp_path, "a.yaml", "extends: ./b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "extends: ./a.yaml\nname: b\n")
    with pytest.raises(RubricError, match="cycle"):
        load_rubric(tmp_path / "a.yaml")


def test_duplicate_rule_ids_are_rejected(tmp_path):
    import yaml

    data = load_rubric("default").model_dump(mode="json", exclude={"source", "base_dir"})
    path = tmp_path / "dup.yaml"
    path.write_text(
        yaml.safe_dump({**data, "rules": data["rules"] + data["rules"][:1]}), encoding="utf-8"
    )
    with pytest.raises(RubricError, match="rule ids used twice: redflag.blame.conduct"):
        load_rubric(path)


def test_child_rules_merge_by_id(tmp_path):
    path = write(
        tmp_path,
        "child.yaml",
        """
        extends: default
        name: child
        rules:
          - kind: no_metrics
            id: metrics.result_unquantified
            category: no_metrics
            severity: error
            message: No number in the Result.
            suggestion: Add one.
            kinds: [percent]
            examples:
              match: ["Result: It went well."]
              no_match: ["Result: Up 5%."]
        """,
    )
    rubric = load_rubric(path)
    default = load_rubric("default")
    assert [r.id for r in rubric.rules] == [r.id for r in default.rules]
    changed = next(r for r in rubric.rules if r.id == "metrics.result_unquantified")
    assert changed.severity == "error" and changed.kinds == ["percent"]


def test_edited_rubric_file_is_reloaded(tmp_path):
    path = write(tmp_path, "r.yaml", "extends: default\nname: one\n")
    assert load_rubric(path).name == "one"
    import os

    path.write_text("extends: default\nname: two\n", encoding="utf-8")
    os.utime(path, (1, 1))
    assert load_rubric(path).name == "two"


@pytest.mark.parametrize("name", available_rubrics())
def test_bundled_rubrics_ship_parsed_and_current(name):
    """data/rubrics.json holds each bundled rubric as its YAML parses now (rebuild it with
    `python tools/build_rubric_cache.py` after editing a rubric)."""
    from staranalyzer.rubric.loader import bundled_text, precompiled, read_yaml

    text = bundled_text(name)
    parsed = precompiled(name, text)
    assert parsed is not None, "data/rubrics.json is out of date: run tools/build_rubric_cache.py"
    assert parsed == read_yaml(text, name)
    parsed["name"] = "changed"  # each call returns a fresh copy
    assert precompiled(name, text) == read_yaml(text, name)


def test_an_edited_bundled_rubric_is_parsed_from_its_yaml(monkeypatch):
    from staranalyzer.rubric import loader

    real_source, real_yaml = loader._read_source, loader.read_yaml
    parsed: list[str] = []

    def edited(ref, asked_by):
        text, source, path = real_source(ref, asked_by)
        if source == "default":
            text = text.replace("name: default\n", "name: default-edited\n", 1)
        return text, source, path

    def counting(text, source):
        parsed.append(source)
        return real_yaml(text, source)

    monkeypatch.setattr(loader, "_read_source", edited)
    monkeypatch.setattr(loader, "read_yaml", counting)
    data, _, _ = loader.raw_rubric("amazon-l6")
    assert parsed == ["default"]  # amazon-l6 from the shipped JSON, the edited parent from YAML
    assert data["name"] == "amazon-l6" and "extends" not in data
    plain, _, _ = loader.raw_rubric("default")
    assert plain["name"] == "default-edited"


def test_loading_a_bundled_rubric_does_not_import_yaml():
    import subprocess
    import sys

    code = (
        "import sys, staranalyzer; staranalyzer.load_rubric('amazon-l6'); "
        "print('yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
