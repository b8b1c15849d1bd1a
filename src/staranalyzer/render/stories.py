"""Writers for the formats that place a whole run's stories together: HTML, line, github, SARIF.

``star-check`` hands every story (scored or not) to :meth:`StoryWriter.add`, writes what it
returns, and at the end writes what :meth:`StoryWriter.finish` returns: the linter lines stream
story by story, while one HTML page or one SARIF log covers the whole run.
"""

from __future__ import annotations

from ..banks import Story
from ..models import Report
from ..portfolio import PortfolioReport
from ..summary import Summary
from .formats import OutputFormat
from .linters import SarifLog, github_format, line_format


class StoryWriter:
    """Turns stories and their reports into output; see :func:`story_writer`."""

    def add(self, story: Story, report: Report | None) -> str:
        """Take one story (``report`` None when it was not scored); return what to write now."""
        raise NotImplementedError

    def finish(self, summary: Summary | None, portfolio: PortfolioReport | None = None) -> str:
        """Return what to write after the last story.

        Args:
            summary: the run's summary, when built.
            portfolio: the bank's portfolio, when the caller built it (the HTML page shows it).

        """
        return ""


class _LineWriter(StoryWriter):
    def __init__(self, fail_under: float | None, github: bool) -> None:
        self.fail_under = fail_under
        self.github = github

    def add(self, story: Story, report: Report | None) -> str:
        if self.github:
            return github_format(story, report, self.fail_under)
        return line_format(story, report, self.fail_under)


class _SarifWriter(StoryWriter):
    def __init__(self, fail_under: float | None) -> None:
        self.log = SarifLog(fail_under)

    def add(self, story: Story, report: Report | None) -> str:
        self.log.add(story, report)
        return ""

    def finish(self, summary: Summary | None, portfolio: PortfolioReport | None = None) -> str:
        return self.log.dumps()


class _HtmlWriter(StoryWriter):
    def __init__(self) -> None:
        self.stories: list[tuple[Story, Report | None]] = []

    def add(self, story: Story, report: Report | None) -> str:
        self.stories.append((story, report))
        return ""

    def finish(self, summary: Summary | None, portfolio: PortfolioReport | None = None) -> str:
        from .html import render_page  # Jinja2 is imported only when a page is made

        return render_page(self.stories, summary, portfolio)


def story_writer(fmt: OutputFormat | str, *, fail_under: float | None = None) -> StoryWriter | None:
    """Return the writer for ``html``, ``line``, ``github`` and ``sarif``; None for the others.

    Args:
        fmt: the output format.
        fail_under: a score threshold; the linter formats report a story under it as an error.

    """
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.HTML:
        return _HtmlWriter()
    if fmt in (OutputFormat.LINE, OutputFormat.GITHUB):
        return _LineWriter(fail_under, github=fmt is OutputFormat.GITHUB)
    if fmt is OutputFormat.SARIF:
        return _SarifWriter(fail_under)
    return None
