"""The trained section model: unit scores from sparse features, and ordered Viterbi decoding.

A linear model scores every unit for each state (the five section labels and ``none``, for a
headline or text outside the story); transition scores between consecutive units (with
separate scores across a paragraph break) prefer Situation -> Task -> Action -> Result ->
reflection but allow, at a learned cost, a Result told before the Action. Weights and
transitions are learned by an averaged structured perceptron
(``tools/train_models.py``); the file is deterministic (see :mod:`staranalyzer.linear`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..linear import SparseLinear, load_model
from ..vocabulary import LABELS

STATES: tuple[str, ...] = (*LABELS, "none")
"""Decoding states: the five section labels, then ``none`` (headline, sign-off)."""
NONE = len(STATES) - 1
N_STATES = len(STATES)


class SectionModel(SparseLinear):
    """The section model: unit weights per state and transition scores.

    Attributes:
        keys: sorted feature keys (uint64).
        weights: one row of state scores per key (``len(keys) x N_STATES``).
        trans: transition scores (``N_STATES x N_STATES``) between units of one paragraph.
        trans_para: transition scores across a paragraph break.
        start: scores of the first unit's state.
        meta: provenance (trainer, epochs, corpus digest), for the file's readers.

    """

    kind = "sections"

    def __init__(
        self,
        keys: np.ndarray,
        weights: np.ndarray,
        meta: dict[str, Any],
        trans: np.ndarray,
        trans_para: np.ndarray,
        start: np.ndarray,
    ) -> None:
        super().__init__(keys, weights, meta)
        self.trans = np.asarray(trans, dtype=np.float64)
        self.trans_para = np.asarray(trans_para, dtype=np.float64)
        self.start = np.asarray(start, dtype=np.float64)

    @classmethod
    def empty(cls) -> SectionModel:
        """A model with no weights (every unit scores 0; used only to bootstrap training)."""
        zeros = np.zeros((N_STATES, N_STATES))
        return cls(
            np.zeros(0, dtype=np.uint64),
            np.zeros((0, N_STATES), dtype=np.float32),
            {"trainer": "none"},
            zeros,
            zeros.copy(),
            np.zeros(N_STATES),
        )

    def emissions(
        self, unit_ids: np.ndarray, keys: np.ndarray, values: np.ndarray, n: int
    ) -> np.ndarray:
        """Sum the weights of each unit's features: an ``n x N_STATES`` score matrix."""
        return self.sums(unit_ids, keys, values, n)

    def extra(self) -> dict[str, Any]:
        """The states and transitions, stored beside the weights."""
        return {
            "states": list(STATES),
            "trans": self.trans.round(6).tolist(),
            "trans_para": self.trans_para.round(6).tolist(),
            "start": self.start.round(6).tolist(),
        }

    @classmethod
    def parse(cls, doc: dict[str, Any]) -> dict[str, Any]:
        """Constructor arguments, with the transitions."""
        if doc.get("states") != list(STATES):
            raise ValueError("the model's states are not this version's")
        return {
            **super().parse(doc),
            "trans": np.array(doc["trans"]),
            "trans_para": np.array(doc["trans_para"]),
            "start": np.array(doc["start"]),
        }


def load_section_model(name: str, base_dir: str | None, source: str) -> SectionModel:
    """Load a bundled model by name (``sections``) or a model file relative to the rubric."""
    model: SectionModel = load_model(SectionModel, name, base_dir, source, "sectioning.model")
    return model


def viterbi(
    scores: np.ndarray,
    paragraph: list[bool],
    allowed: list[frozenset[int] | None],
    model: SectionModel,
) -> list[int]:
    """Best state sequence under the model's transitions, with some units' states constrained.

    Args:
        scores: ``n x N_STATES`` emission scores.
        paragraph: for each unit, whether a paragraph break comes before it.
        allowed: for each unit, the states it may take (None: any).
        model: the transitions.

    Returns:
        One state index per unit. Ties go to the lower state index, deterministically.

    """
    n = len(scores)
    if n == 0:
        return []
    neg = -math.inf
    trans = model.trans.tolist()
    trans_para = model.trans_para.tolist()
    em = scores.tolist()
    states = range(N_STATES)

    def mask(i: int, row: list[float]) -> list[float]:
        allow = allowed[i]
        if allow is None:
            return row
        return [v if s in allow else neg for s, v in enumerate(row)]

    best = mask(0, [model.start[s] + em[0][s] for s in states])
    back: list[list[int]] = []
    for i in range(1, n):
        t = trans_para if paragraph[i] else trans
        row_i = em[i]
        new = []
        ptr = []
        for s in states:
            top, arg = neg, 0
            for p in states:
                v = best[p] + t[p][s]
                if v > top:
                    top, arg = v, p
            new.append(top + row_i[s])
            ptr.append(arg)
        best = mask(i, new)
        back.append(ptr)
    last = max(states, key=lambda s: (best[s], -s))
    path = [last]
    for ptr in reversed(back):
        path.append(ptr[path[-1]])
    path.reverse()
    return path


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a score matrix (for per-unit confidences)."""
    if len(scores) == 0:
        return scores
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
