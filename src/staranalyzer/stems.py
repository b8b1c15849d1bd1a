"""Crude word stems, shared by the trained models (principles and red flags).

A model then reads a word it saw in training in another form ("negotiated", "negotiating" ->
"negotiat"). Stems are computed from spaCy's ``LOWER`` hashes, once per distinct word: a bounded
cache maps a word's hash to its stem's hash.
"""

from __future__ import annotations

import re

import numpy as np
from spacy.strings import StringStore, hash_string

_SUFFIX = re.compile(r"(ing|ed|es|s|ly|er|ers|ment|ments|ation|ations|ions|ion|ity|ies|ied|y|e)$")
_CACHE_MAX = 200_000
_cache: dict[int, int] = {}


def stem(word: str) -> str:
    """A crude suffix-stripped form; words of four letters or fewer stay as they are."""
    if len(word) <= 4:
        return word
    cut = _SUFFIX.sub("", word)
    return cut if len(cut) >= 3 else word


def stem_hashes(lower: np.ndarray, strings: StringStore) -> np.ndarray:
    """Each token's stem as a string hash (0 for a token that is not alphabetic).

    Args:
        lower: tokens' lower-case string hashes (``LOWER``).
        strings: the vocabulary's string store, to read each word once.

    """
    if len(lower) == 0:
        return np.zeros(0, dtype=np.uint64)
    distinct, inverse = np.unique(lower, return_inverse=True)
    keys = np.zeros(len(distinct), dtype=np.uint64)
    for i, orth in enumerate(distinct.tolist()):
        key = _cache.get(orth)
        if key is None:
            word = strings[orth]
            key = hash_string(stem(word)) if word.isalpha() else 0
            if len(_cache) < _CACHE_MAX:
                _cache[orth] = key
        keys[i] = key
    return keys[inverse.reshape(-1)]
