"""Renderers: a report as text for a terminal, as JSON, or as Markdown."""

from __future__ import annotations

from enum import Enum

from .models import Report


class OutputFormat(str, Enum):
    """Output formats of :func:`render` and ``star-check --format``."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def _preview(text: str, start: int, end: int, width: int = 72) -> str:
    body = " ".join(text[start:end].split())
    return body if len(body) <= width else body[: width - 1] + "…"


def render(
    report: Report, fmt: OutputFormat | str = OutputFormat.TEXT, text: str | None = None
) -> str:
    """Render a report.

    Args:
        report: the report to show.
        fmt: ``text``, ``json`` or ``markdown``.
        text: the analysed answer; when given, text and Markdown quote each section's opening.

    Returns:
        The rendered report, ending with a newline.

    """
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.JSON:
        return report.model_dump_json(indent=2) + "\n"
    total = sum(s.words for s in report.sections) or 1
    lines = []
    if fmt is OutputFormat.MARKDOWN:
        lines += [
            "| section | source | words | share | confidence |",
            "|---|---|---:|---:|---:|",
        ]
        for s in report.sections:
            lines.append(
                f"| {s.label} | {s.source} | {s.words} | {s.words / total:.0%}"
                f" | {s.confidence:.2f} |"
            )
        if text is not None:
            lines.append("")
            for s in report.sections:
                lines.append(f"- **{s.label}**: {_preview(text, s.start, s.end)}")
        return "\n".join(lines) + "\n"
    lines.append(f"{len(report.sections)} sections (rubric: {report.rubric})")
    for s in report.sections:
        lines.append(
            f"  {s.label:<10} {s.source:<8} {s.words:>4} words {s.words / total:>4.0%}"
            f"  chars {s.start}-{s.end}  confidence {s.confidence:.2f}"
        )
        if text is not None:
            lines.append(f"             {_preview(text, s.start, s.end)}")
    missing = [
        lab for lab in ("situation", "task", "action", "result") if report.section(lab) is None
    ]
    if missing:
        lines.append("  missing: " + ", ".join(missing))
    return "\n".join(lines) + "\n"
