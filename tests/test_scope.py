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
        # Between the L6 band (10-25) and the L7 band (100+): neither within L6 nor a claim of L7.
        ("I ran the night shift, about 40 people.", None, "unknown"),
        ("I managed 60 engineers; it saved $20M a year.", "L6", "within"),
        ("I managed 60 engineers and cut costs by $140M.", "L7", "over"),
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


SETTINGS = [
    # The size of an organisation or a place, or a turnover, is the setting: no level from it.
    ("I led a desktop support team of four at a law firm of about 600 staff.", "about 600 staff"),
    ("I lead a team of five security engineers at a SaaS company with about 300 engineers.",
     "about 300 engineers"),
    ("I managed the branch in a coastal town of about 14,000 people.", "about 14,000 people"),
    ("I ran the night shift at a works supplying about 140,000 people.", "about 140,000 people"),
    ("I was controller of a packaging maker with a turnover of about £85 million.",
     "about £85 million"),
    ("I was the FP&A lead for a company with £60 million of annual recurring revenue.",
     "£60 million"),
    ("I inherited a 400-employee manufacturing client when a colleague left.", "400-employee"),
    ("The company has about 5,000 employees, and my team of 12 owns the internal search.",
     "about 5,000 employees"),
    ("The organisation comprised some 2,000 engineers; I managed nineteen of them.",
     "2,000 engineers"),
    # Growth the candidate only watched is not theirs.
    ("The company grew from 10 to 187 engineers while I was there.", "from 10 to 187"),
]  # fmt: skip


@pytest.mark.parametrize("text,cue", SETTINGS, ids=[s[1] for s in SETTINGS])
def test_the_setting_is_context_not_scope(l6, text, cue):
    report = l6.analyze(text)
    (found,) = [c for c in report.scope_cues if c.text == cue]
    assert found.context
    assert report.level.verdict != "over"
    assert not [f for f in report.findings if f.rule == "scope.level.over"]


@pytest.mark.parametrize(
    "text,cue",
    [
        ("I led a 12-person team that rebuilt billing, then a 300-person org.", "300-person"),
        ("I ran a delivery programme for 600 engineers in six organisations.", "600 engineers"),
        ("I cut costs by $140 million across the group.", "$140 million"),
        # Perfect tense and growth verbs lead too: the team's size at the end is the scope.
        (
            "I've scaled engineering teams from 10 to 187 people across 14 countries.",
            "from 10 to 187",
        ),
        ("I took the team from 12 to 160 engineers in two years.", "from 12 to 160"),
        ("I have led 140 engineers in four organisations since 2021.", "140 engineers"),
    ],
)
def test_a_scope_the_candidate_holds_still_reads_over(l6, text, cue):
    report = l6.analyze(text)
    (found,) = [c for c in report.scope_cues if c.text == cue]
    assert not found.context and report.level.verdict == "over"
