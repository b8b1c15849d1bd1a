"""Sparse linear models shipped in the wheel: sorted 64-bit feature keys and a weight row each.

The section model (:mod:`staranalyzer.sectioning.model`), the red-flag sentence model
(:mod:`staranalyzer.detectors.classifier`) and the principle models
(:mod:`staranalyzer.detectors.principles`) are all stored this way, in one deterministic file:
a magic line, the length of a JSON header (little-endian, 8 bytes), the header (sorted keys:
the small fields, and for each array its dtype, shape and offset), then the arrays' raw bytes,
each padded to 8 bytes. Retraining on the same corpus gives a byte-identical file, and loading
one is a read and a few ``np.frombuffer`` views: no decompression, no base64, no float parsing
(gzipped base64 JSON, the first format, took about 0.2 s of every start-up; it still loads).
"""

from __future__ import annotations

import base64
import gzip
import importlib.resources
import json
import math
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


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-D array: ``np.unique`` without its masked-array check.

    (NumPy 2's ``unique`` imports ``numpy.ma`` at its first plain call: 10-25 ms of start-up.)
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask of ``keys`` present in ``sorted_keys``, their positions there)."""
    if len(keys) == 0 or len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=np.int64)
    pos = np.searchsorted(sorted_keys, keys)
    pos[pos >= len(sorted_keys)] = 0
    known = sorted_keys[pos] == keys
    return known, pos[known]


MAGIC = b"staranalyzer model\n"
"""The first bytes of a model file (the older gzipped JSON files start with gzip's own)."""
_ARRAY = "$array"


def pack(array: np.ndarray) -> np.ndarray:
    """An array as the file stores it, contiguous (callers cast it to its little-endian dtype)."""
    return np.ascontiguousarray(array)


def unpack(data: str | np.ndarray, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """The array :func:`pack` stored (base64 text in a first-format file), checked."""
    if isinstance(data, str):  # the first format: base64 of the bytes
        data = np.frombuffer(base64.b64decode(data), dtype=dtype)
    if data.dtype != np.dtype(dtype) or data.size != math.prod(shape):
        raise ValueError(f"an array is {data.dtype}[{data.size}], not {dtype}{list(shape)}")
    return data.reshape(shape).copy()  # a copy: the model does not hold the file's bytes


def write_arrays(doc: dict[str, Any]) -> bytes:
    """A model document as file bytes: the header (arrays by dtype, shape, offset), then arrays."""
    header: dict[str, Any] = {}
    blobs: list[bytes] = []
    offset = 0
    for name in sorted(doc):
        value = doc[name]
        if not isinstance(value, np.ndarray):
            header[name] = value
            continue
        raw = value.tobytes()
        raw += b"\0" * (-len(raw) % 8)
        header[name] = {_ARRAY: value.dtype.str, "shape": list(value.shape), "offset": offset}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(len(MAGIC) + 8 + len(text)) % 8)
    return b"".join([MAGIC, len(text).to_bytes(8, "little"), text, *blobs])


def read_arrays(data: bytes) -> dict[str, Any]:
    """The document :func:`write_arrays` wrote; arrays are read-only views of ``data``."""
    if not data.startswith(MAGIC):  # the first format: gzipped JSON, arrays in base64
        doc: dict[str, Any] = json.loads(gzip.decompress(data))
        return doc
    start = len(MAGIC) + 8
    size = int.from_bytes(data[len(MAGIC) : start], "little")
    doc = json.loads(data[start : start + size])
    base = start + size
    for name, value in doc.items():
        if isinstance(value, dict) and _ARRAY in value:
            dtype, shape = np.dtype(value[_ARRAY]), tuple(value["shape"])
            count = math.prod(shape)
            at = base + int(value["offset"])
            if at + count * dtype.itemsize > len(data):
                raise ValueError(f"the file is cut short (array {name!r})")
            doc[name] = np.frombuffer(data, dtype=dtype, count=count, offset=at).reshape(shape)
    return doc


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

    def to_bytes(self) -> bytes:
        """Serialise deterministically (sorted keys, fixed float layout, raw arrays)."""
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
        return write_arrays(doc)

    def save(self, path: Path) -> None:
        """Write the model file (byte-identical for equal models)."""
        path.write_bytes(self.to_bytes())

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
            doc = read_arrays(data)
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
    """A bundled model by name (``data/<name>.model``) or a file relative to the rubric.

    Raises:
        RubricError: naming the rubric and field when the model cannot be read or loaded.

    """
    if "/" not in name and not name.endswith((".gz", ".model")):
        key = (cls.kind, name)
        if key not in _BUNDLED:
            res = importlib.resources.files("staranalyzer") / "data" / f"{name}.model"
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
