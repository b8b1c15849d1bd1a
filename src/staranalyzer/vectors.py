"""Static word vectors: 64 numbers per frequent English word, so models can generalise to
words they never saw in training ("botched" reads like "messed up").

The table is distilled once from WordLlama's token embeddings by
``tools/build_word_vectors.py`` and ships in the wheel (signed bytes with one scale per
dimension; no download at run time). A sentence's vector is the mean of its known words'
vectors, computed from the Doc's ``LOWER`` array with one binary search.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .linear import SparseLinear, load_model, pack, unpack


class WordVectors(SparseLinear):
    """Word vectors keyed by spaCy's hash of the lower-case word.

    ``weights`` holds the vectors (float32 after loading); the file stores them as signed bytes
    and a scale per dimension.
    """

    kind = "vectors"

    @classmethod
    def quantise(cls, keys: np.ndarray, vectors: np.ndarray, meta: dict[str, Any]) -> WordVectors:
        """A table from float vectors (rounded to signed bytes on save)."""
        return cls(keys, vectors.astype(np.float32), meta)

    def to_json(self) -> str:
        """Serialise as signed bytes with a scale per dimension (deterministic)."""
        import json

        scale = np.abs(self.weights).max(axis=0)
        scale = np.where(scale > 0, scale / 127.0, 1.0).astype("<f4")
        codes = np.clip(np.rint(self.weights / scale), -127, 127).astype("<i1")
        doc = {
            "kind": self.kind,
            "format": 1,
            "meta": self.meta,
            "n_features": len(self.keys),
            "outputs": self.outputs,
            "keys": pack(self.keys.astype("<u8")),
            "codes": pack(codes),
            "scale": pack(scale),
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":"))

    @classmethod
    def parse(cls, doc: dict[str, Any]) -> dict[str, Any]:
        """Constructor arguments: the bytes times their scales."""
        n, k = int(doc["n_features"]), int(doc["outputs"])
        codes = unpack(doc["codes"], "<i1", (n, k)).astype(np.float32)
        scale = unpack(doc["scale"], "<f4", (k,))
        return {
            "keys": unpack(doc["keys"], "<u8", (n,)),
            "weights": codes * scale,
            "meta": dict(doc.get("meta", {})),
        }

    def means(self, lower: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
        """The mean vector of each group's known words (``n x dims``; zeros for none)."""
        out = np.zeros((n, self.outputs), dtype=np.float64)
        inside = groups >= 0
        known, rows = self.rows(lower[inside])
        if not known.any():
            return out
        owners = groups[inside][known]
        np.add.at(out, owners, rows)
        counts = np.bincount(owners, minlength=n)[:, None]
        return out / np.maximum(counts, 1)


def load_vectors(name: str, base_dir: str | None, source: str) -> WordVectors:
    """The bundled table by name (``word_vectors``) or a file relative to the rubric."""
    vectors: WordVectors = load_model(WordVectors, name, base_dir, source, "vectors")
    return vectors
