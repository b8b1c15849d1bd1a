"""staranalyzer: reads an answer to a behavioural interview question and judges its STAR story.

>>> import staranalyzer
>>> report = staranalyzer.analyze("Situation: ... Task: ... Action: ... Result: ...")
"""

from __future__ import annotations

import logging

from .analyzer import MAX_CHARS, Analyzer, analyze, validate_text
from .errors import InputError, ModelError, RubricError, StarAnalyzerError
from .models import SCHEMA_VERSION, Report, Section, report_schema
from .portfolio import (
    PORTFOLIO_VERSION,
    PortfolioBuilder,
    PortfolioReport,
    portfolio,
    portfolio_schema,
)
from .render import OutputFormat, render
from .rubric import Rubric, available_rubrics, load_rubric
from .vocabulary import LABELS

__version__ = "0.1.0"
__all__ = [
    "LABELS",
    "MAX_CHARS",
    "PORTFOLIO_VERSION",
    "SCHEMA_VERSION",
    "Analyzer",
    "InputError",
    "ModelError",
    "PortfolioBuilder",
    "PortfolioReport",
    "Report",
    "Rubric",
    "RubricError",
    "Section",
    "StarAnalyzerError",
    "analyze",
    "available_rubrics",
    "load_rubric",
    "OutputFormat",
    "portfolio",
    "portfolio_schema",
    "render",
    "report_schema",
    "validate_text",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
