"""The public vocabulary, defined once: section labels and their order, finding categories, kinds.

Every other module imports these names from here; a test keeps them in step with the report's
JSON Schema.
"""

from __future__ import annotations

from typing import Literal, get_args

Label = Literal["situation", "task", "action", "result", "reflection"]
LABELS: tuple[Label, ...] = get_args(Label)
"""The section labels, in the order a STAR answer tells them."""

StarLabel = Literal["situation", "task", "action", "result"]
STAR: tuple[StarLabel, ...] = get_args(StarLabel)
"""The four STAR sections (a reflection is outside the timing targets)."""

Category = Literal[
    "blame",
    "sole_credit",
    "vague",
    "hedging",
    "overreach",
    "ownership",
    "missing_section",
    "balance",
    "no_metrics",
    "filler",
    "structure",
    "question_fit",
    "leadership",
]
CATEGORIES: tuple[Category, ...] = get_args(Category)

RED_FLAGS: tuple[Category, ...] = ("blame", "sole_credit", "vague", "hedging", "overreach")
"""The categories the red-flag engines and the sentence classifier look for."""

Severity = Literal["info", "warning", "error"]
ScopeKind = Literal["team_size", "teams", "money", "users", "stakeholders", "time_horizon"]
MetricKind = Literal[
    "percent", "money", "count", "multiplier", "duration", "rating", "ratio", "change"
]
Dimension = Literal["structure", "balance", "quantification", "scope", "ownership", "language"]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)


def matches_prefix(rule_id: str, prefix: str) -> bool:
    """True when ``prefix`` names ``rule_id`` or one of its dotted ancestors.

    ``redflag.hedging`` matches ``redflag.hedging.uncertain`` but not ``redflag.hedgingx``.
    """
    return rule_id == prefix or rule_id.startswith(prefix.rstrip(".") + ".")
