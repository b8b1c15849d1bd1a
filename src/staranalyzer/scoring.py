"""Scoring: proportions, speaking time, text statistics, the explained score, follow-up questions.

Everything here is a pure function of typed records (sections, metrics, findings) and the rubric,
so the same input and rubric give the same numbers. Every point lost is a deduction naming the
rubric's deduction id, the points and the finding (or condition) behind it.
"""

from __future__ import annotations

import gzip
import importlib.resources
import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import numpy as np

from .gcpause import paused_gc
from .models import (
    Deduction,
    DimensionScore,
    Finding,
    FollowUpQuestion,
    LevelAssessment,
    Metric,
    ScopeCue,
    Section,
    SectionProportion,
    TextStats,
    TimingCheck,
)
from .rubric import Rubric, Timing
from .vocabulary import DIMENSIONS, STAR, matches_prefix

_LETTER_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def speaking_seconds(words: int, timing: Timing) -> float:
    """Seconds it takes to say ``words`` at the rubric's speaking rate."""
    return round(words * 60.0 / timing.words_per_minute, 1)


def proportions(sections: Sequence[Section], timing: Timing) -> list[SectionProportion]:
    """One row per STAR section: words, seconds, share, target share and status.

    Shares are of the STAR sections' words (a reflection is outside them); targets come from the
    rubric's seconds per section. Status is ``missing``, ``short``, ``long`` or ``ok``; answers
    under ``timing.min_words`` are not judged short or long.
    """
    words = dict.fromkeys(STAR, 0)
    present = set()
    for s in sections:
        if s.label in words:
            words[s.label] += s.words
            present.add(s.label)
    total = sum(words.values())
    targets = timing.target_shares()
    rows = []
    for label in STAR:
        share = words[label] / total if total else 0.0
        target = targets[label]
        if label not in present:
            status = "missing"
        elif total < timing.min_words:
            status = "ok"
        elif share < target * (1 - timing.share_tolerance):
            status = "short"
        elif share > target * (1 + timing.share_tolerance):
            status = "long"
        else:
            status = "ok"
        rows.append(
            SectionProportion.build(
                label=label,
                words=words[label],
                seconds=speaking_seconds(words[label], timing),
                share=round(share, 4),
                target=round(target, 4),
                status=status,
            )
        )
    return rows


def timing_check(words: int, timing: Timing) -> TimingCheck:
    """Check the whole answer's speaking time against the rubric's window."""
    seconds = speaking_seconds(words, timing)
    low, high = timing.total_seconds
    status = "short" if seconds < low else "long" if seconds > high else "ok"
    return TimingCheck.build(value=seconds, target=(low, high), status=status)


_Patterns = dict[str, list]


class SortedCounts:
    """A word -> count table read from sorted ``word count`` lines by bisection.

    Building a dict of the 49,000 words took about 20 ms of every start-up; bisecting the text
    finds a word in 16 steps, and :func:`syllables` caches each word's answer.

    Args:
        text: ``word count`` lines, one per word, sorted by word (``tools/build_syllables.py``).

    """

    def __init__(self, text: str) -> None:
        if not text.isascii():
            raise ValueError("the table must be ASCII")  # offsets are byte offsets
        self.text = text
        after = np.flatnonzero(np.frombuffer(text.encode("ascii"), dtype=np.uint8) == 10) + 1
        self.starts: list[int] = [0, *after[after < len(text)].tolist()] if text else []

    def __len__(self) -> int:
        return len(self.starts)

    def _word_at(self, start: int) -> str:
        return self.text[start : self.text.find(" ", start)]

    def get(self, word: str) -> int | None:
        """The word's count, or None when the table does not hold it."""
        i = bisect_left(self.starts, word, key=self._word_at)
        if i == len(self.starts) or self._word_at(self.starts[i]) != word:
            return None
        start = self.starts[i] + len(word) + 1
        end = self.text.find("\n", start)
        return int(self.text[start : end if end >= 0 else None])

    def items(self) -> Iterator[tuple[str, int]]:
        """Every (word, count), in order."""
        for line in self.text.splitlines():
            word, count = line.split(" ")
            yield word, int(count)


@lru_cache(maxsize=1)
def _syllable_data() -> tuple[SortedCounts, _Patterns, int]:
    """The CMU exceptions table, and pyphen's en_US patterns with their longest length."""
    with paused_gc():  # long-lived tables: see gcpause
        return _read_syllable_data()


def _read_syllable_data() -> tuple[SortedCounts, _Patterns, int]:
    data = importlib.resources.files("staranalyzer") / "data"
    raw = gzip.decompress((data / "syllables.txt.gz").read_bytes()).decode()
    table = SortedCounts(raw.split("\n", 1)[1])  # after the comment line
    hyph = json.loads(gzip.decompress((data / "hyphenation-en_US.json.gz").read_bytes()))
    return table, hyph["patterns"], int(hyph["maxlen"])


def _hyphen_points(word: str, patterns: _Patterns, maxlen: int) -> int:
    """Hyphenation points of ``word`` by pyphen's algorithm (Liang's patterns).

    Two letters are kept at each end, as pyphen's defaults do; the patterns are those
    ``tools/build_hyphenation.py`` exports.
    """
    pointed = f".{word}."
    size = len(pointed)
    refs = [0] * (size + 1)
    for i in range(size - 1):
        for j in range(i + 1, min(i + maxlen, size) + 1):
            found = patterns.get(pointed[i:j])
            if found is None:
                continue
            offset, values = found
            at = i + offset
            for k, value in enumerate(values[: size + 1 - at]):
                if value > refs[at + k]:
                    refs[at + k] = value
    right = len(word) - 2
    return sum(1 for i, ref in enumerate(refs) if ref % 2 and 2 <= i - 1 <= right)


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables in one lower-case word, by textstat's rule: the CMU dictionary, else pyphen.

    The CMU counts ship precompiled (``data/syllables.txt.gz``, only where they differ from the
    pyphen estimate), so the 70 MB dictionary is never loaded, and so do pyphen's en_US patterns
    (``data/hyphenation-en_US.json.gz``), so its pattern file is not parsed at every start;
    ``tests/test_scoring.py`` checks the result against ``textstat.syllable_count`` and pyphen.
    """
    table, patterns, maxlen = _syllable_data()
    count = table.get(word)
    if count is None:
        count = _hyphen_points(word, patterns, maxlen) + 1
    return max(1, count)


def letters_and_syllables(text: str) -> tuple[int, int]:
    """Letter-words in ``text`` and their syllables (textstat's rule), for the Flesch formulas."""
    words = _LETTER_WORD.findall(text.lower())
    return len(words), sum(map(syllables, words))


def text_stats(words: int, sentences: int, letters: int, syl: int, timing: Timing) -> TextStats:
    """Words, sentences, speaking time and readability (Flesch reading ease, grade level).

    The Flesch formulas as textstat applies them, on the words and sentences staranalyzer
    counted and syllables by textstat's rule (:func:`letters_and_syllables`).
    """
    ease = grade = None
    if letters and words:
        per_sentence = words / max(sentences, 1)
        per_word = syl / letters
        ease = round(206.835 - 1.015 * per_sentence - 84.6 * per_word, 1)
        grade = round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1)
    return TextStats.build(
        words=words,
        sentences=sentences,
        seconds=speaking_seconds(words, timing),
        reading_ease=ease,
        grade=grade,
    )


def is_outcome(metric: Metric) -> bool:
    """Is a metric outcome evidence (anything but a count of things)?

    "Two major features" is not; a count that says what changed, a bare measured figure ("back
    to 22"), a bound ("under 25") or zero is.
    """
    if metric.kind != "count":
        return True
    return (
        metric.direction is not None
        or metric.value == 0
        or metric.unit is None
        or metric.approximate
    )


def conditions(
    text: str,
    sections: Sequence[Section],
    metrics: Sequence[Metric],
    cues: Sequence[ScopeCue],
    level: LevelAssessment,
    timing: TimingCheck,
    rubric: Rubric,
    rows: Sequence[SectionProportion] = (),
) -> dict[str, str]:
    """Whole-answer conditions that hold, each with the reason shown to the user."""
    held: dict[str, str] = {}
    share = {r.label: r for r in rows}
    action, situation = share.get("action"), share.get("situation")
    limits = rubric.scoring
    if (
        action is not None
        and action.status != "missing"
        and action.share < action.target * limits.action_thin_under
    ):
        held["action_thin"] = (
            f"The Action is {action.share:.0%} of the answer, under "
            f"{limits.action_thin_under:.0%} of its target of {action.target:.0%}: say more "
            "about what you did."
        )
    if situation is not None:
        if situation.share > situation.target * limits.situation_long_over:
            held["situation_long"] = (
                f"The Situation is {situation.share:.0%} of the answer against a target of "
                f"{situation.target:.0%}: cut the background to what the story needs."
            )
        if situation.share > situation.target * limits.situation_dominant_over:
            held["situation_dominant"] = (
                f"The Situation takes {situation.share:.0%} of the answer, more than the Action "
                "and Result can afford: the story is mostly background."
            )
    in_result = [m for m in metrics if m.section == "result" and is_outcome(m)]
    if len(in_result) == 1:
        held["result_one_metric"] = (
            "The Result has a single number; a second (a before and after, a cost, a time) "
            "makes it convincing."
        )
    labels = {s.label for s in sections}
    if "result" in labels and not any(m.section == "result" for m in metrics):
        held["result_no_number"] = "The Result holds no number at all, not even a count."
    if not metrics:
        held["no_metrics_anywhere"] = "The answer has no number at all."
    if not cues:
        held["no_scope_cues"] = "The answer never says how big the team, budget or audience was."
    if level.verdict == "under":
        held["level_under"] = (
            f"The scope reads as {level.suggested}, below the {level.expected} expected."
        )
    if timing.status in ("short", "long"):
        low, high = timing.target
        held[f"timing_{timing.status}"] = (
            f"About {timing.value:.0f} s spoken; aim for {low:.0f}-{high:.0f} s."
        )
    elif situation is not None and (
        (story := _story_seconds(timing, rows, situation)) < timing.target[0]
    ):
        # Background past the Situation's share does not make a short story long enough.
        held["timing_short"] = (
            f"About {timing.value:.0f} s spoken, but only about {story:.0f} s without the "
            f"background beyond the Situation's share; aim for {timing.target[0]:.0f}-"
            f"{timing.target[1]:.0f} s of story."
        )
    actions = [s for s in sections if s.label == "action"]
    if actions and sum(s.sentences for s in actions) == 1 and len(sections) >= 3:
        held["action_single_sentence"] = "The Action is a single sentence."
    lowered = text.lower()
    if "reflection" not in labels and any(p.lower() in lowered for p in rubric.failure_phrases):
        held["failure_without_reflection"] = "A story of failure that never says what was learned."
    return held


def measures(
    rows: Sequence[SectionProportion], metrics: Sequence[Metric] = ()
) -> dict[str, tuple[float, str]]:
    """Whole-answer measures (0-1) a deduction can scale with, each with its reason.

    ``share_distance``: how far the STAR sections' shares are from their target shares (total
    variation distance: the share that would have to move; 0 on target, 1 at most). Unlike the
    per-section limits it moves with every change: a Situation told twice as long always costs
    more.

    ``result_numbers`` and ``outcome_numbers``: ``1 / (1 + n)``, with ``n`` the distinct
    figures in the Result and the distinct outcome figures anywhere in the answer
    (:func:`is_outcome`; a figure said twice is one). Every number taken out of an answer costs
    something, with diminishing returns: 1 with none, 0.5 with one, 0.25 with three.
    """
    out: dict[str, tuple[float, str]] = {}
    in_result = len(_distinct(m for m in metrics if m.section == "result"))
    outcomes = len(_distinct(m for m in metrics if is_outcome(m)))
    out["result_numbers"] = (
        1 / (1 + in_result),
        f"The Result holds {_numbers(in_result)}: each further measured fact (a baseline, "
        "a cost, a time) makes the outcome more convincing.",
    )
    out["outcome_numbers"] = (
        1 / (1 + outcomes),
        f"The answer measures a change or an amount with {_numbers(outcomes)}: each further "
        "one is more evidence of impact.",
    )
    if not rows or not any(r.words for r in rows):
        return out
    distance = sum(max(0.0, r.share - r.target) for r in rows)
    shares = " / ".join(f"{r.share:.0%}" for r in rows)
    targets = " / ".join(f"{r.target:.0%}" for r in rows)
    reason = (
        f"Section shares (S / T / A / R) {shares} against targets {targets}: "
        f"{distance:.0%} of the answer is in the wrong place."
    )
    out["share_distance"] = (min(1.0, distance), reason)
    return out


def _story_seconds(
    timing: TimingCheck, rows: Sequence[SectionProportion], situation: SectionProportion
) -> float:
    """The answer's speaking time with the Situation counted at most at its target share."""
    words = sum(r.words for r in rows)
    if not words:
        return timing.value
    excess = max(0.0, situation.words - situation.target * words)
    return timing.value * (words - excess) / words


def _distinct(metrics: Iterable[Metric]) -> set[tuple[object, ...]]:
    """Metrics as facts: a figure said again ("40 %" in the Situation and the Result) is one."""
    return {
        (m.kind, m.value, m.unit, m.before, m.after) if m.value is not None
        else (m.kind, m.text.lower())
        for m in metrics
    }  # fmt: skip


def _numbers(n: int) -> str:
    return "no number" if n == 0 else "one number" if n == 1 else f"{n} numbers"


def _matching(rule_id_prefix: str | None, category: str | None, section: str | None,
              severity: str | None, findings: Sequence[Finding]) -> list[Finding]:  # fmt: skip
    return [
        f
        for f in findings
        if (category is None or f.category == category)
        and (rule_id_prefix is None or matches_prefix(f.rule, rule_id_prefix))
        and (section is None or f.section == section)
        and (severity is None or f.severity == severity)
    ]


def score(
    findings: Sequence[Finding],
    held: dict[str, str],
    rubric: Rubric,
    measured: dict[str, tuple[float, str]] | None = None,
) -> tuple[list[DimensionScore], float, str]:
    """Dimension scores (100 minus deductions, floored at 0), the weighted total and a verdict.

    ``held``: the conditions that hold, with their reasons (:func:`conditions`); ``measured``:
    the whole-answer measures, with theirs (:func:`measures`).
    """
    sc = rubric.scoring
    lost: dict[str, list[Deduction]] = {d: [] for d in DIMENSIONS}
    for rule in sc.deductions:
        spent = 0.0
        if rule.measure is not None:
            value, why = (measured or {}).get(rule.measure, (0.0, ""))
            points = round(rule.points * value, 1)
            if points > 0:
                lost[rule.dimension].append(
                    Deduction.build(id=rule.id, points=points, reason=rule.reason or why)
                )
            continue
        if rule.condition is not None:
            matched: list[tuple[Finding | None, str]] = (
                [(None, held[rule.condition])] if rule.condition in held else []
            )
        else:
            hits = _matching(rule.rule, rule.category, rule.section, rule.severity, findings)
            matched = [(f, f.message) for f in hits]
        for finding, reason in matched:
            points = rule.points
            if rule.max_points is not None:
                points = min(points, rule.max_points - spent)
            if points <= 0:
                break
            spent += points
            lost[rule.dimension].append(
                Deduction.build(
                    id=rule.id,
                    points=points,
                    reason=rule.reason or reason,
                    rule=finding.rule if finding else None,
                    start=finding.start if finding else None,
                    end=finding.end if finding else None,
                )
            )
    dims = [
        DimensionScore.build(
            dimension=d,
            score=round(max(0.0, 100.0 - sum(x.points for x in lost[d])), 1),
            weight=sc.weights.get(d, 0.0),
            deductions=lost[d],
        )
        for d in DIMENSIONS
    ]
    weight = sum(d.weight for d in dims) or 1.0
    total = round(sum(d.score * d.weight for d in dims) / weight, 1)
    verdict = "weak"
    for name in ("needs work", "solid", "strong"):
        if total >= sc.verdicts.get(name, 101):
            verdict = name
    return dims, total, verdict


def follow_ups(
    findings: Sequence[Finding],
    sections: Sequence[Section],
    level: LevelAssessment,
    held: dict[str, str],
    rubric: Rubric,
) -> list[FollowUpQuestion]:
    """Return the rubric's follow-up questions whose trigger holds, in rubric order, each once."""
    labels = {s.label for s in sections}
    categories = {f.category for f in findings}
    rules = [f.rule for f in findings]
    out = []
    for q in rubric.follow_ups:
        reason = None
        if q.category is not None and q.category in categories:
            reason = f"finding: {q.category}"
        elif q.rule is not None and any(matches_prefix(r, q.rule) for r in rules):
            reason = f"rule: {q.rule}"
        elif q.missing is not None and q.missing not in labels:
            reason = f"no {q.missing}"
        elif q.level is not None and level.verdict == q.level:
            reason = f"scope {q.level} {level.expected}"
        elif q.condition is not None and q.condition in held:
            reason = held[q.condition]
        if reason is not None:
            out.append(FollowUpQuestion.build(id=q.id, question=q.question, reason=reason))
    return out
