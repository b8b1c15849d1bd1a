"""Sparse linear models shipped in the wheel: sorted 64-bit feature keys and a weight row each.

The section model (:mod:`staranalyzer.sectioning.model`) and the red-flag sentence model
(:mod:`staranalyzer.detectors.classifier`) are both stored this way: deterministic JSON,
gzipped without a timestamp, so retraining on the same corpus gives a byte-identical file.
"""

from __future__ import annotations

import base64
import gzip
import importlib.resources
import json
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .errors import RubricError
from .gcpause import paused_gc

MASK = (1 << 64) - 1
_MIX = 0x9E3779B97F4A7C15
_U_MIX = np.uint64(_MIX)


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> int:
    """The 64-bit key of a named feature ("pos:3", "lex:third_party"), the same everywhere."""
    return (zlib.crc32(name.encode("utf-8")) * _MIX + 0x5BD1E995) & MASK


def mix(namespace: int, value: int) -> int:
    """Combine a namespace key with a value (a string hash): a new key."""
    return ((namespace * _MIX) ^ value) & MASK


def mix_keys(namespace: int, values: np.ndarray) -> np.ndarray:
    """:func:`mix` over an array of string hashes: one key per value, in that namespace."""
    with np.errstate(over="ignore"):
        return (np.uint64(namespace) * _U_MIX) ^ values.astype(np.uint64, copy=False)


def ngram_keys(
    lower: np.ndarray, group_of_token: np.ndarray, uni_ns: int, bi_ns: int
) -> tuple[np.ndarray, np.ndarray]:
    """Unigram and bigram keys of tokens grouped into units or sentences (-1: no group).

    Returns (group per key, key) arrays; bigrams never cross a group boundary. Vectorised over
    spaCy's ``LOWER`` hashes, so nothing is re-tokenised.
    """
    if len(lower) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    inside = group_of_token >= 0
    with np.errstate(over="ignore"):
        uni = mix_keys(uni_ns, lower[inside])
        same = (group_of_token[:-1] == group_of_token[1:]) & inside[:-1]
        bi = ((lower[:-1][same] * _U_MIX) ^ lower[1:][same]) * _U_MIX ^ np.uint64(bi_ns)
    return (
        np.concatenate([group_of_token[inside], group_of_token[:-1][same]]),
        np.concatenate([uni, bi]),
    )


def lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask of ``keys`` present in ``sorted_keys``, their positions there)."""
    if len(keys) == 0 or len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=np.int64)
    pos = np.searchsorted(sorted_keys, keys)
    pos[pos >= len(sorted_keys)] = 0
    known = sorted_keys[pos] == keys
    return known, pos[known]


def pack(array: np.ndarray) -> str:
    """Base64 of an array's bytes (little-endian, C order)."""
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def unpack(data: str, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """The array :func:`pack` wrote."""
    return np.frombuffer(base64.b64decode(data), dtype=dtype).reshape(shape).copy()


class SparseLinear:
    """Weights by feature key: ``keys`` (sorted uint64) and ``weights`` (one row per key).

    Args:
        keys: sorted feature keys.
        weights: ``len(keys) x n_outputs`` weights.
        meta: provenance for the file's readers (trainer, corpus digest, settings).

    """

    kind = "linear"
    weight_format = "<f4"
    """How the weights are stored in the file (read back as float32 either way)."""

    def __init__(self, keys: np.ndarray, weights: np.ndarray, meta: dict[str, Any]) -> None:
        self.keys = keys.astype(np.uint64)
        self.weights = weights.astype(np.float32)
        self.meta = meta

    @property
    def outputs(self) -> int:
        """Number of outputs (columns of ``weights``)."""
        return int(self.weights.shape[1]) if self.weights.ndim == 2 else 0

    def rows(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mask of the keys the model knows, their weight rows)."""
        known, pos = lookup(self.keys, keys)
        if len(pos) == 0:
            return known, np.zeros((0, self.outputs), np.float32)
        return known, self.weights[pos]

    def sums(self, groups: np.ndarray, keys: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        """Sum of ``value * weight`` per group: an ``n x outputs`` score matrix."""
        out = np.zeros((n, self.outputs), dtype=np.float64)
        known, rows = self.rows(keys)
        if known.any():
            at, weighted = groups[known], rows * values[known, None]
            for j in range(self.outputs):  # bincount: the same sums as np.add.at, far faster
                out[:, j] = np.bincount(at, weights=weighted[:, j], minlength=n)
        return out

    def extra(self) -> dict[str, Any]:
        """Fields of a subclass to store beside the weights."""
        return {}

    def to_json(self) -> str:
        """Serialise deterministically (sorted keys, fixed float layout)."""
        doc = {
            "kind": self.kind,
            "format": 1,
            "meta": self.meta,
            "n_features": len(self.keys),
            "outputs": self.outputs,
            "keys": pack(self.keys.astype("<u8")),
            "weights": pack(self.weights.astype(self.weight_format)),
            **self.extra(),
        }
        if self.weight_format != "<f4":
            doc["weight_format"] = self.weight_format
        return json.dumps(doc, sort_keys=True, separators=(",", ":"))

    def save(self, path: Path) -> None:
        """Write as gzipped JSON with no timestamp (byte-identical for equal models)."""
        path.write_bytes(gzip.compress(self.to_json().encode("utf-8"), compresslevel=9, mtime=0))

    @classmethod
    def parse(cls, doc: dict[str, Any]) -> dict[str, Any]:
        """The constructor arguments of a loaded document (subclasses add theirs)."""
        n, k = int(doc["n_features"]), int(doc["outputs"])
        return {
            "keys": unpack(doc["keys"], "<u8", (n,)),
            "weights": unpack(doc["weights"], doc.get("weight_format", "<f4"), (n, k)),
            "meta": dict(doc.get("meta", {})),
        }

    @classmethod
    def from_bytes(cls, data: bytes, source: str, field: str) -> Any:
        """Load a model file's bytes.

        Raises:
            RubricError: the file is not a model of this kind and format.

        """
        try:
            doc = json.loads(gzip.decompress(data))
            if doc.get("kind") != cls.kind or doc.get("format") != 1:
                raise ValueError(f"not a {cls.kind} model of this version")
            return cls(**cls.parse(doc))
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            raise RubricError(source, [f"{field}: cannot load ({exc})"]) from None


class LogisticModel(SparseLinear):
    """One logistic regression per label over sparse features.

    Attributes:
        labels: the labels, in the order of the weight columns.
        bias: each label's intercept.

    """

    kind = "logistic"

    def __init__(
        self,
        keys: np.ndarray,
        weights: np.ndarray,
        meta: dict[str, Any],
        bias: np.ndarray,
        labels: list[str],
    ) -> None:
        super().__init__(keys, weights, meta)
        self.bias = np.asarray(bias, dtype=np.float64)
        self.labels = list(labels)

    def probabilities(
        self, groups: np.ndarray, keys: np.ndarray, values: np.ndarray, n: int
    ) -> np.ndarray:
        """``n x labels`` probabilities."""
        scores = self.sums(groups, keys, values, n) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(scores, -30, 30)))

    def extra(self) -> dict[str, Any]:
        """The labels and intercepts, stored beside the weights."""
        return {"labels": self.labels, "bias": self.bias.round(6).tolist()}

    @classmethod
    def parse(cls, doc: dict[str, Any]) -> dict[str, Any]:
        """Constructor arguments, with the labels and intercepts."""
        return {**super().parse(doc), "bias": np.array(doc["bias"]), "labels": doc["labels"]}


_BUNDLED: dict[tuple[str, str], Any] = {}


def forget_bundled() -> None:
    """Drop the loaded bundled models, so the next load reads the files again (after training)."""
    _BUNDLED.clear()


def load_model(
    cls: type[SparseLinear], name: str, base_dir: str | None, source: str, field: str
) -> Any:
    """A bundled model by name (``data/<name>.model.gz``) or a file relative to the rubric.

    Raises:
        RubricError: naming the rubric and field when the model cannot be read or loaded.

    """
    if "/" not in name and not name.endswith(".gz"):
        key = (cls.kind, name)
        if key not in _BUNDLED:
            res = importlib.resources.files("staranalyzer") / "data" / f"{name}.model.gz"
            try:
                data = res.read_bytes()
            except OSError:
                raise RubricError(source, [f"{field}: no bundled model {name!r}"]) from None
            with paused_gc():  # a long-lived model: see gcpause
                _BUNDLED[key] = cls.from_bytes(data, source, field)
        return _BUNDLED[key]
    path = Path(name) if base_dir is None else Path(base_dir) / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RubricError(source, [f"{field}: cannot read {path} ({exc})"]) from None
    return cls.from_bytes(data, source, field)
