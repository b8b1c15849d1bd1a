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
            path = Path(tmp) / f"fold{k}.model"
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
    parser.add_argument("--missed", action="store_true", help="list missed dev flag sentences")
    args = parser.parse_args()
    parts = args.part or ["sections", "metrics", "flags", "validity", "principles"]
    gold = load_gold()
    analyzer = Analyzer()
    counts = defaultdict(int)
    for g in gold:
        counts[g.split] += 1
    if "sections" in parts:
        print_sections(analyzer, gold, args.folds)
    if "metrics" in parts:
        print_metrics(analyzer, gold)
    if "flags" in parts:
        print_flags(gold, show_missed=args.missed)
        if args.folds > 1:
            print_flag_folds(gold, args.folds)
    if "validity" in parts:
        print_validity(gold)
    if "principles" in parts:
        print_principles(gold, args.folds)


# -- red flags -----------------------------------------------------------------------------------
FLAG_RUBRIC = "amazon-l6"


def without_models(rubric_name: str):  # type: ignore[no-untyped-def]
    """The rubric with its sentence-model rules switched off (constructions only)."""
    from staranalyzer import load_rubric

    rubric = load_rubric(rubric_name)
    models = [r.id for r in rubric.rules if r.kind == "classifier"]
    return rubric.model_copy(update={"disabled": [*rubric.disabled, *models]})


def flag_figures(analyzer: Analyzer, flags: list, hosts: list, strong: list) -> dict:
    """Recall per category, traps flagged, and red flags per strong answer, for one split."""
    from evaluation import place_flags

    from staranalyzer.vocabulary import RED_FLAGS

    placed = place_flags(flags, hosts)
    reports = list(analyzer.analyze_many([p[2] for p in placed]))
    caught: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    trap: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed: dict[str, list[str]] = defaultdict(list)
    for (flag, _, _text, start, end), report in zip(placed, reports, strict=True):
        hit = {
            f.category
            for f in report.findings
            if f.category in RED_FLAGS and f.start is not None and f.start < end and f.end > start
        }
        if flag.category == "clean":
            trap[flag.trap_for][0] += bool(hit)
            trap[flag.trap_for][1] += 1
        else:
            caught[flag.category][0] += flag.category in hit
            caught[flag.category][1] += 1
            if flag.category not in hit:
                missed[flag.category].append(flag.text)
    # Each sentence also analysed by itself, as an answer of one sentence (a user checking a
    # line, or a sentence scored out of context): recall per category, and traps by category.
    alone: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for flag, report in zip(flags, analyzer.analyze_many([f.text for f in flags]), strict=True):
        found = {f.category for f in report.findings if f.category in RED_FLAGS}
        key = "clean" if flag.category == "clean" else flag.category
        alone[key][0] += bool(found) if key == "clean" else key in found
        alone[key][1] += 1
    per_answer: dict[str, float] = {}
    strong_reports = list(analyzer.analyze_many([s.text for s in strong]))
    for cat in RED_FLAGS:
        count = sum(sum(f.category == cat for f in r.findings) for r in strong_reports)
        per_answer[cat] = count / max(len(strong_reports), 1)
    return {
        "caught": caught,
        "trap": trap,
        "alone": alone,
        "per_answer": per_answer,
        "missed": missed,
    }


def print_flags(gold: list[GoldStory], show_missed: bool = False) -> None:
    """Red-flag recall, traps flagged and flags per strong answer (amazon-l6), with and without
    the sentence model."""
    from evaluation import hosts_for
    from flags import load_flags

    from staranalyzer.vocabulary import RED_FLAGS

    flags = load_flags()
    with_model = Analyzer(rubric=FLAG_RUBRIC)
    constructions = Analyzer(rubric=without_models(FLAG_RUBRIC))
    print(f"\nred flags under {FLAG_RUBRIC}: each sentence placed in a strong answer of its split")
    for split in ("dev", "heldout"):
        chosen = [f for f in flags if f.split == split]
        hosts = hosts_for(gold, split)
        strong = [g for g in gold if g.split == split and g.quality == "strong" and not g.weak]
        full = flag_figures(with_model, chosen, hosts, strong)
        bare = flag_figures(constructions, chosen, hosts, strong)
        n_traps = sum(v[1] for v in full["trap"].values())
        print(f"  {split}: {len(chosen) - n_traps} flagged sentences, {n_traps} traps, "
              f"{len(strong)} strong answers")  # fmt: skip
        print(f"    {'category':12} {'recall':>14} {'constructions only':>20} {'traps flagged':>15}"
              f" {'per strong answer':>18} {'alone':>7}")  # fmt: skip
        alone = full["alone"]
        for cat in RED_FLAGS:
            c, n = full["caught"][cat]
            cb, _ = bare["caught"][cat]
            t, tn = full["trap"][cat]
            per = full["per_answer"][cat]
            solo = alone[cat][0] / max(alone[cat][1], 1)
            print(f"    {cat:12} {c / n:6.2f} ({c:3}/{n:3}) {cb / n:12.2f}        "
                  f"{t / max(tn, 1):6.2f} ({t:2}/{tn:2}) {per:12.3f} {solo:12.2f}")  # fmt: skip
        all_c = sum(v[0] for v in full["caught"].values())
        all_n = sum(v[1] for v in full["caught"].values())
        all_t = sum(v[0] for v in full["trap"].values())
        a_c = sum(alone[cat][0] for cat in RED_FLAGS)
        a_t, a_tn = alone["clean"]
        print(f"    {'all':12} {all_c / all_n:6.2f} ({all_c}/{all_n})"
              f"{'':21}{all_t / max(n_traps, 1):6.2f} ({all_t}/{n_traps}){'':13}"
              f"{a_c / all_n:12.2f}")  # fmt: skip
        print(f"    alone: each sentence analysed by itself; traps flagged alone "
              f"{a_t / max(a_tn, 1):.3f} ({a_t}/{a_tn})")  # fmt: skip
        if show_missed and split == "dev":
            for cat, texts in full["missed"].items():
                for t in texts[:12]:
                    print(f"      missed {cat}: {t}")


def with_flag_model(rubric_name: str, path: Path):  # type: ignore[no-untyped-def]
    """The rubric with its sentence-model rules reading the model file at ``path``."""
    from staranalyzer import load_rubric

    rubric = load_rubric(rubric_name)
    rules = [
        r.model_copy(update={"model": str(path)}) if r.kind == "classifier" else r
        for r in rubric.rules
    ]
    return rubric.model_copy(update={"rules": rules, "base_dir": None})


def print_flag_folds(gold: list[GoldStory], folds: int) -> None:
    """k-fold cross-validation of the sentence model on the dev sentences."""
    import tempfile

    from evaluation import hosts_for
    from flags import load_flags
    from train_models import flag_examples, flag_lexicons, train_flags

    from staranalyzer.vocabulary import RED_FLAGS

    flags = sorted((f for f in load_flags() if f.split == "dev"), key=lambda f: f.id)
    hosts = hosts_for(gold, "dev")
    base = Analyzer()
    host_examples = flag_examples(base, [], hosts)
    caught: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    trap: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            test = [f for i, f in enumerate(flags) if i % folds == k]
            train = [f for i, f in enumerate(flags) if i % folds != k]
            model = train_flags(host_examples + flag_examples(base, train, hosts),
                                flag_lexicons(base))  # fmt: skip
            path = Path(tmp) / f"flags{k}.model"
            model.save(path)
            fold = Analyzer(rubric=with_flag_model(FLAG_RUBRIC, path))
            got = flag_figures(fold, test, hosts, [])
            for cat, (c, n) in got["caught"].items():
                caught[cat][0] += c
                caught[cat][1] += n
            for cat, (c, n) in got["trap"].items():
                trap[cat][0] += c
                trap[cat][1] += n
    print(f"  dev, {folds}-fold (the sentence model retrained without the measured fold):")
    for cat in RED_FLAGS:
        c, n = caught[cat]
        t, tn = trap[cat]
        print(
            f"    {cat:12} recall {c / n:5.2f} ({c}/{n})   traps flagged {t / tn:5.2f} ({t}/{tn})"
        )
    c = sum(v[0] for v in caught.values())
    n = sum(v[1] for v in caught.values())
    t = sum(v[0] for v in trap.values())
    tn = sum(v[1] for v in trap.values())
    print(f"    {'all':12} recall {c / n:5.2f} ({c}/{n})   traps flagged {t / tn:5.2f} ({t}/{tn})")


def print_validity(gold: list[GoldStory], rubric: str = "default") -> None:
    """Does the score move with the evidence? Each strong answer against its weakened texts."""
    from evaluation import degrade

    analyzer = Analyzer(rubric=rubric)
    print(f"\nscore validity ({rubric}): each strong answer against its weakened variants")
    for split in ("dev", "heldout"):
        strong = [g for g in gold if g.split == split and g.quality == "strong" and not g.weak]
        originals = list(analyzer.analyze_many([g.text for g in strong]))
        wins: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        losses: list[str] = []
        for story, original in zip(strong, originals, strict=True):
            variants = degrade(story)
            scored = list(analyzer.analyze_many(list(variants.values())))
            for (name, _), report in zip(variants.items(), scored, strict=True):
                wins[name][1] += 1
                if original.score > report.score:
                    wins[name][0] += 1
                else:
                    losses.append(f"{story.id}/{name} {original.score:.0f}<={report.score:.0f}")
        total = sum(w for w, _ in wins.values())
        pairs = sum(n for _, n in wins.values())
        print(f"  {split}: original higher in {total}/{pairs} pairs ({total / pairs:.3f})")
        for name, (w, n) in sorted(wins.items()):
            print(f"    {name:15} {w:4}/{n:<4}")
        if losses:
            print("    losses: " + ", ".join(losses[:12]))
    weak = [g for g in gold if g.quality == "weak"]
    strong = [g for g in gold if g.quality == "strong" and not g.weak]
    ws = [r.score for r in analyzer.analyze_many([g.text for g in weak])]
    ss = [r.score for r in analyzer.analyze_many([g.text for g in strong])]
    auc = sum((s > w) + 0.5 * (s == w) for s in ss for w in ws) / (len(ss) * len(ws))
    print(
        f"  strong mean {_mean(ss):.1f}, weak mean {_mean(ws):.1f}, "
        f"ROC AUC strong vs weak {auc:.3f}"
    )


def print_principles(gold: list[GoldStory], folds: int = 0) -> None:
    """Principles: recall@3 and precision@1 against the three most frequent principles."""
    from collections import Counter

    from evaluation import principle_figures, story_labels

    print("\nprinciples: gold principles (1-3 per story) among the top three, and the top one")
    for rubric_name, kind in (("amazon-l6", "amazon"), ("default", "default")):
        analyzer = Analyzer(rubric=rubric_name)
        dev = [g for g in gold if g.split == "dev" and story_labels(g, kind)]
        frequent = [
            p for p, _ in Counter(p for g in dev for p in story_labels(g, kind)).most_common(3)
        ]
        rows = []
        for split, with_question in (("dev", False), ("heldout", False), ("heldout", True)):
            stories = [g for g in gold if g.split == split and story_labels(g, kind)]
            items = [(g.text, g.question) if with_question else g.text for g in stories]
            reports = list(analyzer.analyze_many(items))
            name = f"{split}+question" if with_question else split
            if split == "dev":
                name = "dev (trained on)"
            rows.append((name, len(stories), *principle_figures(stories, reports, kind, frequent)))
        if folds > 1:
            rows.insert(
                1,
                (
                    f"dev {folds}-fold CV",
                    len(dev),
                    *principle_folds(analyzer, dev, kind, frequent, folds),
                ),
            )
        for name, n, r3, p1, b3, b1 in rows:
            print(f"  {rubric_name:9} {name:18} n={n:3}  recall@3 {r3:.3f} (baseline {b3:.3f})"
                  f"  precision@1 {p1:.3f} (baseline {b1:.3f})")  # fmt: skip


def principle_folds(
    analyzer: Analyzer, dev: list[GoldStory], kind: str, frequent: list[str], folds: int
) -> tuple[float, float, float, float]:
    """Retrain the principle model on k-1 folds of dev; measure the held-back fold."""
    from evaluation import principle_figures
    from train_models import PRINCIPLE_SETTINGS, train_principles

    reader = analyzer.detectors.principles
    saved = reader.model
    stories, reports = [], []
    try:
        for k in range(folds):
            test = [g for i, g in enumerate(dev) if i % folds == k]
            train = [g for i, g in enumerate(dev) if i % folds != k]
            reader.model = train_principles(analyzer, train, **PRINCIPLE_SETTINGS)
            stories += test
            reports += list(analyzer.analyze_many([g.text for g in test]))
    finally:
        reader.model = saved
    return principle_figures(stories, reports, kind, frequent)


if __name__ == "__main__":
    main()
