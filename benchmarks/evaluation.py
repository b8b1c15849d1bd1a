"""Evaluation helpers (outside the wheel): gold stories, rendered variants, accuracy, baselines.

Both corpora load into :class:`GoldStory`:

- v2 (``corpus/stories/*.txt``): answers as their authors wrote them, with gold marks
  (``corpus/stories.py``);
- v1 (``corpus/answers.jsonl``): the first corpus, stored as sections; its text is the
  one-paragraph-per-section rendering.

From a story, :func:`variants` renders the texts the sectioner is measured on, each with exact
gold spans: ``labelled`` (a header on every section: as written when the author labelled every
section, else headers added in one of several styles), ``as_written`` (exactly as written:
labelled, partly labelled or not), ``paragraphs`` (headers removed, one paragraph per section),
``single`` (headers removed, one paragraph) and ``notes`` (headers removed, lines kept; for
stories written as notes or bullets). Accuracy is character-level over every non-space
character: a character's label is the section that holds it, else ``none``.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "corpus"))

from stories import STAR_LABELS, Span, Story, load_stories  # noqa: E402

V1_CORPUS = HERE / "corpus" / "answers.jsonl"
VARIANTS = ("labelled", "as_written", "paragraphs", "single", "notes")
SECTION_LABELS = set(STAR_LABELS)


@dataclass
class GoldStory:
    """A corpus answer with gold spans (sections, headers, headline, other) and its labels."""

    id: str
    split: str
    origin: str
    text: str
    spans: list[Span]
    form: str
    quality: str
    weak: list[str]
    question: str = ""
    principles: list[str] = field(default_factory=list)
    question_principles: list[str] = field(default_factory=list)
    question_kind: str = "other"
    competencies: list[str] = field(default_factory=list)
    theme: str | None = None
    cross_functional: bool | None = None
    trade: str = ""
    metrics: list[tuple[int, int]] = field(default_factory=list)

    @property
    def sections(self) -> list[Span]:
        """Gold section spans in text order."""
        return [s for s in self.spans if s.label in SECTION_LABELS]

    @property
    def fully_labelled(self) -> bool:
        """Every section sits right after a header."""
        headers = [s for s in self.spans if s.label == "header"]
        if not headers:
            return False
        ends = {h.end for h in headers}
        for s in self.sections:
            gap_ok = any(e <= s.start and not self.text[e : s.start].strip() for e in ends)
            if not gap_ok:
                return False
        return True


def _from_v2(story: Story) -> GoldStory:
    meta = story.meta
    return GoldStory(
        id=story.id,
        split=story.split,
        origin="v2",
        text=story.text,
        spans=list(story.spans),
        form=meta["form"],
        quality=meta["quality"],
        weak=story.tags("weak"),
        question=story.question,
        principles=story.tags("lp"),
        question_principles=list(story.qlp),
        question_kind=story.qkind,
        competencies=story.tags("comp"),
        theme=meta.get("theme"),
        cross_functional=meta.get("xfn") == "yes",
        trade=meta.get("field", ""),
        metrics=list(story.metrics),
    )


_V1_FORM = {"prose": "prose", "bullets": "bullets", "transcript": "transcript"}


def _from_v1(record: dict) -> GoldStory:
    spans = [Span(g["label"], g["start"], g["end"]) for g in record["gold"]]
    return GoldStory(
        id=record["id"],
        split="dev",  # the first corpus was used to tune the first rules: all of it is dev
        origin="v1",
        text=record["text"],
        spans=spans,
        form=_V1_FORM[record["style"]],
        quality=record["quality"],
        weak=list(record["weaknesses"]),
        question=record["question"],
        trade=record["domain"],
        metrics=[tuple(m) for m in record["gold_metrics"]],
    )


def load_gold(include_v1: bool = True) -> list[GoldStory]:
    """Every gold story: the v2 story files, then (optionally) the v1 corpus."""
    out = [_from_v2(s) for s in load_stories()]
    if include_v1 and V1_CORPUS.exists():
        for line in V1_CORPUS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(_from_v1(json.loads(line)))
    return out


# -- rendering variants ---------------------------------------------------------------------------
@dataclass
class Rendered:
    """A rendered variant of a story and its gold spans (section labels only)."""

    id: str
    variant: str
    text: str
    gold: list[tuple[str, int, int]]


_TITLES = {
    "situation": "Situation",
    "task": "Task",
    "action": "Action",
    "result": "Result",
    "reflection": "Reflection",
}
_SYNONYMS = {
    "situation": "Context",
    "task": "Goal",
    "action": "Approach",
    "result": "Outcome",
    "reflection": "Learnings",
}
_LETTERS = {"situation": "S", "task": "T", "action": "A", "result": "R", "reflection": "L"}
_SECONDS = {"situation": 30, "task": 20, "action": 90, "result": 30, "reflection": 20}
_BULLET = re.compile(r"^[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]+", re.MULTILINE)

HEADER_STYLES: dict[str, Callable[[str], tuple[str, str]]] = {
    "colon": lambda lab: (f"{_TITLES[lab]}:\n", "\n\n"),
    "bold": lambda lab: (f"**{_TITLES[lab]}:** ", "\n\n"),
    "markdown": lambda lab: (f"## {_TITLES[lab]}\n\n", "\n\n"),
    "letter": lambda lab: (f"{_LETTERS[lab]}: ", "\n"),
    "letter_dash": lambda lab: (f"{_LETTERS[lab]} - ", "\n"),
    "timed": lambda lab: (f"{_TITLES[lab]} ({_SECONDS[lab]} seconds)\n", "\n\n"),
    "synonyms": lambda lab: (f"{_SYNONYMS[lab]}: ", "\n\n"),
    "numbered": lambda lab: (f"{list(_TITLES).index(lab) + 1}. {_TITLES[lab]} - ", "\n"),
    "inline": lambda lab: (f"{_TITLES[lab]}: ", " "),
    "upper": lambda lab: (f"{_TITLES[lab].upper()}\n", "\n\n"),
    "bold_list": lambda lab: (f"- **{_TITLES[lab]}**: ", "\n"),
}


def header_style_for(story_id: str) -> str:
    """The header style of a story's synthetic labelled variant (fixed per story)."""
    names = sorted(HEADER_STYLES)
    return names[sum(map(ord, story_id)) % len(names)]


def flatten(body: str) -> str:
    """One paragraph from a body: lines (bullets stripped) joined as sentences."""
    lines = [_BULLET.sub("", ln).strip() for ln in body.splitlines() if ln.strip()]
    lines = [ln if ln[-1] in '.!?"”)' else ln + "." for ln in lines]
    return " ".join(lines)


def _pieces(story: GoldStory) -> list[tuple[str, str]]:
    """(label, body) of every non-header span in order; ``none`` for headline and other."""
    out = []
    for s in story.spans:
        if s.label == "header":
            continue
        label = s.label if s.label in SECTION_LABELS else "none"
        out.append((label, story.text[s.start : s.end]))
    return out


def _join(story_id: str, variant: str, parts: Iterable[tuple[str, str, str]]) -> Rendered:
    """Join (label, prefix, body) parts with their separators; gold spans cover the bodies."""
    text, gold = "", []
    for label, prefix, body in parts:
        text += prefix
        if label != "none":
            gold.append((label, len(text), len(text) + len(body)))
        text += body
    return Rendered(story_id, variant, text, gold)


def _as_written(story: GoldStory, keep_headers: bool) -> Rendered:
    text, gold, pos = "", [], 0
    for s in sorted(story.spans, key=lambda x: x.start):
        gap = story.text[pos : s.start]
        if not keep_headers and s.label == "header":
            text += gap
            pos = s.end
            continue
        text += gap
        if s.label in SECTION_LABELS:
            gold.append((s.label, len(text), len(text) + s.end - s.start))
        text += story.text[s.start : s.end]
        pos = s.end
    text += story.text[pos:]
    if not keep_headers:
        # Removing own-line headers leaves blank lines and leading spaces: tidy them, keeping
        # the gold spans exact.
        return _retidy(story.id, "notes", text, gold)
    return Rendered(story.id, "as_written", text, gold)


def _retidy(story_id: str, variant: str, text: str, gold: list[tuple[str, int, int]]) -> Rendered:
    keep = []
    i = 0
    out_index = [0] * (len(text) + 1)
    n = 0
    for i, ch in enumerate(text):
        out_index[i] = n
        drop = False
        if ch in " \t" and (i == 0 or text[i - 1] == "\n"):
            drop = True
        if ch == "\n" and text[i + 1 : i + 3] == "\n\n":
            drop = True
        if not drop:
            keep.append(ch)
            n += 1
    out_index[len(text)] = n
    new = "".join(keep)
    lead = len(new) - len(new.lstrip())
    new = new.strip()
    spans = []
    for label, s, e in gold:
        a, b = out_index[s] - lead, out_index[e] - lead
        spans.append((label, max(a, 0), min(b, len(new))))
    return Rendered(story_id, variant, new, spans)


def variants(story: GoldStory) -> dict[str, Rendered]:
    """Every variant of a story (``notes`` only for note and bullet forms)."""
    pieces = _pieces(story)
    out: dict[str, Rendered] = {}
    if story.fully_labelled:
        out["labelled"] = _as_written(story, keep_headers=True)
        out["labelled"].variant = "labelled"
    else:
        style = HEADER_STYLES[header_style_for(story.id)]
        parts = []
        for i, (label, body) in enumerate(pieces):
            if label == "none":
                parts.append((label, "\n\n" if i else "", body.strip()))
                continue
            prefix, sep = style(label)
            parts.append((label, (sep if i else "") + prefix, body.strip()))
        out["labelled"] = _join(story.id, "labelled", parts)
    out["as_written"] = _as_written(story, keep_headers=True)
    out["paragraphs"] = _join(
        story.id, "paragraphs", [(lab, "\n\n" if i else "", flatten(b)) for i, (lab, b) in
                                 enumerate(pieces)]
    )  # fmt: skip
    out["single"] = _join(
        story.id, "single", [(lab, " " if i else "", flatten(b)) for i, (lab, b) in
                             enumerate(pieces)]
    )  # fmt: skip
    if story.form in ("notes", "bullets", "mixed"):
        out["notes"] = _as_written(story, keep_headers=False)
    return out


# -- scoring --------------------------------------------------------------------------------------
def char_labels(text: str, spans: Iterable[tuple[str, int, int]]) -> list[str]:
    """Label of every character: the span holding it, else ``none``."""
    labels = ["none"] * len(text)
    for label, start, end in spans:
        for i in range(max(start, 0), min(end, len(text))):
            labels[i] = label
    return labels


def char_accuracy(
    text: str, gold: Iterable[tuple[str, int, int]], predicted: Iterable[tuple[str, int, int]]
) -> float:
    """Share of non-space characters whose predicted label equals the gold label."""
    g, p = char_labels(text, gold), char_labels(text, predicted)
    idx = [i for i, c in enumerate(text) if not c.isspace()]
    if not idx:
        return 1.0
    return sum(g[i] == p[i] for i in idx) / len(idx)


POSITION_SHARES = (("situation", 0.18), ("task", 0.12), ("action", 0.52), ("result", 0.18))


def position_baseline(text: str) -> list[tuple[str, int, int]]:
    """Label by position alone: the first 18% of the characters situation, the next 12% task,
    the next 52% action, the rest result."""
    spans, pos, acc = [], 0, 0.0
    n = len(text)
    for label, share in POSITION_SHARES:
        acc += share
        end = n if label == "result" else round(n * acc)
        spans.append((label, pos, end))
        pos = end
    return spans


def predicted_spans(report: object) -> list[tuple[str, int, int]]:
    """(label, start, end) of a report's sections."""
    return [(s.label, s.start, s.end) for s in report.sections]  # type: ignore[attr-defined]


@dataclass
class VariantScore:
    """Accuracy of one rendered variant, with the position baseline on the same text."""

    id: str
    split: str
    variant: str
    accuracy: float
    baseline: float


def score_sections(
    analyze_many: Callable[[list[str]], Iterable[object]],
    stories: list[GoldStory],
    wanted: Iterable[str] = VARIANTS,
) -> list[VariantScore]:
    """Section accuracy (and the position baseline) of every variant of every story."""
    rendered = [
        (story, r) for story in stories for name, r in variants(story).items() if name in wanted
    ]
    reports = analyze_many([r.text for _, r in rendered])
    out = []
    for (story, r), report in zip(rendered, reports, strict=True):
        acc = char_accuracy(r.text, r.gold, predicted_spans(report))
        base = char_accuracy(r.text, r.gold, position_baseline(r.text))
        out.append(VariantScore(story.id, story.split, r.variant, acc, base))
    return out


# -- red-flag sentences placed in answers ---------------------------------------------------------
_CLOSERS = '.!?"”)'
"""Characters that close a sentence (a sentence ending otherwise is a note or runs on)."""


def insert_sentence(story: GoldStory, sentence: str, section: str) -> tuple[str, int, int]:
    """Put ``sentence`` at the end of ``story``'s first ``section`` (else the end of the text).

    Returns the new text and the sentence's (start, end) in it.
    """
    target = next((s for s in story.sections if s.label == section), None)
    if target is None:
        target = next((s for s in story.sections if s.label == "result"), None)
    at = target.end if target is not None else len(story.text.rstrip())
    before, rest = story.text[:at], story.text[at:]
    if _note_like(sentence):
        # A note (no closing stop, a lower-case start or a bullet) goes on a line of its own, as
        # a candidate writes one; run into the prose it would merge with its neighbours.
        glue = "" if not before or before.endswith("\n") else "\n"
        if rest and not rest.startswith("\n"):
            rest = "\n" + rest.lstrip(" ")
    else:
        glue = " " if before and before[-1] in _CLOSERS else ". "
    text = before + glue + sentence + rest
    start = len(before) + len(glue)
    return text, start, start + len(sentence)


def _note_like(sentence: str) -> bool:
    """Whether a sentence is written as a note: no closing stop, a lower-case start or a bullet."""
    s = sentence.strip()
    return bool(s) and (s[-1] not in _CLOSERS or s[0].islower() or s[0] in "-*•")


def hosts_for(stories: list[GoldStory], split: str) -> list[GoldStory]:
    """Strong v2 answers of a split, sorted by id: the answers flag sentences are placed in."""
    return sorted(
        (s for s in stories if s.split == split and s.origin == "v2" and s.quality == "strong"),
        key=lambda s: s.id,
    )


def place_flags(
    flags: list, hosts: list[GoldStory]
) -> list[tuple[object, GoldStory, str, int, int]]:
    """Each flag sentence in a host answer (hosts taken in turn): (flag, host, text, start, end)."""
    out = []
    for i, flag in enumerate(flags):
        host = hosts[(i * 7) % len(hosts)]
        text, start, end = insert_sentence(host, flag.text, flag.section)
        out.append((flag, host, text, start, end))
    return out


# -- weakened variants, for score validity --------------------------------------------------------
BLAME_SENTENCES = (
    "To be honest the other team had left everything in a state and never documented a thing.",
    "It was their fault we were late, not mine.",
)
_FIRST_PERSON_TO_WE = {
    "i": "we",
    "my": "our",
    "me": "us",
    "myself": "ourselves",
    "mine": "ours",
    "i'm": "we're",
    "i've": "we've",
    "i'd": "we'd",
    "i'll": "we'll",
}


@functools.cache
def _default_analyzer() -> Any:
    from staranalyzer import Analyzer

    return Analyzer()


def _implied_subject_starts(text: str) -> list[int]:
    """Where ``text`` opens a note with a past verb and no subject (the default rubric's rule)."""
    from staranalyzer.answer import parse_answer, safe_text
    from staranalyzer.detectors.structure import ImpliedSubject

    analyzer = _default_analyzer()
    rule = next(r for r in analyzer.rubric.rules if r.id == "ownership.action_we")
    clean = safe_text(text)
    doc = analyzer.nlp(clean)
    implied = ImpliedSubject.compile(rule, doc.vocab.strings)
    return implied.starts(parse_answer(text, clean, doc), 0, len(text))


def we_only(text: str) -> str:
    """The text retold with "we" for "I" (and "our" for "my"...).

    Notes that drop their subject ("- rang the stores; redid the floor plan") mean "I": each
    such clause gets an explicit "we" ("- we rang the stores; we redid the floor plan").
    """
    starts = _implied_subject_starts(text)
    text = _replace_spans(text, [(k, k + 1, "we " + text[k].lower()) for k in starts])

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        new = _FIRST_PERSON_TO_WE[word.lower().replace("’", "'")]
        return new.capitalize() if word[0].isupper() and word != "I" else new

    out = re.sub(r"\b(?:I|I'm|I've|I'd|I'll|[Mm]y|[Mm]e|[Mm]yself|[Mm]ine)\b", swap, text)
    return re.sub(r"(^|[.!?]\s+|\n\s*[-*]?\s*)we\b", lambda m: m.group(1) + "We", out)


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    m = re.search(r"[.!?](?=\s+[A-Z\"“-])", flat)
    return flat[: m.end()] if m else flat


def _replace_spans(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def degrade(story: GoldStory) -> dict[str, str]:
    """Six weakened texts of a story (a variant that would equal the original is not made).

    ``no_numbers`` (every gold metric in the Result replaced by "much"), ``no_result`` (the
    Result removed), ``blame`` (two blaming sentences added to the Action), ``long_situation``
    (the Situation told four times), ``we_action`` (the Action retold with "we") and
    ``thin_action`` (the Action cut to its first sentence).
    """
    text, secs = story.text, story.sections
    out: dict[str, str] = {}
    results = [s for s in secs if s.label == "result"]
    actions = [s for s in secs if s.label == "action"]
    situations = [s for s in secs if s.label == "situation"]
    in_result = [(a, b) for a, b in story.metrics if any(r.start <= a < r.end for r in results)]
    if in_result:
        out["no_numbers"] = _replace_spans(text, [(a, b, "much") for a, b in in_result])
    if results:
        out["no_result"] = _replace_spans(text, [(r.start, r.end, "") for r in results])
    if actions:
        last = actions[-1]
        body = text[last.start : last.end]
        out["blame"] = _replace_spans(
            text, [(last.start, last.end, body + " " + " ".join(BLAME_SENTENCES))]
        )
        edits = [(a.start, a.end, we_only(text[a.start : a.end])) for a in actions]
        changed = _replace_spans(text, edits)
        if changed != text:
            out["we_action"] = changed
        first = actions[0]
        thin = _first_sentence(text[first.start : first.end])
        edits = [(first.start, first.end, thin)] + [(a.start, a.end, "") for a in actions[1:]]
        changed = _replace_spans(text, edits)
        if " ".join(changed.split()) != " ".join(text.split()):
            out["thin_action"] = changed
    if situations:
        s = situations[0]
        body = text[s.start : s.end]
        out["long_situation"] = _replace_spans(text, [(s.start, s.end, " ".join([body] * 4))])
    return out


PRINCIPLE_IDS = {
    "CO": "customer_obsession",
    "OW": "ownership",
    "IS": "invent_and_simplify",
    "RL": "are_right_a_lot",
    "LC": "learn_and_be_curious",
    "HD": "hire_and_develop",
    "HS": "highest_standards",
    "TB": "think_big",
    "BA": "bias_for_action",
    "FR": "frugality",
    "ET": "earn_trust",
    "DD": "dive_deep",
    "HB": "backbone",
    "DR": "deliver_results",
    "EB": "best_employer",
    "SS": "success_and_scale",
}
"""Corpus principle codes -> amazon rubrics' principle ids."""


def story_labels(story: GoldStory, rubric_name: str) -> tuple[str, ...]:
    """A story's gold principles (amazon rubrics) or competencies (default)."""
    if rubric_name == "default":
        return tuple(story.competencies)
    return tuple(PRINCIPLE_IDS[c] for c in story.principles if c in PRINCIPLE_IDS)


def principle_figures(
    stories: list[GoldStory], reports: list, kind: str, frequent: list[str]
) -> tuple[float, float, float, float]:
    """(recall@3, precision@1, baseline recall@3, baseline precision@1) of ranked principles.

    recall@3: the share of a story's gold principles among its top three, averaged; precision@1:
    how often the top one is a gold principle; the baseline always answers ``frequent`` (the
    three most frequent principles of the dev stories).
    """
    r3 = p1 = b3 = b1 = 0.0
    for story, report in zip(stories, reports, strict=True):
        labels = set(story_labels(story, kind))
        top = [p.id for p in report.principles[:3]]
        r3 += len(labels & set(top)) / len(labels)
        p1 += top[0] in labels
        b3 += len(labels & set(frequent)) / len(labels)
        b1 += frequent[0] in labels
    n = max(len(stories), 1)
    return r3 / n, p1 / n, b3 / n, b1 / n
