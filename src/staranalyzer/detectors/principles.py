"""Principles: which of the rubric's leadership principles (or competencies) a story shows.

Each principle has weighted cue phrases (rubric data). A hit counts more in the Action and the
Result than in the Situation. With a trained model (``tools/train_models.py``: a logistic
regression per principle over TF-IDF features of the answer's word stems, adjacent stem pairs
and section-tagged stems, and the question's words when it is known) the score is the model's
probability; without one (a user's own values) the cue score alone is mapped to 0-1. Every
principle comes with its evidence: the sentences whose cues weighed most, quoted.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..answer import ParsedAnswer
from ..linear import (
    LogisticModel,
    distinct,
    load_model,
    lookup,
    mix_keys,
    name_key,
    ngram_keys,
    pack,
    unpack,
)
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
_NS_PAIR = name_key("principles:word_pair")
_NS_SECTION = {
    label: name_key(f"principles:{tag}_word")
    for label, tag in (
        ("situation", "s"),
        ("task", "t"),
        ("action", "a"),
        ("result", "r"),
        ("reflection", "r"),
    )
}
TAGGED_WEIGHT = 0.7
"""Weight of the section-tagged words against the whole answer's (dev 5-fold CV)."""
QUESTION_WEIGHT = 0.7
"""Weight of the question's words (dev 5-fold with questions: 0.4, 0.7 and 1.0 within 0.01)."""
_NS_Q1 = name_key("principles:question_word")
_NS_Q2 = name_key("principles:question_pair")


class PrincipleModel(LogisticModel):
    """The principle model: two first-stage models over the answer's terms and a stacker.

    - a logistic regression per principle over TF-IDF features of every term block (the
      ``weights``; beside them the inverse document frequency of every term it knows, ``idf``);
    - an NB-LR model per principle (``nb_weights``, ``nb_bias``): a logistic regression over the
      whole answer's binary stems and stem pairs scaled by their naive-Bayes log-count ratio
      (Wang and Manning 2012), folded into one weight per term;
    - a second stage (``stack``, ``stack_bias``): a logistic regression per principle over both
      first stages' scores of every principle, each standardised across the principles of the
      story, trained on out-of-fold first-stage scores.

    A model without the NB-LR part and the stacker (a user's own, or an older file) scores by the
    logistic regression alone.
    """

    kind = "principles"
    weight_format = "<f2"
    """Half precision on file: a third of the load time at start-up; scores move by < 0.001."""

    def __init__(
        self,
        keys: np.ndarray,
        weights: np.ndarray,
        meta: dict[str, Any],
        bias: np.ndarray,
        labels: list[str],
        idf: np.ndarray,
        nb_weights: np.ndarray | None = None,
        nb_bias: np.ndarray | None = None,
        stack: np.ndarray | None = None,
        stack_bias: np.ndarray | None = None,
    ) -> None:
        super().__init__(keys, weights, meta, bias, labels)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.nb_weights = None if nb_weights is None else np.asarray(nb_weights, np.float32)
        self.nb_bias = None if nb_bias is None else np.asarray(nb_bias, np.float64)
        self.stack = None if stack is None else np.asarray(stack, np.float64)
        self.stack_bias = None if stack_bias is None else np.asarray(stack_bias, np.float64)

    @property
    def stacked(self) -> bool:
        """Whether the model has its NB-LR part and second stage."""
        return self.nb_weights is not None and self.stack is not None

    def idf_of(self, keys: np.ndarray) -> np.ndarray:
        """Each key's IDF (0 for a term the training stories did not have twice)."""
        out = np.zeros(len(keys), dtype=np.float64)
        known, pos = lookup(self.keys, keys)
        out[known] = self.idf[pos]
        return out

    def first_stage(self, blocks: list[tuple[float, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """The two first-stage scores (logits) of every principle: (logistic, NB-LR).

        ``blocks`` as :meth:`PrincipleReader.blocks` returns them (the first is the whole
        answer's stems and pairs). Without an NB-LR part the second is the first.
        """
        keys, values = PrincipleReader.vectorise(blocks, self.idf_of)
        _, rows = self.rows(keys)  # every vectorised key has an IDF, so a row
        lr = values.astype(np.float64) @ rows + self.bias
        if self.nb_weights is None or self.nb_bias is None:
            return lr, lr
        known, pos = lookup(self.keys, distinct(blocks[0][1]))
        nb = self.nb_bias.copy()
        if len(pos):
            nb += self.nb_weights[pos].astype(np.float64).sum(axis=0) / math.sqrt(len(pos))
        return lr, nb

    def stage_two(self, lr: np.ndarray, nb: np.ndarray) -> np.ndarray:
        """The second stage's logits from the first stage's (one row of principles each)."""
        assert self.stack is not None and self.stack_bias is not None
        return np.concatenate([standardise(lr), standardise(nb)]) @ self.stack + self.stack_bias

    def score(self, blocks: list[tuple[float, np.ndarray]]) -> np.ndarray:
        """Each principle's probability (0-1) for an answer's term blocks."""
        lr, nb = self.first_stage(blocks)
        z = self.stage_two(lr, nb) if self.stacked else lr
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def extra(self) -> dict[str, Any]:
        """Labels, intercepts, the IDF of every key, and the NB-LR part and stacker if any."""
        out = {**super().extra(), "idf": pack(self.idf.astype("<f4"))}
        if self.nb_weights is not None and self.nb_bias is not None:
            out["nb_weights"] = pack(self.nb_weights.astype(self.weight_format))
            out["nb_bias"] = self.nb_bias.round(6).tolist()
        if self.stack is not None and self.stack_bias is not None:
            out["stack"] = self.stack.round(6).tolist()
            out["stack_bias"] = self.stack_bias.round(6).tolist()
        return out

    @classmethod
    def parse(cls, doc: dict[str, Any]) -> dict[str, Any]:
        """Constructor arguments, with the IDF of every key and the optional parts."""
        args = super().parse(doc)
        n, k = len(args["keys"]), len(args["labels"])
        args["idf"] = unpack(doc["idf"], "<f4", (n,))
        if "nb_weights" in doc:
            args["nb_weights"] = unpack(doc["nb_weights"], doc.get("weight_format", "<f4"), (n, k))
            args["nb_bias"] = np.array(doc["nb_bias"])
        if "stack" in doc:
            args["stack"] = np.array(doc["stack"]).reshape(2 * k, k)
            args["stack_bias"] = np.array(doc["stack_bias"])
        return args


def standardise(scores: np.ndarray) -> np.ndarray:
    """Scores centred and scaled across the principles of one story (the stacker's inputs)."""
    return (scores - scores.mean()) / (scores.std() + 1e-9)


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

    def blocks(self, answer: ParsedAnswer) -> list[tuple[float, np.ndarray]]:
        """The answer's terms, as (block weight, term keys with repeats) blocks.

        First the whole answer's stems and adjacent stem pairs; then the stems again tagged with
        their section (Situation, Task, Action, Result with the reflection); the question's words
        and word pairs when it is known. :meth:`features` weighs each block by TF-IDF.
        """
        stems = answer.stems
        words = stems != 0
        seq = stems[words]
        with np.errstate(over="ignore"):
            pairs = (seq[:-1] * np.uint64(0x9E3779B97F4A7C15)) ^ seq[1:]
        out = [(1.0, np.concatenate([mix_keys(_NS_WORD, seq), mix_keys(_NS_PAIR, pairs)]))]
        tagged = []
        for s in answer.sections:
            ns = _NS_SECTION.get(s.label)
            if ns is None:
                continue
            lo, hi = np.searchsorted(answer.idx, s.start), np.searchsorted(answer.idx, s.end)
            part = stems[lo:hi]
            tagged.append(mix_keys(ns, part[part != 0]))
        if tagged:
            out.append((TAGGED_WEIGHT, np.concatenate(tagged)))
        if answer.question_lower is not None and len(answer.question_lower):
            group = np.zeros(len(answer.question_lower), dtype=np.int64)
            _, question_keys = ngram_keys(answer.question_lower, group, _NS_Q1, _NS_Q2)
            out.append((QUESTION_WEIGHT, question_keys))
        return out

    @staticmethod
    def vectorise(
        blocks: list[tuple[float, np.ndarray]], idf: Callable[[np.ndarray], np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """TF-IDF features of term blocks: (keys, values).

        Each block: 1 + ln(count) times the term's IDF (terms without one are dropped), scaled
        to unit length, then by the block's weight.
        """
        keys, values = [], []
        for weight, terms in blocks:
            uniq, counts = np.unique(terms, return_counts=True)
            v = (1.0 + np.log(counts)) * idf(uniq)
            known = v > 0
            uniq, v = uniq[known], v[known]
            norm = float(np.sqrt((v * v).sum()))
            if norm > 0:
                keys.append(uniq)
                values.append(weight * v / norm)
        if not keys:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.float32)
        return np.concatenate(keys), np.concatenate(values).astype(np.float32)

    def features(self, answer: ParsedAnswer) -> tuple[np.ndarray, np.ndarray]:
        """The model's features of an answer: (keys, values)."""
        assert self.model is not None
        return self.vectorise(self.blocks(answer), self.model.idf_of)

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
            probs = self.model.score(self.blocks(answer))
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
