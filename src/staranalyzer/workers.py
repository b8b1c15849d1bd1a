"""What a worker process of any engine needs: one cached Analyzer, and partitions to score.

Dask (:mod:`staranalyzer.dask`), Spark's ``mapInPandas`` or any pool of processes sends tasks a
small, picklable :class:`AnalyzerSpec`; :func:`worker_analyzer` builds the Analyzer it describes
once per process and keeps it, so no task ever carries an Analyzer. The scoring functions take a
partition (a list of records, a pandas frame, a list of texts), run it through ``analyze_many``
in batches and return one result per input, in order: a record that cannot be scored becomes an
error row, never an exception. Nothing here imports pandas until a frame is scored.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from staranalyzer import __version__
from staranalyzer.analyzer import MAX_CHARS, Analyzer
from staranalyzer.errors import StarAnalyzerError
from staranalyzer.models import Report
from staranalyzer.rubric import Rubric, available_rubrics, load_rubric
from staranalyzer.table import COUNT_COLUMNS, FLAT_COLUMNS, TEXT_COLUMNS, flat_values

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas

__all__ = [
    "AnalyzerSpec",
    "analyzer_spec",
    "score_pandas",
    "score_records",
    "score_texts",
    "spec_of",
    "with_results",
    "worker_analyzer",
]

RESERVED = frozenset({"id", "question", "report", "error", "error_kind"})
"""Keys of a :func:`score_records` result; input fields so named get an ``input_`` prefix."""


@dataclass(frozen=True)
class AnalyzerSpec:
    """Everything a worker needs to build the client's Analyzer: small, picklable, hashable.

    Attributes:
        rubric: a bundled rubric's name, or the loaded :class:`Rubric` (a rubric file need not
            exist on the workers).
        model: the spaCy pipeline (None: the download-free engine); it must be installed on
            the workers.
        max_chars: the analyzer's size limit.
        timeout: the analyzer's time limit per answer.
        key: a digest of all of the above: the worker's cache key.
        version: the client's staranalyzer version (a worker with another one refuses, since
            its reports could differ).

    """

    rubric: str | Rubric
    model: str | None
    max_chars: int
    timeout: float | None
    key: str
    version: str = __version__


def analyzer_spec(
    rubric: str | Path | Rubric = "default",
    model: str | None = None,
    *,
    max_chars: int = MAX_CHARS,
    timeout: float | None = None,
) -> AnalyzerSpec:
    """The spec of an Analyzer with these arguments (the rubric is loaded and checked here).

    Raises:
        RubricError: the rubric is unknown or invalid.

    """
    loaded = load_rubric(rubric)
    bundled = (
        loaded.base_dir is None
        and loaded.source in available_rubrics()
        and load_rubric(loaded.source) == loaded
    )
    identity = loaded.source if bundled else loaded.model_dump_json()
    digest = hashlib.sha256(
        repr((identity, model, max_chars, timeout, __version__)).encode("utf-8", "surrogatepass")
    ).hexdigest()
    return AnalyzerSpec(
        rubric=loaded.source if bundled else loaded,
        model=model,
        max_chars=max_chars,
        timeout=timeout,
        key=digest,
    )


def spec_of(analyzer: Analyzer) -> AnalyzerSpec:
    """The spec of an existing Analyzer (its rubric, model and limits)."""
    return analyzer_spec(
        analyzer.rubric, analyzer.model, max_chars=analyzer.max_chars, timeout=analyzer.timeout
    )


_ANALYZERS: dict[str, Analyzer] = {}
_ANALYZERS_LOCK = threading.Lock()


def worker_analyzer(spec: AnalyzerSpec) -> Analyzer:
    """This process's Analyzer for ``spec``, built the first time and kept.

    Raises:
        RuntimeError: this process runs another staranalyzer version than the client.

    """
    analyzer = _ANALYZERS.get(spec.key)
    if analyzer is not None:
        return analyzer
    if spec.version != __version__:
        raise RuntimeError(
            f"staranalyzer {__version__} on this worker, {spec.version} on the client: "
            "install the same version everywhere"
        )
    with _ANALYZERS_LOCK:
        analyzer = _ANALYZERS.get(spec.key)
        if analyzer is None:
            if len(_ANALYZERS) >= 16:  # a long-lived worker serving many rubrics: start afresh
                _ANALYZERS.clear()
            analyzer = Analyzer(
                spec.rubric, spec.model, max_chars=spec.max_chars, timeout=spec.timeout
            )
            _ANALYZERS[spec.key] = analyzer
    return analyzer


def _results(
    analyzer: Analyzer, texts: list[object], batch_size: int
) -> Iterator[Report | StarAnalyzerError]:
    """Reports (or the error of each answer that cannot be scored), in input order."""
    return analyzer.analyze_many(texts, batch_size=batch_size, errors="return")


def score_records(
    records: Iterable[Any],
    spec: AnalyzerSpec,
    *,
    text: str = "answer",
    id: str = "id",
    question: str = "question",
    batch_size: int = 64,
) -> list[dict[str, Any]]:
    """Score a partition of answers or records: one JSON-ready dict per element, in order.

    Args:
        records: strings, or mappings with an id, a question and an answer.
        spec: the Analyzer to use (built once per process).
        text: the answer's key in a record.
        id: the id's key in a record.
        question: the question's key in a record.
        batch_size: answers per ``nlp.pipe`` batch.

    Returns:
        Per element ``{"id", "question" (when the record has one), the record's other fields,
        "report": report.model_dump(mode="json")}``, or ``"error"`` and ``"error_kind"``
        (``answer``: empty, too long, not a str; ``input``: a record without the answer key)
        in place of ``"report"``. A string's id is None.

    """
    fields = (text, id, question)
    text_key, id_key, question_key = fields
    analyzer = worker_analyzer(spec)
    records = list(records)
    heads: list[dict[str, Any]] = []
    texts: list[object] = []
    missing: list[int] = []
    for i, item in enumerate(records):
        if isinstance(item, Mapping):
            head: dict[str, Any] = {"id": item.get(id_key)}
            if item.get(question_key) is not None:
                head["question"] = item[question_key]
            for key, value in item.items():
                if key not in fields:
                    head[f"input_{key}" if key in RESERVED else str(key)] = value
            if text_key not in item:
                missing.append(i)
            asked = item.get(question_key)
            texts.append((item.get(text_key), asked if isinstance(asked, str) else None))
        else:
            head = {"id": None}
            texts.append(item)
        heads.append(head)
    gone = set(missing)
    results = iter(
        _results(analyzer, [t for i, t in enumerate(texts) if i not in gone], batch_size)
    )
    out = []
    for i, head in enumerate(heads):
        if i in gone:
            out.append({**head, "error": f"no {text_key!r} field", "error_kind": "input"})
            continue
        result = next(results)
        if isinstance(result, StarAnalyzerError):
            out.append({**head, "error": str(result), "error_kind": "answer"})
        else:
            out.append({**head, "report": result.model_dump(mode="json")})
    return out


def score_pandas(
    part: pandas.DataFrame,
    spec: AnalyzerSpec,
    *,
    text: str = "answer",
    columns: Sequence[str] = FLAT_COLUMNS,
    batch_size: int = 64,
    question: str | None = None,
) -> pandas.DataFrame:
    """Score a pandas frame's answers: the frame with the result columns added.

    The flat ``columns`` (see :data:`staranalyzer.table.FLAT_COLUMNS`), then ``report`` (the
    report's JSON text) and ``error`` (why a row was not scored; its other result columns are
    null). A missing value (None, NaN, NA) is not a str: an error row.

    Args:
        part: a frame (a Dask partition, a Spark ``mapInPandas`` batch).
        spec: the Analyzer to use (built once per process).
        text: the answers' column.
        columns: the flat columns to add.
        batch_size: answers per ``nlp.pipe`` batch.
        question: the questions' column (None: no question is known); a question that is not
            a str (missing) counts as unknown.

    """
    analyzer = worker_analyzer(spec)
    texts: list[object] = [None if _missing(v) else v for v in part[text].tolist()]
    if question is not None:
        asked = [q if isinstance(q, str) else None for q in part[question].tolist()]
        texts = list(zip(texts, asked, strict=True))
    return with_results(part, _results(analyzer, texts, batch_size), tuple(columns))


def _missing(value: object) -> bool:
    """A missing cell: None, pandas' NA, or a float NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ == "NAType"


def with_results(
    part: pandas.DataFrame,
    results: Iterable[Report | StarAnalyzerError],
    wanted: tuple[str, ...],
) -> pandas.DataFrame:
    """``part`` with the result columns of ``results``, one per row (none: an empty frame's).

    Each report is reduced to its flat values and JSON text as it comes, so a partition never
    holds more than one report object at a time.

    Args:
        part: the rows.
        results: each row's report, or the error that kept it from being scored.
        wanted: the flat columns to add before ``report`` and ``error``.

    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    reports: list[str | None] = []
    errors: list[str | None] = []
    for result in results:
        if isinstance(result, StarAnalyzerError):
            rows.append(flat_values(None))
            reports.append(None)
            errors.append(str(result))
        else:
            rows.append(flat_values(result))
            reports.append(result.model_dump_json())
            errors.append(None)
    columns: dict[str, pd.Series] = {}
    for name in wanted:
        if name in TEXT_COLUMNS:
            dtype: Any = pd.StringDtype()
        elif name in COUNT_COLUMNS:
            dtype = pd.Int64Dtype()
        else:
            dtype = "float64"
        columns[name] = pd.Series([row[name] for row in rows], index=part.index, dtype=dtype)
    columns["report"] = pd.Series(reports, index=part.index, dtype=pd.StringDtype())
    columns["error"] = pd.Series(errors, index=part.index, dtype=pd.StringDtype())
    return part.assign(**columns)


def score_texts(
    spec: AnalyzerSpec, texts: list[object], batch_size: int = 64
) -> list[tuple[str | None, str | None]]:
    """Score texts on a worker: per text, (report JSON, None) or (None, the error message)."""
    analyzer = worker_analyzer(spec)
    return [
        (None, str(r)) if isinstance(r, StarAnalyzerError) else (r.model_dump_json(), None)
        for r in _results(analyzer, texts, batch_size)
    ]
