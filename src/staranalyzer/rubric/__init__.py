"""Rubrics: the data that says what a good answer is (schema, loader, bundled rubrics)."""

from __future__ import annotations

from .loader import available_rubrics, load_rubric, merge, parse_rubric, raw_rubric, read_yaml
from .schema import (
    RULE_KINDS,
    BalanceRule,
    Condition,
    Deduction,
    Examples,
    FollowUp,
    LevelBand,
    MissingSectionRule,
    NoMetricsRule,
    OrderRule,
    PhraseRule,
    RatioRule,
    Rubric,
    Rule,
    Scope,
    ScopeLevelRule,
    Scoring,
    Sectioning,
    Timing,
)

__all__ = [
    "RULE_KINDS",
    "BalanceRule",
    "Condition",
    "Deduction",
    "Examples",
    "FollowUp",
    "LevelBand",
    "MissingSectionRule",
    "NoMetricsRule",
    "OrderRule",
    "PhraseRule",
    "RatioRule",
    "Rubric",
    "Rule",
    "Scope",
    "ScopeLevelRule",
    "Scoring",
    "Sectioning",
    "Timing",
    "available_rubrics",
    "load_rubric",
    "merge",
    "parse_rubric",
    "raw_rubric",
    "read_yaml",
]
