"""Detectors: the evidence (metrics, scope, level, proportions) and one engine per rule kind.

:data:`ENGINES` maps a rubric rule's ``kind`` to the engine class that runs it; adding a kind
is one module and one line here (and its model in :mod:`staranalyzer.rubric.schema`).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..answer import ParsedAnswer
from ..models import Finding, Metric
from ..quantities import find_quantities
from ..rubric import ClassifierRule, Rubric
from ..scoring import proportions
from ..vocabulary import RED_FLAGS
from .base import Engine, Evidence
from .classifier import ClassifierEngine
from .construction import ConstructionEngine
from .phrase import PhraseEngine
from .principles import PrincipleReader
from .scope import ScopeLevelEngine, ScopeReader
from .story import LeadershipEngine, QuestionFitEngine, StoryReader
from .structure import (
    BalanceEngine,
    MissingSectionEngine,
    NoMetricsEngine,
    OrderEngine,
    RatioEngine,
)

ENGINES: dict[str, type[Engine]] = {
    "phrase": PhraseEngine,
    "ratio": RatioEngine,
    "missing_section": MissingSectionEngine,
    "balance": BalanceEngine,
    "no_metrics": NoMetricsEngine,
    "scope_level": ScopeLevelEngine,
    "order": OrderEngine,
    "construction": ConstructionEngine,
    "classifier": ClassifierEngine,
    "question_fit": QuestionFitEngine,
    "leadership": LeadershipEngine,
}
"""Rule kind -> engine class."""

__all__ = ["ENGINES", "Detectors", "Engine", "Evidence", "find_metrics"]
_PRIORITY = {"phrase": 0, "construction": 1, "classifier": 2}
_LED = ("lead_verbs", "lead_verbs_wide")
"""Lexicons of the candidate leading or owning ("I led", "I've scaled"): a count of people or
teams in such a sentence is the candidate's scope (``lead_verbs_wide`` is not a feature of the
sentence model, so it can grow without retraining it)."""


def find_metrics(answer: ParsedAnswer) -> tuple[Metric, ...]:
    """The answer's quantified evidence, each with its section; none inside a header."""
    out = []
    text = answer.text
    for q in find_quantities(answer.clean):
        if answer.in_header(q.start):
            continue  # "Situation (30 seconds)": a timing note, not a metric
        section = answer.section_at(q.start)
        out.append(
            Metric.build(
                kind=q.kind,
                text=text[q.start : q.end],
                start=q.start,
                end=q.end,
                value=q.value,
                unit=q.unit,
                high=q.high,
                before=q.before,
                after=q.after,
                direction=q.direction,
                approximate=q.approximate,
                section=section.label if section is not None else None,
            )
        )
    return tuple(out)


class Detectors:
    """Every detector of one rubric, built once; :meth:`run` applies them to a parsed answer.

    Args:
        rubric: the validated rubric.

    """

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.scope = ScopeReader(rubric)
        self._led = tuple(name for name in _LED if name in rubric.lexicons)
        """The rubric's lexicons of leading (none: every count judged by first person alone)."""
        self.principles = PrincipleReader(rubric)
        self.story = StoryReader(rubric)
        self.rules = rubric.active_rules()
        self.engines: dict[str, Engine] = {}
        for rule in self.rules:
            if rule.kind not in self.engines:
                self.engines[rule.kind] = ENGINES[rule.kind](rubric)
        self.vetoes: dict[str, ClassifierRule] = {
            r.category: r for r in self.rules if isinstance(r, ClassifierRule) and r.veto
        }
        """Category -> the sentence-model rule whose low probability drops a construction."""

    def phrases(self) -> Mapping[str, list[str]]:
        """Every phrase list the engines need matched."""
        out: dict[str, list[str]] = {f"lex:{k}": list(v) for k, v in self.rubric.lexicons.items()}
        out.update(self.principles.phrases())
        out.update(self.story.phrases())
        for kind, engine in self.engines.items():
            out.update(engine.phrases([r for r in self.rules if r.kind == kind]))
        return out

    def evidence(self, answer: ParsedAnswer) -> Evidence:
        """Metrics, scope cues, the level assessment and section proportions."""
        metrics = find_metrics(answer)
        hits = self._lexicon_hits(answer)
        led = (
            frozenset(s for name in self._led if name in hits for s in hits[name])
            if self._led
            else None
        )
        cues = self.scope.cues(answer, metrics, led)
        principles = tuple(self.principles.scores(answer))
        spec = self.rubric.principles
        return Evidence(
            metrics=metrics,
            scope_cues=cues,
            level=self.scope.level(cues),
            proportions=tuple(proportions(answer.sections, self.rubric.timing)),
            lexicon_hits=hits,
            principles=principles,
            question_fit=self.story.question(
                answer,
                answer.question_hits,
                tuple(self.principles.scores(answer, use_question=False))
                if answer.question is not None
                else principles,
                spec.threshold if spec else 0.5,
            ),
            signals=self.story.signals(answer, hits),
        )

    def _lexicon_hits(self, answer: ParsedAnswer) -> dict[str, dict[int, list[tuple[int, int]]]]:
        """The lexicons' matches by sentence (each lexicon matched once, by the shared matcher)."""
        out: dict[str, dict[int, list[tuple[int, int]]]] = {}
        for name in self.rubric.lexicons:
            for start, end in answer.hits.get(f"lex:{name}", ()):
                sentence = answer.sentence_of_token(start)
                if sentence >= 0:
                    out.setdefault(name, {}).setdefault(sentence, []).append((start, end))
        return out

    def run_rule(self, answer: ParsedAnswer, evidence: Evidence, rule_id: str) -> list[Finding]:
        """One active rule's own findings, before same-category findings of a sentence merge."""
        rule = next(r for r in self.rules if r.id == rule_id)
        return self.engines[rule.kind].run(answer, evidence, rule)

    def findings(self, answer: ParsedAnswer, evidence: Evidence) -> list[Finding]:
        """Every active rule's findings: in text order, whole-answer findings last."""
        out: list[Finding] = []
        flagged: set[tuple[str, int]] = set()  # (category, sentence) already flagged
        # One finding per sentence and category: a listed phrase (the most specific, often a
        # user's own) first, then constructions, then the sentence model; rubric order within.
        for rule in sorted(self.rules, key=lambda r: _PRIORITY.get(r.kind, 1)):
            every = getattr(rule, "every", False)
            for finding in self.engines[rule.kind].run(answer, evidence, rule):
                if finding.category in RED_FLAGS and finding.start is not None:
                    sentence = answer.sentence_at_char(finding.start)
                    if rule.kind == "construction" and self._vetoed(
                        answer, evidence, finding.category, sentence
                    ):
                        continue
                    if not every and (finding.category, sentence) in flagged:
                        continue  # one finding per sentence and category: the first rule's
                    flagged.add((finding.category, sentence))
                out.append(finding)
        out.sort(key=lambda f: (f.start is None, f.start or 0, f.rule))
        return out

    def _vetoed(
        self, answer: ParsedAnswer, evidence: Evidence, category: str, sentence: int
    ) -> bool:
        """Does the sentence model read the sentence as clean of ``category`` (p under veto)?"""
        rule = self.vetoes.get(category)
        if rule is None or rule.veto is None or sentence < 0:
            return False
        engine = self.engines["classifier"]
        assert isinstance(engine, ClassifierEngine)
        model = engine.model(rule.model)
        if rule.label not in model.labels:
            return False
        probs, _ = engine.probabilities(answer, evidence, rule.model)
        return float(probs[sentence, model.labels.index(rule.label)]) < rule.veto
