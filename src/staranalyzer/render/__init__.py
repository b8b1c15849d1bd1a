"""Renderers: a report as a card, JSON, JSON Lines, Markdown, HTML, or in linters' formats.

The linter formats are ``line``, ``github`` and ``sarif``.
:func:`render` renders one report; :func:`render_summary` the summary of a bank;
:func:`story_writer` gives ``star-check`` a writer for the formats that are not one block per
story (one HTML page or one SARIF log for a whole bank, linter lines with file positions).
"""

from __future__ import annotations

from ..models import Report
from .formats import OutputFormat
from .location import file_position, line_column
from .markdown import markdown
from .stories import StoryWriter, story_writer
from .text import card, render_portfolio, render_summary

__all__ = [
    "OutputFormat",
    "StoryWriter",
    "file_position",
    "line_column",
    "render",
    "render_portfolio",
    "render_summary",
    "story_writer",
]


def render(
    report: Report,
    fmt: OutputFormat | str = OutputFormat.TEXT,
    text: str | None = None,
    *,
    colour: bool = False,
    title: str | None = None,
    path: str | None = None,
    first_line: int | None = 1,
) -> str:
    """Render one report.

    Args:
        report: the report to show.
        fmt: ``text``, ``json``, ``jsonl`` (one line), ``markdown``, ``html`` (a self-contained
            page), ``line``, ``github`` or ``sarif`` (the findings, for linters' tooling).
        text: the analysed answer; when given, findings get line:column and sections a preview
            (the HTML page shows the answer with its sections, findings and metrics marked).
        colour: ANSI colour in the text card (for terminals).
        title: a heading for the card (a file name or story id).
        path: the answer's file, for ``line``, ``github`` and ``sarif`` (default: ``title``,
            else ``answer``).
        first_line: the line of ``path`` on which ``text`` starts (None: the answer is not
            verbatim in the file, so findings point at that line's first column).

    Returns:
        The rendered report, ending with a newline (empty for ``line`` or ``github`` without
        findings).

    """
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.JSON:
        return report.model_dump_json(indent=2) + "\n"
    if fmt is OutputFormat.JSONL:
        return report.model_dump_json() + "\n"
    if fmt is OutputFormat.MARKDOWN:
        return markdown(report, text, title)
    if fmt in (OutputFormat.HTML, OutputFormat.LINE, OutputFormat.GITHUB, OutputFormat.SARIF):
        writer = story_writer(fmt)
        from ..banks import Story

        story = Story(
            id=title or path or "answer",
            source=path or title or "answer",
            line=first_line or 1,
            text=text or "",
            text_line=first_line if text is not None else None,
        )
        return writer.add(story, report) + writer.finish(None)
    return card(report, text, colour, title)
