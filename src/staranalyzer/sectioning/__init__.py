"""Finding the STAR sections of an answer: headers where it has them, a trained model elsewhere.

The text is cut at its headers into regions. A region under a section header is that section
(a two-label header such as ``Situation/Task:`` is split by the model between its two labels);
a headline or ignored header (``TL;DR``, ``Question:``) covers the rest of its paragraph and
belongs to no section; the rest is unlabelled. Units in unlabelled stretches are scored by the
trained section model (:mod:`.features`, :mod:`.model`) and decoded together with the labelled
ones, so an unlabelled stretch before ``Result:`` is read in the light of what follows it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..answer import ParsedAnswer, Unit
from ..models import Section
from ..rubric import Rubric
from ..vocabulary import LABELS, STAR
from .features import UnitFeaturizer
from .headers import HEADLINE, Header, HeaderFinder, body_span
from .model import NONE, STATES, load_section_model, softmax_rows, viterbi

__all__ = ["Header", "HeaderFinder", "Region", "Sectioner", "body_span", "count_words"]

_CHUNK = re.compile(r"\S+")
# A run of punctuation standing alone; the lookahead-and-backreference makes the run atomic,
# so a long run never backtracks (linear time).
_NO_WORD_CHUNK = re.compile(r"(?<!\S)(?=([^\w\s]+))\1(?!\S)")
_PUNCT = [".", ",", "-", "*", "•", "–", "—", ":", ";", "(", ")", '"', "“", "”", "'", ">", "+", "#"]


def count_words(text: str, start: int = 0, end: int | None = None) -> int:
    """Words as a reader counts them: runs of non-space characters holding a letter or digit."""
    stop = len(text) if end is None else end
    return len(_CHUNK.findall(text, start, stop)) - len(_NO_WORD_CHUNK.findall(text, start, stop))


@dataclass(frozen=True)
class Region:
    """A stretch of the text between headers: under ``header``, or unlabelled (None)."""

    start: int
    end: int
    header: Header | None


def cut_regions(text: str, headers: list[Header]) -> list[Region]:
    """Cut the text at its headers. A headline or ignored header covers its paragraph only."""
    regions: list[Region] = []
    pos = 0
    for i, h in enumerate(headers):
        if h.start > pos and text[pos : h.start].strip():
            regions.append(Region(pos, h.start, None))
        nxt = headers[i + 1].start if i + 1 < len(headers) else len(text)
        if h.kind == "section":
            regions.append(Region(h.end, nxt, h))
            pos = nxt
            continue
        para = text.find("\n\n", h.end, nxt)
        if para < 0 or not text[h.end : para].strip():
            para = text.find("\n", h.end + 1 if text[h.end : h.end + 1] == "\n" else h.end, nxt)
        stop = nxt if para < 0 else para
        regions.append(Region(h.end, stop, h))
        pos = stop
    if pos < len(text) and text[pos:].strip():
        regions.append(Region(pos, len(text), None))
    return regions


_STICKY = 10.0
"""Score bonus for the header's labels in later paragraphs under a section header: enough that
only a line the model reads clearly as another section leaves it (public answers keep to their
labels more than the corpus's traps do; 3 before, see RESULTS.md)."""


@dataclass(frozen=True)
class _Placed:
    """A unit to decode: index, region, states a header allows (None: any) or leans it to."""

    unit: int
    region: int
    allowed: frozenset[int] | None
    lean: tuple[int, ...]


class Sectioner:
    """Splits answers into sections with one rubric's headers and its trained model.

    Args:
        rubric: the validated rubric.
        skip_hashes: ``LOWER`` hashes of the rubric's ``skip_at_start`` words.
        punct_hashes: ``LOWER`` hashes of list markers and punctuation.

    """

    def __init__(self, rubric: Rubric, skip_hashes: list[int], punct_hashes: list[int]) -> None:
        sec = rubric.sectioning
        self.rubric = rubric
        self.headers = HeaderFinder(sec)
        self.model = load_section_model(sec.model, rubric.base_dir, rubric.source or rubric.name)
        self.featurizer = UnitFeaturizer(sec.lexicons, skip_hashes, punct_hashes)

    @staticmethod
    def punctuation() -> list[str]:
        """Tokens that never open a unit (their hashes go to the featurizer)."""
        return list(_PUNCT)

    def lexicons(self) -> dict[str, list[str]]:
        """The cue lexicons, keyed as the answer's phrase hits are (``sec:<name>``)."""
        return {f"sec:{k}": list(v) for k, v in self.rubric.sectioning.lexicons.items()}

    # -- the pass --------------------------------------------------------------------------------
    def section(self, answer: ParsedAnswer, headers: list[Header] | None = None) -> ParsedAnswer:
        """Return ``answer`` with its sections (and headline) found.

        Args:
            answer: the parsed answer.
            headers: its headers, when the caller has found them already (to cut its units).

        """
        text = answer.clean
        if headers is None:
            headers = self.headers.find(text)
        regions = cut_regions(text, headers)
        placed = self._place_units(answer, regions)
        states = self._decode(answer, placed)
        sections, headline = self._build(answer, regions, placed, states)
        spans = tuple((h.start, h.end) for h in headers)
        return answer.with_sections(tuple(sections), headline, spans)

    def _place_units(self, answer: ParsedAnswer, regions: list[Region]) -> list[_Placed]:
        """Each unit with its region and what its header allows.

        Header-only units and units without a word (a rule such as ``---``) are dropped.
        Units in the first paragraph (or line) under a section header take the header's labels;
        later paragraphs and lines under it lean to them (``_STICKY``) but may change, since
        authors often stop labelling after the first sections; in an answer that labels all
        four sections they stay in their header's section (see :func:`_held_regions`).
        """
        starts = [r.start for r in regions]
        held = _held_regions(regions)
        placed: list[_Placed] = []
        paragraph_of: dict[int, int] = {}
        for ui, u in enumerate(answer.units):
            ri = bisect_right(starts, u.end - 1) - 1
            if ri < 0 or u.end <= regions[ri].start:
                continue
            if not _WORD.search(answer.clean, max(u.start, regions[ri].start), u.end):
                continue
            h = regions[ri].header
            if ri not in paragraph_of:
                paragraph_of[ri] = 0
            elif u.paragraph or u.line_start:
                paragraph_of[ri] += 1
            if h is None:
                placed.append(_Placed(ui, ri, None, ()))
            elif h.kind != "section":
                placed.append(_Placed(ui, ri, frozenset([NONE]), ()))
            else:
                labels = frozenset(LABELS.index(lab) for lab in h.labels)
                if paragraph_of[ri] == 0:
                    placed.append(_Placed(ui, ri, labels, ()))
                elif ri in held:
                    placed.append(_Placed(ui, ri, _held_states(labels, ri == len(regions) - 1), ()))
                else:
                    placed.append(_Placed(ui, ri, None, tuple(sorted(labels))))
        return placed

    def _decode(self, answer: ParsedAnswer, placed: list[_Placed]) -> list[tuple[int, float]]:
        """(state, confidence) per placed unit: from the header when fixed, else the model."""
        free = [p for p in placed if p.allowed is None or len(p.allowed) > 1]
        if not free:
            return [(min(p.allowed), 1.0) for p in placed]  # type: ignore[type-var]
        units = [answer.units[p.unit] for p in placed]
        size = max(len(answer.clean), 1)
        positions = [(u.start + u.end) / 2 / size for u in units]
        view = _SubAnswer(answer, units)
        unit_ids, keys, values = self.featurizer.features(view, positions)  # type: ignore[arg-type]
        scores = self.model.emissions(unit_ids, keys, values, len(units))
        for k, p in enumerate(placed):
            for state in p.lean:
                scores[k, state] += _STICKY
        paragraph = [u.paragraph for u in units]
        allowed = [p.allowed for p in placed]
        path = viterbi(scores, paragraph, allowed, self.model)
        held = _hold_repeats(allowed, path, _first_tellings(answer, units))
        if held is not None:
            # Decoded again with the repeats held, so that the units around them settle too (the
            # real Task after a background told twice).
            path = viterbi(scores, paragraph, held, self.model)
        if all(state == NONE for state in path):
            # Nothing but a headline or an aside is no answer's reading: a headline needs a story
            # after it. A short answer takes its best section instead; a lone unit not the
            # reflection either (unless a header says so), since a lesson needs a story before it.
            sections = [_some_section(a) for a in allowed]
            if len(units) == 1:
                options = sorted(_STORY_STATES if allowed[0] is None else sections[0])
                path = [max(options, key=lambda s: (scores[0, s], -s))]
            else:
                path = viterbi(scores, paragraph, sections, self.model)
        probs = softmax_rows(scores)
        return [
            (
                state,
                1.0 if p.allowed is not None and len(p.allowed) == 1 else float(probs[k, state]),
            )
            for k, (p, state) in enumerate(zip(placed, path, strict=True))
        ]

    def _build(
        self,
        answer: ParsedAnswer,
        regions: list[Region],
        placed: list[_Placed],
        states: list[tuple[int, float]],
    ) -> tuple[list[Section], tuple[int, int] | None]:
        text = answer.clean
        units = answer.units
        sections: list[Section] = []
        headline: tuple[int, int] | None = None
        groups: list[tuple[int, int, list[int]]] = []  # (region, state, placed indices)
        for k, p in enumerate(placed):
            state = states[k][0]
            if groups and groups[-1][0] == p.region and groups[-1][1] == state:
                groups[-1][2].append(k)
            else:
                groups.append((p.region, state, [k]))
        first_of_region = {}
        for gi, (ri, _, _) in enumerate(groups):
            first_of_region.setdefault(ri, gi)
        last_of_region = {ri: gi for gi, (ri, _, _) in enumerate(groups)}
        for gi, (ri, state, members) in enumerate(groups):
            region = regions[ri]
            h = region.header
            start = max(units[placed[members[0]].unit].start, region.start)
            end = min(units[placed[members[-1]].unit].end, region.end)
            if first_of_region[ri] == gi:
                start = region.start
            if last_of_region[ri] == gi:
                end = region.end
            start, end = body_span(text, start, end)
            if end <= start:
                continue
            if state == NONE:
                if (
                    headline is None
                    and not sections
                    and (
                        (h is not None and h.kind == HEADLINE) or (h is None and len(members) == 1)
                    )
                ):
                    headline = (start, end)
                continue
            label = STATES[state]
            labelled = h is not None and h.kind == "section" and first_of_region[ri] == gi
            confidence = round(sum(states[k][1] for k in members) / len(members), 3)
            if labelled and h is not None and h.letter:
                confidence = min(confidence, 0.9)
            sections.append(
                self._section(
                    answer,
                    label,
                    start,
                    end,
                    "labeled" if labelled else "inferred",
                    confidence,
                    h.text if labelled and h is not None else None,
                )
            )
        sections.sort(key=lambda s: s.start)
        return sections, headline

    def _section(
        self,
        answer: ParsedAnswer,
        label: str,
        start: int,
        end: int,
        source: str,
        confidence: float,
        header: str | None,
    ) -> Section:
        sentences = {answer.units[i].sentence for i in answer.units_between(start, end)}
        return Section.build(
            label=label,
            start=start,
            end=end,
            source=source,
            confidence=confidence,
            words=count_words(answer.text, start, end),
            sentences=len(sentences),
            header=header,
        )


_WORD = re.compile(r"\w+")
_REPEAT_MIN_WORDS = 6
"""A unit of at least this many words that repeats an earlier unit word for word is the same
telling again: it takes the earlier unit's section."""


_STAR = tuple(LABELS.index(lab) for lab in STAR)
_RESULT, _REFLECTION = LABELS.index("result"), LABELS.index("reflection")


def _held_regions(regions: list[Region]) -> set[int]:
    """Regions whose later lines stay in their header's section.

    When an answer has a header for each of Situation, Task, Action and Result, its author has
    labelled every section, so a line under a header belongs to that section even when it reads
    like another (a Result bullet that restates the cost, an Action bullet that sets the scene):
    public labelled answers keep to their headers. Not held, because the header may be a word in
    a list rather than a label (``- result: 40 % had no device``): a header whose section comes
    before one already opened (a Situation after the Action), and a section opened twice.
    """
    section = [
        (ri, tuple(LABELS.index(lab) for lab in r.header.labels))
        for ri, r in enumerate(regions)
        if r.header is not None and r.header.kind == "section"
    ]
    if not set(_STAR) <= {state for _, states in section for state in states}:
        return set()
    opened = Counter(state for _, states in section for state in states)
    held, furthest = set(), -1
    for ri, states in section:
        rank = min((_STAR.index(s) for s in states if s in _STAR), default=None)
        if (rank is None or rank >= furthest) and all(opened[s] == 1 for s in states):
            held.add(ri)
        if rank is not None:
            furthest = max(furthest, rank)
    return held


def _held_states(labels: frozenset[int], last: bool) -> frozenset[int]:
    """States a held line may take.

    Its header's, the reflection under a Result (a lesson told at its end), and none in the last
    region (a sign-off).
    """
    extra = {_REFLECTION} if _RESULT in labels else set()
    return labels | extra | ({NONE} if last else set())


def _first_tellings(answer: ParsedAnswer, units: list[Unit]) -> list[int | None]:
    """For each unit, the index of the earlier unit it repeats word for word, else None.

    A repeat has at least ``_REPEAT_MIN_WORDS`` words; case, spacing and punctuation are ignored.
    """
    first: dict[tuple[str, ...], int] = {}
    out: list[int | None] = []
    for k, u in enumerate(units):
        words = tuple(_WORD.findall(answer.clean[u.start : u.end].lower()))
        if len(words) < _REPEAT_MIN_WORDS:
            out.append(None)
        elif words in first:
            out.append(first[words])
        else:
            first[words] = k
            out.append(None)
    return out


def _hold_repeats(
    allowed: list[frozenset[int] | None], path: list[int], tellings: list[int | None]
) -> list[frozenset[int] | None] | None:
    """Constraints holding every free repeat (and its first telling) to that telling's state.

    None when the decoded path already gives each repeat its first telling's state.

    A background told twice is still background: without this the second telling, placed where
    the Action or Result usually sits, can be read as one, and a padded answer gains a section
    it never wrote.
    """
    held = list(allowed)
    changed = False
    for k, j in enumerate(tellings):
        if j is None or allowed[k] is not None or path[k] == path[j]:
            continue
        held[k] = frozenset([path[j]])
        if held[j] is None:
            held[j] = frozenset([path[j]])
        changed = True
    return held if changed else None


_SECTION_STATES = frozenset(range(NONE))
_STORY_STATES = frozenset(STATES.index(label) for label in STAR)


def _some_section(allowed: frozenset[int] | None) -> frozenset[int]:
    """``allowed`` without the no-section state, unless that is all a header allows."""
    if allowed is None:
        return _SECTION_STATES
    return allowed - {NONE} or allowed


class _SubAnswer:
    """A view of a parsed answer restricted to some of its units (for the featurizer)."""

    def __init__(self, answer: ParsedAnswer, units: list) -> None:  # type: ignore[type-arg]
        self.clean = answer.clean
        self.lower = answer.lower
        self.hits = answer.hits
        self.units = tuple(units)
        self._starts = np.array([u.tok_start for u in units], dtype=np.int64)

    def unit_at_token(self, token: int) -> int:
        i = int(np.searchsorted(self._starts, token, side="right")) - 1
        if i >= 0 and token < self.units[i].tok_end:
            return i
        return -1
