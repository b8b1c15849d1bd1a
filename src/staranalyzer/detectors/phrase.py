"""The ``phrase`` engine: flags phrases in context (sentence-level ``requires`` and ``unless``)."""

from __future__ import annotations

from collections.abc import Mapping

from ..answer import ParsedAnswer
from ..models import Finding
from ..rubric import PhraseRule
from .base import Engine, Evidence


class PhraseEngine(Engine):
    """Runs :class:`~staranalyzer.rubric.PhraseRule` rules on the shared phrase matches."""

    kind = "phrase"

    def phrases(self, rules: list[PhraseRule]) -> Mapping[str, list[str]]:
        """The phrases, requirements and exceptions of every phrase rule."""
        out: dict[str, list[str]] = {}
        for rule in rules:
            for part, phrases in (("p", rule.phrases), ("r", rule.requires), ("u", rule.unless)):
                if phrases:
                    out[f"rule:{rule.id}|{part}"] = list(phrases)
        return out

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: PhraseRule) -> list[Finding]:
        """Counted matches of ``rule`` (none unless there are at least ``min_count``)."""
        hits = answer.hits.get(f"rule:{rule.id}|p")
        if not hits:
            return []
        sentence = answer.sentence_of_token
        unless = {sentence(s) for s, _ in answer.hits.get(f"rule:{rule.id}|u", ())}
        requires = {sentence(s) for s, _ in answer.hits.get(f"rule:{rule.id}|r", ())}
        not_after = {w.lower() for w in rule.not_after}
        lower_text = answer.doc.vocab.strings
        kept: list[tuple[int, int, int]] = []
        for start, end in sorted(hits, key=lambda x: (x[0], -(x[1] - x[0]))):
            if kept and start < kept[-1][1]:
                continue  # overlapping matches of one rule: keep the first, longest
            si = sentence(start)
            if si < 0 or si in unless or (rule.requires and si not in requires):
                continue
            if start > 0 and not_after and lower_text[int(answer.lower[start - 1])] in not_after:
                continue
            c0, c1 = answer.token_span(start, end)
            if rule.sections:
                found = answer.section_at(c0)
                if found is None or found.label not in rule.sections:
                    continue
            if rule.unless_metric:
                s0, s1 = answer.sentences[si]
                if any(m.start < s1 and m.end > s0 for m in evidence.metrics):
                    continue
            kept.append((start, end, c0))
        if len(kept) < rule.min_count:
            return []
        out = []
        for start, end, c0 in kept:
            _, c1 = answer.token_span(start, end)
            out.append(self.finding(rule, answer, c0, c1, why=f'phrase "{answer.text[c0:c1]}"'))
        return out
