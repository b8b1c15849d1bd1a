"""Where a character offset of an answer is: its line and column, in the answer and in its file."""

from __future__ import annotations


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def file_position(
    text: str, offset: int | None, first_line: int | None, record_line: int
) -> tuple[int, int]:
    """Return the 1-based line and column of an answer's offset in the file it came from.

    Args:
        text: the answer.
        offset: a character offset in ``text``, or None for the whole answer.
        first_line: the file's line on which ``text`` starts, when the answer is a verbatim
            stretch of the file (a ``.txt``/``.md`` answer, a story of a Markdown bank); None
            when it is not (a JSONL or CSV record).
        record_line: the line of the answer's record in its file.

    Returns:
        (line, column): exact for a verbatim answer; the record's line and column 1 otherwise,
        and for a finding about the whole answer (``offset`` None).

    """
    if offset is None or first_line is None:
        return record_line or 1, 1
    line, col = line_column(text, offset)
    return first_line + line - 1, col
