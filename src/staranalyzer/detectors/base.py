"""What every detector engine shares: the evidence it may read and the one way to make a finding.

An engine runs one rubric rule kind. It is built once per analyzer (compiling what it needs),
may name phrase lists for the shared phrase matcher, and is called per answer and rule with the
parsed answer and the evidence gathered before the rules run.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Any, ClassVar

from ..answer import ParsedAnswer
from ..models import (
    Finding,
    LevelAssessment,
    Metric,
    PrincipleScore,
    QuestionFit,
    ScopeCue,
    SectionProportion,
    StorySignals,
)
from ..rubric import Rubric


@dataclass(frozen=True)
class Evidence:
    """What the rules may read besides the answer.

    Attributes:
        metrics: the quantified evidence, in text order.
        scope_cues: counts and money read as scope.
        level: the level the scope suggests.
        proportions: each STAR section's share against its target.
        lexicon_hits: the rubric lexicons' matches: name -> sentence -> [(token, end token)].

    """

    metrics: tuple[Metric, ...]
    scope_cues: tuple[ScopeCue, ...]
    level: LevelAssessment
    proportions: tuple[SectionProportion, ...]
    lexicon_hits: dict[str, dict[int, list[tuple[int, int]]]] = field(default_factory=dict)
    principles: tuple[PrincipleScore, ...] = ()
    question_fit: QuestionFit | None = None
    signals: StorySignals | None = None

    @cached_property
    def _metric_index(self) -> tuple[list[int], list[int]]:
        """Metric starts in order, and the largest end among the metrics up to each one."""
        ordered = sorted((m.start, m.end) for m in self.metrics)
        reach = list(accumulate((e for _, e in ordered), max))
        return [s for s, _ in ordered], reach

    def metric_in(self, start: int, end: int) -> bool:
        """A metric overlaps characters ``[start, end)`` (a binary search: linear overall)."""
        starts, reach = self._metric_index
        k = bisect_left(starts, end)  # metrics[:k] start before ``end``
        return k > 0 and reach[k - 1] > start

    def metric_near(self, answer: ParsedAnswer, sentence: int) -> bool:
        """A metric is "in reach" of a sentence: in it, or in the next sentence of its section."""
        start, end = answer.sentences[sentence]
        if self.metric_in(start, end):
            return True
        if sentence + 1 < len(answer.sentences):
            n0, n1 = answer.sentences[sentence + 1]
            here, there = answer.section_at(start), answer.section_at(n0)
            if here is not None and here == there:
                return self.metric_in(n0, n1)
        return False


class _Fields(dict):  # type: ignore[type-arg]
    """Format fields for rule messages; an unknown ``{name}`` stays as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, **fields: Any) -> str:
    """Fill ``{name}`` fields of a rule message; unknown names are left as written."""
    return template.format_map(_Fields(fields))


class Engine:
    """Base of the detector engines: one per rubric rule ``kind``.

    Subclasses set :attr:`kind` and implement :meth:`run`; they may override :meth:`phrases`
    to have lists compiled into the analyzer's shared phrase matcher.

    Args:
        rubric: the rubric whose rules of this kind the engine will run.

    """

    kind: ClassVar[str] = ""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.source = rubric.source or rubric.name

    def phrases(self, rules: list[Any]) -> Mapping[str, list[str]]:
        """Phrase lists this engine needs matched, keyed by unique strings."""
        return {}

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: Any) -> list[Finding]:
        """Apply one rule to one answer; return its findings."""
        raise NotImplementedError

    def finding(
        self,
        rule: Any,
        answer: ParsedAnswer,
        start: int | None = None,
        end: int | None = None,
        *,
        quote: bool = True,
        section: str | None = None,
        why: str | None = None,
        **fields: Any,
    ) -> Finding:
        """Build a finding of ``rule`` (spans quote the original text)."""
        text = answer.text[start:end] if quote and start is not None else None
        if section is None and start is not None:
            found = answer.section_at(start)
            section = found.label if found is not None else None
        values = {"text": text or "", "label": section or fields.get("label", ""), **fields}
        return Finding.build(
            rule=rule.id,
            category=rule.category,
            severity=rule.severity,
            message=fill(rule.message, **values),
            suggestion=fill(rule.suggestion, **values),
            start=start,
            end=end,
            text=text,
            section=section if section is not None else fields.get("label"),
            source=self.source,
            why=why,
        )
