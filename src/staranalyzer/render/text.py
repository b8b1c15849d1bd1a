"""The text card of a report for a terminal, and the summary of a bank (text or Markdown)."""

from __future__ import annotations

import json
from typing import Any

import click

from ..models import Report
from ..portfolio import PortfolioReport
from ..summary import Summary
from .formats import OutputFormat
from .location import line_column

_BAR = 24
_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}
_VERDICT_COLOUR = {"strong": "green", "solid": "green", "needs work": "yellow", "weak": "red"}


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


def _style(s: str, colour: bool, **kw: Any) -> str:
    return click.style(s, **kw) if colour else s


def _story_lines(report: Report, text: str | None) -> list[str]:
    """The top three principles with their evidence, the question's fit and the story's theme."""
    out: list[str] = []
    top = [p for p in report.principles[:3] if p.score > 0]
    if top:
        out += ["", "  principles (top three)"]
        for p in top:
            named = ", named" if p.named else ""
            out.append(f"    {p.score:.2f}  {p.name}{named}")
            for e in p.evidence[:2]:
                where = e.section or "answer"
                quote = " ".join(e.text.split())
                quote = quote if len(quote) <= 70 else quote[:69] + "…"
                out.append(f'          {where}: "{quote}"' + (f" ({e.cue})" if e.cue else ""))
            if not p.evidence:
                out.append("          (from the wording as a whole: no sentence carries a cue)")
    fit = report.question_fit
    if fit is not None:
        verdict = "fits" if fit.fits else "does not fit: missing " + ", ".join(fit.missing)
        kinds = ", ".join(fit.kinds) or "general"
        out += ["", f"  question ({kinds}): the story {verdict}"]
        if fit.asks_for:
            shown = set(fit.shown)
            marks = [f"{a}{' (shown)' if a in shown else ''}" for a in fit.asks_for]
            out.append("    asks for " + ", ".join(marks))
    sig = report.signals
    if sig is not None and (sig.theme or sig.functions):
        parts = []
        if sig.theme:
            parts.append(f"theme {sig.theme.replace('_', ' ')}")
        lead = [
            n for n, on in (("people", sig.people_leadership), ("technical", sig.technical)) if on
        ]
        parts.append("leadership: " + (" and ".join(lead) or "not shown"))
        if sig.cross_functional:
            named = f" ({', '.join(sig.functions[:5])})" if sig.functions else ""
            parts.append("cross-functional" + named)  # other teams named, no function
        out += ["", "  story: " + "; ".join(parts)]
    return out


def card(report: Report, text: str | None, colour: bool, title: str | None) -> str:
    """Return the text card of a report (see :func:`staranalyzer.render.render`)."""
    out = []
    verdict = _style(report.verdict.upper(), colour, fg=_VERDICT_COLOUR[report.verdict], bold=True)
    head = f"{int(report.score)}/100  {verdict}"
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
    out += _story_lines(report, text)
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


def render_portfolio(
    portfolio: PortfolioReport, fmt: OutputFormat | str, colour: bool = False
) -> str:
    """Render a bank's portfolio (text or Markdown; a ``{"portfolio": ...}`` record for JSON)."""
    fmt = OutputFormat(fmt)
    if fmt in (OutputFormat.JSON, OutputFormat.JSONL):
        return (
            json.dumps({"portfolio": portfolio.model_dump(mode="json")}, ensure_ascii=False) + "\n"
        )
    md = fmt is OutputFormat.MARKDOWN
    p = portfolio
    out = ["## Portfolio" if md else _style("Portfolio", colour, bold=True), ""]
    out.append(
        f"{p.stories} stories against a target of {p.target_stories}+ (rubric {p.rubric}); "
        f"{len(p.coverage) - len(p.missing)} of {len(p.coverage)} principles shown"
    )
    out += ["", "### Principles" if md else "principles (stories showing each)"]
    if md:
        out += ["", "| principle | stories | which |", "|---|---:|---|"]
    top = max((c.count for c in p.coverage), default=0) or 1
    for c in p.coverage:
        which = ", ".join(c.stories[:6]) + (" ..." if len(c.stories) > 6 else "")
        if md:
            out.append(f"| {c.name} | {c.count} | {which} |")
        else:
            bar = "█" * round(10 * c.count / top)
            flag = "  none" if c.count == 0 else ("  thin" if c.name in p.thin else "")
            line = f"  {c.name[:44]:<44} {bar:<10} {c.count:>3}"
            out.append(line + (_style(flag, colour, fg="yellow") if flag else ""))
    if p.themes:
        out += ["", "### Themes" if md else "themes (share of stories, target)"]
        if md:
            out.append("")
        for t in p.themes:
            target = "-" if t.target is None else f"{t.target:.0%}"
            name = t.name.replace("_", " ")
            out.append(
                f"{'- ' if md else '  '}{name:<22} {t.count:>3}  {t.share:>4.0%}  (target {target})"
            )
    if p.cross_functional is not None:
        x = p.cross_functional
        out += ["", f"cross-functional stories: {x.count} ({x.share:.0%}; target {x.target:.0%})"]
    if p.levels:
        out += ["", "level: " + ", ".join(f"{k} {v}" for k, v in p.levels.items())]
    if p.failure_stories:
        out += [
            "",
            f"failure stories: {len(p.failure_stories)} "
            f"({len(p.failure_without_lesson)} without a lesson)",
        ]
    if p.near_duplicates:
        out += [
            "",
            "near-duplicates: " + ", ".join(f"{d.first} ~ {d.second}" for d in p.near_duplicates),
        ]
    if p.next_steps:
        out += ["", "### Next steps" if md else _style("next steps", colour, bold=True), ""]
        out += [f"{'-' if md else '  -'} {step}" for step in p.next_steps]
    return "\n".join(out) + "\n"
