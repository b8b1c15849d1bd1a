"""Bounded fuzzing in the suite (benchmarks/fuzz.py runs the same targets for minutes)."""

from __future__ import annotations

import fuzz
import pytest


@pytest.mark.parametrize("target", ["analyze", "analyze_many", "banks", "rubric"])
def test_fuzz_target_raises_only_documented_errors(target):
    fuzz._make(examples=60, seed=0)[target]()
