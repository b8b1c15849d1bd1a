"""Principles: which of the rubric's leadership principles (or competencies) a story shows.

Each principle has weighted cue phrases (rubric data). A hit counts more in the Action and the
Result than in the Situation. With a trained model (``tools/train_models.py``: a logistic
regression per principle over the cue scores and the words of the answer) the cue scores and
words become a probability; without one (a user's own values) the cue score alone is mapped to
0-1. Every principle comes with its evidence: the sentences whose cues weighed most, quoted.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..answer import ParsedAnswer
from ..linear import LogisticModel, load_model, mix_keys, name_key, ngram_keys
from ..models import PrincipleEvidence, PrincipleScore
from ..rubric import Principle, Rubric

SECTION_WEIGHT = {
    "situation": 0.4,
    "task": 0.8,
    "action": 1.5,
    "result": 1.3,
    "reflection": 1.0,
}
"""How much a cue counts in each section (outside any section: 0.6)."""
OUTSIDE_WEIGHT = 0.6
_NS_WORD = name_key("principles:word")
_NS_ACTION = name_key("principles:action_word")
_NS_Q1 = name_key("principles:question_word")
_NS_Q2 = name_key("principles:question_pair")


def _distinct(stems: np.ndarray) -> np.ndarray:
    """The distinct stems among ``stems``, sorted, without the 0 of non-words."""
    return np.unique(stems[stems != 0])


class PrincipleModel(LogisticModel):
    """One logistic regression per principle over answer-level features."""

    kind = "principles"


@dataclass(frozen=True)
class PrincipleHits:
    """Cue evidence of one principle in one answer."""

    score: float
    """Section-weighted sum of cue weights (one hit per cue phrase and sentence)."""
    named: bool
    sentences: dict[int, float]
    """Sentence index -> weighted cue score in that sentence."""
    cues: dict[int, str]
    """Sentence index -> the strongest cue phrase found there."""


class PrincipleReader:
    """Scores an answer against one rubric's principles (built once per analyzer).

    Args:
        rubric: a rubric with ``principles`` (the reader does nothing without them).

    """

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        spec = rubric.principles
        self.items: list[Principle] = list(spec.items) if spec is not None else []
        self.model: PrincipleModel | None = None
        if spec is not None and spec.model is not None:
            self.model = load_model(
                PrincipleModel, spec.model, rubric.base_dir, rubric.source or rubric.name,
                "principles.model",
            )  # fmt: skip

    def phrases(self) -> dict[str, list[str]]:
        """Cue and alias phrases, keyed for the shared phrase matcher."""
        out: dict[str, list[str]] = {}
        for p in self.items:
            for k, cue in enumerate(p.cues):
                out[f"pr:{p.id}:{k}"] = list(cue.phrases)
            if p.aliases:
                out[f"pr:{p.id}:alias"] = list(p.aliases)
        return out

    def hits(self, answer: ParsedAnswer) -> dict[str, PrincipleHits]:
        """Each principle's cue evidence."""
        weight_of = {}
        for si, (start, end) in enumerate(answer.sentences):
            section = answer.section_at(start) or answer.section_at(end - 1)
            weight_of[si] = (
                SECTION_WEIGHT.get(section.label, 1.0) if section is not None else OUTSIDE_WEIGHT
            )
        out = {}
        for p in self.items:
            per_sentence: dict[int, float] = {}
            cue_text: dict[int, tuple[float, str]] = {}
            for k, cue in enumerate(p.cues):
                seen: set[tuple[int, int]] = set()
                for t0, t1 in answer.hits.get(f"pr:{p.id}:{k}", ()):
                    si = answer.sentence_of_token(t0)
                    if si < 0:
                        continue
                    phrase_key = (si, int(answer.lower[t0]))
                    if phrase_key in seen:
                        continue
                    seen.add(phrase_key)
                    w = cue.weight * weight_of.get(si, OUTSIDE_WEIGHT)
                    per_sentence[si] = per_sentence.get(si, 0.0) + w
                    c0, c1 = answer.token_span(t0, t1)
                    if cue_text.get(si, (0.0, ""))[0] < cue.weight:
                        cue_text[si] = (cue.weight, answer.text[c0:c1])
            named = bool(answer.hits.get(f"pr:{p.id}:alias"))
            out[p.id] = PrincipleHits(
                score=sum(per_sentence.values()),
                named=named,
                sentences=per_sentence,
                cues={si: text for si, (_, text) in cue_text.items()},
            )
        return out

    def features(
        self, answer: ParsedAnswer, hits: dict[str, PrincipleHits]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Answer-level features of the model: (keys, values)."""
        keys: list[int] = []
        values: list[float] = []
        for p in self.items:
            h = hits[p.id]
            keys.append(name_key(f"principles:{p.id}:cue"))
            values.append(math.log1p(h.score))
            if h.named:
                keys.append(name_key(f"principles:{p.id}:named"))
                values.append(1.0)
        keys.append(name_key("principles:bias"))
        values.append(1.0)
        stems = answer.stems
        word_keys = mix_keys(_NS_WORD, _distinct(stems))
        action = [s for s in answer.sections if s.label in ("action", "result")]
        action_words = np.zeros(0, dtype=np.uint64)
        if action:
            parts = [
                stems[np.searchsorted(answer.idx, s.start) : np.searchsorted(answer.idx, s.end)]
                for s in action
            ]
            action_words = mix_keys(_NS_ACTION, _distinct(np.concatenate(parts)))
        question_keys = np.zeros(0, dtype=np.uint64)
        if answer.question_lower is not None and len(answer.question_lower):
            group = np.zeros(len(answer.question_lower), dtype=np.int64)
            _, question_keys = ngram_keys(answer.question_lower, group, _NS_Q1, _NS_Q2)
            question_keys = np.unique(question_keys)
        all_keys = np.concatenate(
            [
                np.array(keys, dtype=np.uint64),
                word_keys.astype(np.uint64),
                action_words,
                question_keys,
            ]
        )
        all_values = np.concatenate(
            [np.array(values), np.ones(len(word_keys) + len(action_words) + len(question_keys))]
        ).astype(np.float32)
        return all_keys, all_values

    def scores(self, answer: ParsedAnswer, use_question: bool = True) -> list[PrincipleScore]:
        """Every principle's score (0-1), evidence and whether the answer names it; best first.

        Args:
            answer: the parsed answer.
            use_question: let the question's words weigh in when it is known (off when judging
                whether the story itself shows what the question asks for).

        """
        if not self.items:
            return []
        if not use_question and answer.question_lower is not None:
            answer = dataclasses.replace(answer, question_lower=None)
        hits = self.hits(answer)
        if self.model is not None:
            keys, values = self.features(answer, hits)
            probs = self.model.probabilities(np.zeros(len(keys), dtype=np.int64), keys, values, 1)[
                0
            ]
            by_label = dict(zip(self.model.labels, probs.tolist(), strict=True))
        else:
            by_label = {}
        out = []
        for p in self.items:
            h = hits[p.id]
            # without a model, the cue score alone: 1 - exp(-score / 3)
            score = by_label[p.id] if p.id in by_label else 1.0 - math.exp(-h.score / 3.0)
            out.append(
                PrincipleScore.build(
                    id=p.id,
                    name=p.name,
                    score=round(float(score), 3),
                    named=h.named,
                    evidence=self._evidence(answer, h),
                )
            )
        out.sort(key=lambda s: (-s.score, s.id))
        return out

    @staticmethod
    def _evidence(answer: ParsedAnswer, h: PrincipleHits) -> list[PrincipleEvidence]:
        """The (at most three) sentences whose cues weighed most, in text order."""
        best = sorted(h.sentences.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        out = []
        for si, _ in sorted(best):
            start, end = answer.sentences[si]
            section = answer.section_at(start) or answer.section_at(end - 1)
            out.append(
                PrincipleEvidence.build(
                    start=start,
                    end=end,
                    text=answer.text[start:end],
                    section=section.label if section is not None else None,
                    cue=h.cues.get(si, ""),
                )
            )
        return out
