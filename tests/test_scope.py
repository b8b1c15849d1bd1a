"""Scope cues and the level verdict against the rubric's level."""

from __future__ import annotations

import pytest

from staranalyzer import Analyzer

CUES = [
    (
        "I led 18 engineers across three teams.",
        [("team_size", "18 engineers", 18.0), ("teams", "three teams", 3.0)],
    ),
    ("I managed a team of 12.", [("team_size", "12", 12.0)]),
    ("It was worth $14M a year.", [("money", "$14M", 14_000_000.0)]),
    (
        "Buyers grew from 3 million to 11 million monthly buyers.",
        [("users", "from 3 million to 11 million", 11_000_000.0)],
    ),
    ("The change reached millions of users.", [("users", "millions of users", 1_000_000.0)]),
    ("I met all six VPs.", [("stakeholders", "six VPs", 6.0)]),
    ("We had two quarters to do it.", [("time_horizon", "two quarters", 6.0)]),
    ("I fixed three bugs.", []),
]


@pytest.fixture(scope="module")
def l6():
    return Analyzer(rubric="amazon-l6")


@pytest.mark.parametrize("text,expected", CUES, ids=[c[0][:40] for c in CUES])
def test_scope_cues(analyzer, text, expected):
    cues = analyzer.analyze(text).scope_cues
    assert [(c.kind, c.text, c.value) for c in cues] == expected


@pytest.mark.parametrize(
    "text,suggested,verdict",
    [
        ("I led a team of 6 engineers and cut flaky tests by 80%.", "L5", "under"),
        ("I led 18 engineers across three teams; it saved $20M a year.", "L6", "within"),
        ("I led 600 engineers in six organisations.", "L7", "over"),
        ("I fixed the build.", None, "unknown"),
    ],
)
def test_level_verdict(l6, text, suggested, verdict):
    level = l6.analyze(text).level
    assert (level.expected, level.suggested, level.verdict) == ("L6", suggested, verdict)
    if suggested:
        assert level.cues and all(c.level == suggested for c in level.cues)


def test_default_rubric_has_no_level(analyzer):
    level = analyzer.analyze("I led 600 engineers in six organisations.").level
    assert level.expected is None and level.verdict == "unknown" and level.suggested is None


def test_overreach_finding_names_the_cues(l6):
    report = l6.analyze("Situation: I led 600 engineers in six organisations.\nResult: It worked.")
    (finding,) = [f for f in report.findings if f.rule == "scope.level.over"]
    assert '"600 engineers"' in finding.message and "L7" in finding.message
    assert finding.start is None
