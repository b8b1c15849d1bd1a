"""The parsed answer: the text, its spaCy Doc, token arrays and units, built once per answer.

Every detector receives the same :class:`ParsedAnswer`; nothing re-tokenises the text and
nothing is cached on the Doc. Units are sentences, and also lines, list items and the parts of
a semicolon chain of notes, so a bullet list without full stops still has one unit per item.

The Doc is built from :func:`safe_text`, a same-length copy of the answer in which lone
surrogates and pathological runs (10,000 ``(`` in a row, a 50,000-character "word") are
neutralised, so every stage stays linear in the input and every offset is an offset into the
original text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from spacy.attrs import IDX, LENGTH, LOWER
from spacy.tokens import Doc

from .models import Section
from .stems import stem_hashes

_MAX_CHUNK = 64
"""Longest run of non-space characters the tokenizer sees unbroken (no word is longer)."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
_LONG_CHUNK = re.compile(rf"\S{{{_MAX_CHUNK + 1},}}")


def safe_text(text: str) -> str:
    """A copy of ``text`` of the same length that every stage handles in linear time.

    Lone surrogates become U+FFFD; curly apostrophes become straight ones (so "didn’t" and
    "didn't" tokenise alike); a run of non-space characters longer than 64 gets a space every
    64 characters (spaCy's tokenizer strips affixes one at a time, which is quadratic in the
    length of a run such as ``((((...`` or ``$1$1$1...``). Offsets are unchanged.
    """
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    if "’" in text or "‘" in text:
        text = text.translate(_APOSTROPHES)
    if _LONG_CHUNK.search(text) is None:
        return text

    def cut(m: re.Match[str]) -> str:
        run = m.group(0)
        return "".join(run[i : i + _MAX_CHUNK - 1] + " " for i in range(0, len(run), _MAX_CHUNK))[
            : len(run)
        ]

    return _LONG_CHUNK.sub(cut, text)


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence, line, list item or note: the smallest stretch a section boundary respects.

    Attributes:
        start: offset of the first character (a list marker included).
        end: offset just after the last non-space character.
        tok_start: index of the first token.
        tok_end: index just after the last token.
        sentence: index of the sentence it belongs to (notes split at ``;`` share one).
        paragraph: a blank line comes before it (or it is the first unit).
        line_start: it starts a line.
        bullet: it is a list item (``-``, ``*``, ``•``, ``1.``, ``a)``).

    """

    start: int
    end: int
    tok_start: int
    tok_end: int
    sentence: int
    paragraph: bool
    line_start: bool
    bullet: bool


_LINE = re.compile(r"[^\n]+")
_AFTER_ALL = 1 << 62  # sorts after any end offset
_LETTER = re.compile(r"[^\W\d_]")
_BULLET = re.compile(r"[ \t]*(?:[-*•‣◦▪–—>+]|\(?\d{1,2}[.)]|\(?[a-hA-H][.)])(?=[ \t])")
_BOUNDARY = re.compile(r"(?:[.!?]+|…|;)[\"”’')\]]*[ \t]+(?=\S)")
_ABBREVIATION = re.compile(
    r"(?i)(?:\b(?:e\.g|i\.e|etc|vs|approx|dr|mr|mrs|ms|prof|st|no|nos|inc|ltd|co|corp|dept|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|a\.m|p\.m|fig|est|min|max|avg|ca)"
    r"|\b[A-Z]|(?:\b[a-z]\.){2,}[a-z]?)\.$"
)


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Split one line into (start, end, new_sentence) pieces at sentence ends and semicolons."""
    pieces: list[tuple[int, int, bool]] = []
    pos = start
    new_sentence = True
    wordy = (
        False  # a letter since ``pos``: punctuation or numbers alone ("1.", "...") are no sentence
    )
    last = start
    for m in _BOUNDARY.finditer(text, start, end):
        wordy = wordy or _LETTER.search(text, last, m.start()) is not None
        last = m.end()
        if not wordy:
            continue
        mark = m.group(0).rstrip()
        head = text[max(start, m.start() - 12) : m.start() + 1]
        if mark[0] == "." and _ABBREVIATION.search(head):
            continue
        nxt = text[m.end() : m.end() + 1]
        if mark[0] in ".…" and mark.startswith(("..", "…")) and nxt.islower():
            continue  # a spoken pause ("so... we"), not a sentence end
        pieces.append((pos, m.start() + len(mark), new_sentence))
        new_sentence = mark[0] != ";"
        pos = m.end()
        wordy = False
    pieces.append((pos, end, new_sentence))
    return pieces


def _cut(pieces: list[tuple[int, int, bool]], cuts: Sequence[int]) -> list[tuple[int, int, bool]]:
    """Split pieces further at the ``cuts`` inside them (each cut starts a new sentence)."""
    if not cuts:
        return pieces
    out = []
    for ps, pe, new_sentence in pieces:
        k = bisect_right(cuts, ps)
        while k < len(cuts) and cuts[k] < pe:
            out.append((ps, cuts[k], new_sentence))
            ps, new_sentence = cuts[k], True
            k += 1
        out.append((ps, pe, new_sentence))
    return out


def split_units(
    text: str, cuts: Sequence[int] = ()
) -> list[tuple[int, int, int, bool, bool, bool]]:
    """Split ``text`` into units: (start, end, sentence, paragraph, line_start, bullet).

    Offsets are trimmed of white space. ``cuts`` (sorted offsets, e.g. where a section header
    starts in the middle of a line of notes) also start a new sentence. Linear in the length of
    the text.
    """
    out: list[tuple[int, int, int, bool, bool, bool]] = []
    sentence = -1
    prev_end = 0
    for line in _LINE.finditer(text):
        ls, le = line.start(), line.end()
        while ls < le and text[ls] in " \t\r\f\v":
            ls += 1
        while le > ls and text[le - 1].isspace():
            le -= 1
        if le <= ls:
            continue
        bullet = _BULLET.match(text, ls, le) is not None
        paragraph = not out or text.count("\n", prev_end, ls) >= 2
        first = True
        for ps, pe, new_sentence in _cut(_split_line(text, ls, le), cuts):
            while pe > ps and text[pe - 1].isspace():
                pe -= 1
            while ps < pe and text[ps].isspace():
                ps += 1
            if pe <= ps:
                continue
            if first or new_sentence:
                sentence += 1
            out.append((ps, pe, sentence, paragraph and first, first, bullet and first))
            first = False
        prev_end = le
    return out


@dataclass(frozen=True)
class ParsedAnswer:
    """One answer, parsed once: what every sectioner and detector reads.

    Attributes:
        text: the answer exactly as given (every offset points into it).
        clean: :func:`safe_text` of it (same length), the string the Doc was built from.
        doc: the spaCy Doc.
        lower: each token's lower-case string hash (``LOWER``), as an array.
        idx: each token's character offset.
        length: each token's length in characters.
        units: the sentences, lines and list items, in order.
        hits: phrase-lexicon matches: key -> ((first token, end token), ...), from the
            analyzer's single phrase matcher.
        sections: the sections, once the sectioner has run.
        headline: (start, end) of a one-line summary before the story, or None.

    """

    text: str
    clean: str
    doc: Doc
    lower: np.ndarray
    idx: np.ndarray
    length: np.ndarray
    units: tuple[Unit, ...]
    sentences: tuple[tuple[int, int], ...] = ()
    hits: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    headline: tuple[int, int] | None = None
    headers: tuple[tuple[int, int], ...] = ()
    question: str | None = None
    question_lower: np.ndarray | None = None
    question_hits: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    _unit_starts: tuple[int, ...] = ()
    _unit_ends: tuple[int, ...] = ()
    _sentence_starts: tuple[int, ...] = ()
    _section_starts: tuple[int, ...] = ()

    @cached_property
    def stems(self) -> np.ndarray:
        """Each token's crude stem as a string hash (0 for a token that is not a word).

        Computed once per answer, on first use, for the models that read stems.
        """
        return stem_hashes(self.lower, self.doc.vocab.strings)

    def units_between(self, start: int, end: int) -> range:
        """Indexes of the units overlapping characters ``[start, end)`` (binary search)."""
        first = bisect_right(self._unit_ends, start)
        last = first
        n = len(self.units)
        while last < n and self.units[last].start < end:
            last += 1
        return range(first, last)

    def sentence_at_char(self, offset: int) -> int:
        """Index of the sentence holding character ``offset`` (-1 outside every sentence)."""
        i = bisect_right(self._sentence_starts, offset) - 1
        return i if i >= 0 and offset < self.sentences[i][1] else -1

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        """(start, end) of the sentence holding character ``offset``, or None."""
        i = bisect_right(self._sentence_starts, offset) - 1
        if i >= 0 and offset < self.sentences[i][1]:
            return self.sentences[i]
        return None

    def with_hits(self, hits: dict[str, tuple[tuple[int, int], ...]]) -> ParsedAnswer:
        """Return a copy with the phrase matcher's hits."""
        return replace(self, hits=hits)

    def with_question(
        self,
        question: str,
        lower: np.ndarray,
        hits: dict[str, tuple[tuple[int, int], ...]] | None = None,
    ) -> ParsedAnswer:
        """Return a copy that knows the interview question (its tokens' hashes, its matches)."""
        return replace(self, question=question, question_lower=lower, question_hits=hits or {})

    def with_sections(
        self,
        sections: tuple[Section, ...],
        headline: tuple[int, int] | None,
        headers: tuple[tuple[int, int], ...] = (),
    ) -> ParsedAnswer:
        """Return a copy with the sectioner's result (sections in text order)."""
        starts = tuple(s.start for s in sections)
        headers = tuple(sorted(headers))
        return replace(
            self, sections=sections, headline=headline, headers=headers, _section_starts=starts
        )

    def sentence_of_token(self, token: int) -> int:
        """Index of the sentence holding token ``token`` (-1 between units)."""
        unit = self.unit_at_token(token)
        return self.units[unit].sentence if unit >= 0 else -1

    def in_header(self, offset: int) -> bool:
        """True when character ``offset`` lies in a section header (or its timing note)."""
        i = (
            bisect_right(self.headers, (offset, _AFTER_ALL)) - 1
        )  # the last header starting here or before
        # headers do not overlap (the finder returns them in order), so only that one can hold it
        return i >= 0 and offset < self.headers[i][1]

    def token_span(self, tok_start: int, tok_end: int) -> tuple[int, int]:
        """Character offsets of a run of tokens."""
        last = tok_end - 1
        return int(self.idx[tok_start]), int(self.idx[last] + self.length[last])

    def section_at(self, offset: int) -> Section | None:
        """The section holding character ``offset``, or None (headers, gaps)."""
        i = bisect_right(self._section_starts, offset) - 1
        if i >= 0 and offset < self.sections[i].end:
            return self.sections[i]
        return None

    def unit_at_token(self, token: int) -> int:
        """Index of the unit holding token ``token`` (-1 between units)."""
        i = bisect_right(self._unit_starts, token) - 1
        if i >= 0 and token < self.units[i].tok_end:
            return i
        return -1


def token_arrays(doc: Doc) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, idx, length) arrays of a Doc's tokens, in one call."""
    if len(doc) == 0:
        empty = np.zeros(0, dtype=np.uint64)
        return empty, empty.astype(np.int64), empty.astype(np.int64)
    arr = doc.to_array([LOWER, IDX, LENGTH])
    return arr[:, 0], arr[:, 1].astype(np.int64), arr[:, 2].astype(np.int64)


def parse_answer(text: str, clean: str, doc: Doc, cuts: Sequence[int] = ()) -> ParsedAnswer:
    """Build the parsed answer of a Doc made from ``clean`` (= :func:`safe_text` of ``text``).

    ``cuts``: sorted offsets where a unit must start although no line or sentence does (the
    starts of the section headers, so a header in the middle of a line of notes opens a unit).
    """
    lower, idx, length = token_arrays(doc)
    raw = split_units(clean, cuts)
    if raw:
        starts = np.searchsorted(idx, [r[0] for r in raw], side="left").tolist()
        ends = np.searchsorted(idx, [r[1] for r in raw], side="left").tolist()
    else:
        starts, ends = [], []
    units = tuple(
        Unit(s, e, t0, max(t1, t0), sent, para, line, bullet)
        for (s, e, sent, para, line, bullet), t0, t1 in zip(raw, starts, ends, strict=True)
    )
    bounds: dict[int, tuple[int, int]] = {}
    for u in units:
        s0, _ = bounds.get(u.sentence, (u.start, u.end))
        bounds[u.sentence] = (s0, u.end)
    sentences = tuple(bounds[i] for i in sorted(bounds))
    return ParsedAnswer(
        text,
        clean,
        doc,
        lower,
        idx,
        length,
        units,
        sentences,
        _unit_starts=tuple(u.tok_start for u in units),
        _unit_ends=tuple(u.end for u in units),
        _sentence_starts=tuple(s for s, _ in sentences),
    )
