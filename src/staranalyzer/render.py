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
        if report.metrics:
            metrics = ", ".join(f"`{m.text}` ({m.kind})" for m in report.metrics)
            lines += ["", f"**Metrics:** {metrics}"]
        if report.findings:
            lines += ["", "**Findings:**", ""]
            lines += [
                f"- *{f.severity}* {f.message} {f.suggestion} (`{f.rule}`)" for f in report.findings
            ]
        return "\n".join(lines) + "\n"
    lines.append(f"{len(report.sections)} sections (rubric: {report.rubric})")
    for s in report.sections:
        lines.append(
            f"  {s.label:<10} {s.source:<8} {s.words:>4} words {s.words / total:>4.0%}"
            f"  chars {s.start}-{s.end}  confidence {s.confidence:.2f}"
        )
        if text is not None:
            lines.append(f"             {_preview(text, s.start, s.end)}")
    if report.metrics:
        lines.append(f"{len(report.metrics)} metrics")
        for m in report.metrics:
            lines.append(f"  {m.text!r:<34} {m.kind:<10} {m.section or '-'}")
    else:
        lines.append("no metrics")
    if report.level.expected or report.level.suggested:
        lvl = report.level
        lines.append(
            f"level: {lvl.suggested or 'no scope cues'} against {lvl.expected or 'no level'}"
            f" ({lvl.verdict})"
        )
    lines.append(f"{len(report.findings)} findings" if report.findings else "no findings")
    for f in report.findings:
        where = "answer"
        if f.start is not None and text is not None:
            line, col = line_column(text, f.start)
            where = f"{line}:{col}"
        lines.append(f"  {where:<8} {f.severity:<7} {f.message}  [{f.rule}]")
        lines.append(f"           -> {f.suggestion}")
    return "\n".join(lines) + "\n"


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
