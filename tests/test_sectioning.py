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


# An answer that labels all four sections, with rules between them and bullets that read, alone,
# like another section (the cost restated under Result, the scene set again under Action).
LABELLED_ALL = """## S – Situation
Early last year I was the operations lead for a regional parcel depot handling about **40,000 parcels a day**.
Mis-sorted parcels cost us roughly **$90K a month** in re-deliveries and customer credits.
---
## T – Task
I needed to **get mis-sorts back under 0.5 %** before the holiday peak without adding headcount.
---
## A – Action
- **Found the pattern.** I pulled two weeks of scan logs and traced most errors to the night shift.
- **Asked the people doing the work.** Sorters told me the new labels put the postcode where the old ones had the route code.
- **Delivered a quick fix.** Within 48 hours I had the label template changed and the lane signs reprinted.
---
## R – Result
- Mis-sorts fell from **2.1 % to 0.4 %** in three weeks.
- Re-delivery costs dropped from **$90K to about $18K a month**.
- The fix ensured **every lane used the same template**, removing a dependency on one supervisor's memory.
---
## Reflection
I learned to ask the people on the floor before I open the data.
"""  # noqa: E501

PARTLY_LABELLED = """Situation: Our clinic's phone line dropped one call in four over the winter.

My job was to bring missed calls under 5 % before flu season without hiring.

I pulled six weeks of call logs, moved repeat-prescription requests to an online form and agreed \
a shared queue rule with the other two practices' managers.

Missed calls fell from 24 % to 4 % within five weeks."""


def _line_labels(report, text: str) -> dict[str, set[str]]:
    """The labels over each non-header line of ``text``."""
    return {
        line: _labels_over(report, text, line)
        for line in text.splitlines()
        if line.strip() and not line.startswith(("#", "---"))
    }


def test_every_line_under_a_header_keeps_its_section_when_all_four_are_labelled(
    analyzer: Analyzer,
) -> None:
    report = analyzer.analyze(LABELLED_ALL)
    # One section per header, and no section made of a rule ("---") alone.
    assert [s.label for s in report.sections] == [
        "situation", "task", "action", "result", "reflection"
    ]  # fmt: skip
    assert all(any(c.isalpha() for c in LABELLED_ALL[s.start : s.end]) for s in report.sections)
    lines = _line_labels(report, LABELLED_ALL)
    header = None
    for line in LABELLED_ALL.splitlines():
        if line.startswith("## "):
            header = line.split()[-1].lower()
        elif line in lines:
            assert lines[line] == {header}, (line, lines[line])


def test_a_partly_labelled_answer_still_finds_its_unlabelled_sections(analyzer: Analyzer) -> None:
    report = analyzer.analyze(PARTLY_LABELLED)
    # Only the Situation has a header: the paragraphs after it are read by the model.
    assert [s.label for s in report.sections] == ["situation", "task", "action", "result"]
    assert report.sections[0].source == "labeled"
    assert {s.source for s in report.sections[1:]} == {"inferred"}


def _regions(*headers: tuple[str, ...]) -> list[sectioning_module.Region]:
    """Regions under headers of the given labels, 100 characters apart."""
    return [
        sectioning_module.Region(
            i * 100,
            i * 100 + 90,
            sectioning_module.Header(i * 100 - 10, i * 100, labels, "section", "", False),
        )
        for i, labels in enumerate(headers, start=1)
    ]


def test_which_regions_are_held() -> None:
    held = sectioning_module._held_regions
    star = [("situation",), ("task",), ("action",), ("result",)]
    assert held(_regions(*star)) == {0, 1, 2, 3}
    assert held(_regions(*star, ("reflection",))) == {0, 1, 2, 3, 4}
    # Not every section labelled: nothing is held.
    assert held(_regions(("situation",), ("action",), ("result",))) == set()
    # A Situation header after the Action (a list item such as "- cause: ...") is not held.
    assert held(_regions(*star[:3], ("situation",), star[3])) == {1, 2, 4}
    # A section opened twice: neither region is held.
    assert held(_regions(*star[:3], ("result",), star[3])) == {0, 1, 2}


@pytest.mark.parametrize(
    ("text", "label", "flag"),
    [
        ("The project was a big success and everyone was happy with it.", "result", "vague"),
        (
            "I rewrote the deploy script over a weekend and cut releases from two hours to ten "
            "minutes.",
            "action",
            None,
        ),
        ("Honestly, the other team dropped the ball and we missed the launch.", "result", "blame"),
    ],
)
def test_a_one_sentence_answer_is_read_as_a_section_not_a_headline(
    analyzer: Analyzer, text: str, label: str, flag: str | None
) -> None:
    # A headline needs a story after it: an answer of one sentence is that sentence's section,
    # and the section's rules (a vague Result, blame) read it as they would inside an answer.
    report = analyzer.analyze(text)
    assert report.headline is None
    assert [(s.label, s.start, s.end) for s in report.sections] == [(label, 0, len(text))]
    categories = {f.category for f in report.findings}
    if flag is not None:
        assert flag in categories
    assert not categories & {"sole_credit", "hedging", "overreach"}


def test_a_headline_before_a_story_is_still_a_headline(analyzer: Analyzer) -> None:
    headline = "Cutting refunds from 11 days to 2 at a retailer."
    report = analyzer.analyze(headline + "\n\n" + STORY.format(background=BACKGROUND))
    assert report.headline is not None
    assert report.headline.text == headline
    assert report.sections[0].start > len(headline)


def test_a_lone_labelled_lesson_stays_the_reflection(analyzer: Analyzer) -> None:
    # A lone unit is not read as a reflection by the model (a lesson needs a story before it),
    # but its header decides when the author wrote one.
    text = "Lesson learned: I now check the supplier contract before I promise a date."
    report = analyzer.analyze(text)
    assert [(s.label, s.source) for s in report.sections] == [("reflection", "labeled")]


def test_some_section_drops_only_the_no_section_state() -> None:
    from staranalyzer.sectioning.model import NONE, STATES

    some = sectioning_module._some_section
    assert some(None) == frozenset(range(NONE))
    assert some(frozenset({NONE, 0})) == frozenset({0})
    # A header that allows no section (a "Question:" line) keeps it.
    assert some(frozenset({NONE})) == frozenset({NONE})
    assert STATES[NONE] == "none"
