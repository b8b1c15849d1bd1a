"""A report as Markdown: tables of sections and dimensions, findings, metrics, follow-ups."""

from __future__ import annotations

from ..models import Report
from .location import line_column


def markdown(report: Report, text: str | None, title: str | None) -> str:
    """Return a report as Markdown (see :func:`staranalyzer.render.render`)."""
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
