"""The output formats of :func:`staranalyzer.render` and ``star-check --format``."""

from __future__ import annotations

from enum import Enum


class OutputFormat(str, Enum):
    """Output formats of :func:`render` and ``star-check --format``."""

    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"
    MARKDOWN = "markdown"
    HTML = "html"
    """A self-contained page: one answer, or a whole bank with its summary."""
    LINE = "line"
    """One finding per line, ``path:line:col: severity rule: message`` (as Vale and proselint)."""
    GITHUB = "github"
    """GitHub Actions workflow commands (``::warning file=...,line=...::message``)."""
    SARIF = "sarif"
    """SARIF 2.1.0, for code-scanning dashboards."""
