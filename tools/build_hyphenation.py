"""Build src/staranalyzer/data/hyphenation-en_US.json.gz from pyphen's en_US patterns.

Usage: pip install "pyphen>=0.14"; python tools/build_hyphenation.py

textstat counts a word's syllables from pyphen's en_US hyphenation when the CMU dictionary does
not know it. Parsing pyphen's pattern file costs about a tenth of a second at every start, so
staranalyzer ships the parsed patterns (pattern -> offset and values, as pyphen stores them) and
applies pyphen's algorithm to them (``staranalyzer.scoring.syllables``); the test suite checks
the counts against pyphen and textstat. The output is byte-identical between builds.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyphen

OUT = (
    Path(__file__).resolve().parents[1] / "src" / "staranalyzer" / "data"
    / "hyphenation-en_US.json.gz"
)  # fmt: skip


def main() -> None:
    """Write the patterns."""
    hd = pyphen.Pyphen(lang="en_US").hd
    patterns = {}
    for tag, (offset, values) in sorted(hd.patterns.items()):
        if any(getattr(v, "data", None) for v in values):
            raise SystemExit(f"pattern {tag!r} has a nonstandard hyphenation: not supported")
        patterns[tag] = [offset, [int(v) for v in values]]
    data = {
        "source": f"pyphen {getattr(pyphen, '__version__', '')} hyph_en_US.dic",
        "maxlen": hd.maxlen,
        "patterns": patterns,
    }
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    OUT.write_bytes(gzip.compress(text.encode(), mtime=0))
    print(f"wrote {len(patterns)} patterns to {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
