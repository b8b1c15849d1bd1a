"""Reports as flat table rows (score, verdict, dimensions, findings, report JSON) for Parquet.

The same columns come out of ``star-check --format parquet`` and
:func:`staranalyzer.dask.score_frame`. Nothing here imports pyarrow or pandas until a Parquet
file is actually written, so the base install stays lean.
"""

from __future__ import annotations

import json
from typing import IO, Any

from .banks import Story, json_safe, printable
from .models import Report
from .vocabulary import CATEGORIES, DIMENSIONS

PARQUET = "parquet"
"""The ``star-check --format`` value that writes a Parquet file (binary: it needs ``-o``)."""

EXTRA_HINT = "pip install 'staranalyzer[dask]' (or pyarrow)"
"""How to get the optional libraries that Parquet and Dask need."""

FLOAT_COLUMNS: tuple[str, ...] = ("score", *(f"score_{d}" for d in DIMENSIONS))
"""The overall score and one column per dimension (``score_structure`` ... ``score_language``)."""
COUNT_COLUMNS: tuple[str, ...] = ("findings", *(f"findings_{c}" for c in CATEGORIES), "metrics")
"""The number of findings, of findings per category (``findings_blame`` ...), and of metrics."""
TEXT_COLUMNS: tuple[str, ...] = ("verdict", "level_verdict")
"""The report's verdict (strong, solid, needs work, weak) and its level verdict."""
FLAT_COLUMNS: tuple[str, ...] = (
    "score",
    "verdict",
    *FLOAT_COLUMNS[1:],
    *COUNT_COLUMNS,
    "level_verdict",
)
"""Every flat column of a report, in table order (the report JSON and the error follow)."""
RESULT_COLUMNS: tuple[str, ...] = (*FLAT_COLUMNS, "report", "error")
"""The columns :func:`staranalyzer.dask.score_frame` adds: flat columns, report JSON, error."""

STORY_COLUMNS: tuple[str, ...] = ("id", "source", "line", "question", "extra")
"""Where a ``star-check`` row came from: its id, file, line (row of a Parquet bank), question,
and its other input fields as one JSON object text (None when there are none)."""


def flat_values(report: Report | None) -> dict[str, Any]:
    """The flat columns of one report; every value is None for a story that was not scored."""
    if report is None:
        return dict.fromkeys(FLAT_COLUMNS)
    dimensions = {d.dimension: d.score for d in report.dimensions}
    counts = dict.fromkeys(CATEGORIES, 0)
    for finding in report.findings:
        counts[finding.category] = counts.get(finding.category, 0) + 1
    row: dict[str, Any] = {"score": report.score, "verdict": report.verdict}
    for dimension in DIMENSIONS:
        row[f"score_{dimension}"] = dimensions.get(dimension)
    row["findings"] = len(report.findings)
    for category in CATEGORIES:
        row[f"findings_{category}"] = counts[category]
    row["metrics"] = len(report.metrics)
    row["level_verdict"] = report.level.verdict
    return row


def story_row(story: Story, report: Report | None) -> dict[str, Any]:
    """One ``star-check --format parquet`` row.

    Where the story came from, its flat columns, the report as JSON text (None when not
    scored) and the error (None when scored).
    """
    extra = json.dumps(json_safe(story.extra), ensure_ascii=False, sort_keys=True)
    row: dict[str, Any] = {
        "id": printable(story.id),
        "source": story.source,
        "line": story.line,
        "question": printable(story.question) if story.question is not None else None,
        "extra": printable(extra) if story.extra else None,
    }
    row.update(flat_values(report))
    row["report"] = report.model_dump_json() if report is not None else None
    row["error"] = printable(story.error or "") if report is None else None
    row["error_kind"] = story.kind if report is None else None
    return row


def sql_types(columns: tuple[str, ...] | list[str] = FLAT_COLUMNS) -> list[tuple[str, str]]:
    """(name, SQL type) of the result columns :func:`staranalyzer.workers.score_pandas` adds.

    The flat ``columns``, then ``report`` and ``error``; types as Spark names them
    (``double``, ``long``, ``string``: ``StructType.add`` and DDL both take these), for a
    ``mapInPandas`` schema: a copy of the frame's schema, then ``schema.add(name, type)`` each.
    """
    out = []
    for name in (*columns, "report", "error"):
        if name in TEXT_COLUMNS or name in ("report", "error"):
            out.append((name, "string"))
        elif name in COUNT_COLUMNS:
            out.append((name, "long"))
        else:
            out.append((name, "double"))
    return out


def arrow_schema() -> Any:
    """The pyarrow schema of ``star-check --format parquet`` (fixed, so every file agrees).

    Raises:
        ImportError: pyarrow is not installed.

    """
    import pyarrow as pa

    fields = [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("line", pa.int64(), nullable=False),
        pa.field("question", pa.string()),
        pa.field("extra", pa.string()),
    ]
    for name in FLAT_COLUMNS:
        if name in TEXT_COLUMNS:
            fields.append(pa.field(name, pa.string()))
        elif name in COUNT_COLUMNS:
            fields.append(pa.field(name, pa.int64()))
        else:
            fields.append(pa.field(name, pa.float64()))
    fields += [
        pa.field("report", pa.string()),
        pa.field("error", pa.string()),
        pa.field("error_kind", pa.string()),
    ]
    return pa.schema(fields)


class ParquetStoryWriter:
    """Writes ``star-check`` rows to a Parquet file, a row group per ``rows_per_group`` rows.

    Rows are buffered and written in groups, so a bank of any size streams through in flat
    memory. The file's bytes depend only on the rows (no timestamps), so the same bank gives
    the same file, with or without Dask.

    Args:
        handle: a binary file opened for writing.
        rows_per_group: rows per Parquet row group.

    Raises:
        ImportError: pyarrow is not installed.

    """

    def __init__(self, handle: IO[bytes], rows_per_group: int = 4096) -> None:
        import pyarrow.parquet as pq

        self.schema = arrow_schema()
        self.rows_per_group = rows_per_group
        self.rows: list[dict[str, Any]] = []
        self.writer = pq.ParquetWriter(handle, self.schema, compression="zstd")

    def add(self, story: Story, report: Report | None) -> None:
        """Add one story's row."""
        self.rows.append(story_row(story, report))
        if len(self.rows) >= self.rows_per_group:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        """Write the buffered rows and the file's footer."""
        self._flush()
        self.writer.close()
