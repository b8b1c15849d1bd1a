"""The red-flag sentence corpus: labelled sentences and traps, written for this project.

Source files: ``benchmarks/corpus/flags/{heldout,dev}-*.txt``. Check one with
``python benchmarks/corpus/flags.py FILE...``.

One sentence per line, seven fields separated by `` | `` (the sentence last)::

    category | trap_for | section | register | field | cue | sentence

- ``category``: ``blame``, ``sole_credit``, ``vague``, ``hedging``, ``overreach`` (beyond an
  L6 senior manager's scope) or ``clean`` (no red flag).
- ``trap_for``: for a clean sentence, the category a keyword matcher would wrongly give it;
  ``-`` otherwise.
- ``section``: where in a STAR answer the sentence would sit (situation, task, action, result).
- ``register``: plain, spoken, indirect, notes, non-native, formal.
- ``field``: the candidate's trade (nursing, software, retail, ...).
- ``cue``: the words that carry the flag (or, for a trap, the misleading words), copied exactly
  from the sentence; ``-`` when none stands out.

Lines starting with ``#`` and blank lines are ignored.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = ("blame", "sole_credit", "vague", "hedging", "overreach")
SECTIONS = ("situation", "task", "action", "result")
REGISTERS = ("plain", "spoken", "indirect", "notes", "non-native", "formal")


@dataclass(frozen=True)
class FlagSentence:
    """One labelled sentence."""

    id: str
    split: str
    category: str
    trap_for: str | None
    section: str
    register: str
    field: str
    cue: str | None
    text: str


class FlagCorpusError(ValueError):
    """A malformed line; the message names the file and line."""


def parse_flags(text: str, source: str, split: str) -> list[FlagSentence]:
    """Parse one source file of the red-flag corpus.

    Raises:
        FlagCorpusError: naming the file and line of the first problem.

    """
    out = []
    stem = Path(source).stem
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{source}:{n}"
        parts = line.split(" | ", 6)
        if len(parts) != 7:
            raise FlagCorpusError(f"{where}: expected 7 fields separated by ' | '")
        cat, trap, section, register, fld, cue, sentence = (p.strip() for p in parts)
        if cat not in (*CATEGORIES, "clean"):
            raise FlagCorpusError(f"{where}: unknown category {cat!r}")
        if cat == "clean":
            if trap not in CATEGORIES:
                raise FlagCorpusError(f"{where}: a clean sentence names the category it traps")
        elif trap != "-":
            raise FlagCorpusError(f"{where}: trap_for must be '-' for a flagged sentence")
        if section not in SECTIONS:
            raise FlagCorpusError(f"{where}: unknown section {section!r}")
        if register not in REGISTERS:
            raise FlagCorpusError(f"{where}: unknown register {register!r}")
        if cue != "-" and cue not in sentence:
            raise FlagCorpusError(f"{where}: cue {cue!r} is not in the sentence")
        if len(sentence.split()) < 3:
            raise FlagCorpusError(f"{where}: sentence too short")
        out.append(
            FlagSentence(
                id=f"{stem}:{n}",
                split=split,
                category=cat,
                trap_for=None if trap == "-" else trap,
                section=section,
                register=register,
                field=fld,
                cue=None if cue == "-" else cue,
                text=sentence,
            )
        )
    return out


def load_flags(folder: Path | None = None) -> list[FlagSentence]:
    """Every sentence of ``benchmarks/corpus/flags/`` (split from the file name)."""
    folder = folder or Path(__file__).parent / "flags"
    out: list[FlagSentence] = []
    for path in sorted(folder.glob("*.txt")):
        split = "heldout" if path.name.startswith("heldout") else "dev"
        out.extend(parse_flags(path.read_text(encoding="utf-8"), path.name, split))
    return out


def main(argv: list[str]) -> int:
    """Check flag files; print errors or statistics."""
    rows: list[FlagSentence] = []
    for name in argv:
        path = Path(name)
        try:
            rows.extend(parse_flags(path.read_text(encoding="utf-8"), path.name, "?"))
        except FlagCorpusError as exc:
            print(f"ERROR {exc}")
            return 1
    texts = Counter(r.text.lower() for r in rows)
    dups = [t for t, c in texts.items() if c > 1]
    print(f"{len(rows)} sentences")
    print("categories:", dict(Counter(r.category for r in rows)))
    print("traps for:", dict(Counter(r.trap_for for r in rows if r.trap_for)))
    print("registers:", dict(Counter(r.register for r in rows)))
    print("sections:", dict(Counter(r.section for r in rows)))
    print("fields:", dict(Counter(r.field for r in rows)))
    if dups:
        print(f"duplicates ({len(dups)}):", dups[:5])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
