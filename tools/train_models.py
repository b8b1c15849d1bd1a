"""Train the bundled models from the dev corpus: one deterministic command.

Usage: python tools/train_models.py [--only sections|flags]

Writes ``src/staranalyzer/data/sections.model`` (the section model: an averaged structured
perceptron over unit features) and ``src/staranalyzer/data/flags.model`` (the red-flag
sentence model: one logistic regression per category). Only dev data is used: dev stories
(``benchmarks/corpus/stories/dev-*.txt`` and the v1 corpus) and dev red-flag sentences
(``benchmarks/corpus/flags/dev-*.txt``, each placed in a dev strong answer); held-out files
never are. Running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from evaluation import (  # noqa: E402
    GoldStory,
    Rendered,
    hosts_for,
    load_gold,
    place_flags,
    story_labels,
    variants,
)
from flags import FlagSentence, load_flags  # noqa: E402

from staranalyzer import Analyzer  # noqa: E402
from staranalyzer.answer import safe_text, token_arrays  # noqa: E402
from staranalyzer.detectors.classifier import FlagModel, sentence_features  # noqa: E402
from staranalyzer.detectors.principles import (  # noqa: E402
    PrincipleModel,
    PrincipleReader,
    standardise,
)
from staranalyzer.errors import RubricError  # noqa: E402
from staranalyzer.linear import forget_bundled, lookup  # noqa: E402
from staranalyzer.sectioning.model import N_STATES, NONE, STATES, SectionModel  # noqa: E402
from staranalyzer.vocabulary import RED_FLAGS  # noqa: E402

DATA = ROOT / "src" / "staranalyzer" / "data"
TRAIN_VARIANTS = ("paragraphs", "single", "notes", "headerless", "long_situation")
# "no_result" (every story once more without its Result) is available but not used: on dev 5-fold
# cross-validation it raised the share of Result-less answers reported as such from 0.79 to 0.91
# but cost answers that have a Result (found 0.974 -> 0.963) and as-written and notes accuracy
# 0.002-0.003 (benchmarks/RESULTS.md, "Sections").


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
            elif name == "long_situation":
                r = _long_situation(story)
                if r is not None:
                    out.append(r)
            elif name == "no_result":
                r = _no_result(story)
                if r is not None:
                    out.append(r)
            elif name in vs:
                out.append(vs[name])
    return out


def _long_situation(story: GoldStory) -> Rendered | None:
    """The paragraphs variant with the Situation told three times (so that position alone
    does not decide a label: long backgrounds are common)."""
    from evaluation import _join, _pieces, flatten

    pieces = _pieces(story)
    if not any(label == "situation" for label, _ in pieces):
        return None
    parts = []
    for i, (label, body) in enumerate(pieces):
        text = flatten(body)
        if label == "situation":
            text = " ".join([text] * 3)
        parts.append((label, "\n\n" if i else "", text))
    return _join(story.id, "long_situation", parts)


def _no_result(story: GoldStory) -> Rendered | None:
    """The paragraphs variant with every Result removed (answers that stop after the Action
    are common, and the model must be able to say so rather than call the last step a
    Result)."""
    from evaluation import _join, _pieces, flatten

    pieces = [(label, body) for label, body in _pieces(story) if label != "result"]
    if len(pieces) == len(_pieces(story)) or not any(lab == "action" for lab, _ in pieces):
        return None
    parts = [(label, "\n\n" if i else "", flatten(body)) for i, (label, body) in enumerate(pieces)]
    return _join(story.id, "no_result", parts)


def featurise(analyzer: Analyzer, texts: list[Rendered]) -> tuple[list, list[int]]:
    """(unit keys, gold states, paragraph flags) per text, with the analyzer's own featurizer."""
    raw = []
    for r in texts:
        clean = safe_text(r.text)
        doc = analyzer.nlp(clean)
        answer, _ = analyzer.parse(r.text, clean, doc)
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


# -- the red-flag sentence model -------------------------------------------------------------------
@dataclass
class FlagExample:
    """One training item: binary feature keys, real-valued features and its labels."""

    keys: np.ndarray
    labels: tuple[str, ...]
    group: str
    """What it comes from (a flag file line, a host answer, a story), for folds."""
    real: dict[int, float] = field(default_factory=dict)
    """Real-valued features (a principle's cue score), by key."""


def flag_lexicons(analyzer: Analyzer) -> list[str]:
    """The lexicons a new sentence model's features read: all of the analyzer's rubric.

    :func:`train_flags` records them in the model, and analysis reads only those.
    """
    return sorted(analyzer.rubric.lexicons)


def _sentence_keys(analyzer: Analyzer, text: str) -> tuple[object, object, list[np.ndarray]]:
    clean = safe_text(text)
    answer = analyzer.sections(text, clean, analyzer.nlp(clean))
    evidence = analyzer.detectors.evidence(answer)
    feats = sentence_features(answer, evidence, flag_lexicons(analyzer))
    per = [feats.keys[feats.groups == i] for i in range(feats.n)]
    return answer, evidence, per


def flag_examples(
    analyzer: Analyzer,
    flags: list[FlagSentence],
    hosts: list[GoldStory],
    include_hosts: bool = True,
) -> list[FlagExample]:
    """Flag sentences placed in host answers, and every sentence of the hosts (clean)."""
    out = []
    for host in hosts if include_hosts else ():
        _, _, per = _sentence_keys(analyzer, host.text)
        out.extend(FlagExample(keys, (), f"host:{host.id}") for keys in per)
    for flag, _host, text, start, end in place_flags(flags, hosts):
        answer, _, per = _sentence_keys(analyzer, text)
        chosen = [i for i, (s, e) in enumerate(answer.sentences) if s < end and e > start]
        keys = np.unique(np.concatenate([per[i] for i in chosen])) if chosen else np.zeros(0)
        labels = () if flag.category == "clean" else (flag.category,)
        out.append(FlagExample(keys.astype(np.uint64), labels, f"flag:{flag.id}"))
    return out


def log_count_ratio(col: np.ndarray, positive: np.ndarray, f: int) -> np.ndarray:
    """Each binary feature's naive-Bayes log-count ratio for one label (Wang and Manning 2012).

    ``col``: the feature of each (example, feature) entry; ``positive``: whether that entry's
    example has the label. r = log((p / |p|) / (q / |q|)), p and q being 1 + the number of
    positive and of negative examples with the feature, over the features that occur (0 for
    the others).
    """
    used = np.bincount(col, minlength=f) > 0
    p = 1.0 + np.bincount(col[positive], minlength=f)
    q = 1.0 + np.bincount(col[~positive], minlength=f)
    return np.where(used, np.log((p / p[used].sum()) / (q / q[used].sum())), 0.0)


def train_logistic(examples: list[FlagExample], labels: list[str], iterations: int = 300,
                   l2: float = 3e-4, min_count: int = 2, positive_weight: float = 2.0,
                   solver: str = "adagrad", nb_lr: bool = False,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:  # fmt: skip
    """One logistic regression per label (deterministic).

    ``solver``: "adagrad" (full-batch Adagrad, ``iterations`` steps) or "lbfgs" (SciPy's L-BFGS
    run to convergence, at most ``iterations`` steps; SciPy is needed only to train).
    ``nb_lr``: average in, logit by logit, an NB-LR model per label (Wang and Manning 2012: each
    binary feature scaled by its naive-Bayes log-count ratio for the label, then a logistic
    regression with the same settings, L-BFGS); folded into one weight per feature.
    Returns sorted keys, their weights, the intercepts and provenance.
    """
    counts: dict[int, int] = {}
    for ex in examples:
        for k in set(ex.keys.tolist()):
            counts[k] = counts.get(k, 0) + 1
    vocab = sorted(k for k, c in counts.items() if c >= min_count)
    vocab += sorted({k for ex in examples for k in ex.real} - set(vocab))
    index = {k: i for i, k in enumerate(vocab)}
    rows, cols, vals = [], [], []
    for r, ex in enumerate(examples):
        for k in sorted(set(ex.keys.tolist())):
            if k in index:
                rows.append(r)
                cols.append(index[k])
                vals.append(1.0)
        for k, v in sorted(ex.real.items()):
            rows.append(r)
            cols.append(index[k])
            vals.append(v)
    row = np.array(rows, dtype=np.int64)
    col = np.array(cols, dtype=np.int64)
    val = np.array(vals)
    n, f, c = len(examples), len(vocab), len(labels)
    y = np.zeros((n, c))
    for r, ex in enumerate(examples):
        for label in ex.labels:
            if label in labels:
                y[r, labels.index(label)] = 1.0
    sample_weight = np.where(y > 0, positive_weight, 1.0)
    if solver == "lbfgs":
        w, b = _lbfgs(row, col, val, (n, f), y, sample_weight, l2, iterations)
    else:
        w, b = _adagrad(row, col, val, (n, f), y, sample_weight, l2, iterations)
    if nb_lr:
        # The logits of an NB-LR model over the same binary features, averaged in: one weight
        # per feature, so the shipped model is a single logistic model as before.
        binary = val == 1.0
        for j in range(c):
            ratio = log_count_ratio(col[binary], y[row[binary], j] > 0, f)
            ratio[np.bincount(col[~binary], minlength=f) > 0] = 1.0  # real-valued: as they are
            wj, bj = _lbfgs(row, col, val * ratio[col], (n, f), y[:, j : j + 1],
                            sample_weight[:, j : j + 1], l2, iterations)  # fmt: skip
            w[:, j] = (w[:, j] + wj[:, 0] * ratio) / 2
            b[j] = (b[j] + bj[0]) / 2
    keep = np.abs(w).sum(axis=1) > 1e-6
    keys = np.array(vocab, dtype=np.uint64)[keep]
    order = np.argsort(keys)
    meta = {
        "trainer": f"logistic regression per label, {solver} (tools/train_models.py)",
        "iterations": iterations,
        "l2": l2,
        "min_count": min_count,
        "positive_weight": positive_weight,
        "examples": n,
        "positives": {lab: int(y[:, i].sum()) for i, lab in enumerate(labels)},
    }
    if nb_lr:
        meta["nb_lr"] = True
    return keys[order], w[keep][order].astype(np.float32), b.round(6), meta


def _lbfgs(row: np.ndarray, col: np.ndarray, val: np.ndarray, shape: tuple[int, int],
           y: np.ndarray, sample_weight: np.ndarray, l2: float, iterations: int,
           ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Weighted mean log-loss plus L2 on the weights (not the intercepts), by L-BFGS."""
    from scipy.optimize import minimize
    from scipy.sparse import csr_matrix

    n, f = shape
    c = y.shape[1]
    x = csr_matrix((val, (row, col)), shape=(n, f))
    xt = x.T.tocsr()

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: f * c].reshape(f, c)
        b = theta[f * c :]
        z = x @ w + b
        # log(1 + e^z) - y z, computed stably
        loss = (np.logaddexp(0.0, z) - y * z) * sample_weight
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        g = (p - y) * sample_weight / n
        grad_w = xt @ g + l2 * w
        value = loss.sum() / n + 0.5 * l2 * float((w * w).sum())
        return value, np.concatenate([grad_w.ravel(), g.sum(axis=0)])

    theta0 = np.zeros(f * c + c)
    result = minimize(objective, theta0, jac=True, method="L-BFGS-B",
                      options={"maxiter": iterations, "gtol": 1e-7})  # fmt: skip
    theta = result.x
    return theta[: f * c].reshape(f, c), theta[f * c :]


def _adagrad(row: np.ndarray, col: np.ndarray, val: np.ndarray, shape: tuple[int, int],
             y: np.ndarray, sample_weight: np.ndarray, l2: float, iterations: int,
             ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Full-batch Adagrad on the same objective (the first trainer)."""
    n, f = shape
    c = y.shape[1]
    w = np.zeros((f, c))
    b = np.zeros(c)
    gw2 = np.full((f, c), 1e-8)
    gb2 = np.full(c, 1e-8)
    rate = 0.5
    for _ in range(iterations):
        z = np.zeros((n, c))
        np.add.at(z, row, w[col] * val[:, None])
        z += b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        g = (p - y) * sample_weight / n
        grad_w = np.zeros((f, c))
        np.add.at(grad_w, col, g[row] * val[:, None])
        grad_w += l2 * w
        grad_b = g.sum(axis=0)
        gw2 += grad_w**2
        gb2 += grad_b**2
        w -= rate * grad_w / np.sqrt(gw2)
        b -= rate * grad_b / np.sqrt(gb2)
    return w, b


FLAG_SETTINGS = {"solver": "lbfgs", "l2": 5e-5, "iterations": 500, "nb_lr": True}
"""The sentence model's training settings. L-BFGS to convergence with a light L2 read as many
dev sentences as full-batch Adagrad (300 steps, L2 3e-4) at the same rate of findings on strong
answers, and more sole-credit ones; with word stems as features it found more blame (dev
5-fold, benchmarks/RESULTS.md "Red flags"). Averaged with an NB-LR model over the same
features (``nb_lr``): at the same findings per strong answer, more blame and sole credit found
(dev 5-fold)."""


def train_flags(
    examples: list[FlagExample], lexicons: list[str] | None = None, **settings: float | str
) -> FlagModel:
    """The red-flag sentence model: one logistic regression per category.

    ``lexicons``: the rubric lexicons the examples' features were read with
    (:func:`flag_lexicons`), recorded in the model so that analysis reads the same ones (see
    ``ClassifierEngine.lexicons``).
    """
    settings = {**FLAG_SETTINGS, **settings}
    keys, weights, bias, meta = train_logistic(examples, list(RED_FLAGS), **settings)  # type: ignore[arg-type]
    if lexicons is not None:
        meta["lexicons"] = sorted(lexicons)
    return FlagModel(keys, weights, meta, bias, list(RED_FLAGS))


# -- the principle models ----------------------------------------------------------------------
def principle_examples(
    analyzer: Analyzer, stories: list[GoldStory]
) -> list[tuple[str, tuple[str, ...], list[list[tuple[float, np.ndarray]]]]]:
    """Each labelled story: id, gold labels, term blocks (without, then with, its question)."""
    reader = analyzer.detectors.principles
    out = []
    for story in stories:
        labels = story_labels(story, analyzer.rubric.name.split("-")[0] if
                              analyzer.rubric.name == "default" else "amazon")  # fmt: skip
        if not labels:
            continue
        clean = safe_text(story.text)
        answer = analyzer.sections(story.text, clean, analyzer.nlp(clean))
        variants = [reader.blocks(answer)]
        # Every story twice, with and without its question, so the model serves both callers.
        if story.question:
            q_lower = token_arrays(analyzer.nlp.make_doc(safe_text(story.question)))[0]
            variants.append(reader.blocks(answer.with_question(story.question, q_lower)))
        out.append((story.id, tuple(labels), variants))
    return out


PRINCIPLE_SETTINGS = {"c": 20.0, "nb_c": 30.0, "stack_c": 0.1, "min_df": 2, "iterations": 1000}
"""The principle model's training settings (chosen by dev 5-fold cross-validation, nested for the
stacker): each learner a logistic regression with an L2 penalty of 1 / (C x examples) (``c`` for
the TF-IDF model, ``nb_c`` for NB-LR, ``stack_c`` for the second stage); terms in at least
``min_df`` training stories."""

PrincipleItems = list[tuple[str, tuple[str, ...], list[list[tuple[float, np.ndarray]]]]]


def train_principles(
    analyzer: Analyzer, stories: list[GoldStory], **settings: float,
) -> PrincipleModel:  # fmt: skip
    """The principle model of a rubric (see :class:`PrincipleModel`), from labelled stories."""
    labels = [p.id for p in analyzer.rubric.principles.items]
    return fit_principles(principle_examples(analyzer, stories), labels, **settings)


def fit_principles(
    items: PrincipleItems, labels: list[str], c: float = 20.0, nb_c: float = 30.0,
    stack_c: float = 0.1, min_df: int = 2, iterations: int = 1000, folds: int = 5,
) -> PrincipleModel:  # fmt: skip
    """Both first stages on every story, and the stacker on their out-of-fold scores.

    The stacker's examples: every variant of every story (with and without its question), each
    scored by first stages trained on the other ``folds - 1`` folds. A fold holds whole author
    batches (:func:`author_folds`), so each story is scored by first stages that never saw its
    author's words, as a user's story is at analysis time.
    """
    fold_of = author_folds([story_id for story_id, _, _ in items], folds)
    z_rows, gold = [], []
    for k in range(folds):
        inner = fit_first_stage([it for it, f in zip(items, fold_of, strict=True) if f != k],
                                labels, c, nb_c, min_df, iterations)  # fmt: skip
        for _, story_gold, story_variants in (
            it for it, f in zip(items, fold_of, strict=True) if f == k
        ):
            for blocks in story_variants:
                lr, nb = inner.first_stage(blocks)
                z_rows.append(np.concatenate([standardise(lr), standardise(nb)]))
                gold.append(story_gold)
    z = np.array(z_rows)
    y = np.array([[1.0 if label in g else 0.0 for label in labels] for g in gold])
    n, f = z.shape
    row, col = np.repeat(np.arange(n), f), np.tile(np.arange(f), n)
    stack, stack_bias = _lbfgs(row, col, z.ravel(), (n, f), y, np.ones_like(y),
                               1.0 / (stack_c * n), iterations)  # fmt: skip
    model = fit_first_stage(items, labels, c, nb_c, min_df, iterations)
    model.stack, model.stack_bias = stack, stack_bias
    model.meta.update({"nb_c": nb_c, "stack_c": stack_c, "stack_examples": n, "folds": folds,
                       "stack_folds": "author batch",
                       "features": "tf-idf v2 + nb-lr, stacked"})  # fmt: skip
    return model


def author_folds(story_ids: list[str], folds: int) -> list[int]:
    """Each story's fold: author batches (the id up to its last ``-``) dealt out in sorted order."""
    batches = sorted({story_id.rsplit("-", 1)[0] for story_id in story_ids})
    fold_of = {batch: i % folds for i, batch in enumerate(batches)}
    return [fold_of[story_id.rsplit("-", 1)[0]] for story_id in story_ids]


def fit_first_stage(
    items: PrincipleItems, labels: list[str], c: float, nb_c: float, min_df: int, iterations: int
) -> PrincipleModel:
    """The TF-IDF logistic regression and the NB-LR model, sharing one key table."""
    df: dict[int, int] = {}
    for _, _, texts in items:
        # The fullest variant (with the question) holds every term of the story once.
        for k in {int(k) for _, terms in texts[-1] for k in terms.tolist()}:
            df[k] = df.get(k, 0) + 1
    n = len(items)
    idf_keys = np.array(sorted(k for k, d in df.items() if d >= min_df), dtype=np.uint64)
    idf = np.array([math.log((1 + n) / (1 + df[int(k)])) + 1.0 for k in idf_keys.tolist()])
    table = PrincipleModel(idf_keys, np.zeros((len(idf_keys), len(labels))), {},
                           np.zeros(len(labels)), labels, idf)  # fmt: skip
    examples = []
    for story_id, gold, texts in items:
        for blocks in texts:
            keys, values = PrincipleReader.vectorise(blocks, table.idf_of)
            real = dict(zip(keys.tolist(), values.astype(np.float64).tolist(), strict=True))
            examples.append(FlagExample(np.zeros(0, np.uint64), gold, f"story:{story_id}", real))
    keys, weights, bias, meta = train_logistic(
        examples, labels, iterations=iterations, l2=1.0 / (c * len(examples)), min_count=1,
        positive_weight=1.0, solver="lbfgs",
    )  # fmt: skip
    meta.update({"stories": n, "c": c, "min_df": min_df, "features": "tf-idf v2"})
    # Every term with an IDF keeps a row (zero where the learner left it), so the IDF table and
    # the weights share one key array.
    table.weights[np.searchsorted(idf_keys, keys)] = weights
    nb_weights, nb_bias = fit_nb_lr(items, labels, idf_keys, nb_c, iterations)
    return PrincipleModel(idf_keys, table.weights, meta, bias, labels, idf, nb_weights, nb_bias)


def fit_nb_lr(
    items: PrincipleItems, labels: list[str], keys: np.ndarray, c: float, iterations: int
) -> tuple[np.ndarray, np.ndarray]:
    """NB-LR (Wang and Manning 2012) per label over the whole answer's stems and stem pairs.

    Each story: its known terms, binary, scaled to unit length; each label's features scaled by
    their log-count ratio (:func:`log_count_ratio`); a logistic regression over them. Returned
    folded into one weight per key (r x w; zero for keys that are not stems or pairs) and the
    intercepts.
    """
    rows, cols = [], []
    for r, (_, _, texts) in enumerate(items):
        _, pos = lookup(keys, np.unique(texts[0][0][1]))
        rows.append(np.full(len(pos), r))
        cols.append(pos)
    row, col = np.concatenate(rows), np.concatenate(cols)
    n, f = len(items), len(keys)
    y = np.array([[1.0 if label in g else 0.0 for label in labels] for _, g, _ in items])
    per_story = np.bincount(row, minlength=n).astype(np.float64)
    unit = 1.0 / np.sqrt(np.maximum(per_story, 1.0))
    nb_weights = np.zeros((f, len(labels)))
    nb_bias = np.zeros(len(labels))
    for j in range(len(labels)):
        ratio = log_count_ratio(col, y[row, j] > 0, f)
        w, b = _lbfgs(row, col, unit[row] * ratio[col], (n, f), y[:, j : j + 1],
                      np.ones((n, 1)), 1.0 / (c * n), iterations)  # fmt: skip
        nb_weights[:, j] = w[:, 0] * ratio
        nb_bias[j] = b[0]
    return nb_weights, nb_bias


FLAG_TAGS = {"blame", "sole_credit", "vague", "hedging", "overreach_l6"}


def clean_stories(stories: list[GoldStory]) -> list[GoldStory]:
    """Stories whose every sentence may serve as a clean example: no red-flag weakness tagged."""
    return [s for s in stories if not FLAG_TAGS.intersection(s.weak)]


def dev_flag_examples(analyzer: Analyzer) -> list[FlagExample]:
    """The dev flag sentences in dev strong answers, and every sentence of the dev stories
    that carry no red flag (their problem descriptions are the hardest clean examples)."""
    gold = load_gold()
    flags = [f for f in load_flags() if f.split == "dev"]
    hosts = hosts_for(gold, "dev")
    host_ids = {h.id for h in hosts}
    others = [
        s for s in clean_stories([g for g in gold if g.split == "dev"]) if s.id not in host_ids
    ]
    return flag_examples(analyzer, flags, hosts) + flag_examples(analyzer, [], others)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sections", "flags", "principles"], default=None)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    sections_path, flags_path = DATA / "sections.model", DATA / "flags.model"
    if not sections_path.exists():
        SectionModel.empty().save(sections_path)  # bootstrap: the analyzer loads a model to start
    for name, labels in (("principles-amazon", 16), ("principles-default", 9)):
        path = DATA / f"{name}.model"
        try:
            PrincipleModel.from_bytes(path.read_bytes(), str(path), "model")
        except (OSError, RubricError):  # missing, or an older format: start from an empty one
            PrincipleModel(np.zeros(0, np.uint64), np.zeros((0, labels)), {}, np.zeros(labels),
                           [f"p{i}" for i in range(labels)], np.zeros(0)).save(path)  # fmt: skip
    if not flags_path.exists():
        empty = FlagModel(np.zeros(0, np.uint64), np.zeros((0, len(RED_FLAGS))), {}, np.zeros(5),
                          list(RED_FLAGS))  # fmt: skip
        empty.save(flags_path)
    analyzer = Analyzer()
    if args.only in (None, "sections"):
        stories = dev_stories()
        model = train_sections(analyzer, stories, args.epochs)
        model.save(sections_path)
        size = sections_path.stat().st_size
        texts = model.meta["sequences"]
        print(f"sections: {len(model.keys)} features, {texts} texts from {len(stories)} dev "
              f"stories -> {sections_path} ({size / 1024:.0f} KB)")  # fmt: skip
        forget_bundled()
        analyzer = Analyzer()  # the flag features read the sections the new model finds
    if args.only in (None, "flags"):
        flag_model = train_flags(dev_flag_examples(analyzer), flag_lexicons(analyzer))
        flag_model.save(flags_path)
        size = flags_path.stat().st_size
        print(f"flags: {len(flag_model.keys)} features, {flag_model.meta['examples']} sentences "
              f"-> {flags_path} ({size / 1024:.0f} KB)")  # fmt: skip
    if args.only in (None, "principles"):
        stories = [s for s in load_gold(include_v1=False) if s.split == "dev"]
        for rubric_name, model_name in (("amazon-l6", "principles-amazon"),
                                        ("default", "principles-default")):  # fmt: skip
            path = DATA / f"{model_name}.model"
            model = train_principles(Analyzer(rubric=rubric_name), stories, **PRINCIPLE_SETTINGS)
            model.save(path)
            forget_bundled()
            print(f"{model_name}: {len(model.keys)} features, {model.meta['stories']} stories "
                  f"-> {path} ({path.stat().st_size / 1024:.0f} KB)")  # fmt: skip


if __name__ == "__main__":
    main()
