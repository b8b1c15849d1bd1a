"""The analyzer: validate -> parse -> sections -> detectors -> score -> :class:`Report`.

One spaCy pass per answer (batched through ``nlp.pipe``); the parsed answer is built once and
every later stage reads it. Analyses of a bank can run in worker processes that send back
compact JSON reports.
"""

from __future__ import annotations

import gc
import multiprocessing
import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Literal

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .answer import ParsedAnswer, parse_answer, safe_text, token_arrays
from .detectors import Detectors
from .errors import AnalysisError, InputError, ModelError, RubricError, StarAnalyzerError
from .gcpause import paused_gc
from .models import Finding, Report
from .phrases import PhraseIndex
from .report import build_report
from .rubric import Rubric, load_rubric
from .sectioning import Sectioner
from .sectioning.headers import Header

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
        self.model = model
        self.max_chars = max_chars
        self.timeout = timeout
        with paused_gc():  # long-lived objects only: see gcpause
            self.rubric = load_rubric(rubric)
            self.nlp = nlp if nlp is not None else load_pipeline(model)
            strings = self.nlp.vocab.strings
            self.sectioner = Sectioner(
                self.rubric,
                [strings.add(w.lower()) for w in self.rubric.sectioning.skip_at_start],
                [strings.add(p) for p in Sectioner.punctuation()],
            )
            self.detectors = Detectors(self.rubric)
            lists = {**self.sectioner.lexicons(), **self.detectors.phrases()}
            own = nlp is None and model is None  # spaCy's own English tokenizer: see phrases
            special = self.nlp.tokenizer.rules if own else None
            self.phrases = PhraseIndex(self.nlp.vocab, self.nlp.make_doc, lists, special)
        self._lock = threading.RLock()
        self._warm = False
        if self.rubric.base_dir is not None and id(self.rubric) not in _CHECKED:
            self._check_examples()
            _CHECKED.add(id(self.rubric))

    def _check_examples(self) -> None:
        """Check the examples of the rules a user's rubric file defines or changes.

        Each must flag its ``match`` examples and only those (the bundled rules' examples are
        tested with the bundled rubrics).

        Raises:
            RubricError: naming the rubric file, the rule and the example that misbehaves.

        """
        problems = []
        mine = set(self.rubric.user_rules)
        for rule in self.detectors.rules:
            if rule.id not in mine:
                continue
            for expected, examples in (
                (True, rule.examples.match),
                (False, rule.examples.no_match),
            ):
                for example in examples:
                    text, question = (
                        (example, None) if isinstance(example, str)
                        else (example.answer, example.question)
                    )  # fmt: skip
                    fired = bool(self.findings_of(text, rule.id, question))
                    if fired != expected:
                        verb = "must match" if expected else "must not match"
                        problems.append(f"rule {rule.id!r}, example {verb}: {example!r}")
        if problems:
            raise RubricError(self.rubric.source, problems)

    # -- one answer ------------------------------------------------------------------------------
    def analyze(self, text: str, *, question: str | None = None) -> Report:
        """Analyse one answer.

        Args:
            text: the answer, labelled or not.
            question: the interview question, when known: the report then says which
                principles and kind of story it asks for and whether the answer fits.

        Raises:
            InputError: the text is not a str, is empty, too long, holds a lone surrogate, or
                took longer than ``timeout``.

        """
        validate_text(text, self.max_chars)
        with self._lock:
            clean = safe_text(text)
            return self.report(text, clean, self.nlp(clean), question)

    def report(self, text: str, clean: str, doc: Doc, question: str | None = None) -> Report:
        """The report of ``text``, whose :func:`safe_text` ``clean`` made ``doc``."""
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        answer = self.with_question(self.sections(text, clean, doc), question)
        _check(deadline)
        evidence = self.detectors.evidence(answer)
        findings = self.detectors.findings(answer, evidence)
        _check(deadline)
        return build_report(answer, evidence, findings, self.rubric)

    def findings_of(self, text: str, rule_id: str, question: str | None = None) -> list[Finding]:
        """The findings one rule makes on ``text`` on its own.

        In a report, when two rules flag the same sentence for the same category only the first
        rule's finding is kept; this shows what a rule finds by itself (its examples are tested
        this way).

        Raises:
            InputError: as :meth:`analyze`.
            KeyError: no active rule has this id.

        """
        validate_text(text, self.max_chars)
        if not any(r.id == rule_id for r in self.detectors.rules):
            raise KeyError(rule_id)
        with self._lock:
            clean = safe_text(text)
            answer = self.with_question(self.sections(text, clean, self.nlp(clean)), question)
            evidence = self.detectors.evidence(answer)
            return self.detectors.run_rule(answer, evidence, rule_id)

    def with_question(self, answer: ParsedAnswer, question: str | None) -> ParsedAnswer:
        """The parsed answer with its interview question (tokenised and matched), if any."""
        if question is None or not question.strip():
            return answer
        qdoc = self.nlp.make_doc(safe_text(question))
        return answer.with_question(question, token_arrays(qdoc)[0], self.phrases.find(qdoc))

    def parse(self, text: str, clean: str, doc: Doc) -> tuple[ParsedAnswer, list[Header]]:
        """Parse ``doc`` (made from ``clean``); return the answer and its headers.

        Units are cut at every header and the phrase matches are found; the headers come back
        too, so the sectioner does not look for them again.
        """
        headers = self.sectioner.headers.find(clean)
        answer = parse_answer(text, clean, doc, [h.start for h in headers])
        return answer.with_hits(self.phrases.find(doc)), headers

    def sections(self, text: str, clean: str, doc: Doc) -> ParsedAnswer:
        """Parse ``doc`` (made from ``clean``) and find its sections."""
        return self.sectioner.section(*self.parse(text, clean, doc))

    # -- many answers ----------------------------------------------------------------------------
    def analyze_many(
        self,
        texts: Iterable[object],
        *,
        batch_size: int = 64,
        n_process: int = 1,
        errors: Literal["raise", "return"] = "raise",
    ) -> Iterator[Report]:
        """Analyse a stream of answers, yielding reports in input order.

        Args:
            texts: the answers: each a str, or a ``(text, question)`` pair when the interview
                question is known (None for an unknown one).
            batch_size: answers per ``nlp.pipe`` batch (and per worker task).
            n_process: worker processes (1: this process).
            errors: ``raise`` stops at the first answer that cannot be analysed;
                ``return`` yields its :class:`InputError` (or :class:`AnalysisError`) in its
                place and goes on, so one bad answer never costs the others.

        Raises:
            InputError: with ``errors="raise"``, at a text that cannot be analysed (the message
                gives its index).

        """
        yield from self._many(texts, batch_size, n_process, errors, as_json=False)  # type: ignore[misc]

    def analyze_many_json(
        self,
        texts: Iterable[object],
        *,
        batch_size: int = 64,
        n_process: int = 1,
        errors: Literal["raise", "return"] = "raise",
    ) -> Iterator[str]:
        """Like :meth:`analyze_many`, but yield each report as its JSON text.

        With several processes the workers serialise, so the parent never rebuilds a report.
        """
        yield from self._many(texts, batch_size, n_process, errors, as_json=True)  # type: ignore[misc]

    def _many(
        self, texts: Iterable[object], batch_size: int, n_process: int, errors: str, as_json: bool
    ) -> Iterator[Report | str | StarAnalyzerError]:
        items = (
            self._analyze_here(iter(texts), batch_size, as_json)
            if n_process <= 1
            else (self._analyze_in_processes(iter(texts), batch_size, n_process, as_json))
        )
        for i, item in enumerate(items):
            if isinstance(item, StarAnalyzerError):
                if errors == "raise":
                    raise type(item)(f"text #{i}: {item}")
                yield item
            elif isinstance(item, str) and not as_json:
                yield Report.model_validate_json(item)
            else:
                yield item

    def _one(self, item: object, clean: str | None, doc: Doc | None, as_json: bool) -> Any:
        """One answer's report (or JSON), or the error that stopped it."""
        text, question = _split_item(item)
        try:
            validate_text(text, self.max_chars)
            assert isinstance(text, str)
            if question is not None and not isinstance(question, str):
                raise InputError(f"question must be a str, not {type(question).__name__}")
            clean = clean if clean is not None else safe_text(text)
            doc = doc if doc is not None else self.nlp(clean)
            report = self.report(text, clean, doc, question)
            return report.model_dump_json() if as_json else report
        except StarAnalyzerError as exc:
            return exc
        except Exception as exc:  # a bug: keep it to this answer
            return AnalysisError(f"{exc.__class__.__name__}: {exc}")

    def _analyze_here(
        self, texts: Iterator[object], batch_size: int, as_json: bool = False
    ) -> Iterator[Any]:
        # A memory zone per chunk frees the strings spaCy interned for those answers, so a bank
        # of any size runs in flat memory; zones are not thread-safe, hence the lock. The first
        # chunk runs outside a zone, so the tokenizer keeps its cache of common words (a zone
        # would throw away every cache entry made inside it). A chunk's reports are finished
        # before its zone closes and yielded after: a generator suspended inside a zone (the
        # caller interleaving two batches, or stopping early) would leave it by GeneratorExit,
        # which spaCy 3.8 does not unwind (its vocabulary then keeps words whose strings are
        # gone: "[E018] Can't retrieve string for hash").
        for n, chunk in enumerate(_chunks(texts, max(batch_size, _ZONE))):
            with self._lock, self.nlp.memory_zone() if n or self._warm else nullcontext():
                self._warm = True
                done = self._analyze_chunk_here(chunk, batch_size, as_json)
            if len(chunk) >= _COLLECT_AFTER:  # a full collection costs ~0.05 s: not for a few
                _return_freed_memory()
            yield from done

    def _analyze_chunk_here(self, chunk: list[object], batch_size: int, as_json: bool) -> list[Any]:
        """Every answer's report (or JSON, or error) of one chunk, each Doc freed once used."""
        valid = [_split_item(t)[0] for t in chunk if _valid(t, self.max_chars)]
        cleaned = [safe_text(t) for t in valid]  # type: ignore[arg-type]
        try:
            docs: list[Doc | None] = list(self.nlp.pipe(cleaned, batch_size=batch_size))
        except Exception:  # a bad text in the batch: take them one by one
            docs = [None] * len(cleaned)
        out, k = [], 0
        for text in chunk:
            if _valid(text, self.max_chars):
                doc, docs[k] = docs[k], None
                out.append(self._one(text, cleaned[k], doc, as_json))
                k += 1
            else:
                out.append(self._one(text, None, None, as_json))
        return out

    def _analyze_in_processes(
        self, texts: Iterator[object], batch_size: int, n_process: int, as_json: bool
    ) -> Iterator[Any]:
        # Workers return finished reports as JSON text (cheap to send, no rebuilding in the
        # parent) or the error of each answer; at most two batches per worker are in flight, so
        # memory stays flat and the output keeps the input order.
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


def _split_item(item: object) -> tuple[object, object]:
    """(text, question) of an item of ``analyze_many``: a str, or a (text, question) pair."""
    if isinstance(item, tuple) and len(item) == 2:
        return item[0], item[1]
    return item, None


def _valid(item: object, max_chars: int) -> bool:
    text, _ = _split_item(item)
    try:
        validate_text(text, max_chars)
    except InputError:
        return False
    return True


def _check(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise InputError("analysis took longer than the analyzer's timeout")


_CHECKED: set[int] = set()  # ids of user rubrics whose rule examples were checked
_WORKER: Analyzer | None = None
_ZONE = 256  # answers per spaCy memory zone (its reports are held until it closes)
_COLLECT_AFTER = 128  # answers in a chunk before its garbage is collected at its end


def _init_worker(spec: tuple[Rubric, str | None, int, float | None]) -> None:
    global _WORKER
    rubric, model, max_chars, timeout = spec
    mine = None if _WORKER is None else (_WORKER.rubric, _WORKER.model, _WORKER.max_chars,
                                         _WORKER.timeout)  # fmt: skip
    if mine != spec:
        _WORKER = Analyzer(rubric, model, max_chars=max_chars, timeout=timeout)


def _analyze_chunk(texts: list[object]) -> list[str | StarAnalyzerError]:
    assert _WORKER is not None
    return list(_WORKER._analyze_here(iter(texts), len(texts), as_json=True))


def _release_with_malloc_trim() -> Any:
    """The C library's ``malloc_trim`` (glibc), or None where there is none (macOS, Windows)."""
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _release_with_malloc_trim()


def _return_freed_memory() -> None:
    """Give the memory freed by a chunk of answers back to the system.

    A chunk's Docs, reports and feature arrays leave garbage in reference cycles and a fragmented
    C heap: without this, one process analysing a long bank levels off near 207 MB; with it,
    near 170 MB (measured on 3,000 answers). Called once per chunk of 1,024 answers, it costs a
    few milliseconds.
    """
    gc.collect()  # reports and parsed answers form reference cycles: free them now
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _chunks(texts: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
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
