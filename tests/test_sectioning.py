"""Unlabelled sectioning: a sentence told again keeps the section of its first telling."""

from __future__ import annotations

import pytest

from staranalyzer import Analyzer
from staranalyzer import sectioning as sectioning_module

BACKGROUND = (
    "I ran the returns desk of a regional electronics retailer with 14 staff across two shifts. "
    "Refunds took 11 days on average and the complaint line was taking 300 calls a week. "
)
STORY = (
    "{background}\n\n"
    "My goal was to get refunds under three days before the Christmas peak.\n\n"
    "I mapped every step a return went through and found that two approvals were duplicated "
    "between the desk and finance. I agreed with the finance lead that refunds under £200 would "
    "be approved on the desk, trained the team on the new check in two sessions, and put a daily "
    "count of open returns on the wall so that anyone could see the queue.\n\n"
    "Refunds fell from 11 days to 2.5 within six weeks, and complaint calls dropped to 90 a week. "
    "I learned to look at the whole process before asking people to work faster."
)


def _labels_over(report, text: str, needle: str) -> set[str]:
    """The section labels that overlap every occurrence of ``needle`` in ``text``."""
    out: set[str] = set()
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        out |= {s.label for s in report.sections if s.start < end and s.end > start}
        start = text.find(needle, end)
    return out


@pytest.mark.parametrize("times", [2, 4])
def test_a_background_told_again_stays_background(analyzer: Analyzer, times: int) -> None:
    text = STORY.format(background=BACKGROUND * times)
    report = analyzer.analyze(text)
    once = analyzer.analyze(STORY.format(background=BACKGROUND))
    assert _labels_over(once, STORY.format(background=BACKGROUND), BACKGROUND.strip()) == {
        "situation"
    }
    # Every telling of the background is Situation, and the padded answer gains no section.
    assert _labels_over(report, text, BACKGROUND.strip()) == {"situation"}
    assert {s.label for s in report.sections} == {s.label for s in once.sections}
    assert report.score < once.score


def test_a_repeat_is_held_to_its_first_telling_s_state() -> None:
    from dataclasses import dataclass

    @dataclass
    class U:
        start: int
        end: int

    @dataclass
    class A:
        clean: str

    long = "We lost 40 pallets a week to damage in the yard."
    parts = [long, "So yeah.", long.upper().replace(".", "!"), "So yeah.", long]
    clean = " ".join(parts)
    units, at = [], 0
    for p in parts:
        units.append(U(at, at + len(p)))
        at += len(p) + 1
    tellings = sectioning_module._first_tellings(A(clean), units)  # type: ignore[arg-type]
    # Case and punctuation aside, the long sentence is told three times; "So yeah." is too short
    # to count as a telling.
    assert tellings == [None, None, 0, None, 0]
    header = frozenset([3])
    allowed = [None, None, None, None, header]
    held = sectioning_module._hold_repeats(allowed, [0, 5, 2, 4, 3], tellings)
    # The free repeat is held to its first telling's state, and so is that telling; a unit a
    # header fixes keeps the header's states.
    assert held == [frozenset([0]), None, frozenset([0]), None, header]
    assert sectioning_module._hold_repeats(allowed, [0, 5, 0, 4, 3], tellings) is None
