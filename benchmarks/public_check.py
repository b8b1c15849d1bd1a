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

from accuracy import flag_figures  # noqa: E402
from evaluation import (  # noqa: E402
    PRINCIPLE_IDS,
    GoldStory,
    hosts_for,
    load_gold,
    principle_figures,
    score_sections,
    story_labels,
)
from stories import CorpusError, resolve_marks  # noqa: E402

from staranalyzer import Analyzer  # noqa: E402

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
    """One labelled public sentence (the fields ``accuracy.flag_figures`` reads)."""

    category: str
    text: str
    section: str
    repo: str
    trap_for: str | None = None
    """``clean`` for a clean sentence (counted as the corpus counts its traps)."""


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
            category, repo = parts[0], parts[1].split()[0]
            trap_for = "clean" if category == "clean" else None
            out.append(PublicFlag(category, text, _FLAG_SECTION[category], repo, trap_for))
    return out


def print_sections(analyzer: Analyzer, answers: list[PublicAnswer]) -> None:
    """Character accuracy of the sections against position alone, per variant and form."""
    form = {a.story.id: a.form for a in answers}
    scores = score_sections(analyzer.analyze_many, [a.story for a in answers], SHOWN)
    rows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for sc in scores:
        rows[sc.variant].append((sc.accuracy, sc.baseline))
        if sc.variant == "as_written":
            rows[f"as_written/{form[sc.id]}"].append((sc.accuracy, sc.baseline))
    repos = len({a.repo for a in answers})
    print(f"sections: {len(answers)} public answers from {repos} repositories")
    print(f"  {'variant':24s} {'n':>4s}   ours  position")
    for key in sorted(rows, key=lambda k: (k.count("/"), k)):
        v = rows[key]
        ours, base = sum(x for x, _ in v) / len(v), sum(y for _, y in v) / len(v)
        print(f"  {key:24s} {len(v):4d}  {ours:.3f}  {base:.3f}")


def print_principles(analyzer: Analyzer, answers: list[PublicAnswer]) -> None:
    """recall@3 and precision@1 of the principles each source names, without and with its
    question, beside the three most frequent dev principles (as ``accuracy.py`` reports)."""
    labelled = [a.story for a in answers if story_labels(a.story, "amazon")]
    if not labelled:
        return
    dev = [g for g in load_gold() if g.split == "dev"]
    counts = Counter(p for g in dev for p in story_labels(g, "amazon"))
    frequent = [p for p, _ in counts.most_common(3)]
    print(f"principles (amazon-l6): {len(labelled)} answers whose source names the principle")
    for with_question in (False, True):
        items = [(s.text, s.question or None) if with_question else s.text for s in labelled]
        reports = list(analyzer.analyze_many(items))
        r3, p1, b3, b1 = principle_figures(labelled, reports, "amazon", frequent)
        label = "with question" if with_question else "no question  "
        print(f"  {label} recall@3 {r3:.3f} (baseline {b3:.3f})"
              f"  precision@1 {p1:.3f} (baseline {b1:.3f})")  # fmt: skip


def print_flags(analyzer: Analyzer, flags: list[PublicFlag]) -> None:
    """Recall per category (clean: share flagged), placed in held-out strong answers as
    ``accuracy.py`` places the corpus's sentences, and alone."""
    got = flag_figures(analyzer, flags, hosts_for(load_gold(), "heldout"), [])
    alone = got["alone"]
    placed = {
        **got["caught"],
        **({"clean": got["trap"]["clean"]} if "clean" in got["trap"] else {}),
    }
    repos = len({f.repo for f in flags})
    print(f"red flags (amazon-l6): {len(flags)} public sentences from {repos} repositories")
    print(f"  {'category':12s} {'n':>4s}  in an answer  alone")
    flagged = sorted(c for c in placed if c != "clean")
    for cat in flagged + (["clean"] if "clean" in placed else []):
        (a, n), (b, _) = placed[cat], alone[cat]
        what = "flagged" if cat == "clean" else "recall "
        print(f"  {cat:12s} {n:4d}  {what} {a / n:.2f}  {b / n:.2f}")
    total = sum(placed[c][1] for c in flagged)
    if total:
        caught = sum(placed[c][0] for c in flagged)
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
