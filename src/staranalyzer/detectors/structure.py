"""Engines on the answer's shape.

``ratio`` ("we" vs "I"), ``missing_section``, ``balance``, ``no_metrics`` and ``order``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from spacy.strings import StringStore

from ..answer import ParsedAnswer
from ..models import Finding
from ..rubric import BalanceRule, MissingSectionRule, NoMetricsRule, OrderRule, RatioRule
from ..scoring import is_outcome
from .base import Engine, Evidence, fill


class RatioEngine(Engine):
    """Flags a section whose numerator words outweigh its denominator words."""

    kind = "ratio"

    def __init__(self, rubric) -> None:  # type: ignore[no-untyped-def]
        super().__init__(rubric)
        self._hashes: dict[str, tuple[np.ndarray, np.ndarray, ImpliedSubject]] = {}

    def _words(
        self, answer: ParsedAnswer, rule: RatioRule
    ) -> tuple[np.ndarray, np.ndarray, ImpliedSubject]:
        cached = self._hashes.get(rule.id)
        if cached is None:
            strings = answer.doc.vocab.strings
            cached = self._hashes[rule.id] = (
                hashes(rule.numerator, strings),
                hashes(rule.denominator, strings),
                ImpliedSubject.compile(rule, strings),
            )
        return cached

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: RatioRule) -> list[Finding]:
        """One finding per section of ``rule.section`` over the threshold."""
        chosen = [s for s in answer.sections if s.label == rule.section]
        if not chosen:
            return []
        num_words, den_words, implied = self._words(answer, rule)
        # Running counts over every token, once: each section's counts are two differences.
        num_run = np.concatenate([[0], np.cumsum(np.isin(answer.lower, num_words))])
        den_run = np.concatenate([[0], np.cumsum(np.isin(answer.lower, den_words))])
        bounds = np.searchsorted(answer.idx, [v for s in chosen for v in (s.start, s.end)])
        out = []
        for k, s in enumerate(chosen):
            lo, hi = bounds[2 * k], bounds[2 * k + 1]
            num = int(num_run[hi] - num_run[lo])
            den = int(den_run[hi] - den_run[lo]) + len(implied.starts(answer, s.start, s.end))
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


def hashes(words: Iterable[str], strings: StringStore) -> np.ndarray:
    """The sorted lower-case string hashes of ``words`` (for ``np.isin`` over token arrays)."""
    return np.array(sorted({strings.add(w.lower()) for w in words}), dtype=np.uint64)


@dataclass(frozen=True)
class ImpliedSubject:
    """A ratio rule's notes that drop the "I" they mean, compiled once (see :class:`RatioRule`).

    ``listed``, ``unless`` and ``subjects``: hashes of ``implied_subject``,
    ``implied_subject_not`` and ``subjects``.
    """

    listed: frozenset[int]
    unless: frozenset[int]
    subjects: np.ndarray

    @classmethod
    def compile(cls, rule: RatioRule, strings: StringStore) -> ImpliedSubject:
        """The rule's word lists as string hashes of ``strings``."""
        return cls(
            frozenset(hashes(rule.implied_subject, strings).tolist()),
            frozenset(hashes(rule.implied_subject_not, strings).tolist()),
            hashes(rule.subjects, strings),
        )

    def starts(self, answer: ParsedAnswer, start: int, end: int) -> list[int]:
        """Offsets of the past verbs that open a unit of ``[start, end)`` with no subject.

        A unit is a bullet, line or clause of the parsed answer (:attr:`ParsedAnswer.units`);
        its first word is read past any list marker. A later unit of a line that already named
        one of the rule's subjects ("we rang them; agreed a route") shares that subject.
        """
        if not self.listed:
            return []
        units = [answer.units[k] for k in answer.units_between(start, end)]
        units = [u for u in units if u.start >= start]
        if not units:
            return []
        # Subject words counted once over the stretch; a unit's count is a difference.
        lo = units[0].tok_start
        said = np.concatenate([[0], np.cumsum(np.isin(answer.lower[lo : units[-1].tok_end],
                                                      self.subjects))])  # fmt: skip
        doc, out, named = answer.doc, [], False
        for unit in units:
            if unit.line_start:
                named = False
            first = unit.tok_start
            while first < unit.tok_end and not doc[first].is_alpha:
                first += 1  # past a list marker ("-", "1.")
            if not named and first < unit.tok_end:
                word = int(answer.lower[first])
                text = doc[first].lower_
                regular = len(text) >= 5 and text.endswith("ed") and word not in self.unless
                if word in self.listed or regular:
                    out.append(int(answer.idx[first]))
            named = named or said[unit.tok_end - lo] > said[unit.tok_start - lo]
        return out


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
