"""The ``star-check`` command: parse options, read stories, call the library, render, exit.

Exit codes (also in ``star-check --help``):

- 0: every story was scored (and none is under ``--fail-under``).
- 1: a story could not be scored (empty, too long) or scored under ``--fail-under``.
- 2: usage or input error: a bad option, an unknown rubric or model, a missing, binary or
  undecodable file, a bad JSONL line or CSV row. Every other story is still scored and reported.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from enum import IntEnum
from typing import IO, Any

import click

from . import __version__
from .analyzer import Analyzer
from .banks import Columns, Story, printable, read_stories
from .errors import StarAnalyzerError
from .models import Report, report_schema
from .portfolio import PortfolioBuilder, portfolio_schema
from .render import (
    OutputFormat,
    StoryWriter,
    render,
    render_portfolio,
    render_summary,
    story_writer,
)
from .rubric import available_rubrics, load_rubric
from .summary import Summary, SummaryBuilder
from .table import EXTRA_HINT, PARQUET, ParquetStoryWriter

RESERVED = {"id", "source", "line", "question", "report", "error", "error_kind"}


class ExitCode(IntEnum):
    """Exit codes of ``star-check``: see the module docstring."""

    OK = 0
    FAILED = 1
    USAGE = 2


def score_stories(
    stories: Iterator[Story], analyzer: Analyzer, *, jobs: int = 1, batch_size: int = 32
) -> Iterator[tuple[Story, Report | None]]:
    """Score stories in input order; a story that cannot be scored comes back with None.

    Only readable records go through ``analyze_many`` (and so through ``nlp.pipe``); error
    records wait in a queue so that the output keeps the input order exactly. An answer that
    cannot be analysed, for whatever reason, becomes its own error record and the rest go on.
    """
    pending: deque[Story] = deque()

    def texts() -> Iterator[tuple[str, str | None]]:
        for story in stories:
            pending.append(story)
            if story.error is None:
                yield story.text, story.question

    results = analyzer.analyze_many(texts(), batch_size=batch_size, n_process=jobs, errors="return")
    for result in results:
        while pending[0].error is not None:
            yield pending.popleft(), None
        story = pending.popleft()
        if isinstance(result, StarAnalyzerError):
            story.error = printable(f"{story.source}:{story.line}: {result}")
            story.kind = "answer"
            yield story, None
        else:
            yield story, result
    while pending:
        yield pending.popleft(), None


def record(story: Story, report: Report | None) -> dict[str, Any]:
    """One output record: the story's id, source, line, question, carried fields and report."""
    story_id = story.raw_id if story.raw_id is not None else story.id
    out: dict[str, Any] = {"id": story_id, "source": story.source, "line": story.line}
    if story.question is not None:
        out["question"] = story.question
    for key, value in story.extra.items():
        out[f"input_{key}" if key in RESERVED else key] = value
    if report is None:
        out["error"] = story.error
        out["error_kind"] = story.kind
    else:
        out["report"] = report.model_dump(mode="json")
    return out


def record_json(story: Story, report: Report | None) -> str:
    """One output record as a JSON line (the report serialised by pydantic, without a detour)."""
    base = record(story, None)
    if report is None:
        return dumps(base)
    del base["error"], base["error_kind"]
    head = dumps(base)[:-1]  # an object: drop "}" and append the report
    return f'{head}, "report": {report.model_dump_json()}}}'


def dumps(value: Any, indent: int | None = None) -> str:
    """Strict JSON (no NaN or Infinity), UTF-8 where it can be; lone surrogates are escaped."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True, allow_nan=False, indent=indent)
    return text


class _Progress:
    """A one-line counter on stderr, only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def update(self, n: int) -> None:
        now = time.monotonic()
        if not self.enabled or n < 2 or now - self.last < 0.25:
            return
        self.last = now
        rate = n / max(now - self.start, 1e-6)
        click.echo(f"\r  scored {n:,} stories ({rate:,.0f}/s)", err=True, nl=False)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("\r" + " " * 60 + "\r", err=True, nl=False)


def _colour(choice: bool | None, out: IO[str] | None) -> bool:
    if choice is not None:
        return choice
    if "NO_COLOR" in os.environ or out is not None:
        return False
    return sys.stdout.isatty()


def _list_rubrics(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    for name in available_rubrics():
        rubric = load_rubric(name)
        level = f" [{rubric.level}]" if rubric.level else ""
        click.echo(f"{name:<12}{level:<6} {rubric.description}")
    ctx.exit(0)


def _show_rubric(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    try:
        rubric = load_rubric(value)
    except StarAnalyzerError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(json.dumps(rubric.model_dump(mode="json"), indent=2))
    ctx.exit(0)


def _portfolio_schema(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(json.dumps(portfolio_schema(), indent=2, sort_keys=True))
    ctx.exit()


def _schema(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(json.dumps(report_schema(), indent=2, sort_keys=True))
    ctx.exit(0)


@click.command(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 all scored; 1 a story not scored or under --fail-under; "
    "2 usage or input error (the other stories are still reported).",
)
@click.argument("paths", nargs=-1)
@click.option("--rubric", default="default", show_default=True, help="Bundled rubric name or path.")
@click.option(
    "--model", default=None, help="Installed spaCy pipeline to use instead of the default."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*(f.value for f in OutputFormat), PARQUET]),
    default=OutputFormat.TEXT.value,
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write reports to this file instead of standard output.",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    help="Exit 1 when any story scores below this.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress, no summary on standard error.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes to score with.",
)
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=32, show_default=True)
@click.option(
    "--dask",
    "dask_address",
    metavar="local|tcp://HOST:PORT",
    default=None,
    help="Score on a Dask cluster: a LocalCluster of --jobs workers, or a scheduler's address "
    "(needs staranalyzer[dask]).",
)
@click.option("--encoding", default=None, help="Encoding of the input files (default: UTF-8/16).")
@click.option("--id-column", default="id", show_default=True, help="Id field of JSONL/CSV banks.")
@click.option("--question-column", default="question", show_default=True)
@click.option("--answer-column", default="answer", show_default=True)
@click.option(
    "--question",
    "question",
    metavar="TEXT",
    default=None,
    help="The interview question, for stories that do not carry one (a bank's question field "
    "wins): the report says which principles it asks for and whether the story fits.",
)
@click.option(
    "--summary/--no-summary",
    "show_summary",
    default=None,
    help="Print a summary after several stories (default: yes).",
)
@click.option(
    "--portfolio/--no-portfolio",
    "show_portfolio",
    default=None,
    help="The bank as a portfolio: principles covered and missing, theme mix, cross-functional "
    "share, failure stories, near-duplicates, next steps. Default: after several stories in "
    'text and Markdown; with --portfolio, JSON Lines end with a {"portfolio": ...} record '
    'and a JSON list with a {"portfolio": ...} item.',
)
@click.option("--color/--no-color", "color", default=None, help="Colour (default: on a terminal).")
@click.option(
    "--list-rubrics",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list_rubrics,
    help="List the bundled rubrics and exit.",
)
@click.option(
    "--show-rubric",
    metavar="NAME|PATH",
    expose_value=False,
    is_eager=True,
    callback=_show_rubric,
    help="Print a rubric, resolved, as JSON and exit.",
)
@click.option(
    "--schema",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_schema,
    help="Print the report's JSON Schema and exit.",
)
@click.option(
    "--portfolio-schema",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_portfolio_schema,
    help="Print the JSON Schema of the portfolio record and exit.",
)
@click.version_option(__version__, prog_name="star-check")
def main(
    paths: tuple[str, ...],
    rubric: str,
    model: str | None,
    fmt: str,
    output: str | None,
    fail_under: float | None,
    quiet: bool,
    jobs: int,
    batch_size: int,
    encoding: str | None,
    id_column: str,
    question_column: str,
    answer_column: str,
    show_summary: bool | None,
    color: bool | None,
    question: str | None = None,
    show_portfolio: bool | None = None,
    dask_address: str | None = None,
) -> None:
    """Score STAR interview answers in PATHS: files, directories, JSONL/CSV/Markdown banks, or -."""
    if not paths:
        raise click.UsageError(
            "give at least one PATH (a file, a directory, a bank, or - for stdin)"
        )
    try:
        analyzer = Analyzer(rubric=rubric, model=model)
    except StarAnalyzerError as exc:
        raise click.UsageError(str(exc)) from None
    stories = read_stories(
        paths,
        encoding=encoding,
        columns=Columns(id=id_column, question=question_column, answer=answer_column),
        star_headers=[w for ws in analyzer.rubric.sectioning.headers.values() for w in ws],
        stdin=sys.stdin.buffer if "-" in paths else None,
    )
    if question is not None and question.strip():
        stories = _with_question(stories, question)
    if fmt == PARQUET:  # a binary file: never standard output
        _check_parquet(output)
    client = _connect(dask_address, jobs) if dask_address is not None else None
    out = _open_output(fmt, output)
    try:
        code = _guarded(
            lambda: _run(
                stories,
                analyzer,
                out,
                fmt,
                fail_under,
                quiet,
                jobs,
                batch_size,
                show_summary,
                _colour(color, out if output else None),
                client=client,
                show_portfolio=show_portfolio,
            )
        )
    finally:
        if output:
            out.close()
        if client is not None:
            from .dask import close

            close(client)
    sys.exit(int(code))


def _check_parquet(output: str | None) -> None:
    """Parquet needs a file and pyarrow: a usage error otherwise."""
    if not output:
        raise click.UsageError("--format parquet writes a file: give -o FILE.parquet")
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise click.UsageError(f"--format parquet needs pyarrow: {EXTRA_HINT}") from None


def _connect(address: str, jobs: int) -> Any:
    """A Dask client for ``--dask`` (a usage error when it cannot connect)."""
    from .dask import connect

    try:
        return connect(address, workers=jobs)
    except StarAnalyzerError as exc:
        raise click.UsageError(str(exc)) from None


def _open_output(fmt: str, output: str | None) -> IO[Any]:
    """The output stream: ``--output`` (binary for Parquet) or standard output; exit 2 if not."""
    try:
        if fmt == PARQUET:
            return open(output or "", "wb")  # noqa: SIM115
        return open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    except OSError as exc:
        click.echo(
            f"star-check: cannot write {printable(output or '')}: {exc.strerror or exc}", err=True
        )
        sys.exit(int(ExitCode.USAGE))


def _guarded(run: Callable[[], ExitCode]) -> ExitCode:
    """Run the scoring; an interrupt or a closed pipe fails, a bug is one line for the user."""
    try:
        return run()
    except (KeyboardInterrupt, BrokenPipeError):
        return ExitCode.FAILED
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("STAR_CHECK_DEBUG"):
            raise
        click.echo(
            f"star-check: internal error: {exc.__class__.__name__}: {exc} "
            "(set STAR_CHECK_DEBUG=1 to see the traceback, and please report it)",
            err=True,
        )
        return ExitCode.FAILED


def _run(
    stories: Iterator[Story],
    analyzer: Analyzer,
    out: IO[str],
    fmt: str,
    fail_under: float | None,
    quiet: bool,
    jobs: int,
    batch_size: int,
    show_summary: bool | None,
    colour: bool,
    client: Any = None,
    show_portfolio: bool | None = None,
) -> ExitCode:
    table = ParquetStoryWriter(out) if fmt == PARQUET else None
    form = OutputFormat.JSONL if table is not None else OutputFormat(fmt)  # summary as for JSONL
    writer = story_writer(form, fail_under=fail_under)  # html, line, github, sarif
    summary = SummaryBuilder()
    bank = (
        PortfolioBuilder(analyzer.rubric, duplicates=summary.duplicates)
        if show_portfolio is not False and analyzer.rubric.principles is not None
        else None
    )
    progress = _Progress(enabled=not quiet and sys.stderr.isatty())
    code = ExitCode.OK
    json_items: list[dict[str, Any]] = []
    if client is not None:  # a Dask cluster: the same pairs, in the same order
        from .dask import score_stories_on_cluster

        scored = score_stories_on_cluster(stories, analyzer, client, batch_size=batch_size)
    else:
        scored = score_stories(stories, analyzer, jobs=jobs, batch_size=batch_size)
    for n, (story, report) in enumerate(scored, 1):
        summary.add(story.id, story.text, report)
        if bank is not None and report is not None:
            bank.add(story.id, report, story.text)
        progress.update(n)
        if report is None:
            click.echo(printable(story.error or ""), err=True)
            code = max(code, ExitCode.USAGE if story.kind == "input" else ExitCode.FAILED)
        elif fail_under is not None and report.score < fail_under:
            code = max(code, ExitCode.FAILED)
        if table is not None:
            table.add(story, report)
        elif form is OutputFormat.JSON:
            json_items.append(record(story, report))
        else:
            out.write(_story_output(story, report, form, writer, colour))
        out.flush()
    progress.close()
    if table is not None:
        table.close()
    built = summary.build()
    _write_endings(
        out, form, built, bank, json_items, table is not None, writer, colour,
        show_summary=show_summary, show_portfolio=show_portfolio, quiet=quiet,
    )  # fmt: skip
    if fail_under is not None and built.scored and not quiet:
        below = sum(1 for s in summary.scores if s < fail_under)
        if below:
            click.echo(f"{below} of {built.scored} stories scored under {fail_under:g}", err=True)
    return code


def _story_output(
    story: Story,
    report: Report | None,
    form: OutputFormat,
    writer: StoryWriter | None,
    colour: bool,
) -> str:
    """One story's output in a streamed format (JSON Lines, a linter format, text, Markdown)."""
    if form is OutputFormat.JSONL:
        return record_json(story, report) + "\n"
    if writer is not None:
        return writer.add(story, report)
    if report is None:
        return _error_block(story, form)
    return render(report, form, story.text, colour=colour, title=story.id) + "\n"


def _write_endings(
    out: IO[str],
    form: OutputFormat,
    built: Summary,
    bank: PortfolioBuilder | None,
    json_items: list[dict[str, Any]],
    to_table: bool,
    writer: StoryWriter | None,
    colour: bool,
    *,
    show_summary: bool | None,
    show_portfolio: bool | None,
    quiet: bool,
) -> None:
    """After the stories: the JSON document, the portfolio, the linter footer, the summary."""
    readable = form in (OutputFormat.TEXT, OutputFormat.MARKDOWN)
    wanted_portfolio = bank is not None and (
        show_portfolio if show_portfolio is not None else readable and built.stories > 1
    )
    # The HTML page shows the portfolio whenever the rubric has principles: built once, here.
    built_folio = (
        bank.build()
        if bank is not None and (wanted_portfolio or form is OutputFormat.HTML)
        else None
    )
    folio = built_folio if wanted_portfolio else None
    if form is OutputFormat.JSON:
        if len(json_items) == 1 and "report" in json_items[0] and folio is None:
            out.write(dumps(json_items[0]["report"], indent=2) + "\n")
        else:
            if folio is not None:
                json_items.append({"portfolio": folio.model_dump(mode="json")})
            out.write(dumps(json_items, indent=2) + "\n")
    elif folio is not None and form is OutputFormat.JSONL and not to_table:
        out.write(dumps({"portfolio": folio.model_dump(mode="json")}) + "\n")
    if writer is not None:
        out.write(writer.finish(built, built_folio))
    wanted = show_summary if show_summary is not None else built.stories > 1
    if folio is not None and readable and not wanted:  # the portfolio without the summary
        out.write(render_portfolio(folio, form, colour))
    if wanted:
        if readable:
            out.write(render_summary(built, form, colour))
            if folio is not None:
                out.write("\n" + render_portfolio(folio, form, colour))
        elif not quiet:
            click.echo(render_summary(built, OutputFormat.TEXT), err=True, nl=False)


def _with_question(stories: Iterator[Story], question: str) -> Iterator[Story]:
    """Stories, each given ``question`` when its bank record carries none."""
    for story in stories:
        if story.question is None:
            story.question = question
        yield story


def _error_block(story: Story, form: OutputFormat) -> str:
    if form is OutputFormat.MARKDOWN:
        return f"## {story.id}\n\n**Not scored:** {story.error}\n\n"
    return f"{story.id}  NOT SCORED\n  {story.error}\n\n"


def run() -> None:
    """The ``star-check`` console script: :func:`main`, then exit without a last walk of the heap.

    When the interpreter shuts down it runs one more full garbage collection over every object
    still alive: with the analyzer's tokenizer, phrase index and models loaded that walk cost
    about 0.15 s of a 1.3 s run on one answer, to free memory the operating system takes back
    anyway. Freezing the heap first (``gc.freeze``) moves those objects out of the collector's
    sight; at-exit handlers still run and every stream is still flushed and closed.
    """
    try:
        main()
    finally:
        gc.freeze()
