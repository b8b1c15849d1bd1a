"""What the story as a whole shows, and how it fits the question asked.

Its interview theme, people versus technical leadership and cross-functional work.

All of it is read from rubric data (``themes``, ``questions``, the ``functions``,
``cross_team``, ``people_leadership`` and ``technical`` lexicons) and from the principle scores;
the ``question_fit`` and ``leadership`` engines turn it into findings.
"""

from __future__ import annotations

from ..answer import ParsedAnswer
from ..models import Finding, PrincipleScore, QuestionFit, StorySignals
from ..rubric import LeadershipRule, QuestionFitRule, Rubric
from .base import Engine, Evidence
from .principles import OUTSIDE_WEIGHT, SECTION_WEIGHT

_ACTION_LIKE = ("action", "result")


class StoryReader:
    """Reads story-level signals and the question's kinds with one rubric's data."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.kinds = {k.id: k for k in rubric.questions}
        self.failure_phrases = [p.lower() for p in rubric.failure_phrases]

    def phrases(self) -> dict[str, list[str]]:
        """Theme cues and question-kind phrases, keyed for the shared phrase matcher."""
        out: dict[str, list[str]] = {}
        for theme in self.rubric.themes:
            for k, cue in enumerate(theme.cues):
                out[f"th:{theme.id}:{k}"] = list(cue.phrases)
        for kind in self.rubric.questions:
            out[f"qk:{kind.id}"] = list(kind.phrases)
        return out

    def signals(self, answer: ParsedAnswer, evidence_hits: dict) -> StorySignals:  # type: ignore[type-arg]
        """Theme, people and technical leadership, and the functions the story names."""
        weights = {}
        for si, (start, end) in enumerate(answer.sentences):
            section = answer.section_at(start) or answer.section_at(end - 1)
            weights[si] = (
                SECTION_WEIGHT.get(section.label, 1.0) if section is not None else OUTSIDE_WEIGHT
            )
        theme_scores: dict[str, float] = {}
        for theme in self.rubric.themes:
            score = 0.0
            for k, cue in enumerate(theme.cues):
                for t0, _ in answer.hits.get(f"th:{theme.id}:{k}", ()):
                    si = answer.sentence_of_token(t0)
                    score += cue.weight * weights.get(si, OUTSIDE_WEIGHT)
            theme_scores[theme.id] = round(score, 2)
        theme = max(theme_scores, key=lambda t: (theme_scores[t], t)) if theme_scores else None
        if theme is not None and theme_scores[theme] == 0:
            theme = None

        def in_action(name: str) -> int:
            count = 0
            for si in evidence_hits.get(name, {}):
                start, end = answer.sentences[si]
                section = answer.section_at(start) or answer.section_at(end - 1)
                if section is not None and section.label in _ACTION_LIKE:
                    count += len(evidence_hits[name][si])
            return count

        functions = sorted(
            {
                answer.text[slice(*answer.token_span(t0, t1))].lower()
                for hits in evidence_hits.get("functions", {}).values()
                for t0, t1 in hits
            }
        )
        cross_team = bool(evidence_hits.get("cross_team"))
        return StorySignals.build(
            theme=theme,
            theme_scores=theme_scores,
            people_leadership=in_action("people_leadership") > 0,
            technical=in_action("technical") >= 2,
            cross_functional=len(functions) >= 2 or cross_team,
            functions=functions,
        )

    def question(
        self, answer: ParsedAnswer, question_hits: dict[str, tuple[tuple[int, int], ...]],
        principles: tuple[PrincipleScore, ...], threshold: float,
    ) -> QuestionFit | None:  # fmt: skip
        """Which kinds and principles the question asks for, and whether the story shows them.

        ``principles`` must be scored without the question's words, so that a story is not
        found to show a principle only because the question names it.
        """
        if answer.question is None:
            return None
        kinds = sorted(k for k in self.kinds if question_hits.get(f"qk:{k}"))
        known = {p.id for p in principles}
        asks = []
        for k in kinds:
            asks.extend(p for p in self.kinds[k].principles if p in known)
        for p in principles:
            if question_hits.get(f"pr:{p.id}:alias"):
                asks.append(p.id)
        asks = list(dict.fromkeys(asks))
        top = [p.id for p in principles[:3]]
        score_of = {p.id: p.score for p in principles}
        quoted = {p.id for p in principles if p.evidence}  # shown means a sentence to quote
        shown = [p for p in asks if p in quoted and (p in top or score_of.get(p, 0.0) >= threshold)]
        needs = sorted({n for k in kinds for n in self.kinds[k].needs})
        missing = [n for n in needs if not self._shows(answer, n)]
        return QuestionFit.build(
            question=answer.question,
            kinds=kinds,
            asks_for=asks,
            shown=shown,
            needs=needs,
            missing=missing,
            fits=(not asks or bool(shown)) and not missing,
        )

    def _shows(self, answer: ParsedAnswer, need: str) -> bool:
        """Does the story show what a kind of question needs (a failure, a lesson, ...)?"""
        text = answer.text.lower()
        if need == "lesson":
            return any(s.label == "reflection" for s in answer.sections)
        if need == "failure":
            return any(p in text for p in self.failure_phrases)
        key = {"conflict": "qk:conflict", "customer": "qk:customer", "deadline": "qk:deadline"}
        return bool(answer.hits.get(key.get(need, ""), ()))


class QuestionFitEngine(Engine):
    """Flags a story that does not show what its question asks for."""

    kind = "question_fit"

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: QuestionFitRule) -> list[Finding]:
        """One whole-answer finding when the question's principles or needs are not shown."""
        fit = evidence.question_fit
        if fit is None:
            return []
        if rule.check == "principles" and fit.asks_for and not fit.shown:
            names = {p.id: p.name for p in evidence.principles}
            asked = ", ".join(names.get(p, p) for p in fit.asks_for[:3])
            return [self.finding(rule, answer, asked=asked, why=f"the question asks for {asked}")]
        if rule.check in fit.missing:
            return [
                self.finding(
                    rule, answer, kinds=", ".join(fit.kinds),
                    why=f"a {'/'.join(fit.kinds)} question; the story shows no {rule.check}",
                )
            ]  # fmt: skip
        return []


class LeadershipEngine(Engine):
    """Flags a story that shows technical work but no people leadership (an L6 red flag)."""

    kind = "leadership"

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: LeadershipRule) -> list[Finding]:
        """One whole-answer finding for an only-technical story."""
        signals = evidence.signals
        if signals is None or not signals.technical or signals.people_leadership:
            return []
        return [self.finding(rule, answer, why="technical cues in the Action and Result, "
                                               "no people-leadership cue")]  # fmt: skip
