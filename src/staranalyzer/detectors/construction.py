"""The ``construction`` engine: red flags found by the structure of a sentence, not one phrase.

A construction is a sequence of slots, each filled by a phrase from one of the rubric's
lexicons, in order within one sentence and at most a few tokens apart ("<third party> ...
<conduct>": "QA just dropped the ball"; "<causal frame> ... <third party>": "the delay was down
to legal"). Conditions read the rest of the sentence: negators just before a slot, lexicons
that must or must not be present (a blameless account; an owned response after a hard fact),
a metric within reach, and the section it sits in (a Situation needs more evidence).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..answer import ParsedAnswer
from ..models import Finding
from ..rubric import ConstructionRule, Slot
from .base import Engine, Evidence, fill

Hits = dict[int, list[tuple[int, int]]]
"""Phrase matches of one lexicon, by sentence: sentence index -> [(first token, end token)]."""


def _negated(hits: Mapping[str, Hits], lexicons: list[str], sentence: int, start: int) -> bool:
    """A phrase of ``lexicons`` ends within two tokens before token ``start``."""
    for name in lexicons:
        for s, e in hits.get(name, {}).get(sentence, ()):
            if s < start and start - 2 <= e <= start:
                return True
    return False


def _inside(
    hits: Mapping[str, Hits], lexicons: list[str], sentence: int, span: tuple[int, int]
) -> bool:
    """A phrase of ``lexicons`` overlaps the token span ``span``."""
    return any(
        s < span[1] and e > span[0]
        for name in lexicons
        for s, e in hits.get(name, {}).get(sentence, ())
    )


def _slot_hits(hits: Mapping[str, Hits], slot: Slot, sentence: int) -> list[tuple[int, int]]:
    """The phrases that fill a slot in a sentence, in text order, minus cancelled ones."""
    found = sorted({h for name in slot.names() for h in hits.get(name, {}).get(sentence, ())})
    return [
        h
        for h in found
        if not (slot.not_after and _negated(hits, slot.not_after, sentence, h[0]))
        and not (slot.not_within and _inside(hits, slot.not_within, sentence, h))
    ]


class ConstructionEngine(Engine):
    """Runs :class:`~staranalyzer.rubric.ConstructionRule` rules on the lexicon matches."""

    kind = "construction"

    def run(
        self, answer: ParsedAnswer, evidence: Evidence, rule: ConstructionRule
    ) -> list[Finding]:
        """Every sentence where the construction holds (every match with ``rule.every``)."""
        hits = evidence.lexicon_hits
        first = rule.pattern[0]
        sentences = sorted({si for name in first.names() for si in hits.get(name, {})})
        out = []
        for sentence in sentences:
            if not self._sentence_ok(answer, evidence, rule, sentence):
                continue
            for head in _slot_hits(hits, first, sentence):
                chain = self._chain(hits, rule, sentence, head)
                if chain is None:
                    continue
                if any(
                    s >= chain[-1][1]
                    for name in rule.unless_after
                    for s, _ in hits.get(name, {}).get(sentence, ())
                ):
                    continue
                out.append(self._finding(answer, rule, chain))
                if not rule.every:
                    break
        return out

    def _sentence_ok(
        self, answer: ParsedAnswer, evidence: Evidence, rule: ConstructionRule, sentence: int
    ) -> bool:
        hits = evidence.lexicon_hits
        present = {name for name, by in hits.items() if sentence in by}
        if rule.unless and present.intersection(rule.unless):
            return False
        if rule.requires and not present.intersection(rule.requires):
            return False
        start, end = answer.sentences[sentence]
        section = answer.section_at(start) or answer.section_at(end - 1)
        label = section.label if section is not None else None
        if rule.sections and label is not None and label not in rule.sections:
            return False  # outside every section (a headline, say) passes
        if (
            label == "situation"
            and rule.situation_requires
            and not present.intersection(rule.situation_requires)
        ):
            return False
        return not (rule.no_metric and evidence.metric_near(answer, sentence))

    @staticmethod
    def _chain(
        hits: Mapping[str, Hits], rule: ConstructionRule, sentence: int, head: tuple[int, int]
    ) -> list[tuple[int, int]] | None:
        chain = [head]
        for slot in rule.pattern[1:]:
            gap = rule.max_gap if slot.gap is None else slot.gap
            end = chain[-1][1]
            nxt = next(
                (h for h in _slot_hits(hits, slot, sentence) if end <= h[0] <= end + gap), None
            )
            if nxt is None:
                return None
            chain.append(nxt)
        return chain

    def _finding(
        self, answer: ParsedAnswer, rule: ConstructionRule, chain: list[tuple[int, int]]
    ) -> Finding:
        start, _ = answer.token_span(chain[0][0], chain[0][1])
        _, end = answer.token_span(chain[-1][0], chain[-1][1])
        names: dict[str, Any] = {}
        for slot, (s, e) in zip(rule.pattern, chain, strict=True):
            if slot.name:
                c0, c1 = answer.token_span(s, e)
                names[slot.name] = answer.text[c0:c1]
        why = fill(rule.why, **names)
        return self.finding(rule, answer, start, end, why=f"construction: {why}", **names)
