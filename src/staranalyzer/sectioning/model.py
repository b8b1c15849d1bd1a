"""The trained section model: unit scores from sparse features, and ordered Viterbi decoding.

A linear model scores every unit for each state (the five section labels and ``none``, for a
headline or text outside the story); transition scores between consecutive units (with
separate scores across a paragraph break) prefer Situation -> Task -> Action -> Result ->
reflection but allow, at a learned cost, a Result told before the Action. Weights and
transitions are learned by an averaged structured perceptron
(``tools/train_models.py``); the file is deterministic JSON, gzipped without a timestamp.
"""

from __future__ import annotations

import base64
import gzip
import importlib.resources
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import RubricError
from ..vocabulary import LABELS

STATES: tuple[str, ...] = (*LABELS, "none")
"""Decoding states: the five section labels, then ``none`` (headline, sign-off)."""
NONE = len(STATES) - 1
N_STATES = len(STATES)
MODEL_FORMAT = 1


def _pack(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _unpack(data: str, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data), dtype=dtype).reshape(shape).copy()


@dataclass
class SectionModel:
    """Weights of the section model.

    Attributes:
        keys: sorted feature keys (uint64).
        weights: one row of state scores per key (float32, ``len(keys) x N_STATES``).
        trans: transition scores (``N_STATES x N_STATES``) between units of one paragraph.
        trans_para: transition scores across a paragraph break.
        start: scores of the first unit's state.
        meta: provenance (corpus, epochs, date-free), for the file's readers.

    """

    keys: np.ndarray
    weights: np.ndarray
    trans: np.ndarray
    trans_para: np.ndarray
    start: np.ndarray
    meta: dict[str, object]

    def emissions(
        self, unit_ids: np.ndarray, keys: np.ndarray, values: np.ndarray, n: int
    ) -> np.ndarray:
        """Sum the weights of each unit's features: an ``n x N_STATES`` score matrix."""
        scores = np.zeros((n, N_STATES), dtype=np.float64)
        if len(keys) == 0 or len(self.keys) == 0:
            return scores
        pos = np.searchsorted(self.keys, keys)
        pos[pos >= len(self.keys)] = 0
        known = self.keys[pos] == keys
        if known.any():
            rows = self.weights[pos[known]] * values[known, None]
            np.add.at(scores, unit_ids[known], rows)
        return scores

    @classmethod
    def empty(cls) -> SectionModel:
        """A model with no weights (every unit scores 0; used only to bootstrap training)."""
        zeros = np.zeros((N_STATES, N_STATES))
        return cls(
            keys=np.zeros(0, dtype=np.uint64),
            weights=np.zeros((0, N_STATES), dtype=np.float32),
            trans=zeros,
            trans_para=zeros.copy(),
            start=np.zeros(N_STATES),
            meta={"trainer": "none"},
        )

    def to_json(self) -> str:
        """Serialise deterministically (sorted keys, fixed float layout)."""
        doc = {
            "format": MODEL_FORMAT,
            "states": list(STATES),
            "meta": self.meta,
            "n_features": len(self.keys),
            "keys": _pack(self.keys.astype("<u8")),
            "weights": _pack(self.weights.astype("<f4")),
            "trans": self.trans.round(6).tolist(),
            "trans_para": self.trans_para.round(6).tolist(),
            "start": self.start.round(6).tolist(),
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":"))

    def save(self, path: Path) -> None:
        """Write the model as gzipped JSON with no timestamp (byte-identical for equal models)."""
        raw = self.to_json().encode("utf-8")
        path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))

    @classmethod
    def from_bytes(cls, data: bytes, source: str) -> SectionModel:
        """Load a model file's bytes.

        Raises:
            RubricError: the file is not a section model of this format.

        """
        try:
            doc = json.loads(gzip.decompress(data))
            if doc.get("format") != MODEL_FORMAT or doc.get("states") != list(STATES):
                raise ValueError("not a section model of this version")
            n = int(doc["n_features"])
            return cls(
                keys=_unpack(doc["keys"], "<u8", (n,)).astype(np.uint64),
                weights=_unpack(doc["weights"], "<f4", (n, N_STATES)).astype(np.float32),
                trans=np.array(doc["trans"], dtype=np.float64),
                trans_para=np.array(doc["trans_para"], dtype=np.float64),
                start=np.array(doc["start"], dtype=np.float64),
                meta=dict(doc.get("meta", {})),
            )
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            raise RubricError(source, [f"sectioning.model: cannot load ({exc})"]) from None


_BUNDLED: dict[str, SectionModel] = {}


def load_section_model(name: str, base_dir: str | None, source: str) -> SectionModel:
    """Load a bundled model by name (``sections``) or a model file relative to the rubric."""
    if "/" not in name and not name.endswith(".gz"):
        if name not in _BUNDLED:
            res = importlib.resources.files("staranalyzer") / "data" / f"{name}.model.gz"
            try:
                data = res.read_bytes()
            except OSError:
                raise RubricError(
                    source, [f"sectioning.model: no bundled model {name!r}"]
                ) from None
            _BUNDLED[name] = SectionModel.from_bytes(data, source)
        return _BUNDLED[name]
    path = Path(name) if base_dir is None else Path(base_dir) / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RubricError(source, [f"sectioning.model: cannot read {path} ({exc})"]) from None
    return SectionModel.from_bytes(data, source)


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
