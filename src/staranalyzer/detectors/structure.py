"""Engines on the answer's shape.

``ratio`` ("we" vs "I"), ``missing_section``, ``balance``, ``no_metrics`` and ``order``.
"""

from __future__ import annotations

import re

import numpy as np

from ..answer import ParsedAnswer
from ..models import Finding
from ..rubric import BalanceRule, MissingSectionRule, NoMetricsRule, OrderRule, RatioRule
from ..scoring import is_outcome
from .base import Engine, Evidence, fill

# The first word of a bullet, a line, or a clause after ";" or a sentence end: where notes drop
# the subject they mean ("- rang the fire service; briefed the nurses").
_WORD = re.compile(r"[a-z']+")
_OPENING_WORD = re.compile(r"(?:^|\n|;|[.!?]\s)[ \t]*(?:[-*•·>→]+|\d{1,2}[.)])?[ \t]*([A-Za-z]+)\b")


class RatioEngine(Engine):
    """Flags a section whose numerator words outweigh its denominator words."""

    kind = "ratio"

    def __init__(self, rubric) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rubric)
        self._hashes: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _words(self, answer: ParsedAnswer, rule: RatioRule) -> tuple[np.ndarray, np.ndarray]:
        cached = self._hashes.get(rule.id)
        if cached is None:
            strings = answer.doc.vocab.strings
            num = np.array(sorted(strings.add(w.lower()) for w in rule.numerator), dtype=np.uint64)
            den = np.array(sorted(strings.add(w.lower()) for w in rule.denominator), np.uint64)
            cached = self._hashes[rule.id] = (num, den)
        return cached

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: RatioRule) -> list[Finding]:
        """One finding per section of ``rule.section`` over the threshold."""
        chosen = [s for s in answer.sections if s.label == rule.section]
        if not chosen:
            return []
        num_words, den_words = self._words(answer, rule)
        # Running counts over every token, once: each section's counts are two differences.
        num_run = np.concatenate([[0], np.cumsum(np.isin(answer.lower, num_words))])
        den_run = np.concatenate([[0], np.cumsum(np.isin(answer.lower, den_words))])
        bounds = np.searchsorted(answer.idx, [v for s in chosen for v in (s.start, s.end)])
        out = []
        for k, s in enumerate(chosen):
            lo, hi = bounds[2 * k], bounds[2 * k + 1]
            num = int(num_run[hi] - num_run[lo])
            den = int(den_run[hi] - den_run[lo]) + implied_subjects(
                answer.text[s.start : s.end], rule
            )
            if num >= rule.min_numerator and num / (num + den) >= rule.threshold:
                found = self.finding(
                    rule, answer, s.start, s.end, quote=False, section=s.label,
                    numerator=num, denominator=den,
                    why=f'"we"-words {num}, "I"-words {den} in the {s.label}',
                )  # fmt: skip
                if den == 0 and rule.none_message is not None:
                    message = fill(rule.none_message, numerator=num, denominator=den)
                    found = found.model_copy(update={"rule": f"{rule.id}.none", "message": message})
                out.append(found)
        return out


def implied_subjects(text: str, rule: RatioRule) -> int:
    """How many bullets, lines and clauses of ``text`` open on a past verb with no subject."""
    return len(implied_subject_starts(text, rule))


def implied_subject_starts(text: str, rule: RatioRule) -> list[int]:
    """Where the bullets, lines and clauses of ``text`` that drop their subject begin.

    Each is the offset of a past-tense verb that opens a bullet, a line or a clause with no
    subject (see :class:`RatioRule`). A clause later in a line that already named one of the
    rule's ``subjects`` ("we rang them; agreed a route") shares that subject, so it does not
    count. One pass over the text.
    """
    if not rule.implied_subject:
        return []
    listed = {w.lower() for w in rule.implied_subject}
    unless = {w.lower() for w in rule.implied_subject_not}
    pronouns = {w.lower() for w in rule.subjects}
    starts: list[int] = []
    scanned, named = 0, False
    for m in _OPENING_WORD.finditer(text):
        start = m.start(1)
        line_start = text.rfind("\n", scanned, start) + 1
        if line_start:  # a new line since the last match: its subject is not yet named
            scanned, named = line_start, False
        if not named:
            named = any(w in pronouns for w in _WORD.findall(text[scanned:start].lower()))
        scanned = start
        word = m.group(1).lower()
        if named:
            continue
        if word in listed or (len(word) >= 5 and word.endswith("ed") and word not in unless):
            starts.append(start)
    return starts


class MissingSectionEngine(Engine):
    """Flags each listed label the answer has no section for."""

    kind = "missing_section"

    def run(
        self, answer: ParsedAnswer, evidence: Evidence, rule: MissingSectionRule
    ) -> list[Finding]:
        """One whole-answer finding per missing label."""
        present = {s.label for s in answer.sections}
        return [
            self.finding(rule, answer, section=label, label=label, why="no section found")
            for label in rule.labels
            if label not in present
        ]


class BalanceEngine(Engine):
    """Flags sections whose share of the words is short or long against the rubric's timing."""

    kind = "balance"

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: BalanceRule) -> list[Finding]:
        """One finding per short or long section."""
        shares = self.rubric.timing.target_shares()
        targets = ", ".join(f"{v:.0%} {k}" for k, v in shares.items())
        out = []
        for row in evidence.proportions:
            if row.status not in ("short", "long"):
                continue
            s = next(x for x in answer.sections if x.label == row.label)
            out.append(
                self.finding(
                    rule, answer, s.start, s.end, quote=False, section=row.label,
                    share=f"{row.share:.0%}", target=f"{row.target:.0%}", status=row.status,
                    targets=targets,
                    why=f"{row.share:.0%} of the words against a target of {row.target:.0%}",
                )
            )  # fmt: skip
        return out


class NoMetricsEngine(Engine):
    """Flags a section (the Result) without outcome evidence.

    Percentages, money, multipliers, ratings, ratios and before/after changes are outcome
    evidence; a bare count ("two major features") is only when it says what changed (a
    direction), unless the rule's ``counts_need_change`` is off.
    """

    kind = "no_metrics"

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: NoMetricsRule) -> list[Finding]:
        """One finding when the section exists and holds no metric of the rule's kinds."""
        chosen = [s for s in answer.sections if s.label == rule.section]
        if not chosen:
            return []
        kinds = set(rule.kinds)
        for m in evidence.metrics:
            if m.kind not in kinds or m.section != rule.section:
                continue
            if rule.counts_need_change and not is_outcome(m):
                continue  # "two major features" is a count of things, not an outcome
            return []
        s = chosen[0]
        return [
            self.finding(
                rule, answer, s.start, s.end, quote=False, section=rule.section,
                why=f"no outcome metric ({', '.join(rule.kinds)}) in the {rule.section}",
            )
        ]  # fmt: skip


class OrderEngine(Engine):
    """Flags a ``later`` section told before the first ``earlier`` one (Result before Action)."""

    kind = "order"

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: OrderRule) -> list[Finding]:
        """One finding at the first out-of-order section."""
        earlier = [s for s in answer.sections if s.label == rule.earlier]
        later = [s for s in answer.sections if s.label == rule.later]
        if not earlier or not later or later[0].start > earlier[0].start:
            return []
        s = later[0]
        return [
            self.finding(
                rule, answer, s.start, s.end, quote=False, section=s.label,
                why=f"the {rule.later} starts before the {rule.earlier}",
            )
        ]  # fmt: skip
