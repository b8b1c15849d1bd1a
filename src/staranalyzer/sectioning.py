"""Finding the STAR sections of an answer: headers where it has them, cues and decoding elsewhere.

Labelled stretches are split at their headers (:mod:`staranalyzer.headers`). Unlabelled stretches
are split into sentences; every sentence gets a score for every label from the rubric's cues
(phrases, subject + verb patterns, numbers, and, with a statistical model, tense and modals) plus a
prior on where in the answer the label usually sits. The best *ordered* labelling
(situation -> task -> action -> result -> reflection, any of them absent) is then decoded by dynamic
programming, with a cost for starting a section mid-paragraph and a smaller one at a paragraph
break.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.attrs import DEP, IDX, IS_SPACE, LENGTH, SENT_START
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .headers import Header, HeaderFinder, body_span
from .rubric import LABELS, FeatureCue, Label, PhraseCue, Rubric, SubjectVerbCue

_INDEX = {label: i for i, label in enumerate(LABELS)}


@dataclass(frozen=True)
class FoundSection:
    """A section as the sectioner finds it, before it becomes a :class:`~staranalyzer.Section`."""

    label: Label
    start: int
    end: int
    source: str
    confidence: float
    header: str | None = None


@dataclass
class _Sentence:
    start: int  # char offsets, trimmed
    end: int
    tok_start: int
    tok_end: int
    paragraph_break: bool  # a blank line (or a new bullet) comes before it


class Sectioner:
    """Splits answers into sections with one rubric's headers and cues; build once, reuse.

    Args:
        make_doc: the pipeline's tokenizer (``nlp.make_doc``), so cue phrases tokenise like answers.
        rubric: the validated rubric whose ``sectioning`` data drives the splitting.

    """

    def __init__(self, make_doc: Callable[[str], Doc], rubric: Rubric) -> None:
        vocab = make_doc("").vocab
        self.rubric = rubric
        sec = rubric.sectioning
        self.headers = HeaderFinder(sec)
        self._phrase = PhraseMatcher(vocab, attr="LOWER")
        self._subject_verbs: list[tuple[re.Pattern[str], SubjectVerbCue]] = []
        self._skip = frozenset(w.lower() for w in sec.skip_at_start)
        self._cues: dict[str, PhraseCue | SubjectVerbCue] = {}
        self._features: list[FeatureCue] = []
        for cue in sec.cues:
            if isinstance(cue, PhraseCue):
                patterns = [make_doc(p.lower()) for p in cue.phrases]
                self._phrase.add(cue.id, patterns)
                self._cues[cue.id] = cue
            elif isinstance(cue, SubjectVerbCue):
                self._subject_verbs.append((_subject_verb_regex(cue), cue))
                self._cues[cue.id] = cue
            else:
                self._features.append(cue)
        self._bias = [sec.bias.get(label, 0.0) for label in LABELS]
        self._position = [sec.position.get(label) for label in LABELS]

    # -- public ---------------------------------------------------------------------------------
    def find_sections(self, doc: Doc) -> list[FoundSection]:
        """Return the sections of ``doc.text`` in text order, trimmed and without overlap."""
        text = doc_text(doc)
        headers = self.headers.find(text)
        regions = _regions(text, headers)
        sentences = _sentences(doc)
        out: list[FoundSection] = []
        for i, (start, end, header) in enumerate(regions):
            if header is not None:
                if header.label is None:
                    continue
                b_start, b_end = body_span(text, start, end)
                out.append(
                    FoundSection(
                        label=header.label,
                        start=b_start,
                        end=b_end,
                        source="labeled",
                        confidence=0.9 if header.letter else 1.0,
                        header=header.text,
                    )
                )
                continue
            lo, hi = _bounds(regions, i)
            sents = [
                _clip(s, start, end, text) for s in sentences if s.end > start and s.start < end
            ]
            sents = [s for s in sents if s is not None and s.end > s.start]
            if sents:
                out.extend(self._infer(doc, sents, lo, hi))
        return out

    # -- inference ------------------------------------------------------------------------------
    def _scores(self, doc: Doc, sents: list[_Sentence]) -> list[list[float]]:
        text = doc_text(doc)
        n_chars = max(len(text), 1)
        scores = []
        for s in sents:
            mid = (s.start + s.end) / 2 / n_chars
            row = list(self._bias)
            for k, prior in enumerate(self._position):
                if prior is not None:
                    row[k] -= prior.weight * abs(mid - prior.center)
            scores.append(row)
        index_of = _token_to_sentence(sents, len(doc))
        hit: set[tuple[int, str]] = set()

        def count(si: int, cue: PhraseCue | SubjectVerbCue) -> None:
            if (si, cue.id) not in hit:  # a cue counts once per sentence
                hit.add((si, cue.id))
                scores[si][_INDEX[cue.label]] += cue.weight

        for match_id, start, _end in self._phrase(doc):
            si = index_of[start]
            if si < 0:
                continue
            cue = self._cues[doc.vocab.strings[match_id]]
            if (
                isinstance(cue, PhraseCue)
                and cue.at_start
                and start != _first_word(doc, sents[si], self._skip)
            ):
                continue
            count(si, cue)
        if self._subject_verbs:
            lowered = text.lower()
            starts = [s.start for s in sents]
            for regex, sv_cue in self._subject_verbs:
                for m in regex.finditer(lowered):
                    si = bisect.bisect_right(starts, m.start()) - 1
                    if si >= 0 and m.end() <= sents[si].end:
                        count(si, sv_cue)
        has_dep = bool(self._features) and bool(doc.to_array(DEP).any())
        for si, s in enumerate(sents):
            for cue in self._features:
                if cue.feature == "first_sentence":
                    on = si == 0
                elif cue.feature == "last_sentence":
                    on = si == len(sents) - 1
                else:
                    on = _feature(doc, text, s, cue.feature, has_dep)
                if on:
                    scores[si][_INDEX[cue.label]] += cue.weight
        return scores

    def _infer(self, doc: Doc, sents: list[_Sentence], lo: int, hi: int) -> list[FoundSection]:
        sec = self.rubric.sectioning
        scores = self._scores(doc, sents)
        n, k = len(sents), len(LABELS)
        neg = -math.inf
        best = [[neg] * k for _ in range(n)]
        back = [[-1] * k for _ in range(n)]
        for j in range(lo, hi + 1):
            best[0][j] = scores[0][j]
        for i in range(1, n):
            para = sents[i].paragraph_break
            stay = sec.paragraph_stay_cost if para else 0.0
            switch = sec.paragraph_switch_cost if para else sec.switch_cost
            for j in range(lo, hi + 1):
                top, arg = neg, -1
                for p in range(lo, j + 1):  # labels never go backwards
                    value = best[i - 1][p] - (stay if p == j else switch)
                    if value > top:  # strict: ties keep the earlier label, deterministically
                        top, arg = value, p
                best[i][j] = top + scores[i][j]
                back[i][j] = arg
        j = max(range(lo, hi + 1), key=lambda x: (best[n - 1][x], -x))
        path = [0] * n
        for i in range(n - 1, -1, -1):
            path[i] = j
            j = back[i][j]
        found: list[FoundSection] = []
        i = 0
        while i < n:
            j = i
            while j + 1 < n and path[j + 1] == path[i]:
                j += 1
            probs = [_softmax(scores[x][lo : hi + 1])[path[i] - lo] for x in range(i, j + 1)]
            found.append(
                FoundSection(
                    label=LABELS[path[i]],
                    start=sents[i].start,
                    end=sents[j].end,
                    source="inferred",
                    confidence=round(sum(probs) / len(probs), 3),
                )
            )
            i = j + 1
        return found


def _alternation(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w.lower()) for w in words), key=len, reverse=True))


def _subject_verb_regex(cue: SubjectVerbCue) -> re.Pattern[str]:
    """One regular expression (on lower-cased text) for a subject + adverbs + verb cue.

    A regex over the text is several times faster than spaCy's token Matcher with a ``*``
    operator, which dominated the sectioner's cost.
    """
    glued = [a for a in cue.adverbs if a.startswith("'")]
    words = [a for a in cue.adverbs if a not in (",",) and not a.startswith("'")]
    sep = r"(?:\s*,\s*|\s+)" if "," in cue.adverbs else r"\s+"
    head = rf"(?<![\w'])(?:{_alternation(cue.subjects)})"
    if glued:
        head += rf"(?:{_alternation(glued)})?"
    if words:
        head += rf"(?:{sep}(?:{_alternation(words)})(?![\w']))*"
    verbs = []
    if cue.verbs:
        verbs.append(_alternation(cue.verbs))
    if cue.suffixes:
        exclude = rf"(?!(?:{_alternation(cue.exclude)})(?![\w'-]))" if cue.exclude else ""
        verbs.append(rf"{exclude}[a-z][a-z-]*(?:{_alternation(cue.suffixes)})")
    return re.compile(rf"{head}{sep}(?:{'|'.join(verbs)})(?![\w'-])")


def _softmax(row: list[float]) -> list[float]:
    top = max(row)
    exps = [math.exp(x - top) for x in row]
    total = sum(exps)
    return [e / total for e in exps]


def _regions(text: str, headers: list[Header]) -> list[tuple[int, int, Header | None]]:
    """Cut the text at headers: (start, end, header) with header None for unlabelled stretches."""
    regions: list[tuple[int, int, Header | None]] = []
    pos = 0
    for h_index, h in enumerate(headers):
        if text[pos : h.start].strip():
            regions.append((pos, h.start, None))
        nxt = headers[h_index + 1].start if h_index + 1 < len(headers) else len(text)
        regions.append((h.end, nxt, h))
        pos = nxt
    if text[pos:].strip():
        regions.append((pos, len(text), None))
    return regions


def _bounds(regions: list[tuple[int, int, Header | None]], i: int) -> tuple[int, int]:
    """Labels an unlabelled stretch may take: between the labelled neighbours' labels."""
    prev = next((h.label for _, _, h in reversed(regions[:i]) if h is not None and h.label), None)
    nxt = next((h.label for _, _, h in regions[i + 1 :] if h is not None and h.label), None)
    lo = _INDEX[prev] if prev else 0
    hi = _INDEX[nxt] if nxt else len(LABELS) - 1
    if lo > hi:  # headers out of STAR order: let the cues decide
        lo, hi = 0, len(LABELS) - 1
    return lo, hi


_SENT_KEY = "staranalyzer.sentences"
_TEXT_KEY = "staranalyzer.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def forget_text(doc: Doc) -> None:
    """Drop the cached text, so that it is not serialised with the Doc."""
    doc.user_data.pop(_TEXT_KEY, None)


def _sentences(doc: Doc) -> list[_Sentence]:
    """Sentences from the pipeline's boundaries, also split at every line break.

    Computed once per Doc from its attribute arrays (no Token objects: they dominate the cost)
    and kept in ``doc.user_data`` for every later detector.
    """
    cached = doc.user_data.get(_SENT_KEY)
    if cached is not None:
        return [_Sentence(*row) for row in cached]
    text = doc_text(doc)
    n = len(doc)
    if n == 0:
        doc.user_data[_SENT_KEY] = []
        return []
    arr = doc.to_array([IS_SPACE, SENT_START, IDX, LENGTH]).tolist()
    bounds: list[tuple[int, int]] = []
    start = None
    for i, (space, sent_start, idx, length) in enumerate(arr):
        if space and "\n" in text[idx : idx + length]:
            if start is not None:
                bounds.append((start, i))
                start = None
            continue
        if start is None:
            start = i
        elif sent_start == 1:
            bounds.append((start, i))
            start = i
    if start is not None:
        bounds.append((start, n))
    rows: list[tuple[int, int, int, int, bool]] = []
    prev_end = 0
    for t0, t1 in bounds:
        while t1 > t0 and arr[t1 - 1][0]:
            t1 -= 1
        if t1 <= t0:
            continue
        c0, c1 = arr[t0][2], arr[t1 - 1][2] + arr[t1 - 1][3]
        gap = text[prev_end:c0]
        para = "\n\n" in gap.replace(" ", "").replace("\t", "") or (
            "\n" in gap and text[c0 : c0 + 1] in "-*•" and text[c0 : c0 + 1] != ""
        )
        rows.append((c0, c1, t0, t1, para))
        prev_end = c1
    doc.user_data[_SENT_KEY] = rows
    return [_Sentence(*row) for row in rows]


def _clip(s: _Sentence, start: int, end: int, text: str) -> _Sentence | None:
    c0, c1 = max(s.start, start), min(s.end, end)
    while c0 < c1 and text[c0].isspace():
        c0 += 1
    while c1 > c0 and text[c1 - 1].isspace():
        c1 -= 1
    if c1 <= c0:
        return None
    return _Sentence(c0, c1, s.tok_start, s.tok_end, s.paragraph_break)


def _token_to_sentence(sents: list[_Sentence], n_tokens: int) -> list[int]:
    index = [-1] * (n_tokens + 1)
    for si, s in enumerate(sents):
        for t in range(s.tok_start, s.tok_end):
            index[t] = si
    return index


def _first_word(doc: Doc, s: _Sentence, skip: frozenset[str]) -> int:
    for t in range(s.tok_start, s.tok_end):
        tok = doc[t]
        if tok.is_punct or tok.is_space or tok.lower_ in skip:
            continue
        return t
    return s.tok_start


_NUMBERISH = re.compile(
    r"\d|%|[$£€]\S|\b(?:percent|zero|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million)\b",
    re.I,
)
_MONEY_OR_PERCENT = re.compile(r"%|\bpercent\b|[$£€]\s?\d", re.I)
_FIRST_PERSON = re.compile(r"\b(?:i|we)\b", re.I)


def _feature(doc: Doc, text: str, s: _Sentence, feature: str, has_dep: bool) -> bool:
    text = text[s.start : s.end]
    if feature == "number":
        return _NUMBERISH.search(text) is not None
    if feature == "no_first_person_subject":
        return _FIRST_PERSON.search(text) is None
    if feature == "percent_or_money":
        return _MONEY_OR_PERCENT.search(text) is not None
    if not has_dep:
        return False
    span = doc[s.tok_start : s.tok_end]
    root = next((t for t in span if t.dep_ == "ROOT"), None)
    if root is None:
        return False
    subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
    first_person = any(c.lower_ in ("i", "we") for c in subjects)
    if feature == "past_tense_root":
        return root.tag_ == "VBD" and root.lemma_ not in ("be", "have")
    if feature == "first_person_action":
        return first_person and root.tag_ == "VBD" and root.lemma_ not in ("be", "have")
    if feature == "copula_root":
        return root.lemma_ in ("be", "have") and not first_person
    if feature == "modal_or_need":
        return first_person and (
            root.lemma_ in ("need", "have", "want", "ask", "task", "expect")
            and any(c.dep_ == "xcomp" for c in root.children)
        )
    return False
