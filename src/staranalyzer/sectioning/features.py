"""Unit features for the trained section model: named, hashed, computed from the token arrays.

Each unit (sentence, line, list item) gets sparse features, each a 64-bit key:

- word unigrams and bigrams (from spaCy's ``LOWER`` hashes, so nothing is re-tokenised);
- its opening word and two words (after discourse markers such as "so" and "um"), which carry
  "I was asked", "As a result", "First,";
- the rubric's cue lexicons (``lex:task_obligation``), anywhere and at the opener;
- position in the answer (tenths, first and last units), paragraph and list structure, length,
  final punctuation;
- first person (I, we, my, our), past-tense and progressive word shapes, numbers, money and
  percentages;
- the neighbouring units' openers and lexicons.

Keys are deterministic (spaCy's string hashes mixed with fixed constants), so training and
analysis agree across processes and machines. :func:`describe` turns a named key back into
its name for explanations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np

from ..answer import ParsedAnswer, Unit
from ..linear import mix, name_key, ngram_keys

_Add = Callable[[tuple[int, int]], None]
"""Appends one (unit index, feature key) pair."""

_NS_UNI = name_key("ns:unigram")
_NS_BI = name_key("ns:bigram")
_NS_FIRST = name_key("ns:first")
_NS_FIRST2 = name_key("ns:first2")
_NS_PREV_FIRST = name_key("ns:prev_first")
_NS_NEXT_FIRST = name_key("ns:next_first")

_NUMBER = re.compile(
    r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|half|double|doubled|tripled|halved)\b",
    re.I,
)
_MONEY_PERCENT = re.compile(r"%|\bper ?cent\b|[$£€]\s?\d|\d\s?(?:k|m|bn)\b", re.I)
_PAST = re.compile(r"\b[a-z]{3,}ed\b")
_ING = re.compile(r"\b[a-z]{3,}ing\b")
_I = re.compile(r"\b(?:i|i'm|i've|i'd|me|my|myself)\b")
_WE = re.compile(r"\b(?:we|we're|we've|our|us)\b")
_END_PUNCT = re.compile(r"[.!?…][\"”’')\]]*$")

_NAMED = [
    "bias",
    "first_unit",
    "second_unit",
    "last_unit",
    "second_last_unit",
    "only_unit",
    "paragraph",
    "line_start",
    "bullet",
    "no_end_punct",
    "question",
    "short",
    "long",
    "number",
    "money_percent",
    "past_1",
    "past_2",
    "ing",
    "i",
    "i_2",
    "we",
    "we_only",
    "no_person",
    "i_start",
    "we_start",
    *(f"pos:{i}" for i in range(10)),
    *(f"rpos:{i}" for i in range(4)),
]
NAMED_KEYS = {name: name_key(name) for name in _NAMED}


def lexicon_keys(names: Iterable[str]) -> dict[str, tuple[int, int, int, int]]:
    """Keys of each lexicon's features: (anywhere, at the opener, in the previous, the next)."""
    return {
        n: (
            name_key(f"lex:{n}"),
            name_key(f"lex@start:{n}"),
            name_key(f"prev:lex:{n}"),
            name_key(f"next:lex:{n}"),
        )
        for n in names
    }


class UnitFeaturizer:
    """Computes the features of every unit of a parsed answer.

    Args:
        lexicons: names of the rubric's cue lexicons; their matches are read from
            ``answer.hits["sec:<name>"]``.
        skip_hashes: ``LOWER`` hashes of discourse markers passed over at a unit's opener.
        punct_hashes: ``LOWER`` hashes of tokens that never open a unit (punctuation, bullets).

    """

    def __init__(
        self, lexicons: Iterable[str], skip_hashes: Iterable[int], punct_hashes: Iterable[int]
    ) -> None:
        self.lexicons = sorted(lexicons)
        self.lex_keys = lexicon_keys(self.lexicons)
        self.skip = frozenset(int(h) for h in skip_hashes) | frozenset(int(h) for h in punct_hashes)

    def _openers(self, answer: ParsedAnswer) -> list[tuple[int, int | None, int]]:
        """(first word hash, second word hash, token index of the opener) per unit."""
        lower = answer.lower
        out = []
        for u in answer.units:
            t = u.tok_start
            while t < u.tok_end and int(lower[t]) in self.skip:
                t += 1
            if t >= u.tok_end:
                out.append((0, None, u.tok_start))
                continue
            second = int(lower[t + 1]) if t + 1 < u.tok_end else None
            out.append((int(lower[t]), second, t))
        return out

    def _lexicon_features(self, add: _Add, answer: ParsedAnswer, starts: list[int]) -> None:
        """Each unit with a lexicon's phrase (anywhere, at its start) and its neighbours."""
        n = len(answer.units)
        lex_units: dict[str, set[int]] = {}
        lex_start: dict[str, set[int]] = {}
        for name in self.lexicons:
            for t0, _t1 in answer.hits.get(f"sec:{name}", ()):
                ui = answer.unit_at_token(t0)
                if ui < 0:
                    continue
                lex_units.setdefault(name, set()).add(ui)
                if t0 == starts[ui]:
                    lex_start.setdefault(name, set()).add(ui)
        for name, hit in lex_units.items():
            k_any, k_start, k_prev, k_next = self.lex_keys[name]
            for ui in hit:
                add((ui, k_any))
                if ui + 1 < n:
                    add((ui + 1, k_prev))
                if ui > 0:
                    add((ui - 1, k_next))
            for ui in lex_start.get(name, ()):
                add((ui, k_start))

    def features(
        self, answer: ParsedAnswer, positions: list[float] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features of every unit: (unit index, key, value) arrays, grouped by unit.

        Args:
            answer: the parsed answer (its units and lexicon hits).
            positions: each unit's relative position in the whole answer (0-1); by default its
                midpoint over the answer's length.

        """
        units = answer.units
        n = len(units)
        text = answer.clean.lower()
        size = max(len(text), 1)
        named: list[tuple[int, int]] = []
        add = named.append
        openers = self._openers(answer)
        for i, u in enumerate(units):
            pos = positions[i] if positions is not None else (u.start + u.end) / 2 / size
            _layout_features(add, i, u, n, pos)
            _text_features(add, i, text[u.start : u.end], u.tok_end - u.tok_start)
            first, second, _ = openers[i]
            if first:
                add((i, mix(_NS_FIRST, first)))
                if second is not None:
                    add((i, mix(_NS_FIRST2, mix(first, second))))
            if i > 0 and openers[i - 1][0]:
                add((i, mix(_NS_PREV_FIRST, openers[i - 1][0])))
            if i + 1 < n and openers[i + 1][0]:
                add((i, mix(_NS_NEXT_FIRST, openers[i + 1][0])))
        self._lexicon_features(add, answer, [o[2] for o in openers])
        named_units = np.fromiter((p[0] for p in named), dtype=np.int64, count=len(named))
        named_keys = np.fromiter((p[1] for p in named), dtype=np.uint64, count=len(named))
        w_units, w_keys = _word_features(answer)
        unit_ids = np.concatenate([named_units, w_units])
        key_arr = np.concatenate([named_keys, w_keys])
        values = np.ones(len(key_arr), dtype=np.float32)
        order = np.argsort(unit_ids, kind="stable")
        return unit_ids[order], key_arr[order], values[order]


def _layout_features(add: _Add, i: int, u: Unit, n: int, pos: float) -> None:
    """A unit's place: bias, relative position, first / last units, paragraph, line, bullet."""
    keys = NAMED_KEYS
    add((i, keys["bias"]))
    add((i, keys[f"pos:{min(int(pos * 10), 9)}"]))
    if n == 1:
        add((i, keys["only_unit"]))
    if i == 0:
        add((i, keys["first_unit"]))
    elif i == 1:
        add((i, keys["second_unit"]))
    if i == n - 1:
        add((i, keys["last_unit"]))
    elif i == n - 2:
        add((i, keys["second_last_unit"]))
    add((i, keys[f"rpos:{min(n - 1 - i, 3)}"]))
    if u.paragraph:
        add((i, keys["paragraph"]))
    if u.line_start:
        add((i, keys["line_start"]))
    if u.bullet:
        add((i, keys["bullet"]))


def _text_features(add: _Add, i: int, chunk: str, words: int) -> None:
    """A unit's text (lower case): punctuation, length, numbers, tense and person cues."""
    keys = NAMED_KEYS
    if _END_PUNCT.search(chunk) is None:
        add((i, keys["no_end_punct"]))
    if chunk.endswith("?"):
        add((i, keys["question"]))
    if words < 6:
        add((i, keys["short"]))
    elif words > 30:
        add((i, keys["long"]))
    if _NUMBER.search(chunk):
        add((i, keys["number"]))
    if _MONEY_PERCENT.search(chunk):
        add((i, keys["money_percent"]))
    past = len(_PAST.findall(chunk))
    if past:
        add((i, keys["past_1"] if past == 1 else keys["past_2"]))
    if _ING.search(chunk):
        add((i, keys["ing"]))
    n_i = len(_I.findall(chunk))
    n_we = len(_WE.findall(chunk))
    if n_i:
        add((i, keys["i"] if n_i == 1 else keys["i_2"]))
    if n_we:
        add((i, keys["we"] if n_i else keys["we_only"]))
    if not n_i and not n_we:
        add((i, keys["no_person"]))


def _word_features(answer: ParsedAnswer) -> tuple[np.ndarray, np.ndarray]:
    """Unigram and bigram keys of every unit's tokens (vectorised over the token arrays)."""
    tok_unit = np.full(len(answer.lower), -1, dtype=np.int64)
    for i, u in enumerate(answer.units):
        tok_unit[u.tok_start : u.tok_end] = i
    return ngram_keys(answer.lower, tok_unit, _NS_UNI, _NS_BI)


def describe(key: int, lexicons: Iterable[str] = ()) -> str | None:
    """The name of a named feature key (None for word n-grams and openers)."""
    for name, k in NAMED_KEYS.items():
        if k == key:
            return name
    for lexicon, ks in lexicon_keys(lexicons).items():
        for prefix, k in zip(("lex:", "lex@start:", "prev:lex:", "next:lex:"), ks, strict=True):
            if k == key:
                return prefix + lexicon
    return None
