"""The analyzer: validates answer text, runs the pipeline once and builds the :class:`Report`."""

from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from .errors import InputError
from .evidence import USER_DATA_KEY
from .models import Report
from .pipeline import SPAN_KEY, build_pipeline
from .rubric import Rubric, load_rubric

MAX_CHARS = 100_000
"""Default size limit of one answer, in characters (about 15,000 words, an hour of speech)."""


def validate_text(text: object, max_chars: int = MAX_CHARS) -> str:
    """Check that ``text`` can be analysed and return it unchanged.

    Raises:
        InputError: ``text`` is not a str, is empty or white space only, or is longer than
            ``max_chars`` characters.

    """
    if not isinstance(text, str):
        raise InputError(f"answer must be a str, not {type(text).__name__}")
    if not text.strip():
        raise InputError("answer is empty")
    if len(text) > max_chars:
        raise InputError(
            f"answer is {len(text):,} characters long; the limit is {max_chars:,} "
            "(Analyzer(max_chars=...) raises it)"
        )
    return text


class Analyzer:
    """Loads a rubric and a spaCy pipeline once, then analyses any number of answers.

    An Analyzer holds no per-answer state and can be shared between threads (analyses take
    turns on one lock; Python runs one thread at a time here anyway).

    Args:
        rubric: a bundled rubric name, a path to a rubric file, or a loaded :class:`Rubric`.
        model: None for the download-free default engine, or an installed spaCy pipeline's name
            or path (for example ``"en_core_web_sm"``) whose tagger and parser sharpen the cues.
        max_chars: the longest answer accepted, in characters.

    Raises:
        RubricError: the rubric is unknown or invalid.
        ModelError: the model is not installed.

    """

    def __init__(
        self,
        rubric: str | Path | Rubric = "default",
        model: str | None = None,
        *,
        max_chars: int = MAX_CHARS,
    ) -> None:
        self.rubric = load_rubric(rubric)
        self.model = model
        self.max_chars = max_chars
        self.nlp = build_pipeline(model, self.rubric)
        self._lock = threading.RLock()

    def analyze(self, text: str) -> Report:
        """Analyse one answer.

        Raises:
            InputError: the text is not a str, is empty, or is over ``max_chars``.

        """
        validate_text(text, self.max_chars)
        with self._lock:
            return self.report(self.nlp(text))

    def analyze_many(
        self, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[Report]:
        """Analyse a stream of answers, yielding reports in input order (through ``nlp.pipe``).

        Raises:
            InputError: when it reaches a text that cannot be analysed; the message gives its
                index. Validate first with :func:`validate_text` to skip bad texts instead.

        """

        def checked() -> Iterator[str]:
            for i, text in enumerate(texts):
                try:
                    yield validate_text(text, self.max_chars)
                except InputError as exc:
                    raise InputError(f"text #{i}: {exc}") from None

        if n_process <= 1:
            # A memory zone per chunk frees the strings spaCy interned for those answers, so a
            # bank of any size runs in flat memory (reports hold their own Python strings).
            # spaCy's memory zones are not thread-safe: the lock keeps other threads' analyses
            # out of a zone while it is open.
            for chunk in _chunks(checked(), max(batch_size, _ZONE)):
                with self._lock, self.nlp.memory_zone():
                    for doc in self.nlp.pipe(chunk, batch_size=batch_size):
                        yield self.report(doc)
            return
        yield from self._analyze_in_processes(checked(), batch_size, n_process)

    def _analyze_in_processes(
        self, texts: Iterator[str], batch_size: int, n_process: int
    ) -> Iterator[Report]:
        # Our own pool rather than nlp.pipe(n_process=...): spaCy sends every Doc back to the
        # parent to be rebuilt there, which cost more than the analysis itself. Workers return
        # finished reports, and at most two batches per worker are in flight, so a bank of any
        # size streams through in constant memory, in input order.
        global _WORKER
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        _WORKER = self  # inherited by forked workers; spawned ones build their own
        spec = (self.rubric, self.model, self.max_chars)
        with context.Pool(n_process, initializer=_init_worker, initargs=(spec,)) as pool:
            pending: deque[Any] = deque()
            for chunk in _chunks(texts, batch_size):
                pending.append(pool.apply_async(_analyze_chunk, (chunk,)))
                if len(pending) >= 2 * n_process:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()

    def report(self, doc: Doc) -> Report:
        """Build the report of a document that went through this analyzer's pipeline."""
        records = doc.spans[SPAN_KEY].attrs["sections"]
        # The evidence component stores exactly the Report's remaining fields, as plain data.
        evidence = doc.user_data.get(USER_DATA_KEY) or {"characters": len(doc.text)}
        return Report(rubric=self.rubric.name, sections=records, **evidence)


_WORKER: Analyzer | None = None
_ZONE = 1024  # answers per spaCy memory zone


def _init_worker(spec: tuple[Rubric, str | None, int]) -> None:
    global _WORKER
    rubric, model, max_chars = spec
    if _WORKER is None or (_WORKER.rubric, _WORKER.model, _WORKER.max_chars) != spec:
        _WORKER = Analyzer(rubric, model, max_chars=max_chars)


def _analyze_chunk(texts: list[str]) -> list[Report]:
    assert _WORKER is not None
    with _WORKER.nlp.memory_zone():
        return [_WORKER.report(doc) for doc in _WORKER.nlp.pipe(texts, batch_size=len(texts))]


def _chunks(texts: Iterator[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_DEFAULT: dict[tuple[str, str | None], Analyzer] = {}
_DEFAULT_LOCK = threading.Lock()


def analyze(
    text: str, *, rubric: str | Path | Rubric = "default", model: str | None = None
) -> Report:
    """Analyse one answer with a cached :class:`Analyzer` for this rubric and model.

    Args:
        text: the answer, labelled or not.
        rubric: a bundled rubric name, a path to a rubric file, or a loaded :class:`Rubric`.
        model: None for the download-free engine, or an installed spaCy pipeline's name or path.

    Returns:
        The report.

    Raises:
        InputError: the text is not a str, is empty, or is too long.
        RubricError: the rubric is unknown or invalid.
        ModelError: the model is not installed.

    """
    if isinstance(rubric, Rubric):
        return Analyzer(rubric, model).analyze(text)
    key = (str(rubric), model)
    with _DEFAULT_LOCK:
        analyzer = _DEFAULT.get(key)
        if analyzer is None:
            analyzer = _DEFAULT[key] = Analyzer(rubric, model)
    return analyzer.analyze(text)
