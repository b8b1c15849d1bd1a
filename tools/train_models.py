"""Train the bundled models from the dev corpus: one deterministic command.

Usage: python tools/train_models.py [--only sections] [--epochs N]

Writes ``src/staranalyzer/data/sections.model.gz`` (the section model). Only dev stories are
used (``benchmarks/corpus/stories/dev-*.txt`` and the v1 corpus); held-out stories never are.
Running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from evaluation import GoldStory, Rendered, load_gold, variants  # noqa: E402

from staranalyzer import Analyzer  # noqa: E402
from staranalyzer.answer import parse_answer, safe_text  # noqa: E402
from staranalyzer.sectioning.model import N_STATES, NONE, STATES, SectionModel  # noqa: E402

DATA = ROOT / "src" / "staranalyzer" / "data"
TRAIN_VARIANTS = ("paragraphs", "single", "notes", "headerless")


@dataclass
class Sequence:
    """One training text: per-unit feature indices, gold states and paragraph breaks."""

    feats: list[np.ndarray]
    gold: list[int]
    paragraph: list[bool]


def gold_states(text: str, gold: list[tuple[str, int, int]], units: tuple) -> list[int]:
    """The gold state of each unit: the label holding most of its non-space characters."""
    labels = ["none"] * len(text)
    for label, s, e in gold:
        labels[s:e] = [label] * (e - s)
    out = []
    for u in units:
        counts: dict[str, int] = {}
        for i in range(u.start, u.end):
            if not text[i].isspace():
                counts[labels[i]] = counts.get(labels[i], 0) + 1
        best = max(sorted(counts), key=lambda k: counts[k]) if counts else "none"
        out.append(STATES.index(best))
    return out


def training_texts(stories: list[GoldStory]) -> list[Rendered]:
    """The unlabelled variants of every dev story (what the model sees at analysis time)."""
    from evaluation import _as_written  # the headers-removed text, lines kept

    out = []
    for story in stories:
        vs = variants(story)
        for name in TRAIN_VARIANTS:
            if name == "headerless":
                r = _as_written(story, keep_headers=False)
                r.variant = "headerless"
                out.append(r)
            elif name in vs:
                out.append(vs[name])
    return out


def featurise(analyzer: Analyzer, texts: list[Rendered]) -> tuple[list, list[int]]:
    """(unit keys, gold states, paragraph flags) per text, with the analyzer's own featurizer."""
    raw = []
    for r in texts:
        clean = safe_text(r.text)
        doc = analyzer.nlp(clean)
        answer = parse_answer(r.text, clean, doc).with_hits(analyzer.phrases.find(doc))
        if not answer.units:
            continue
        unit_ids, keys, _ = analyzer.sectioner.featurizer.features(answer)
        per_unit = [keys[unit_ids == i] for i in range(len(answer.units))]
        states = gold_states(r.text, r.gold, answer.units)
        raw.append((per_unit, states, [u.paragraph for u in answer.units]))
    return raw


def viterbi(scores: np.ndarray, paragraph: list[bool], trans: np.ndarray, trans_p: np.ndarray,
            start: np.ndarray) -> list[int]:  # fmt: skip
    """Unconstrained Viterbi (the package's decoder, without constraints, on plain arrays)."""
    n = len(scores)
    best = start + scores[0]
    back = np.zeros((n, N_STATES), dtype=np.int64)
    for i in range(1, n):
        t = trans_p if paragraph[i] else trans
        cand = best[:, None] + t
        back[i] = cand.argmax(axis=0)
        best = cand.max(axis=0) + scores[i]
    path = [int(best.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    return path[::-1]


def train_sections(analyzer: Analyzer, stories: list[GoldStory], epochs: int, seed: int = 13,
                   min_count: int = 2) -> SectionModel:  # fmt: skip
    """Averaged structured perceptron over unit features with first-order transitions."""
    texts = training_texts(stories)
    raw = featurise(analyzer, texts)
    counts: dict[int, int] = {}
    for per_unit, _, _ in raw:
        for keys in per_unit:
            for k in set(keys.tolist()):
                counts[k] = counts.get(k, 0) + 1
    vocab = sorted(k for k, c in counts.items() if c >= min_count)
    index = {k: i for i, k in enumerate(vocab)}
    seqs = []
    for per_unit, states, para in raw:
        feats = [np.array(sorted({index[k] for k in keys.tolist() if k in index}), dtype=np.int64)
                 for keys in per_unit]  # fmt: skip
        seqs.append(Sequence(feats, states, para))
    n_feat = len(vocab)
    w = np.zeros((n_feat, N_STATES))
    w_sum = np.zeros_like(w)
    tr = np.zeros((N_STATES, N_STATES))
    trp = np.zeros_like(tr)
    st = np.zeros(N_STATES)
    tr_sum, trp_sum, st_sum = np.zeros_like(tr), np.zeros_like(trp), np.zeros_like(st)
    step = 1
    order = list(range(len(seqs)))
    for epoch in range(epochs):
        random.Random(seed + epoch).shuffle(order)
        for j in order:
            seq = seqs[j]
            scores = np.array([w[f].sum(axis=0) for f in seq.feats])
            pred = viterbi(scores, seq.paragraph, tr, trp, st)
            gold = seq.gold
            if pred != gold:
                for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
                    if g != p:
                        f = seq.feats[i]
                        w[f, g] += 1
                        w[f, p] -= 1
                        w_sum[f, g] += step
                        w_sum[f, p] -= step
                    if i == 0:
                        if g != p:
                            st[g] += 1
                            st[p] -= 1
                            st_sum[g] += step
                            st_sum[p] -= step
                        continue
                    gp, pp = gold[i - 1], pred[i - 1]
                    if (gp, g) != (pp, p):
                        t, t_sum = (trp, trp_sum) if seq.paragraph[i] else (tr, tr_sum)
                        t[gp, g] += 1
                        t[pp, p] -= 1
                        t_sum[gp, g] += step
                        t_sum[pp, p] -= step
            step += 1
    avg = lambda m, s: m - s / step  # noqa: E731
    weights = avg(w, w_sum)
    keep = np.abs(weights).sum(axis=1) > 1e-9
    digest = hashlib.sha256("\n".join(r.text for r in texts).encode()).hexdigest()[:16]
    return SectionModel(
        keys=np.array(vocab, dtype=np.uint64)[keep],
        weights=weights[keep].astype(np.float32),
        trans=avg(tr, tr_sum),
        trans_para=avg(trp, trp_sum),
        start=avg(st, st_sum),
        meta={
            "trainer": "averaged structured perceptron (tools/train_models.py)",
            "epochs": epochs,
            "sequences": len(seqs),
            "stories": len(stories),
            "min_count": min_count,
            "corpus_sha256_16": digest,
            "none_state": STATES[NONE],
        },
    )


def dev_stories() -> list[GoldStory]:
    """The stories a model may learn from: dev v2 files and the whole v1 corpus."""
    return [s for s in load_gold() if s.split == "dev"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", type=Path, default=DATA / "sections.model.gz")
    args = parser.parse_args()
    if not args.out.exists():
        SectionModel.empty().save(args.out)  # bootstrap: the analyzer loads a model to start
    analyzer = Analyzer()
    stories = dev_stories()
    model = train_sections(analyzer, stories, args.epochs)
    model.save(args.out)
    size = args.out.stat().st_size
    print(f"sections: {len(model.keys)} features, {model.meta['sequences']} texts "
          f"from {len(stories)} dev stories -> {args.out} ({size / 1024:.0f} KB)")  # fmt: skip


if __name__ == "__main__":
    main()
