"""A report as Markdown: tables of sections and dimensions, findings, metrics, follow-ups."""

from __future__ import annotations

from ..models import Report
from .location import line_column


def markdown(report: Report, text: str | None, title: str | None) -> str:
    """Return a report as Markdown (see :func:`staranalyzer.render.render`)."""
    out = []
    if title:
        out += [f"## {title}", ""]
    out.append(f"**{int(report.score)}/100, {report.verdict}** (rubric `{report.rubric}`)")
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
    top = [p for p in report.principles[:3] if p.score > 0]
    if top:
        out += ["", "**Principles (top three)**", ""]
        for p in top:
            quotes = "; ".join(
                f'{e.section or "answer"}: "{" ".join(e.text.split())}"' for e in p.evidence[:2]
            )
            named = " (named)" if p.named else ""
            out.append(f"- {p.name}{named}, {p.score:.2f}" + (f": {quotes}" if quotes else ""))
    fit = report.question_fit
    if fit is not None:
        verdict = "fits" if fit.fits else "does not fit (missing " + ", ".join(fit.missing) + ")"
        out += ["", f"**Question** ({', '.join(fit.kinds) or 'general'}): the story {verdict}."]
    if report.metrics:
        out += ["", "**Metrics:** " + ", ".join(f"`{m.text}` ({m.kind})" for m in report.metrics)]
    if report.follow_ups:
        out += ["", "**Likely follow-up questions**", ""]
        out += [f"- {q.question}" for q in report.follow_ups]
    return "\n".join(out) + "\n"
