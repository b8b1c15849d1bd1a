"""Choose the sentence model's thresholds on dev data only, by cross-validation.

Usage: python tools/tune_flags.py [--folds 5] [--dump RECORDS] | --load RECORDS
       [--budget CATEGORY=TRAPS,PER_ANSWER ...]

Dev flag sentences and dev strong answers (the hosts the sentences are placed in) are both cut
into folds; each fold's model is trained on the other folds only. For every held-back flag
sentence, trap and strong-answer sentence it records the model's probabilities, the section,
and whether a construction already fired; then it prints, per category and threshold (main and
Situation) and model veto on constructions, recall, traps flagged and findings per strong
answer. ``--dump`` keeps the records so ``--load`` can sweep them again without retraining.
``--budget`` applies the threshold rule instead (:func:`pick`): per category, the highest recall
whose traps flagged and findings per strong answer stay within the given budget.
Held-out files are never read.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "corpus"))
sys.path.insert(0, str(ROOT / "tools"))

from accuracy import FLAG_RUBRIC, with_flag_model, without_models  # noqa: E402
from evaluation import hosts_for, load_gold, place_flags  # noqa: E402
from flags import load_flags  # noqa: E402
from train_models import clean_stories, flag_examples, flag_lexicons, train_flags  # noqa: E402

from staranalyzer import Analyzer  # noqa: E402
from staranalyzer.answer import safe_text  # noqa: E402
from staranalyzer.vocabulary import RED_FLAGS  # noqa: E402


def records(folds: int) -> list[dict]:
    """One record per held-back item: kind (flag/trap/host), category, p, section, cx."""
    gold = load_gold()
    flags = sorted((f for f in load_flags() if f.split == "dev"), key=lambda f: f.id)
    hosts = hosts_for(gold, "dev")
    host_ids = {h.id for h in hosts}
    others = [
        s for s in clean_stories([g for g in gold if g.split == "dev"]) if s.id not in host_ids
    ]
    base = Analyzer()
    other_examples = flag_examples(base, [], others)
    constructions = Analyzer(rubric=without_models(FLAG_RUBRIC))
    out: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            train_hosts = [h for j, h in enumerate(hosts) if j % folds != k]
            test_hosts = [h for j, h in enumerate(hosts) if j % folds == k]
            train = [f for i, f in enumerate(flags) if i % folds != k]
            test = [f for i, f in enumerate(flags) if i % folds == k]
            model = train_flags(flag_examples(base, train, train_hosts) + other_examples,
                                flag_lexicons(base))  # fmt: skip
            path = Path(tmp) / f"fold{k}.model"
            model.save(path)
            fold = Analyzer(rubric=with_flag_model(FLAG_RUBRIC, path))
            engine = fold.detectors.engines["classifier"]
            items = [("flag", f, t, s, e) for f, _, t, s, e in place_flags(test, test_hosts)]
            items += [("host", h, h.text, 0, len(h.text)) for h in test_hosts]
            for kind, thing, text, start, end in items:
                clean = safe_text(text)
                answer = fold.sections(text, clean, fold.nlp(clean))
                evidence = fold.detectors.evidence(answer)
                probs, _ = engine.probabilities(answer, evidence, str(path))
                report = constructions.report(text, clean, constructions.nlp(clean))
                for si, (s0, s1) in enumerate(answer.sentences):
                    if not (s0 < end and s1 > start):
                        continue
                    section = answer.section_at(s0) or answer.section_at(s1 - 1)
                    cx = {
                        f.category
                        for f in report.findings
                        if f.category in RED_FLAGS and f.start is not None
                        and f.start < s1 and f.end > s0
                    }  # fmt: skip
                    record = {
                        "text": text[s0:s1],
                        "kind": kind,
                        "item": id(thing),
                        "id": thing.id,
                        "p": probs[si],
                        "situation": section is not None and section.label == "situation",
                        "cx": cx,
                    }
                    if kind == "flag":
                        record["category"] = thing.category
                        record["trap_for"] = thing.trap_for
                        record["kind"] = "trap" if thing.category == "clean" else "flag"
                    else:
                        record["host"] = thing.id
                    out.append(record)
    return out


def sweep(
    recs: list[dict],
    thresholds: list[float],
    situation_add: list[float],
    vetoes: tuple[float, ...] = (0.0,),
) -> None:
    """Print recall, traps flagged and flags per strong answer for each threshold choice.

    ``vetoes``: a construction's finding counts only when the model gives its sentence at least
    this probability (0: constructions always count).
    """
    hosts = {r["host"] for r in recs if r["kind"] == "host"}
    print(f"{len(hosts)} strong answers held back in turn")
    for cat in RED_FLAGS:
        print(f"\n{cat}")
        for t, add, veto in itertools.product(thresholds, situation_add, vetoes):
            st = min(t + add, 0.99)
            recall, trap_rate, per_answer = figures(recs, cat, t, st, veto)
            print(f"  t={t:.2f} situation={st:.2f} veto={veto:.2f}  recall {recall:.3f}"
                  f"  traps {trap_rate:.3f}  per strong answer {per_answer:.3f}")  # fmt: skip


def figures(recs: list[dict], category: str, t: float, st: float, veto: float) -> tuple:
    """(recall, traps flagged, findings per strong answer) of one category at one setting."""
    ci = RED_FLAGS.index(category)
    hosts = {r["host"] for r in recs if r["kind"] == "host"}

    def fired(r: dict) -> bool:
        p = r["p"][ci]
        return p >= (st if r["situation"] else t) or (category in r["cx"] and p >= veto)

    caught: dict[int, bool] = defaultdict(bool)
    traps: dict[int, bool] = defaultdict(bool)
    per_answer = 0
    for r in recs:
        if r["kind"] == "flag" and r["category"] == category:
            caught[r["item"]] |= fired(r)
        elif r["kind"] == "trap":
            traps[r["item"]] |= fired(r)
        elif r["kind"] == "host":
            per_answer += fired(r)
    return (float(np.mean(list(caught.values()))), float(np.mean(list(traps.values()))),
            per_answer / max(len(hosts), 1))  # fmt: skip


def pick(recs: list[dict], budgets: dict[str, tuple[float, float]], veto: float = 0.02) -> None:
    """The threshold rule: per category, the highest recall within a traps / per-answer budget.

    ``budgets``: category -> (traps flagged, findings per strong answer) not to exceed (the
    shipped thresholds' figures on the records they were chosen on). Main and Situation
    thresholds on a 0.025 grid from 0.1 to 0.7, the Situation's at least the main one; ties go
    to fewer traps, then fewer findings per strong answer. Prints the best five per category.
    """
    grid = [round(0.1 + 0.025 * i, 3) for i in range(25)]
    for category, (trap_budget, answer_budget) in budgets.items():
        found = []
        for t, st in itertools.product(grid, grid):
            if st < t:
                continue
            recall, traps, per_answer = figures(recs, category, t, st, veto)
            if traps <= trap_budget + 1e-9 and per_answer <= answer_budget + 1e-9:
                found.append((round(recall, 3), -traps, -per_answer, t, st))
        found.sort(reverse=True)
        print(f"\n{category} (traps <= {trap_budget}, per strong answer <= {answer_budget})")
        for recall, traps, per_answer, t, st in found[:5]:
            print(f"  t={t:.3f} situation={st:.3f}  recall {recall:.3f}  traps {-traps:.3f}"
                  f"  per strong answer {-per_answer:.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--dump", type=Path, help="write the records (pickle) to this file")
    parser.add_argument("--load", type=Path, help="sweep records written by --dump")
    parser.add_argument(
        "--budget", action="append", default=[], metavar="CATEGORY=TRAPS,PER_ANSWER",
        help="apply the threshold rule (see pick) to this category instead of the sweep",
    )  # fmt: skip
    args = parser.parse_args()
    recs = pickle.loads(args.load.read_bytes()) if args.load else records(args.folds)
    if args.dump:
        args.dump.write_bytes(pickle.dumps(recs))
    if args.budget:
        budgets = {}
        for item in args.budget:
            category, _, limits = item.partition("=")
            traps, per_answer = (float(x) for x in limits.split(","))
            budgets[category] = (traps, per_answer)
        pick(recs, budgets)
        return
    sweep(recs, [0.3, 0.4, 0.5, 0.6, 0.7], [0.0, 0.2, 0.35], (0.0, 0.02, 0.05, 0.1, 0.2))


if __name__ == "__main__":
    main()
