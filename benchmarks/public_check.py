"""Accuracy on real public answers: sections, principles and red flags on text nobody here wrote.

Usage: python benchmarks/public_check.py --answers FILE... [--flags FILE...] [--exclude-repos FILE]

The corpus under ``benchmarks/corpus/`` is written by this project's authors, and its held-out
split tells how the models carry over to authors they never saw, not to candidates. This script
scores the same things on answers and sentences taken from public interview-prep repositories
and marked by hand. Those files are third-party text, so they are kept out of the repository
(``benchmarks/RESULTS.md`` says how they were collected, what each holds and which were used
for diagnosis and which only measured).

Answer files: records of ``=== <id> | source: <owner/repo> <path> | lp: <codes> | form: <form>``,
an optional ``Q: <question>`` line, then the answer with the section marks of
``benchmarks/corpus/stories.py`` (``⟦S⟧ ⟦T⟧ ⟦A⟧ ⟦R⟧ ⟦L⟧ ⟦h⟧ ⟦H⟧ ⟦O⟧``). ``lp`` holds the
Leadership Principle codes the source itself gives the story (empty when it gives none).

Flag files: one sentence per line, ``<category>\\t<owner/repo path>\\t<sentence>``, the category
one of ``blame sole_credit vague hedging overreach clean``. Each sentence is placed in the
held-out strong answers as ``benchmarks/accuracy.py`` places the corpus's sentences, and scored
alone.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "corpus"))

from evaluation import (  # noqa: E402
    PRINCIPLE_IDS,
    GoldStory,
    char_accuracy,
    hosts_for,
    load_gold,
    place_flags,
    position_baseline,
    predicted_spans,
    variants,
)
from stories import CorpusError, resolve_marks  # noqa: E402

from staranalyzer import Analyzer  # noqa: E402
from staranalyzer.vocabulary import RED_FLAGS  # noqa: E402

_HEADER = re.compile(r"^=== (\S+) \| source: (.*?) \| lp:(.*?)\| form: (\S+)\s*$")
_FLAG_SECTION = {
    "blame": "action",
    "sole_credit": "result",
    "vague": "result",
    "hedging": "action",
    "overreach": "result",
    "clean": "action",
}
SHOWN = ("as_written", "paragraphs", "single")
"""Variants printed: the answer as its author wrote it, one paragraph per section, one paragraph."""


@dataclass(frozen=True)
class PublicAnswer:
    """One marked public answer."""

    story: GoldStory
    form: str
    repo: str


@dataclass(frozen=True)
class PublicFlag:
    """One labelled public sentence (the fields ``place_flags`` reads)."""

    category: str
    text: str
    section: str
    repo: str


def load_answers(paths: list[Path]) -> list[PublicAnswer]:
    """Parse answer files; a malformed record is reported and skipped; repeats are dropped."""
    out: list[PublicAnswer] = []
    seen: set[str] = set()
    for path in paths:
        for record in re.split(r"(?m)^(?==== )", path.read_text(encoding="utf-8")):
            if not record.startswith("=== "):
                continue
            lines = record.split("\n")
            m = _HEADER.match(lines[0].strip())
            if m is None:
                print(f"skipped, bad header in {path.name}: {lines[0][:80]!r}", file=sys.stderr)
                continue
            rid, source, lp, form = m.groups()
            body, question = lines[1:], ""
            if body and body[0].startswith("Q:"):
                question, body = body[0][2:].strip(), body[1:]
            try:
                text, spans, _ = resolve_marks("\n".join(body), rid)
            except CorpusError as e:
                print(f"skipped: {e}", file=sys.stderr)
                continue
            if text[:300] in seen:
                continue
            seen.add(text[:300])
            codes = [c.strip() for c in lp.split(",") if c.strip() in PRINCIPLE_IDS]
            story = GoldStory(
                id=rid,
                split="public",
                origin="public",
                text=text,
                spans=spans,
                form={"bullets": "bullets", "transcript": "transcript"}.get(form, "prose"),
                quality="unknown",
                weak=[],
                question=question,
                principles=codes,
            )
            out.append(PublicAnswer(story, form, source.split()[0]))
    return out


def load_flags(paths: list[Path]) -> list[PublicFlag]:
    """Parse flag files; unknown categories are skipped; repeated sentences are dropped."""
    out: list[PublicFlag] = []
    seen: set[str] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 3 or parts[0] not in _FLAG_SECTION:
                continue
            text = "\t".join(parts[2:]).strip()
            if text in seen:
                continue
            seen.add(text)
            out.append(PublicFlag(parts[0], text, _FLAG_SECTION[parts[0]], parts[1].split()[0]))
    return out


def print_sections(analyzer: Analyzer, answers: list[PublicAnswer]) -> None:
    """Character accuracy of the sections against position alone, per variant and form."""
    rows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for a in answers:
        rendered = variants(a.story)
        for name in SHOWN:
            r = rendered[name]
            acc = char_accuracy(r.text, r.gold, predicted_spans(analyzer.analyze(r.text)))
            base = char_accuracy(r.text, r.gold, position_baseline(r.text))
            rows[name].append((acc, base))
            if name == "as_written":
                rows[f"as_written/{a.form}"].append((acc, base))
    repos = len({a.repo for a in answers})
    print(f"sections: {len(answers)} public answers from {repos} repositories")
    print(f"  {'variant':24s} {'n':>4s}   ours  position")
    for key in sorted(rows, key=lambda k: (k.count("/"), k)):
        v = rows[key]
        ours, base = sum(x for x, _ in v) / len(v), sum(y for _, y in v) / len(v)
        print(f"  {key:24s} {len(v):4d}  {ours:.3f}  {base:.3f}")


def print_principles(analyzer: Analyzer, answers: list[PublicAnswer]) -> None:
    """recall@3 and precision@1 of the principles each source names (without, then with, Q)."""
    labelled = [a.story for a in answers if a.story.principles]
    if not labelled:
        return
    counts = Counter(c for s in labelled for c in s.principles)
    print(f"principles (amazon-l6): {len(labelled)} answers whose source names the principle")
    print(f"  {len(counts)} principles; most frequent {counts.most_common(3)}")
    for with_question in (False, True):
        r3 = p1 = 0.0
        for s in labelled:
            gold = {PRINCIPLE_IDS[c] for c in s.principles}
            q = s.question or None if with_question else None
            top = [p.id for p in analyzer.analyze(s.text, question=q).principles[:3]]
            r3 += len(gold & set(top)) / len(gold)
            p1 += top[0] in gold
        n = len(labelled)
        label = "with question" if with_question else "no question  "
        print(f"  {label} recall@3 {r3 / n:.3f}  precision@1 {p1 / n:.3f}")


def print_flags(analyzer: Analyzer, flags: list[PublicFlag]) -> None:
    """Recall per category (clean: share flagged), placed in held-out strong answers and alone."""
    hosts = hosts_for(load_gold(), "heldout")
    placed = place_flags(flags, hosts)
    in_answer = list(analyzer.analyze_many([p[2] for p in placed]))
    alone = list(analyzer.analyze_many([f.text for f in flags]))
    hit: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (flag, _, _, start, end), report, single in zip(placed, in_answer, alone, strict=True):
        found = {
            f.category
            for f in report.findings
            if f.category in RED_FLAGS and f.start is not None and f.start < end and f.end > start
        }
        found_alone = {f.category for f in single.findings if f.category in RED_FLAGS}
        row = hit[flag.category]
        if flag.category == "clean":
            row[0] += bool(found)
            row[1] += bool(found_alone)
        else:
            row[0] += flag.category in found
            row[1] += flag.category in found_alone
        row[2] += 1
    repos = len({f.repo for f in flags})
    print(f"red flags (amazon-l6): {len(flags)} public sentences from {repos} repositories")
    print(f"  {'category':12s} {'n':>4s}  in an answer  alone")
    flagged = [c for c in hit if c != "clean"]
    for cat in sorted(flagged) + (["clean"] if "clean" in hit else []):
        a, b, n = hit[cat]
        what = "flagged" if cat == "clean" else "recall "
        print(f"  {cat:12s} {n:4d}  {what} {a / n:.2f}  {b / n:.2f}")
    caught = sum(hit[c][0] for c in flagged)
    total = sum(hit[c][2] for c in flagged)
    if total:
        print(f"  {'all flags':12s} {total:4d}  recall  {caught / total:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", nargs="*", type=Path, default=[])
    parser.add_argument("--flags", nargs="*", type=Path, default=[])
    parser.add_argument(
        "--exclude-repos",
        type=Path,
        help="a file of owner/repo names (comma or line separated) whose records are left out",
    )
    args = parser.parse_args()
    excluded: set[str] = set()
    if args.exclude_repos:
        excluded = {r.strip() for r in re.split(r"[,\n]", args.exclude_repos.read_text()) if r}
    analyzer = Analyzer("amazon-l6")
    answers = [a for a in load_answers(args.answers) if a.repo not in excluded]
    if answers:
        print_sections(analyzer, answers)
        print_principles(analyzer, answers)
    flags = [f for f in load_flags(args.flags) if f.repo not in excluded]
    if flags:
        print_flags(analyzer, flags)


if __name__ == "__main__":
    main()
