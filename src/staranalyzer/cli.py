"""The ``star-check`` command: parse options, load, call the library, render, exit."""

from __future__ import annotations

import sys
from enum import IntEnum
from pathlib import Path

import click

from . import __version__
from .analyzer import Analyzer
from .errors import InputError, StarAnalyzerError
from .render import OutputFormat, render


class ExitCode(IntEnum):
    """Exit codes of ``star-check``.

    0: every answer was analysed. 1: an answer could not be analysed. 2: usage or input error
    (a missing or undecodable file, an unknown rubric or model).
    """

    OK = 0
    FAILED = 1
    USAGE = 2


def read_answer(path: str, encoding: str | None = None) -> str:
    """Read an answer file (``-`` for stdin): UTF-8, UTF-8 with a BOM, or UTF-16 with a BOM.

    Raises:
        click.UsageError: the file is missing, binary or cannot be decoded; names the file.

    """
    name = "<stdin>" if path == "-" else path
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise click.UsageError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if encoding:
        codecs = [encoding]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codecs = ["utf-16"]
    else:
        codecs = ["utf-8-sig"]
    for codec in codecs:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" in text:
            break
        return text
    raise click.UsageError(
        f"{name}: cannot decode the file as {' or '.join(codecs)} "
        "(is it a text file? use --encoding to name its encoding)"
    )


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True)
@click.option("--rubric", default="default", show_default=True, help="Bundled rubric name or path.")
@click.option(
    "--model", default=None, help="Installed spaCy pipeline to use instead of the default."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in OutputFormat]),
    default=OutputFormat.TEXT.value,
    show_default=True,
)
@click.option("--encoding", default=None, help="Encoding of the input files.")
@click.version_option(__version__, prog_name="star-check")
def main(
    paths: tuple[str, ...], rubric: str, model: str | None, fmt: str, encoding: str | None
) -> None:
    """Analyse STAR interview answers in PATHS (files, or - for stdin)."""
    try:
        analyzer = Analyzer(rubric=rubric, model=model)
    except StarAnalyzerError as exc:
        raise click.UsageError(str(exc)) from None
    texts = [(p, read_answer(p, encoding)) for p in paths]
    code = ExitCode.OK
    for path, text in texts:
        try:
            report = analyzer.analyze(text)
        except InputError as exc:
            click.echo(f"{path}: {exc}", err=True)
            code = ExitCode.FAILED
            continue
        if len(texts) > 1 and fmt == OutputFormat.TEXT.value:
            click.echo(f"== {path}")
        click.echo(render(report, fmt, text), nl=False)
    sys.exit(int(code))
