"""Accuracy on the labelled corpus: sections, metrics, red flags, principles, score validity.

Usage: python benchmarks/accuracy.py [--part sections|metrics|flags|principles|validity]...
       [--folds 5] [--rubric default]

Every figure is printed for the dev split (what the models and lexicons were trained and tuned
on) and for the held-out split (written before any tuning, never tuned on), beside a trivial
baseline. Section accuracy is character-level over non-space characters (see
``evaluation.py``); the 5-fold figures retrain the section model on four fifths of dev and
measure the fifth.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tools"))

from evaluation import VARIANTS, GoldStory, load_gold, score_sections  # noqa: E402

from staranalyzer import Analyzer  # noqa: E402


def _mean(xs: list[float]) -> float:
    return statistics.fmean(xs) if xs else float("nan")


def section_table(scores: list, splits: tuple[str, ...]) -> dict[tuple[str, str], tuple]:
    """(split, variant) -> (n, ours, baseline)."""
    out = {}
    for split in splits:
        for v in VARIANTS:
            rows = [s for s in scores if s.split == split and s.variant == v]
            if rows:
                out[split, v] = (
                    len(rows),
                    _mean([r.accuracy for r in rows]),
                    _mean([r.baseline for r in rows]),
                )
    return out


def print_sections(analyzer: Analyzer, gold: list[GoldStory], folds: int) -> None:
    """Section accuracy per split and variant, beside position alone; k-fold on dev."""
    scores = score_sections(lambda texts: analyzer.analyze_many(texts), gold)
    table = section_table(scores, ("dev", "heldout"))
    print(f"sections: {len(gold)} stories (dev {sum(g.split == 'dev' for g in gold)}, "
          f"held-out {sum(g.split == 'heldout' for g in gold)})")  # fmt: skip
    print(f"  {'split':9} {'variant':11} {'n':>4}  {'ours':>6}  {'position':>8}  {'gain':>6}")
    for (split, v), (n, ours, base) in table.items():
        print(f"  {split:9} {v:11} {n:4}  {ours:6.3f}  {base:8.3f}  {ours - base:+6.3f}")
    worst = sorted((s for s in scores if s.split == "heldout"), key=lambda s: s.accuracy)[:8]
    print("  worst held-out: " + ", ".join(f"{s.id}/{s.variant}={s.accuracy:.2f}" for s in worst))
    if folds > 1:
        print_folds(gold, folds)


def print_folds(gold: list[GoldStory], folds: int) -> None:
    """Retrain the section model on k-1 folds of dev, measure the held-back fold."""
    import tempfile

    from train_models import train_sections

    from staranalyzer.rubric import load_rubric

    dev = sorted((g for g in gold if g.split == "dev"), key=lambda g: g.id)
    base = Analyzer()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            test = [g for i, g in enumerate(dev) if i % folds == k]
            train = [g for i, g in enumerate(dev) if i % folds != k]
            model = train_sections(base, train, epochs=10)
            path = Path(tmp) / f"fold{k}.model.gz"
            model.save(path)
            rubric = load_rubric("default")
            sec = rubric.sectioning.model_copy(update={"model": str(path)})
            fold = Analyzer(rubric.model_copy(update={"sectioning": sec, "base_dir": None}))
            results += score_sections(lambda texts, a=fold: a.analyze_many(texts), test)
    table = section_table(results, ("dev",))
    print(f"  {folds}-fold cross-validation on dev (model retrained without the measured fold):")
    for (_, v), (n, ours, base_acc) in table.items():
        print(f"  {'dev-cv':9} {v:11} {n:4}  {ours:6.3f}  {base_acc:8.3f}  {ours - base_acc:+6.3f}")


def match_spans(pairs: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]) -> tuple:
    """One-to-one overlap matching: (true positives, predicted, gold)."""
    tp = n_pred = n_gold = 0
    for gold, pred in pairs:
        used: set[int] = set()
        n_pred += len(pred)
        n_gold += len(gold)
        for ps, pe in pred:
            hit = next((i for i, (gs, ge) in enumerate(gold) if i not in used and ps < ge and
                        gs < pe), None)  # fmt: skip
            if hit is not None:
                used.add(hit)
                tp += 1
    return tp, n_pred, n_gold


def print_metrics(analyzer: Analyzer, gold: list[GoldStory]) -> None:
    """Metric precision and recall against the gold [[...]] marks, per split."""
    print("\nmetrics (gold [[...]] spans in the text as written; one-to-one overlap matching)")
    reports = list(analyzer.analyze_many([g.text for g in gold]))
    for split in ("dev", "heldout"):
        pairs = [
            (g.metrics, [(m.start, m.end) for m in r.metrics])
            for g, r in zip(gold, reports, strict=True)
            if g.split == split
        ]
        tp, n_pred, n_gold = match_spans(pairs)
        p = tp / n_pred if n_pred else 1.0
        r_ = tp / n_gold if n_gold else 1.0
        print(f"  {split:8} precision {p:.3f}  recall {r_:.3f}  ({n_gold} gold, {n_pred} found)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", action="append", default=[])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    parts = args.part or ["sections", "metrics"]
    gold = load_gold()
    analyzer = Analyzer()
    counts = defaultdict(int)
    for g in gold:
        counts[g.split] += 1
    if "sections" in parts:
        print_sections(analyzer, gold, args.folds)
    if "metrics" in parts:
        print_metrics(analyzer, gold)


if __name__ == "__main__":
    main()
