"""Quantified metrics: a table of (text, expected spans) for every form the product promises."""

from __future__ import annotations

import pytest
from assertions import assert_spans

from staranalyzer.quantities import find_quantities

CASES = [
    ("Churn fell to 40% after the launch.", [("40%", "percent", 40.0, "%")]),
    ("Uptime reached 99.95% for the year.", [("99.95%", "percent", 99.95, "%")]),
    ("It saved $2.5M a year.", [("$2.5M", "money", 2_500_000.0, "USD")]),
    ("A $500K budget.", [("$500K", "money", 500_000.0, "USD")]),
    ("Worth $10-50M in revenue.", [("$10-50M", "money", 10_000_000.0, "USD")]),
    ("It brought in 2.5 million dollars.", [("2.5 million dollars", "money", 2_500_000.0, "USD")]),
    ("We raised £4,200 for charity.", [("£4,200", "money", 4200.0, "GBP")]),
    ("We closed 10,000+ tickets.", [("10,000+ tickets", "count", 10_000.0, "tickets")]),
    ("Throughput went up 3x.", [("3x", "multiplier", 3.0, "x")]),
    ("Queries got 10x faster.", [("10x", "multiplier", 10.0, "x")]),
    ("Revenue doubled in a year.", [("doubled", "multiplier", 2.0, "x")]),
    ("Requests fell by half.", [("by half", "multiplier", 0.5, "x")]),
    ("Rated 4.5/5 by users.", [("4.5/5", "rating", 4.5, "/5")]),
    ("A rating of 4.7 out of 5.", [("4.7 out of 5", "rating", 4.7, "/5")]),
    ("He left a five-star review.", [("five-star", "rating", 5.0, "/5")]),
    ("p99 stayed sub-100ms.", [("sub-100ms", "duration", 100.0, "millisecond")]),
    ("Releases went from 3 weeks to 4 days.", [("from 3 weeks to 4 days", "change", 4.0, "day")]),
    ("Adoption rose from 60% to 90%.", [("from 60% to 90%", "change", 90.0, "%")]),
    ("We reduced costs by 25% in Q3.", [("25%", "percent", 25.0, "%")]),
    ("I found three critical issues.", [("three critical issues", "count", 3.0, "issues")]),
    ("We had zero incidents.", [("zero incidents", "count", 0.0, "incidents")]),
    ("It finished 39 of the last 40 laps.", [("39 of the last 40", "ratio", 0.975, "ratio")]),
    ("A third of calls were resets.", [("A third", "ratio", 0.3333, "ratio")]),
    ("Repeat calls fell by about a third.", [("by about a third", "ratio", 0.3333, "ratio")]),
    ("Waste went down by a quarter in a year.", [("by a quarter", "ratio", 0.25, "ratio")]),
    ("Checkout failed about twice a week.", [("about twice a week", "count", 2.0, "per week")]),
    ("It took half a day.", [("half a day", "duration", 0.5, "day")]),
    (
        "Falls dropped from 8 a month to zero.",
        [("from 8 a month to zero", "change", 0.0, "per month")],
    ),
    (
        "We work with two or three fewer nurses.",
        [("two or three fewer nurses", "count", 2.0, "nurses")],
    ),
    (
        "I led 18 engineers across three teams.",
        [("18 engineers", "count", 18.0, "engineers"), ("three teams", "count", 3.0, "teams")],
    ),
    ("I set up a daily 20-minute call.", [("20-minute", "duration", 20.0, "minute")]),
]

NOT_METRICS = [
    "As an L6 manager in Q3 I held 1:1s with every engineer.",
    "During COVID-19 we moved online.",
    "In 2021 we moved to Python 3.11 and then to version 2.4.1.",
    "1. First I measured it.\n2. Then I fixed it.",
    "We met at 7:30 and again at 6 a.m. and at two in the morning.",
    "An 11-year-old patient was admitted.",
    "Two years ago I joined the team.",
    "I taught Year 10 and the eighth grade, in week two of term.",
    "One day one of the engineers called me.",
    "We were three, and the other one was on leave.",
    "The audit was done by a third party before the launch.",
    "Ticket ids: 4410 4411 4412 4413 4414 4415 4416 4417 4418",
    "Weekly counts 12, 15, 11, 19, 22, 17, 30, 28 (pasted from the sheet)",
]


def test_a_run_of_numbers_is_data_but_seven_in_a_row_still_count():
    """Eight or more bare numbers in a row are a paste, not metrics; fewer (or worded) count."""
    seven = "Scores went 12, 15, 11, 19, 22, 17, 30 over the term."
    assert len(find_quantities(seven)) == 7
    worded = "We hired 3 nurses, 4 porters, 5 cleaners, 6 cooks, 7 aides, 8 drivers and 9 clerks."
    assert len(find_quantities(worded)) == 7
    pasted = (
        "Revenue by month: " + " ".join(str(n) for n in range(10, 30)) + ". We grew 40% in a year."
    )
    assert [pasted[q.start : q.end] for q in find_quantities(pasted)] == ["40%"]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_quantity_spans(text, expected):
    assert_spans(text, find_quantities(text), expected)


@pytest.mark.parametrize("text", NOT_METRICS)
def test_not_metrics(text):
    assert [text[q.start : q.end] for q in find_quantities(text)] == []


def test_before_after_is_one_metric_with_direction():
    (q,) = find_quantities("Load time fell from 6.8 to 2.3 seconds.")
    assert (q.kind, q.before, q.after, q.direction, q.unit) == (
        "change",
        6.8,
        2.3,
        "down",
        "second",
    )
    (q,) = find_quantities("Releases went from 3 weeks to 4 days.")
    assert (q.before, q.after, q.direction) == (21.0, 4.0, "down")


def test_direction_from_the_verb():
    (q,) = find_quantities("We reduced costs by 25%.")
    assert q.direction == "down"
    (q,) = find_quantities("Sales grew by 12% that year.")
    assert q.direction == "up"


def test_ranges_and_qualifiers():
    (q,) = find_quantities("Worth $10-50M in revenue.")
    assert (q.value, q.high) == (10_000_000.0, 50_000_000.0)
    (q,) = find_quantities("It cost roughly $40K.")
    assert q.approximate and q.value == 40_000.0


def test_metrics_carry_their_section(analyzer):
    text = "Situation: Costs were $2M a year.\nResult: Costs fell by 30%."
    report = analyzer.analyze(text)
    assert [(m.text, m.section) for m in report.metrics] == [
        ("$2M", "situation"),
        ("30%", "result"),
    ]
