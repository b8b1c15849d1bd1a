"""The v1 corpus (sections stored apart): its model, rendering and degraded variants.

Kept for ``build.py`` (answers*.txt -> answers.jsonl) and the score-validity check.

A corpus answer is stored as its sections (label and body text). From one answer three variants
are rendered, each with exact gold spans: ``labelled`` (with section headers, in one of several
header styles), ``paragraphs`` (no headers, one paragraph per section) and ``single`` (no headers,
one paragraph). Accuracy is character-level over every non-space character of the text: a
character's label is the section that contains it, or ``none`` (headers, the space between).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from staranalyzer.vocabulary import Label

Variant = Literal["labelled", "paragraphs", "single"]
VARIANTS: tuple[Variant, ...] = ("labelled", "paragraphs", "single")


class CorpusSection(BaseModel):
    """One gold section of a corpus answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: Label
    text: str = Field(min_length=1)
    metrics: list[tuple[int, int]] = Field(default_factory=list)
    """Gold metric spans, relative to ``text``."""


class GoldSpan(BaseModel):
    """A gold section span in a rendered text."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: Label
    start: int
    end: int


class CorpusAnswer(BaseModel):
    """One labelled answer of the corpus."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    domain: str
    quality: Literal["strong", "weak"]
    style: Literal["prose", "bullets", "transcript"]
    weaknesses: list[str] = Field(default_factory=list)
    split: Literal["dev", "heldout"] = "dev"
    """``dev`` answers were used to tune the cues; ``heldout`` answers never were."""
    question: str
    sections: list[CorpusSection] = Field(min_length=1)
    text: str = ""
    """The ``paragraphs`` variant, stored for readers of the file."""
    gold: list[GoldSpan] = Field(default_factory=list)
    """Gold spans of ``text``."""
    gold_metrics: list[tuple[int, int]] = Field(default_factory=list)
    """Gold metric spans in ``text`` (a before/after pair is one span)."""

    @property
    def words(self) -> int:
        """Number of words in the answer's sections."""
        return sum(len(s.text.split()) for s in self.sections)


class Rendered(BaseModel):
    """A rendered variant of a corpus answer and its gold spans."""

    model_config = ConfigDict(frozen=True)
    id: str
    variant: Variant
    text: str
    gold: list[GoldSpan]


def load_corpus(path: str | Path) -> list[CorpusAnswer]:
    """Read a corpus JSONL file (one :class:`CorpusAnswer` per line)."""
    answers = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                answers.append(CorpusAnswer.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from None
    return answers


_TITLES: dict[str, str] = {
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
_BULLET = re.compile(r"^[ \t]*[-*•][ \t]+", re.MULTILINE)


def _flatten(body: str) -> str:
    """One paragraph from a body: bullets become sentences joined by spaces."""
    lines = [_BULLET.sub("", ln).strip() for ln in body.splitlines() if ln.strip()]
    lines = [ln if ln[-1] in '.!?"”' else ln + "." for ln in lines]
    return " ".join(lines)


HeaderStyle = Callable[[str], tuple[str, str, str]]
"""label -> (text before the body, text after the body, separator to the next section)."""

HEADER_STYLES: dict[str, HeaderStyle] = {
    "colon": lambda lab: (f"{_TITLES[lab]}:\n", "", "\n\n"),
    "bold": lambda lab: (f"**{_TITLES[lab]}:** ", "", "\n\n"),
    "markdown": lambda lab: (f"## {_TITLES[lab]}\n\n", "", "\n\n"),
    "letter": lambda lab: (f"{_LETTERS[lab]}: ", "", "\n"),
    "timed": lambda lab: (f'{_TITLES[lab]} ({_SECONDS[lab]} seconds)\n"', '"', "\n\n"),
    "synonyms": lambda lab: (f"{_SYNONYMS[lab]}: ", "", "\n\n"),
    "numbered": lambda lab: (
        f"{['situation', 'task', 'action', 'result', 'reflection'].index(lab) + 1}. "
        f"{_TITLES[lab]} - ",
        "",
        "\n",
    ),
    "inline": lambda lab: (f"{_TITLES[lab]}: ", "", " "),
    "upper": lambda lab: (f"{_TITLES[lab].upper()}\n", "", "\n\n"),
    "bold_line": lambda lab: (f"**{_TITLES[lab]}**\n", "", "\n\n"),
}


def header_style_for(answer_id: str) -> str:
    """Return the header style of an answer's labelled variant (fixed per answer, spread evenly)."""
    names = sorted(HEADER_STYLES)
    return names[sum(map(ord, answer_id)) % len(names)]


def render(answer: CorpusAnswer, variant: Variant, style: str | None = None) -> Rendered:
    """Render one variant of ``answer`` with exact gold spans.

    Args:
        answer: the corpus answer.
        variant: ``labelled``, ``paragraphs`` or ``single``.
        style: for ``labelled``, a key of :data:`HEADER_STYLES` (default: the answer's own).

    """
    parts: list[str] = []
    gold: list[GoldSpan] = []
    pos = 0
    style_name = style or header_style_for(answer.id)
    single = variant == "single" or (variant == "labelled" and style_name == "inline")
    for i, section in enumerate(answer.sections):
        body = _flatten(section.text) if single else section.text.strip()
        before, after, sep = "", "", "\n\n"
        if variant == "labelled":
            before, after, sep = HEADER_STYLES[style_name](section.label)
        elif single:
            sep = " "
        if i:
            parts.append(sep)
            pos += len(sep)
        parts.append(before)
        pos += len(before)
        gold.append(GoldSpan(label=section.label, start=pos, end=pos + len(body)))
        parts.append(body + after)
        pos += len(body) + len(after)
    return Rendered(id=answer.id, variant=variant, text="".join(parts), gold=gold)


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


class SectionScore(BaseModel):
    """Character accuracy of one rendered variant."""

    model_config = ConfigDict(frozen=True)
    id: str
    variant: Variant
    accuracy: float


def score_sections(
    analyze_many: Callable[[list[str]], Iterable], answers: list[CorpusAnswer]
) -> list[SectionScore]:
    """Section accuracy of every variant of every answer.

    Args:
        analyze_many: ``Analyzer.analyze_many`` or any callable mapping texts to reports.
        answers: the corpus.

    """
    rendered = [render(a, v) for a in answers for v in VARIANTS]
    reports = analyze_many([r.text for r in rendered])
    scores = []
    for r, report in zip(rendered, reports, strict=False):
        gold = [(g.label, g.start, g.end) for g in r.gold]
        pred = [(s.label, s.start, s.end) for s in report.sections]
        scores.append(
            SectionScore(id=r.id, variant=r.variant, accuracy=char_accuracy(r.text, gold, pred))
        )
    return scores


class SpanMatch(BaseModel):
    """Precision and recall of predicted spans against gold spans (one-to-one, by overlap)."""

    model_config = ConfigDict(frozen=True)
    true_positives: int
    false_positives: list[tuple[str, str]]
    """(answer id, predicted text) that overlap no unmatched gold span."""
    false_negatives: list[tuple[str, str]]
    """(answer id, gold text) that no prediction overlaps."""

    @property
    def precision(self) -> float:
        """Share of predictions that match a gold span."""
        predicted = self.true_positives + len(self.false_positives)
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of gold spans that a prediction matches."""
        gold = self.true_positives + len(self.false_negatives)
        return self.true_positives / gold if gold else 1.0


def match_spans(
    items: Iterable[tuple[str, str, list[tuple[int, int]], list[tuple[int, int]]]],
) -> SpanMatch:
    """Match predicted to gold spans per text: each gold span takes at most one prediction.

    Args:
        items: (id, text, gold spans, predicted spans) per text.

    """
    tp, fps, fns = 0, [], []
    for item_id, text, gold, predicted in items:
        used: set[int] = set()
        for ps, pe in predicted:
            hit = next(
                (i for i, (gs, ge) in enumerate(gold) if i not in used and ps < ge and gs < pe),
                None,
            )
            if hit is None:
                fps.append((item_id, text[ps:pe]))
            else:
                used.add(hit)
                tp += 1
        fns.extend((item_id, text[gs:ge]) for i, (gs, ge) in enumerate(gold) if i not in used)
    return SpanMatch(true_positives=tp, false_positives=fps, false_negatives=fns)


TAG_CATEGORIES = {
    "blame": "blame",
    "sole_credit": "sole_credit",
    "vague": "vague",
    "hedging": "hedging",
    "we_only": "ownership",
    "filler": "filler",
    "overreach_l6": "overreach",
}
"""Corpus weakness tags that name a finding category."""
STRUCTURE = ("situation", "task", "action", "result")
FLAG_CATEGORIES = (
    "blame",
    "sole_credit",
    "vague",
    "hedging",
    "ownership",
    "filler",
    "missing_section",
    "no_metrics",
)
"""Finding categories measured on the whole corpus (overreach is measured under amazon-l6)."""


def gold_categories(answer: CorpusAnswer) -> set[str]:
    """Return the finding categories an answer should trigger (from its tags and gold spans).

    ``missing_section`` when a STAR section is absent; ``no_metrics`` when the Result holds no
    gold metric; ``filler`` for every spoken transcript; the rest from the weakness tags.
    """
    cats = {TAG_CATEGORIES[t] for t in answer.weaknesses if t in TAG_CATEGORIES}
    labels = {s.label for s in answer.sections}
    if not set(STRUCTURE) <= labels:
        cats.add("missing_section")
    result = next((g for g in answer.gold if g.label == "result"), None)
    if result is not None and not any(
        result.start <= s < result.end for s, _ in answer.gold_metrics
    ):
        cats.add("no_metrics")
    if answer.style == "transcript":
        cats.add("filler")
    return cats


class CategoryScore(BaseModel):
    """How one finding category does on the corpus (answer level)."""

    model_config = ConfigDict(frozen=True)
    category: str
    expected: int
    """Answers that should trigger it."""
    caught: int
    """Of those, answers that did."""
    false_alarms: int
    """Answers that should not trigger it but did."""
    others: int
    """Answers that should not trigger it."""
    missed: list[str] = Field(default_factory=list)
    wrongly_flagged: list[str] = Field(default_factory=list)

    @property
    def recall(self) -> float:
        """Share of answers that should trigger the category and do."""
        return self.caught / self.expected if self.expected else 1.0


def score_categories(
    answers: list[CorpusAnswer], reports: list, categories: Iterable[str]
) -> list[CategoryScore]:
    """Answer-level recall and false alarms of finding categories."""
    rows = []
    for cat in categories:
        exp = caught = fa = others = 0
        missed, wrong = [], []
        for answer, report in zip(answers, reports, strict=True):
            fired = any(f.category == cat for f in report.findings)
            if cat in gold_categories(answer):
                exp += 1
                caught += fired
                if not fired:
                    missed.append(answer.id)
            else:
                others += 1
                fa += fired
                if fired:
                    wrong.append(answer.id)
        rows.append(
            CategoryScore(
                category=cat,
                expected=exp,
                caught=caught,
                false_alarms=fa,
                others=others,
                missed=missed,
                wrongly_flagged=wrong,
            )
        )
    return rows


BLAME_SENTENCES = (
    "The previous team had left everything in a terrible state and never documented anything.",
    "Honestly, the other team was no help at all, so it was their fault we were late.",
)
_I_TO_WE = {
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


def _we_only(text: str) -> str:
    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        new = _I_TO_WE[word.lower()]
        return new.capitalize() if word[0].isupper() and (m.start() == 0 or word != "I") else new

    out = re.sub(r"\b(?:I|I'm|I've|I'd|I'll|[Mm]y|[Mm]e|[Mm]yself|[Mm]ine)\b", swap, text)
    # "I" starting a sentence becomes "We"; elsewhere "we".
    return re.sub(r"(^|[.!?]\s+)we\b", lambda m: m.group(1) + "We", out)


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    m = re.search(r"[.!?](?=\s+[A-Z\"“-])", flat)
    return flat[: m.end()] if m else flat


def degrade(answer: CorpusAnswer) -> dict[str, CorpusAnswer]:
    """Six weakened variants of an answer, for checking that the score punishes each weakness.

    ``no_numbers`` (metrics in the Result replaced by "a lot"), ``no_result``, ``blame`` (two
    blaming sentences added to the Action), ``long_situation`` (the Situation told four times),
    ``we_action`` (the Action retold with "we" only) and ``thin_action`` (the Action cut to its
    first sentence).
    """

    def with_sections(sections: list[CorpusSection]) -> CorpusAnswer:
        return answer.model_copy(update={"sections": sections, "text": "", "gold": []})

    secs = list(answer.sections)
    variants: dict[str, CorpusAnswer] = {}

    def replace(label: str, new_text: str) -> list[CorpusSection]:
        return [
            CorpusSection(label=s.label, text=new_text) if s.label == label else s for s in secs
        ]

    result = next((s for s in secs if s.label == "result"), None)
    action = next((s for s in secs if s.label == "action"), None)
    situation = next((s for s in secs if s.label == "situation"), None)
    if result is not None and result.metrics:
        body = result.text
        for start, end in sorted(result.metrics, reverse=True):
            body = body[:start] + "a lot" + body[end:]
        variants["no_numbers"] = with_sections(replace("result", body))
    if result is not None:
        variants["no_result"] = with_sections([s for s in secs if s.label != "result"])
    if action is not None:
        variants["blame"] = with_sections(
            replace("action", action.text + " " + " ".join(BLAME_SENTENCES))
        )
        variants["we_action"] = with_sections(replace("action", _we_only(action.text)))
        first = _first_sentence(action.text)
        if first != " ".join(action.text.split()):
            variants["thin_action"] = with_sections(replace("action", first))
    if situation is not None:
        variants["long_situation"] = with_sections(
            replace("situation", "\n\n".join([situation.text] * 4))
        )
    return variants


def roc_auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))
