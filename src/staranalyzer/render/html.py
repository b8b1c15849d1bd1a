"""A self-contained HTML page: one answer, marked in place, or a whole bank with every card.

An answer's page shows its text with its sections, findings and metrics marked in place; a
bank's page its summary, a sortable table and every story's card.
The page has its CSS inline and a few lines of JavaScript (table sorting, only on a bank page);
it loads nothing from the network. Everything the candidate wrote is escaped: the answer is
cut into escaped text between marks, and the Jinja2 templates (``templates/``) autoescape.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from ..banks import Story
from ..models import Report
from ..portfolio import PortfolioBuilder, PortfolioReport
from ..summary import Summary
from .location import file_position, line_column

SECTION_NAMES = {
    "situation": "Situation",
    "task": "Task",
    "action": "Action",
    "result": "Result",
    "reflection": "Reflection",
}
SCOPE_NAMES = {
    "team_size": "team size",
    "teams": "teams",
    "money": "money",
    "users": "users",
    "stakeholders": "stakeholders",
    "time_horizon": "time horizon",
}
_LAYERS = {"section": 0, "headline": 0, "finding": 1, "scope": 2, "metric": 3}


@dataclass
class _Mark:
    """A span of the answer to mark: a section, a finding, a scope cue or a metric."""

    kind: str
    start: int
    end: int
    index: int
    css: str
    attrs: dict[str, str] = field(default_factory=dict)
    label: str | None = None
    """Text shown at the start of the mark (a section's name)."""


def _metric_value(metric: Any) -> str:
    if metric.kind == "change" and metric.before is not None and metric.after is not None:
        unit = f" {metric.unit}" if metric.unit else ""
        return f"{metric.before:g} → {metric.after:g}{unit}"
    if metric.value is None:
        return ""
    value = f"{metric.value:,.0f}" if abs(metric.value) >= 1000 else f"{metric.value:g}"
    if metric.high is not None:
        value += f"–{metric.high:g}"
    unit = metric.unit or ""
    if unit in ("%",) or unit.startswith("/"):
        return f"{value}{unit}"
    return f"{value} {unit}".strip()


_SEVERITY_SIGN = {"error": "✖", "warning": "⚠", "info": "ℹ"}


def _flag(finding: Any, number: int, prefix: str) -> str:
    """A badge for a finding about a whole section (underlining all of it would be noise)."""
    tip = f"{finding.severity.upper()} · {finding.message}\n{finding.suggestion}"
    return (
        f'<span class="flag flag-{finding.severity}" id="{prefix}m{number}" tabindex="0"'
        f' data-tip="{escape(tip)}" aria-describedby="{prefix}f{number}">'
        f"{_SEVERITY_SIGN[finding.severity]}\u00a0{number}</span>"
    )


def _marks(report: Report, prefix: str) -> tuple[list[_Mark], dict[int, list[str]]]:
    marks: list[_Mark] = []
    flags: dict[int, list[str]] = {}
    whole = {(s.start, s.end) for s in report.sections}
    for i, s in enumerate(report.sections):
        how = "labelled" if s.source == "labeled" else f"inferred, confidence {s.confidence:.0%}"
        marks.append(
            _Mark(
                "section",
                s.start,
                s.end,
                i,
                f"sec sec-{s.label}",
                {"title": f"{SECTION_NAMES[s.label]} ({how})"},
                label=SECTION_NAMES[s.label],
            )
        )
    if report.headline is not None:
        h = report.headline
        marks.append(_Mark("headline", h.start, h.end, 0, "sec sec-headline", label="Headline"))
    for i, f in enumerate(report.findings):
        if f.start is None or f.end is None:
            continue
        if (f.start, f.end) in whole:
            flags.setdefault(f.start, []).append(_flag(f, i + 1, prefix))
            continue
        marks.append(
            _Mark(
                "finding",
                f.start,
                f.end,
                i,
                f"fd fd-{f.severity}",
                {
                    "id": f"{prefix}m{i + 1}",
                    "tabindex": "0",
                    "data-tip": f"{f.severity.upper()} · {f.message}\n{f.suggestion}",
                    "aria-describedby": f"{prefix}f{i + 1}",
                },
            )
        )
    for i, c in enumerate(report.scope_cues):
        marks.append(
            _Mark(
                "scope",
                c.start,
                c.end,
                i,
                "sc",
                {"title": f"scope: {SCOPE_NAMES.get(c.kind, c.kind)}"},
            )
        )
    for i, m in enumerate(report.metrics):
        marks.append(
            _Mark(
                "metric",
                m.start,
                m.end,
                i,
                "mt",
                {"title": f"metric: {m.kind} {_metric_value(m)}".strip()},
            )
        )
    return [m for m in marks if m.end > m.start], flags


def _open(mark: _Mark, first: bool) -> str:
    tag = "mark" if mark.kind == "metric" else "span"
    attrs = dict(mark.attrs)
    css = mark.css
    if not first:  # a continuation of a mark split by another one: no id, not focusable again
        for key in ("id", "tabindex", "data-tip", "aria-describedby"):
            attrs.pop(key, None)
        css += " cont"
    shown = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
    chip = ""
    if first and mark.label:
        chip = f'<span class="chip">{escape(mark.label)}</span>'
    return f'<{tag} class="{css}"{shown}>{chip}'


def _close(mark: _Mark) -> str:
    return "</mark>" if mark.kind == "metric" else "</span>"


def answer_html(text: str, report: Report, prefix: str = "") -> Markup:
    """Return the answer as HTML: sections shaded and labelled, findings, scope and metrics marked.

    Marks nest properly: where two marks cross, the inner one is split (only its first piece
    carries its id and keyboard focus). A finding about a whole section is a numbered badge at
    the section's start rather than an underline. Every character of ``text`` is escaped.

    Args:
        text: the analysed answer.
        report: its report.
        prefix: a prefix for element ids, unique per answer on a page.

    """
    marks, flags = _marks(report, prefix)
    cuts = sorted({0, len(text), *flags, *(m.start for m in marks), *(m.end for m in marks)})
    order = sorted(marks, key=lambda m: (_LAYERS[m.kind], m.start, -m.end, m.index))
    rank = {id(m): n for n, m in enumerate(order)}
    opened: set[int] = set()
    stack: list[_Mark] = []
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        want = sorted((m for m in marks if m.start <= a and m.end >= b), key=lambda m: rank[id(m)])
        keep = 0
        while keep < len(stack) and keep < len(want) and stack[keep] is want[keep]:
            keep += 1
        for m in reversed(stack[keep:]):
            out.append(_close(m))
        del stack[keep:]
        for m in want[keep:]:
            out.append(_open(m, id(m) not in opened))
            opened.add(id(m))
            stack.append(m)
        out.extend(flags.pop(a, ()))
        out.append(str(escape(text[a:b])))
    for m in reversed(stack):
        out.append(_close(m))
    for at in sorted(flags):  # flags on empty sections at the very end
        out.extend(flags[at])
    return Markup("".join(out))


def _getter(item: Any) -> Any:
    """A ``get(key)`` for a record that is a dict or an object with attributes."""
    return item.get if isinstance(item, dict) else lambda k: getattr(item, k, None)


def _principles(report: Report) -> list[dict[str, Any]]:
    """The report's principles (a field another part of the project may add), read tolerantly."""
    items = getattr(report, "principles", None) or []
    shown = []
    for p in items:
        get = _getter(p)
        evidence = get("evidence") or []
        quotes = []
        for e in evidence:
            quote = e.get("text") if isinstance(e, dict) else getattr(e, "text", None)
            if quote:
                quotes.append(str(quote))
        shown.append(
            {
                "name": str(get("name") or get("principle") or get("id") or "principle"),
                "score": get("score"),
                "evidence": quotes,
            }
        )
    return shown


def _principle_names(report: Report) -> dict[str, str]:
    """Principle ids and their names, from the report's principles."""
    names: dict[str, str] = {}
    for p in getattr(report, "principles", None) or []:
        get = _getter(p)
        pid, name = get("id"), get("name")
        if pid is not None and name:
            names[str(pid)] = str(name)
    return names


def _question_fit(report: Report) -> dict[str, Any] | None:
    """What the question asks for and whether the story shows it (None: no question given)."""
    fit = getattr(report, "question_fit", None)
    if fit is None:
        return None
    names = _principle_names(report)
    shown = set(fit.shown)
    missing = set(fit.missing)
    return {
        "question": fit.question,
        "kinds": [k.replace("_", " ") for k in fit.kinds],
        "asks": [{"name": names.get(pid, pid), "shown": pid in shown} for pid in fit.asks_for],
        "needs": [{"name": n.replace("_", " "), "missing": n in missing} for n in fit.needs],
        "missing": [m.replace("_", " ") for m in fit.missing]
        + (["any principle it asks for"] if fit.asks_for and not shown else []),
        "fits": bool(fit.fits),
    }


def _signals(report: Report) -> list[str]:
    """The story's theme, leadership and cross-functional signals as short phrases."""
    sig = getattr(report, "signals", None)
    if sig is None:
        return []

    def yes(on: Any) -> str:
        return "yes" if on else "no"

    theme = sig.theme.replace("_", " ") if sig.theme else "none found"
    cross = yes(sig.cross_functional)
    if sig.cross_functional and sig.functions:
        cross += " (" + ", ".join(str(f) for f in sig.functions[:5]) + ")"
    return [
        f"theme: {theme}",
        f"people leadership: {yes(sig.people_leadership)}",
        f"technical leadership: {yes(sig.technical)}",
        f"cross-functional: {cross}",
    ]


@dataclass
class _Card:
    """What a story's card shows, prepared for the template."""

    number: int
    id: str
    prefix: str
    source: str
    line: int
    question: str | None
    report: Report | None
    error: str | None
    answer: Markup | None
    positions: list[str]
    principles: list[dict[str, Any]]
    extra: dict[str, Any]
    words: int = 0
    fit: dict[str, Any] | None = None
    """What the question asks for and whether the story shows it (None: no question)."""
    signals: list[str] = field(default_factory=list)
    """The story's theme, leadership and cross-functional signals, as short phrases."""

    @property
    def weakest(self) -> str:
        """The dimension with the lowest score (ties: the first); "" when none lost points."""
        if self.report is None or not self.report.dimensions:
            return ""
        weakest = min(self.report.dimensions, key=lambda d: d.score)
        return weakest.dimension if weakest.score < 100 else ""


def _card(number: int, story: Story, report: Report | None, many: bool) -> _Card:
    prefix = f"s{number}-" if many else ""
    positions = []
    answer = None
    if report is not None:
        for f in report.findings:
            if f.start is None:
                positions.append("whole answer")
                continue
            if not story.text:  # no text given: only the offsets are known
                positions.append(f"characters {f.start}–{f.end}")
            elif story.text_line is not None:
                line, col = file_position(story.text, f.start, story.text_line, story.line)
                positions.append(f"line {line}, col {col}")
            else:  # a bank record: the place in the answer says more than the record's line
                line, col = line_column(story.text, f.start)
                positions.append(f"answer line {line}, col {col}")
        if story.text:
            answer = answer_html(story.text, report, prefix)
    return _Card(
        number=number,
        id=story.id,
        prefix=prefix,
        source=story.source,
        line=story.line,
        question=story.question,
        report=report,
        error=story.error,
        answer=answer,
        positions=positions,
        principles=_principles(report) if report is not None else [],
        extra={k: v for k, v in story.extra.items() if isinstance(v, (str, int, float, list))},
        words=report.stats.words if report is not None and report.stats is not None else 0,
        fit=_question_fit(report) if report is not None else None,
        signals=_signals(report) if report is not None else [],
    )


def _portfolio_report(scored: Sequence[tuple[str, Report, str]]) -> PortfolioReport | None:
    """The bank's portfolio, from its scored stories (id, report and answer text, in order).

    Built against the first report's rubric; None when nothing is scored, the rubric has no
    principles, or building it fails in any way (the page then shows what it did before).
    """
    if not scored:
        return None
    try:
        builder = PortfolioBuilder(scored[0][1].rubric)
        if builder.rubric.principles is None:
            return None
        for story_id, report, text in scored:
            builder.add(story_id, report, text)
        return builder.build()
    except Exception:  # a page without the portfolio beats no page
        return None


def _portfolio(
    cards: Sequence[_Card], folio: PortfolioReport | None = None
) -> dict[str, Any] | None:
    """Stories against the principles or tags they claim, when the bank or the reports say.

    With the bank's portfolio (``folio``, built from the scored cards in order), the columns
    are the rubric's principles in the portfolio's coverage order and each story is marked
    with the principles it shows. Without it, the columns are the principles the reports score
    (when the reports have them), else the bank's
    ``leadership_principle``/``principles``/``competency``/``tags`` fields.
    """
    scored = [c for c in cards if c.report is not None]
    if folio is not None and folio.coverage and any(c.principles for c in scored):
        columns = [p.name for p in folio.coverage]
        rows = []
        for c, row in zip(scored, folio.matrix, strict=False):  # the matrix's first rows
            shows = set(row.principles)
            rows.append(
                {"card": c, "cells": ["✓" if p.id in shows else None for p in folio.coverage]}
            )
        return {
            "columns": columns,
            "rows": rows,
            "kind": "principles each story shows (its strongest, over the rubric's threshold)",
            "counts": [p.count for p in folio.coverage],
            "left_out": len(scored) - len(rows),
        }
    if any(c.principles for c in scored):
        columns = sorted({p["name"] for c in scored for p in c.principles})
        rows = []
        for c in scored:
            by_name = {p["name"]: p for p in c.principles}
            cells = []
            for col in columns:
                p = by_name.get(col)
                score = p["score"] if p else None
                cells.append(None if p is None else (f"{score:.2f}" if score is not None else "✓"))
            rows.append({"card": c, "cells": cells})
        return {"columns": columns, "rows": rows, "kind": "principles scored in each story"}
    keys = ("leadership_principle", "leadership_principles", "principles", "competency", "tags")
    columns_set: set[str] = set()
    claimed: dict[int, set[str]] = {}
    for c in cards:
        names: set[str] = set()
        for key in keys:
            value = c.extra.get(key)
            values = value if isinstance(value, list) else [value] if value else []
            names.update(str(v) for v in values if isinstance(v, (str, int)) and str(v).strip())
        claimed[c.number] = names
        columns_set |= names
    if not columns_set:
        return None
    columns = sorted(columns_set, key=str.lower)[:24]
    rows = [
        {"card": c, "cells": ["✓" if col in claimed[c.number] else None for col in columns]}
        for c in cards
    ]
    return {"columns": columns, "rows": rows, "kind": "tags and principles the bank gives"}


def breakable(name: str) -> Markup:
    """Escape a file name or id and let it wrap after ``/``, ``_``, ``-`` and ``.`` on a phone."""
    return Markup(re.sub(r"([/_.-])", r"\1<wbr>", str(escape(name))))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("staranalyzer.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["section_names"] = SECTION_NAMES
    env.globals["scope_names"] = SCOPE_NAMES
    env.filters["metric_value"] = _metric_value
    env.filters["breakable"] = breakable
    return env


def render_page(
    stories: Sequence[tuple[Story, Report | None]],
    summary: Summary | None,
    portfolio: PortfolioReport | None = None,
) -> str:
    """Return one HTML page: a single story's card, or a bank's summary, table and cards.

    Args:
        stories: the stories in input order, each with its report (None when not scored).
        summary: the run's summary (shown on a bank page; built here when None).
        portfolio: the bank's portfolio (shown on a bank page; built here when None).

    """
    from .. import __version__

    many = len(stories) != 1
    cards = [_card(n, story, report, many) for n, (story, report) in enumerate(stories, 1)]
    if many and summary is None:
        from ..summary import SummaryBuilder

        builder = SummaryBuilder()
        for story, report in stories:
            builder.add(story.id, story.text, report)
        summary = builder.build()
    sources = list(dict.fromkeys(story.source for story, _ in stories))
    env = _environment()
    if not many:
        page = env.get_template("answer.html.j2")
        return page.render(card=cards[0], version=__version__)
    top = max(summary.histogram.values(), default=0) if summary else 0
    common_top = max((n for _, n in summary.common_findings), default=0) if summary else 0
    folio = portfolio or _portfolio_report(
        [(story.id, report, story.text) for story, report in stories if report is not None]
    )
    return env.get_template("bank.html.j2").render(
        cards=cards,
        summary=summary,
        sources=sources,
        histogram_top=top or 1,
        common_top=common_top or 1,
        portfolio=_portfolio(cards, folio),
        folio=folio,
        version=__version__,
    )
