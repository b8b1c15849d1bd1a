"""Build src/staranalyzer/data/rubrics.json: the bundled rubrics' YAML, parsed, as JSON.

Usage: python tools/build_rubric_cache.py [--check]

Parsing the default rubric's YAML took about 35 ms of every start (and importing PyYAML 15 ms
more); JSON parses in about 1 ms. Each entry holds the parsed mapping beside the SHA-256 of the
YAML text it came from, so an edited rubric is never read from a stale entry: the loader parses
its YAML instead (``staranalyzer.rubric.loader.precompiled``). Run this after editing a bundled
rubric; ``tests/test_rubric.py`` fails while the file is out of date, and ``--check`` says so
without writing. The output is byte-identical between builds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from staranalyzer.rubric.loader import (  # noqa: E402
    available_rubrics,
    bundled_text,
    read_yaml,
    text_digest,
)

OUT = ROOT / "src" / "staranalyzer" / "data" / "rubrics.json"


def build() -> bytes:
    """The file's bytes for the rubrics as they are now."""
    entries = {}
    for name in available_rubrics():
        text = bundled_text(name)
        raw = read_yaml(text, name)
        if json.loads(json.dumps(raw)) != raw:  # only what JSON holds exactly: no dates, int keys
            raise SystemExit(f"{name}: the parsed rubric does not survive JSON unchanged")
        entries[name] = {"sha256": text_digest(text), "raw": raw}
    doc = {"about": "written by tools/build_rubric_cache.py", "format": 1, "rubrics": entries}
    return (
        json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    ).encode()


def main() -> None:
    """Write the file, or with --check exit 1 when it is out of date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    data = build()
    if args.check:
        current = OUT.read_bytes() if OUT.exists() else b""
        print("up to date" if current == data else f"{OUT} is out of date")
        raise SystemExit(0 if current == data else 1)
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
