"""The analyzer: validate -> parse -> sections -> detectors -> score -> :class:`Report`.

One spaCy pass per answer (batched through ``nlp.pipe``); the parsed answer is built once and
every later stage reads it. Analyses of a bank can run in worker processes that send back
compact JSON reports.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .answer import ParsedAnswer, parse_answer, safe_text
from .detectors import Detectors
from .errors import InputError, ModelError
from .models import Report
from .phrases import PhraseIndex
from .report import build_report
from .rubric import Rubric, load_rubric
from .sectioning import Sectioner

MAX_CHARS = 100_000
"""Default size limit of one answer, in characters (about 15,000 words, an hour of speech)."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def validate_text(text: object, max_chars: int = MAX_CHARS) -> str:
    """Check that ``text`` can be analysed and return it unchanged.

    Raises:
        InputError: ``text`` is not a str, is empty or white space only, is longer than
            ``max_chars`` characters, or holds a lone surrogate (U+D800-U+DFFF, which no
            encoding can write: decode input with ``errors="replace"`` instead).

    """
    if not isinstance(text, str):
        raise InputError(f"answer must be a str, not {type(text).__name__}")
    if len(text) > max_chars:
        raise InputError(
            f"answer is {len(text):,} characters long; the limit is {max_chars:,} "
            "(Analyzer(max_chars=...) raises it)"
        )
    if not text.strip():
        raise InputError("answer is empty")
    bad = _SURROGATE.search(text)
    if bad is not None:
        raise InputError(
            f"answer holds a lone surrogate (U+{ord(bad.group()):04X}) at offset {bad.start()}; "
            "decode the input with errors='replace'"
        )
    return text


def load_pipeline(model: str | None) -> Language:
    """The spaCy pipeline: a blank English tokenizer, or an installed pipeline by name or path.

    Raises:
        ModelError: the model is not installed or cannot be loaded.

    """
    if model is None:
        return spacy.blank("en")
    try:
        return spacy.load(model, exclude=["ner"])
    except (OSError, ImportError, ValueError) as exc:
        installed = ", ".join(sorted(spacy.util.get_installed_models())) or "none"
        raise ModelError(
            f"cannot load spaCy model {model!r} ({exc.__class__.__name__}); "
            f"installed pipelines: {installed}"
        ) from None


class Analyzer:
    """Loads a rubric and a spaCy pipeline once, then analyses any number of answers.

    An Analyzer holds no per-answer state and can be shared between threads (analyses take
    turns on one lock).

    Args:
        rubric: a bundled rubric name, a path to a rubric file, or a loaded :class:`Rubric`.
        model: None for the download-free blank English tokenizer, or an installed spaCy
            pipeline's name or path (its tokenizer, tagger and parser run; the analysis reads
            the same token attributes).
        max_chars: the longest answer accepted, in characters.
        timeout: seconds one answer may take (None: no limit); over it, :class:`InputError`.
        nlp: an existing spaCy pipeline to share (the spaCy components pass their host's);
            ``model`` is then only recorded.

    Raises:
        RubricError: the rubric is unknown or invalid (a user rubric's rule examples that do
            not behave as declared are invalid too).
        ModelError: the model is not installed.

    """

    def __init__(
        self,
        rubric: str | Path | Rubric = "default",
        model: str | None = None,
        *,
        max_chars: int = MAX_CHARS,
        timeout: float | None = None,
        nlp: Language | None = None,
    ) -> None:
        self.rubric = load_rubric(rubric)
        self.model = model
        self.max_chars = max_chars
        self.timeout = timeout
        self.nlp = nlp if nlp is not None else load_pipeline(model)
        strings = self.nlp.vocab.strings
        self.sectioner = Sectioner(
            self.rubric,
            [strings.add(w.lower()) for w in self.rubric.sectioning.skip_at_start],
            [strings.add(p) for p in Sectioner.punctuation()],
        )
        self.detectors = Detectors(self.rubric)
        lists = {**self.sectioner.lexicons(), **self.detectors.phrases()}
        self.phrases = PhraseIndex(self.nlp.vocab, self.nlp.make_doc, lists)
        self._lock = threading.RLock()

    # -- one answer ------------------------------------------------------------------------------
    def analyze(self, text: str) -> Report:
        """Analyse one answer.

        Raises:
            InputError: the text is not a str, is empty, too long, holds a lone surrogate, or
                took longer than ``timeout``.

        """
        validate_text(text, self.max_chars)
        with self._lock:
            clean = safe_text(text)
            return self.report(text, clean, self.nlp(clean))

    def report(self, text: str, clean: str, doc: Doc) -> Report:
        """The report of ``text``, whose :func:`safe_text` ``clean`` made ``doc``."""
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        answer = self.sections(text, clean, doc)
        _check(deadline)
        evidence = self.detectors.evidence(answer)
        findings = self.detectors.findings(answer, evidence)
        _check(deadline)
        return build_report(answer, evidence, findings, self.rubric)

    def sections(self, text: str, clean: str, doc: Doc) -> ParsedAnswer:
        """Parse ``doc`` (made from ``clean``) and find its sections."""
        answer = parse_answer(text, clean, doc).with_hits(self.phrases.find(doc))
        return self.sectioner.section(answer)

    # -- many answers ----------------------------------------------------------------------------
    def analyze_many(
        self, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[Report]:
        """Analyse a stream of answers, yielding reports in input order.

        Raises:
            InputError: when it reaches a text that cannot be analysed; the message gives its
                index. Validate first with :func:`validate_text` to skip bad texts instead.

        """
        checked = self._checked(texts)
        if n_process <= 1:
            yield from self._analyze_here(checked, batch_size)
            return
        for payload in self._analyze_in_processes(checked, batch_size, n_process):
            yield Report.model_validate_json(payload)

    def analyze_many_json(
        self, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[str]:
        """Like :meth:`analyze_many`, but yield each report as its JSON text.

        With several processes the workers serialise, so the parent never rebuilds a report.
        """
        checked = self._checked(texts)
        if n_process <= 1:
            for report in self._analyze_here(checked, batch_size):
                yield report.model_dump_json()
            return
        yield from self._analyze_in_processes(checked, batch_size, n_process)

    def _checked(self, texts: Iterable[str]) -> Iterator[str]:
        for i, text in enumerate(texts):
            try:
                yield validate_text(text, self.max_chars)
            except InputError as exc:
                raise InputError(f"text #{i}: {exc}") from None

    def _analyze_here(self, texts: Iterator[str], batch_size: int) -> Iterator[Report]:
        # A memory zone per chunk frees the strings spaCy interned for those answers, so a bank
        # of any size runs in flat memory; zones are not thread-safe, hence the lock.
        for chunk in _chunks(texts, max(batch_size, _ZONE)):
            with self._lock, self.nlp.memory_zone():
                cleaned = [safe_text(t) for t in chunk]
                docs = self.nlp.pipe(cleaned, batch_size=batch_size)
                for text, clean, doc in zip(chunk, cleaned, docs, strict=True):
                    yield self.report(text, clean, doc)

    def _analyze_in_processes(
        self, texts: Iterator[str], batch_size: int, n_process: int
    ) -> Iterator[str]:
        # Workers return finished reports as JSON text (cheap to send, no rebuilding in the
        # parent); at most two batches per worker are in flight, so memory stays flat and the
        # output keeps the input order.
        global _WORKER
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        _WORKER = self  # inherited by forked workers; spawned ones build their own
        spec = (self.rubric, self.model, self.max_chars, self.timeout)
        with context.Pool(n_process, initializer=_init_worker, initargs=(spec,)) as pool:
            pending: deque[Any] = deque()
            for chunk in _chunks(texts, batch_size):
                pending.append(pool.apply_async(_analyze_chunk, (chunk,)))
                if len(pending) >= 2 * n_process:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()


def _check(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise InputError("analysis took longer than the analyzer's timeout")


_WORKER: Analyzer | None = None
_ZONE = 1024  # answers per spaCy memory zone


def _init_worker(spec: tuple[Rubric, str | None, int, float | None]) -> None:
    global _WORKER
    rubric, model, max_chars, timeout = spec
    mine = None if _WORKER is None else (_WORKER.rubric, _WORKER.model, _WORKER.max_chars,
                                         _WORKER.timeout)  # fmt: skip
    if mine != spec:
        _WORKER = Analyzer(rubric, model, max_chars=max_chars, timeout=timeout)


def _analyze_chunk(texts: list[str]) -> list[str]:
    assert _WORKER is not None
    return [r.model_dump_json() for r in _WORKER._analyze_here(iter(texts), len(texts))]


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
        InputError: the text is not a str, is empty, too long, or holds a lone surrogate.
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
