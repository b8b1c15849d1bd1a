"""Build the bundled word-vector table from WordLlama's static token embeddings (MIT licence).

Usage (in a separate virtual environment; neither package is a dependency of staranalyzer):

    python -m pip install wordllama==0.4.0.post1 wordfreq==3.1.1 numpy spacy
    python tools/build_word_vectors.py

It takes the 40,000 most frequent English words (wordfreq) and the words of the bundled
rubrics' lexicons, embeds each word with WordLlama's packaged weights (no download: the
tokenizer file shipped in its wheel is copied to a local cache folder), reduces the vectors to
64 dimensions by principal components, quantises them to signed bytes, and writes
``src/staranalyzer/data/word_vectors.model.gz`` keyed by spaCy's hash of the lower-case word
(the ``LOWER`` attribute), so the analyser reads them straight from a Doc's token arrays.
The same packages give the same file.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DIMENSIONS = 64
WORDS = 40_000
_WORD = re.compile(r"^[a-z][a-z'-]*$")


def vocabulary() -> list[str]:
    """Frequent English words plus every word of the bundled lexicons, sorted."""
    import yaml
    from wordfreq import top_n_list

    words = {w for w in top_n_list("en", WORDS) if _WORD.match(w)}
    for path in (ROOT / "rubrics").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'"([^"]+)"|([a-z][a-z\' -]+)', text):
            phrase = match.group(1) or match.group(2) or ""
            words.update(w for w in phrase.lower().split() if _WORD.match(w))
    del yaml
    return sorted(words)


def embed(words: list[str]) -> np.ndarray:
    """WordLlama's embedding of each word, L2-normalised."""
    import wordllama
    from wordllama import WordLlama

    with tempfile.TemporaryDirectory() as cache:
        # WordLlama looks for its tokenizer under "tokenizers/" in the cache folder; its wheel
        # ships the file, so copy it there and never touch the network.
        packaged = Path(wordllama.__file__).parent / "tokenizers"
        (Path(cache) / "tokenizers").mkdir()
        for f in packaged.glob("*.json"):
            shutil.copy(f, Path(cache) / "tokenizers" / f.name)
        model = WordLlama.load(cache_dir=Path(cache), disable_download=True)
        vectors = np.asarray(model.embed(words), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def reduce(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Principal components (signs fixed so each component's largest loading is positive)."""
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:dims]
    signs = np.sign(components[np.arange(dims), np.abs(components).argmax(axis=1)])
    reduced = centred @ (components * signs[:, None]).T
    return reduced / np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-9)


def main() -> None:
    from spacy.strings import get_string_id

    from staranalyzer.vectors import WordVectors

    words = vocabulary()
    reduced = reduce(embed(words), DIMENSIONS)
    keys = np.array([get_string_id(w) for w in words], dtype=np.uint64)
    order = np.argsort(keys)
    table = WordVectors.quantise(
        keys[order],
        reduced[order],
        {
            "source": "WordLlama 0.4.0.post1 l2_supercat_256 (MIT), wordfreq 3.1.1 top 40,000",
            "dimensions": DIMENSIONS,
            "words": len(words),
            "builder": "tools/build_word_vectors.py",
        },
    )
    out = ROOT / "src" / "staranalyzer" / "data" / "word_vectors.model.gz"
    table.save(out)
    print(f"{len(words)} words x {DIMENSIONS} -> {out} ({out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
