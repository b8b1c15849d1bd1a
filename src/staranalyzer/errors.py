"""Exceptions raised by staranalyzer: bad answer text and bad rubric data."""

from __future__ import annotations


class StarAnalyzerError(Exception):
    """Base class of every error staranalyzer raises on purpose."""


class InputError(StarAnalyzerError, ValueError):
    """The answer text cannot be analysed: not a str, empty, or over the size limit."""


class RubricError(StarAnalyzerError, ValueError):
    """A rubric could not be found or does not validate.

    Attributes:
        source: the rubric's file path or bundled name.
        problems: one line per problem, each naming the rule id (when there is one) and the field.

    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class AnalysisError(StarAnalyzerError):
    """Analysing one answer failed unexpectedly (a bug).

    ``analyze_many(errors="return")`` yields it in that answer's place and goes on.
    """


class ModelError(StarAnalyzerError, ValueError):
    """A spaCy model was asked for that is not installed or cannot be loaded."""
