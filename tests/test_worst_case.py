"""Adversarial families at 20,000 characters: each costs a small multiple of an ordinary answer.

The ratio is measured in this test (an ordinary answer of the same length, timed beside each
family), never an absolute time: machines are shared and noisy. ``benchmarks/worst_case.py``
prints the same families at 100,000 characters against the 5x target.
"""

from __future__ import annotations

import pytest
from worst_case import FAMILIES, family_text, ordinary, timed

from staranalyzer import Analyzer, Report

CHARS = 20_000
LIMIT = 10.0  # the benchmark's target is 5x at 100k; twice that here absorbs a noisy machine


@pytest.fixture(scope="module")
def timing():
    analyzer = Analyzer()
    analyzer.analyze("Situation: warm up. Action: I warmed up. Result: warm.")
    base = timed(analyzer, ordinary(CHARS), rounds=3)
    return analyzer, base


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family_costs_a_small_multiple_of_an_ordinary_answer(timing, name):
    analyzer, base = timing
    text = family_text(FAMILIES[name], CHARS)
    report = analyzer.analyze(text)  # never raises: any str within the limit is analysed
    assert isinstance(report, Report) and report.characters == CHARS
    seconds = timed(analyzer, text, rounds=2)
    if seconds > LIMIT * base:  # one retry: a neighbour's burst is not a regression
        seconds = timed(analyzer, text, rounds=3)
    assert seconds <= LIMIT * base, f"{name}: {seconds / base:.1f}x an ordinary answer"
