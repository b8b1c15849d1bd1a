"""Story banks: answers from files, directories, JSONL, CSV, Parquet and multi-story Markdown.

Every input record becomes exactly one :class:`Story`, in input order. A record that cannot be
read (bad JSON, a CSV row without an answer, an undecodable file) is still a Story, with
``error`` set, so that it appears in the output and nothing is lost.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
BANK_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".parquet")
STDIN = "-"


@dataclass
class Story:
    """One answer to score, or one record that could not be read.

    Attributes:
        id: the record's id as text (from the bank, else the file name and line).
        raw_id: the id as the bank wrote it (a number stays a number in JSON output).
        source: the file it came from (``<stdin>`` for standard input).
        line: the line its record starts on (1-based).
        text: the answer text ("" for an error record).
        question: the question, when the bank has one.
        extra: other fields of the record, carried through to the output.
        error: why the record could not be read, or None.
        kind: ``input`` (a file or record problem) or ``answer`` (the answer cannot be scored).
        text_line: the line of ``source`` on which ``text`` starts when the text is a verbatim
            stretch of the file (a ``.txt``/``.md`` answer, a story of a Markdown bank), so
            that an offset in the text has an exact line and column in the file; None for
            JSONL and CSV records.

    """

    id: str
    source: str
    line: int
    text: str = ""
    raw_id: Any = None
    question: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    kind: str = "input"
    text_line: int | None = None


@dataclass(frozen=True)
class Columns:
    """Field names of a JSONL or CSV bank."""

    id: str = "id"
    question: str = "question"
    answer: str = "answer"


class InputFileError(Exception):
    """A file cannot be read or decoded; the message names the file."""


def printable(text: str) -> str:
    """Return ``text`` safe to write to any UTF-8 stream.

    Lone surrogates (from a file name that is not UTF-8, or a JSON escape) become escapes.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def json_safe(value: Any) -> Any:
    """A JSON-ready copy of a value read from a bank: non-finite numbers become None.

    Raises:
        RecursionError: a value nested too deeply (the caller makes it an error record).

    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def _check_regular(path: str) -> None:
    """Refuse FIFOs, sockets and devices: reading one can block forever."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputFileError(f"{printable(path)}: no such file") from None
    except OSError as exc:
        raise InputFileError(f"{printable(path)}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise InputFileError(f"{printable(path)}: is a directory")
    if not stat.S_ISREG(mode):
        raise InputFileError(f"{printable(path)}: not a regular file (a pipe or device?)")


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode a file's bytes: UTF-8 (with or without a BOM), UTF-16 with a BOM, or ``encoding``.

    Raises:
        InputFileError: binary data, or bytes that do not decode; the message names the file
            and suggests ``--encoding``.

    """
    if encoding:
        codecs = [encoding]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codecs = ["utf-16"]
    else:
        codecs = ["utf-8-sig"]
    for codec in codecs:
        try:
            text = data.decode(codec)
        except LookupError:
            raise InputFileError(f"{name}: unknown encoding {codec!r}") from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputFileError(
                f"{name}:{line}: cannot decode as {codec} (byte {exc.start}); "
                "if the file is text, name its encoding with --encoding"
            ) from None
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            raise InputFileError(f"{name}:{line}: looks like a binary file (NUL byte), not text")
        return text
    raise InputFileError(f"{name}: cannot decode")  # pragma: no cover - codecs is never empty


def _read(path: str, stdin: io.BufferedReader | None, encoding: str | None) -> tuple[str, str]:
    name = "<stdin>" if path == STDIN else printable(path)
    if path != STDIN:
        _check_regular(path)
    try:
        if path == STDIN:
            data = stdin.read() if stdin is not None else b""
        else:
            data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{name}: is a directory") from None
    except OSError as exc:
        raise InputFileError(f"{name}: cannot read ({exc.strerror or exc})") from None
    return name, decode(data, name, encoding)


_HEADING = re.compile(r"^(#{1,2})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)


def split_markdown_bank(text: str, star_headers: Iterable[str]) -> list[tuple[str, int, str]]:
    """Split a Markdown file into stories at ``#``/``##`` headings that are not STAR headers.

    Returns (title, line, body) per story; a file with fewer than two such headings is one story
    (returned as an empty list, so the caller keeps the file whole).
    """
    words = {w.lower() for w in star_headers}
    fences = [m.start() for m in _FENCE.finditer(text)]
    cuts = []
    for m in _HEADING.finditer(text):
        if sum(1 for f in fences if f < m.start()) % 2:
            continue  # a "#" line inside a fenced code block is code, not a heading
        title = m.group(2).strip().strip("*_").strip()
        if title.lower().rstrip(":") in words:
            continue
        cuts.append((m.start(), m.end(), title))
    if len(cuts) < 2:
        return []
    stories = []
    for i, (start, end, title) in enumerate(cuts):
        stop = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
        line = text.count("\n", 0, start) + 1
        stories.append((title, line, text[end:stop].strip("\n")))
    return stories


def _lines(path: str, stdin: io.BufferedReader | None, encoding: str | None) -> Iterator[str]:
    """Yield the decoded lines of a bank file one at a time (a bank may not fit in memory).

    A line that does not decode raises :class:`LineError`, naming the file and line; the caller
    turns it into an error record and reads on. UTF-16 files (BOM) are decoded whole.
    """
    name = "<stdin>" if path == STDIN else printable(path)
    if path != STDIN:
        _check_regular(path)
    try:
        handle = stdin if path == STDIN else open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        raise InputFileError(f"{name}: no such file") from None
    except OSError as exc:
        raise InputFileError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if handle is None:
        return
    try:
        head = handle.peek(4)[:4] if hasattr(handle, "peek") else b""
        if encoding is None and head.startswith((b"\xff\xfe", b"\xfe\xff")):
            yield from decode(handle.read(), name).splitlines()
            return
        codec = encoding or "utf-8"
        for n, raw in enumerate(handle, 1):
            if n == 1 and encoding is None and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode(codec)
            except UnicodeDecodeError as exc:
                yield LineError(
                    f"{name}:{n}: cannot decode as {codec} (byte {exc.start} of the line); "
                    "if the file is text, name its encoding with --encoding"
                )
                continue
            except LookupError:
                raise InputFileError(f"{name}: unknown encoding {codec!r}") from None
            if "\x00" in line:
                yield LineError(f"{name}:{n}: looks like binary data (NUL byte), not text")
                continue
            yield line.rstrip("\r\n")
    finally:
        if path != STDIN:
            handle.close()


class LineError(str):
    """A line of a bank that could not be decoded (its text is the message)."""


def _jsonl(name: str, lines: Iterable[str], columns: Columns) -> Iterator[Story]:
    for n, raw in enumerate(lines, 1):
        if isinstance(raw, LineError):
            yield Story(id=f"{name}:{n}", source=name, line=n, error=str(raw))
            continue
        if not raw.strip():
            continue
        try:
            record = json_safe(json.loads(raw))
        except json.JSONDecodeError as exc:
            yield Story(
                id=f"{name}:{n}", source=name, line=n, error=f"{name}:{n}: bad JSON ({exc.msg})"
            )
            continue
        except RecursionError:
            yield Story(
                id=f"{name}:{n}", source=name, line=n, error=f"{name}:{n}: JSON nested too deeply"
            )
            continue
        except (ValueError, TypeError) as exc:  # e.g. an integer too long to convert
            yield Story(
                id=f"{name}:{n}", source=name, line=n, error=f"{name}:{n}: bad JSON ({exc})"
            )
            continue
        if not isinstance(record, dict):
            yield Story(
                id=f"{name}:{n}",
                source=name,
                line=n,
                error=f"{name}:{n}: a record must be a JSON object",
            )
            continue
        yield _record(name, n, record, columns)


def _record(name: str, n: int, record: dict[str, Any], columns: Columns) -> Story:
    raw_id = record.get(columns.id)
    if raw_id in (None, ""):
        story_id, raw_id = f"{name}:{n}", None
    elif isinstance(raw_id, str):
        story_id = printable(raw_id)
    else:
        story_id = json.dumps(raw_id, ensure_ascii=False, sort_keys=True)
    extra = {
        k: v for k, v in record.items() if k not in (columns.id, columns.answer, columns.question)
    }
    question = record.get(columns.question)
    answer = record.get(columns.answer)
    if not isinstance(answer, str):
        what = "no" if answer is None else f"a non-text ({type(answer).__name__})"
        return Story(
            id=story_id,
            raw_id=raw_id,
            source=name,
            line=n,
            extra=extra,
            question=question if isinstance(question, str) else None,
            error=f"{name}:{n}: {what} {columns.answer!r} field",
        )
    return Story(
        id=story_id,
        raw_id=raw_id,
        source=name,
        line=n,
        text=answer,
        extra=extra,
        question=question if isinstance(question, str) else None,
    )


def _csv(name: str, lines: Iterable[str], columns: Columns) -> Iterator[Story]:
    """Records of a CSV bank, in order.

    A quote left open swallows no records: its record is an error naming the line it opened
    on, and the lines after that line are read again.
    """
    pending: list[tuple[int, str]] = []  # lines to read again, in order (first at the end)
    consumed: list[tuple[int, str]] = []  # lines the current record has read
    bad: list[str] = []
    numbered = enumerate(lines, 1)

    def feed() -> Iterator[str]:
        while True:
            if pending:
                n, raw = pending.pop()
            else:
                item = next(numbered, None)
                if item is None:
                    return
                n, raw = item
                if isinstance(raw, LineError):
                    bad.append(str(raw))
                    continue
            consumed.append((n, raw))
            yield raw + "\n"

    source = feed()
    reader = csv.reader(source, strict=True)
    try:
        fields = next(reader)
    except (StopIteration, csv.Error):
        fields = []
    consumed.clear()
    if columns.answer not in fields:
        raise InputFileError(
            f"{name}:1: no {columns.answer!r} column (columns: {', '.join(fields) or 'none'}); "
            "name it with --answer-column"
        )
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            for message in bad:
                yield Story(id=message.split(": ", 1)[0], source=name, line=0, error=message)
            return
        except csv.Error as exc:
            start = consumed[0][0] if consumed else 0
            reason = f"bad CSV record ({exc}); the lines after its first are read again"
            yield Story(
                id=f"{name}:{start}", source=name, line=start, error=f"{name}:{start}: {reason}"
            )
            pending.extend(reversed(consumed[1:]))
            consumed.clear()
            reader = csv.reader(source, strict=True)
            continue
        line = consumed[0][0] if consumed else 0
        consumed.clear()
        for message in bad:  # undecodable lines read while reading this row come first
            yield Story(id=message.split(": ", 1)[0], source=name, line=line, error=message)
        bad.clear()
        if not cells:
            continue
        row: dict[str, Any] = dict(zip(fields, cells, strict=False))
        if len(cells) > len(fields):  # more cells than columns
            row["_extra_cells"] = cells[len(fields) :]
        yield _record(name, line, row, columns)


def _parquet(name: str, path: str, columns: Columns) -> Iterator[Story]:
    """Records of a Parquet bank, in row order (``line`` is the row number, from 1).

    The columns are named as in a CSV bank; the others are carried through. pyarrow is only
    imported here, when a Parquet file is met.
    """
    _check_regular(path)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputFileError(
            f"{name}: reading Parquet needs pyarrow: pip install 'staranalyzer[dask]' (or pyarrow)"
        ) from None
    try:
        bank = pq.ParquetFile(path)
        fields = list(bank.schema_arrow.names)
    except Exception as exc:  # pyarrow's ArrowInvalid, OSError, ...: not a Parquet file
        raise InputFileError(
            f"{name}: not a readable Parquet file ({printable(str(exc))})"
        ) from None
    if columns.answer not in fields:
        raise InputFileError(
            f"{name}: no {columns.answer!r} column (columns: {', '.join(fields) or 'none'}); "
            "name it with --answer-column"
        )
    n = 0
    for batch in bank.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            n += 1
            record = {k: _plain(v) for k, v in row.items() if not k.startswith("__index_level_")}
            yield _record(name, n, json_safe(record), columns)


def _plain(value: Any) -> Any:
    """A Parquet cell as a JSON-ready value (dates as ISO text, decimals as numbers)."""
    import datetime
    import decimal

    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):  # a binary column (some writers store text so)
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def read_stories(
    paths: Iterable[str],
    *,
    encoding: str | None = None,
    columns: Columns = Columns(),
    star_headers: Iterable[str] = (),
    stdin: io.BufferedReader | None = None,
) -> Iterator[Story]:
    """Every story in ``paths``, in order: files, directories (recursively), banks, or ``-``.

    A directory yields its ``.txt``/``.md`` files and banks, sorted by path. A ``.jsonl``,
    ``.csv`` or ``.parquet`` file is a bank of records; a Markdown file with two or more
    non-STAR ``#`` or ``##`` headings is a bank of stories; any other file is one story.
    """
    headers = tuple(star_headers)
    for path in paths:
        if path != STDIN and Path(path).is_dir():
            files = sorted(
                p
                for p in Path(path).rglob("*")
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + BANK_SUFFIXES
            )
            if not files:
                shown = printable(path)
                yield Story(id=shown, source=shown, line=0, error=f"{shown}: no .txt or .md files")
            for p in files:
                yield from _guarded(str(p), _file(str(p), encoding, columns, headers, stdin))
        else:
            yield from _guarded(path, _file(path, encoding, columns, headers, stdin))


def _guarded(path: str, stories: Iterator[Story]) -> Iterator[Story]:
    """The stories of one file (``stories``, read lazily from ``path``).

    A failure part-way becomes one error record, and the run goes on with the next file.
    """
    shown = "<stdin>" if path == STDIN else printable(path)
    count = 0
    try:
        for story in stories:
            count += 1
            yield story
    except Exception as exc:  # an unexpected failure reading this file: report, go on
        yield Story(
            id=f"{shown}:after-{count}",
            source=shown,
            line=0,
            error=f"{shown}: cannot read on after {count} record(s) "
            f"({exc.__class__.__name__}: {printable(str(exc))})",
        )


def _file(
    path: str,
    encoding: str | None,
    columns: Columns,
    headers: tuple[str, ...],
    stdin: io.BufferedReader | None,
) -> Iterator[Story]:
    suffix = Path(path).suffix.lower()
    name = "<stdin>" if path == STDIN else printable(path)
    try:
        if suffix in (".jsonl", ".ndjson"):
            yield from _jsonl(name, _lines(path, stdin, encoding), columns)
            return
        if suffix == ".csv":
            yield from _csv(name, _lines(path, stdin, encoding), columns)
            return
        if suffix == ".parquet" and path != STDIN:
            yield from _parquet(name, path, columns)
            return
        name, text = _read(path, stdin, encoding)
    except InputFileError as exc:
        yield Story(id=name, source=name, line=0, error=str(exc))
        return
    if suffix in (".md", ".markdown"):
        parts = split_markdown_bank(text, headers)
        if parts:
            offset, at_line = 0, 1  # walked forward once: the stories are in file order
            for title, line, body in parts:
                # the body is verbatim after its heading: find it to know its first line
                while at_line < line:
                    offset = text.index("\n", offset) + 1
                    at_line += 1
                start = text.find(body, offset) if body else -1
                first = at_line + text.count("\n", offset, start) if start >= 0 else line
                yield Story(
                    id=title, source=name, line=line, text=body, question=title, text_line=first
                )
            return
    yield Story(id=name, source=name, line=1, text=text, text_line=1)
