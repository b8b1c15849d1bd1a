"""Scoring banks on a Dask cluster: bags of answers, dataframes, and ``star-check --dask``.

Each worker process builds one :class:`~staranalyzer.Analyzer` per rubric and model, the first
time a task needs it, and keeps it (a per-process cache): tasks carry only a small
:class:`AnalyzerSpec`, never an Analyzer. Partitions go through ``analyze_many`` in batches; a
record that cannot be scored becomes an error row, never a failed task, and rows keep their
input order and ids. The reports are the ones :meth:`Analyzer.analyze` gives in one process,
byte for byte.

Needs the ``dask`` extra (``pip install 'staranalyzer[dask]'``: dask, distributed, pandas and
pyarrow); ``import staranalyzer`` never imports them, and this module imports them only when
one of its functions is called.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from staranalyzer.analyzer import MAX_CHARS, Analyzer
from staranalyzer.banks import Story, printable
from staranalyzer.errors import StarAnalyzerError
from staranalyzer.models import Report
from staranalyzer.rubric import Rubric
from staranalyzer.table import FLAT_COLUMNS
from staranalyzer.workers import (
    AnalyzerSpec,
    analyzer_spec,
    score_pandas,
    score_records,
    score_texts,
    spec_of,
    with_results,
    worker_analyzer,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import dask.bag
    import dask.dataframe
    import distributed

__all__ = [
    "AnalyzerSpec",
    "ClusterError",
    "analyzer_spec",
    "close",
    "connect",
    "local_cluster",
    "score_bag",
    "score_frame",
    "score_stories_on_cluster",
    "worker_analyzer",
]

logger = logging.getLogger(__name__)


class ClusterError(StarAnalyzerError):
    """The Dask cluster cannot be started or reached (or Dask is not installed)."""


def _need_dask() -> None:
    """Import what the functions here use, or say in one line how to install it.

    Raises:
        ImportError: dask, distributed, pandas or pyarrow is missing.

    """
    try:
        import dask.bag  # noqa: F401
        import distributed  # noqa: F401
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"staranalyzer.dask needs dask, distributed, pandas and pyarrow ({exc.name} is "
            f"missing): pip install 'staranalyzer[dask]'"
        ) from None


# -- bags ---------------------------------------------------------------------------------------
def score_bag(
    bag: dask.bag.Bag,
    *,
    rubric: str | Path | Rubric = "default",
    model: str | None = None,
    text: str = "answer",
    id: str = "id",
    question: str = "question",
    batch_size: int = 64,
    max_chars: int = MAX_CHARS,
) -> dask.bag.Bag:
    """Score a bag of answers; a bag of report dicts (JSON-ready) in the same order.

    Args:
        bag: answers as strings, or records (mappings) with an id, a question and an answer.
        rubric: a bundled rubric name, a path to a rubric file, or a loaded :class:`Rubric`.
        model: None for the download-free engine, or a spaCy pipeline installed on the workers.
        text: the answer's field in a record.
        id: the id's field in a record.
        question: the question's field in a record.
        batch_size: answers per ``nlp.pipe`` batch.
        max_chars: the longest answer accepted.

    Returns:
        A bag of dicts, one per element, in order: ``{"id", "question" (when the record has
        one), other fields of the record, "report": report.model_dump(mode="json")}``, or with
        ``"error"`` and ``"error_kind"`` (``answer``: empty, too long, not a str; ``input``: a
        record without an answer field) instead of ``"report"``. A string's id is None.

    Raises:
        RubricError: the rubric is unknown or invalid (checked here, before any task runs).
        ImportError: the ``dask`` extra is not installed.

    """
    _need_dask()
    spec = analyzer_spec(rubric, model, max_chars=max_chars)
    return bag.map_partitions(
        score_records, spec, text=text, id=id, question=question, batch_size=batch_size
    )


# -- dataframes ---------------------------------------------------------------------------------
def score_frame(
    ddf: dask.dataframe.DataFrame,
    *,
    text: str = "answer",
    id: str | None = "id",
    question: str | None = None,
    rubric: str | Path | Rubric = "default",
    model: str | None = None,
    columns: Sequence[str] | None = None,
    batch_size: int = 64,
    max_chars: int = MAX_CHARS,
) -> dask.dataframe.DataFrame:
    """Score the answers of a dataframe; the frame with flat result columns added.

    The added columns, after the frame's own: ``score``, ``verdict``, one
    ``score_<dimension>`` per dimension, ``findings`` and ``findings_<category>`` per category,
    ``metrics`` (the number of metrics), ``level_verdict``, then ``report`` (the report's JSON
    text, exactly ``Analyzer.analyze(answer).model_dump_json()``) and ``error`` (why a row was
    not scored; its other result columns are null). Rows, index and partitions are kept, so
    the frame's ids stay with their rows; the result is ready for ``to_parquet``.

    Args:
        ddf: a Dask dataframe with a column of answers.
        text: the answers' column.
        id: the ids' column, checked to exist (None: the frame has none).
        question: the questions' column (None: the frame has none): each report then says
            which principles its question asks for and whether the answer fits.
        rubric: a bundled rubric name, a path to a rubric file, or a loaded :class:`Rubric`.
        model: None for the download-free engine, or a spaCy pipeline installed on the workers.
        columns: the flat columns to add (default: all of them); ``report`` and ``error`` are
            always added.
        batch_size: answers per ``nlp.pipe`` batch.
        max_chars: the longest answer accepted.

    Raises:
        ValueError: a named column is missing, a result column's name is taken, or an
            unknown flat column is asked for.
        RubricError: the rubric is unknown or invalid.
        ImportError: the ``dask`` extra is not installed.

    """
    _need_dask()
    wanted = tuple(FLAT_COLUMNS if columns is None else columns)
    unknown = [c for c in wanted if c not in FLAT_COLUMNS]
    if unknown:
        raise ValueError(
            f"unknown result column(s) {', '.join(map(repr, unknown))}; "
            f"choose from {', '.join(FLAT_COLUMNS)}"
        )
    have = list(ddf.columns)
    for role, name in (("text", text), ("id", id), ("question", question)):
        if name is not None and name not in have:
            raise ValueError(
                f"no {name!r} column for {role}= (columns: {', '.join(map(str, have))})"
            )
    added = (*wanted, "report", "error")
    taken = [c for c in added if c in have]
    if taken:
        raise ValueError(
            f"the frame already has column(s) {', '.join(map(repr, taken))}; rename them first"
        )
    spec = analyzer_spec(rubric, model, max_chars=max_chars)
    meta = with_results(ddf._meta, [], wanted)
    return ddf.map_partitions(
        score_pandas,
        spec,
        text=text,
        columns=wanted,
        batch_size=batch_size,
        question=question,
        meta=meta,
    )


# -- star-check --dask --------------------------------------------------------------------------
def connect(address: str, workers: int = 1) -> distributed.Client:
    """A Dask client: ``local`` starts a LocalCluster, anything else is a scheduler's address.

    Args:
        address: ``local``, or a scheduler address such as ``tcp://scheduler:8786``.
        workers: worker processes of a LocalCluster (one thread each, no dashboard).

    Raises:
        ClusterError: Dask is not installed, or the cluster cannot be started or reached.

    """
    if address != "local" and ":" not in address.strip():  # "" would start a default cluster
        raise ClusterError(
            f"--dask takes 'local' or a scheduler's address such as tcp://scheduler:8786, "
            f"not {printable(address)!r}"
        )
    try:
        _need_dask()
    except ImportError as exc:
        raise ClusterError(f"--dask needs the dask extra: {exc}") from None
    from distributed import Client

    try:
        if address == "local":
            return Client(local_cluster(workers), set_as_default=False)
        return Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler {printable(address)!r} "
            f"({exc.__class__.__name__}: {printable(str(exc))})"
        ) from None


def local_cluster(workers: int = 2, **options: Any) -> distributed.LocalCluster:
    """A LocalCluster on this machine's loopback: ``workers`` processes of one thread each.

    No dashboard, and the scheduler's HTTP endpoint on a free port (distributed would
    otherwise take port 8787 and warn when another cluster has it); logs below ERROR are
    silenced. ``options`` go to :class:`distributed.LocalCluster`.
    """
    from distributed import LocalCluster

    settings: dict[str, Any] = {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": None,
        "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
        "silence_logs": logging.ERROR,
    }
    settings.update(options)
    return LocalCluster(**settings)


def close(client: distributed.Client) -> None:
    """Close a client from :func:`connect`, and its LocalCluster when it started one."""
    cluster = client.cluster
    client.close()
    if cluster is not None:
        cluster.close()


def score_stories_on_cluster(
    stories: Iterable[Story],
    analyzer: Analyzer,
    client: distributed.Client,
    *,
    batch_size: int = 32,
    task_size: int | None = None,
) -> Iterator[tuple[Story, Report | None]]:
    """Score stories on a Dask cluster, exactly as ``star-check`` does in one process.

    The same pairs, in input order, as :func:`staranalyzer.cli.score_stories`: a story that
    cannot be scored comes back with None and its ``error`` set. Stories are sent in tasks of
    ``task_size`` answers, at most two per worker in flight, so a bank of any size streams
    through in flat memory.
    """
    spec = spec_of(analyzer)
    size = task_size or max(batch_size * 4, 128)
    workers = max(sum(client.nthreads().values()), 1)
    flight: deque[tuple[list[Story], Any]] = deque()

    def submit(chunk: list[Story]) -> None:
        texts = [(s.text, s.question) for s in chunk if s.error is None]
        future = client.submit(score_texts, spec, texts, batch_size, pure=False) if texts else None
        flight.append((chunk, future))

    def finish() -> Iterator[tuple[Story, Report | None]]:
        chunk, future = flight.popleft()
        results = iter(future.result() if future is not None else ())
        for story in chunk:
            if story.error is not None:
                yield story, None
                continue
            report_json, error = next(results)
            if error is not None:
                story.error = printable(f"{story.source}:{story.line}: {error}")
                story.kind = "answer"
                yield story, None
            else:
                yield story, Report.model_validate_json(report_json)  # type: ignore[arg-type]

    chunk: list[Story] = []
    for story in stories:
        chunk.append(story)
        if len(chunk) >= size:
            submit(chunk)
            chunk = []
            while len(flight) >= 2 * workers:
                yield from finish()
    if chunk:
        submit(chunk)
    while flight:
        yield from finish()
