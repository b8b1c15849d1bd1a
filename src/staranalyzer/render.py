"""Renderers: a report as a readable card for a terminal, as JSON or JSON Lines, or as Markdown."""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

import click

from .models import Report
from .summary import Summary

_LABELS = ("situation", "task", "action", "result")
_BAR = 24
_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}
_VERDICT_COLOUR = {"strong": "green", "solid": "green", "needs work": "yellow", "weak": "red"}


class OutputFormat(str, Enum):
    """Output formats of :func:`render` and ``star-check --format``."""

    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"
    MARKDOWN = "markdown"


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _preview(text: str, start: int, end: int, width: int = 60) -> str:
    body = " ".join(text[start:end].split())
    return body if len(body) <= width else body[: width - 1] + "…"


def _bar(share: float, target: float) -> str:
    """Draw a share bar with the target marked: ``██████▌····|······``."""
    filled = share * _BAR
    cells = []
    mark = min(int(round(target * _BAR)), _BAR - 1)
    for i in range(_BAR):
        if i < int(filled):
            cells.append("█")
        elif i == int(filled) and filled - int(filled) >= 0.5:
            cells.append("▌")
        elif i == mark:
            cells.append("|")
        else:
            cells.append("·")
    return "".join(cells)


def render(
    report: Report,
    fmt: OutputFormat | str = OutputFormat.TEXT,
    text: str | None = None,
    *,
    colour: bool = False,
    title: str | None = None,
) -> str:
    """Render one report.

    Args:
        report: the report to show.
        fmt: ``text``, ``json``, ``jsonl`` (one line) or ``markdown``.
        text: the analysed answer; when given, findings get line:column and sections a preview.
        colour: ANSI colour in the text card (for terminals).
        title: a heading for the card (a file name or story id).

    Returns:
        The rendered report, ending with a newline.

    """
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.JSON:
        return report.model_dump_json(indent=2) + "\n"
    if fmt is OutputFormat.JSONL:
        return report.model_dump_json() + "\n"
    if fmt is OutputFormat.MARKDOWN:
        return _markdown(report, text, title)
    return _card(report, text, colour, title)


def _style(s: str, colour: bool, **kw: Any) -> str:
    return click.style(s, **kw) if colour else s


def _card(report: Report, text: str | None, colour: bool, title: str | None) -> str:
    out = []
    verdict = _style(report.verdict.upper(), colour, fg=_VERDICT_COLOUR[report.verdict], bold=True)
    head = f"{report.score:.0f}/100  {verdict}"
    out.append(f"{title}  {head}" if title else head)
    rubric = f"rubric {report.rubric}"
    if report.timing is not None:
        rubric += f"; about {report.timing.value:.0f} s spoken ({report.timing.status})"
    out.append(_style(rubric, colour, dim=True))
    out.append("")
    out.append("  section     share of the answer (| = target)")
    for p in report.proportions:
        status = "" if p.status == "ok" else _style(p.status, colour, fg="yellow")
        out.append(
            f"  {p.label:<10}  {_bar(p.share, p.target)} {p.share:>4.0%} (target {p.target:.0%})"
            f"  {status}".rstrip()
        )
    extra = [s for s in report.sections if s.label == "reflection"]
    if extra:
        out.append(f"  {'reflection':<10}  {sum(s.words for s in extra)} words")
    if text is not None and report.sections:
        out.append("")
        for s in report.sections:
            out.append(f"  {s.label:<10}  {_preview(text, s.start, s.end)}")
    out.append("")
    dims = "  ".join(f"{d.dimension} {d.score:.0f}" for d in report.dimensions)
    out.append(f"  {dims}")
    if report.level.expected or report.level.suggested:
        lvl = report.level
        out.append(
            f"  level: scope reads as {lvl.suggested or 'unstated'}"
            f" against {lvl.expected or 'no level'} ({lvl.verdict})"
        )
    out.append("")
    if report.findings:
        out.append(f"  findings ({len(report.findings)})")
        for f in report.findings:
            where = "answer"
            if f.start is not None and text is not None:
                line, col = line_column(text, f.start)
                where = f"{line}:{col}"
            sev = _style(f"{f.severity:<7}", colour, fg=_SEVERITY_COLOUR[f.severity])
            out.append(f"  {where:>7}  {sev} {f.message}")
            out.append(_style(f"{'':>17}{f.suggestion}  [{f.rule}]", colour, dim=True))
    else:
        out.append("  no findings")
    out.append("")
    if report.metrics:
        shown = ", ".join(f'"{m.text}"' for m in report.metrics[:12])
        more = f" and {len(report.metrics) - 12} more" if len(report.metrics) > 12 else ""
        out.append(f"  metrics ({len(report.metrics)}): {shown}{more}")
    else:
        out.append("  metrics: none")
    if report.follow_ups:
        out.append("")
        out.append("  follow-up questions")
        for q in report.follow_ups:
            out.append(f"    - {q.question}")
    return "\n".join(out) + "\n"


def _markdown(report: Report, text: str | None, title: str | None) -> str:
    out = []
    if title:
        out += [f"## {title}", ""]
    out.append(f"**{report.score:.0f}/100, {report.verdict}** (rubric `{report.rubric}`)")
    out += ["", "| section | words | share | target | status |", "|---|---:|---:|---:|---|"]
    for p in report.proportions:
        out.append(f"| {p.label} | {p.words} | {p.share:.0%} | {p.target:.0%} | {p.status} |")
    out += ["", "| dimension | score | lost to |", "|---|---:|---|"]
    for d in report.dimensions:
        lost = "; ".join(f"{x.reason} (-{x.points:g})" for x in d.deductions) or "-"
        out.append(f"| {d.dimension} | {d.score:.0f} | {lost} |")
    if report.findings:
        out += ["", "**Findings**", ""]
        for f in report.findings:
            where = ""
            if f.start is not None and text is not None:
                line, col = line_column(text, f.start)
                where = f" (line {line}, column {col})"
            out.append(f"- *{f.severity}*{where}: {f.message} {f.suggestion} `{f.rule}`")
    if report.metrics:
        out += ["", "**Metrics:** " + ", ".join(f"`{m.text}` ({m.kind})" for m in report.metrics)]
    if report.follow_ups:
        out += ["", "**Likely follow-up questions**", ""]
        out += [f"- {q.question}" for q in report.follow_ups]
    return "\n".join(out) + "\n"


def render_summary(summary: Summary, fmt: OutputFormat | str, colour: bool = False) -> str:
    """Render the summary of a bank run (text or Markdown; JSON for the machine formats)."""
    fmt = OutputFormat(fmt)
    if fmt in (OutputFormat.JSON, OutputFormat.JSONL):
        return json.dumps({"summary": summary.model_dump(mode="json")}) + "\n"
    top = max(summary.histogram.values(), default=0) or 1
    md = fmt is OutputFormat.MARKDOWN
    out = ["## Summary" if md else _style("Summary", colour, bold=True), ""]
    mean = "-" if summary.mean is None else f"{summary.mean:.1f}"
    median = "-" if summary.median is None else f"{summary.median:.1f}"
    out.append(
        f"{summary.stories} stories, {summary.scored} scored, {summary.errors} not scored;"
        f" mean score {mean}, median {median}"
    )
    if summary.verdicts:
        out.append("verdicts: " + ", ".join(f"{k} {v}" for k, v in summary.verdicts.items()))
    out.append("")
    if md:
        out += ["```"]
    for band, n in summary.histogram.items():
        out.append(f"  {band:>6}  {'█' * round(20 * n / top):<20} {n}")
    if md:
        out += ["```"]
    if summary.common_findings:
        out += ["", "most common findings (stories):"]
        out += [f"  {n:>5}  {rule}" for rule, n in summary.common_findings]
    out += ["", f"stories without any metric: {summary.without_metrics}"]
    if summary.without_metrics_ids:
        out.append("  " + ", ".join(summary.without_metrics_ids))
    if summary.duplicate_window < summary.scored:
        out += [
            "",
            f"(near-duplicates looked for among the first {summary.duplicate_window:,} stories)",
        ]
    if summary.near_duplicates:
        out += ["", "near-duplicate stories:"]
        out += [
            f"  {d.first} ~ {d.second} ({d.similarity:.0%} shared wording)"
            for d in summary.near_duplicates
        ]
    return "\n".join(out) + "\n"
