"""The score punishes each weakness, and separates strong from weak answers (issue 4)."""

from __future__ import annotations

from v1 import degrade, render, roc_auc

# Measured 2026-11-27 (final models) on the first corpus, which the rubric was developed on:
# 414 of 417 pairs (0.993), ROC AUC 0.999. Held-out figures: benchmarks/accuracy.py.


def test_originals_beat_their_weakened_variants(analyzer, corpus):
    pairs = wins = 0
    kinds = set()
    for answer in corpus:
        if answer.quality != "strong":
            continue
        original = analyzer.analyze(render(answer, "paragraphs").text).score
        for name, variant in degrade(answer).items():
            kinds.add(name)
            pairs += 1
            wins += original > analyzer.analyze(render(variant, "paragraphs").text).score
    assert kinds == {
        "no_numbers",
        "no_result",
        "blame",
        "long_situation",
        "we_action",
        "thin_action",
    }
    assert pairs >= 300
    assert wins / pairs >= 0.95


def test_score_separates_strong_from_weak(analyzer, corpus):
    reports = list(analyzer.analyze_many([a.text for a in corpus]))
    strong = [r.score for a, r in zip(corpus, reports, strict=True) if a.quality == "strong"]
    weak = [r.score for a, r in zip(corpus, reports, strict=True) if a.quality == "weak"]
    assert roc_auc(strong, weak) >= 0.9


def test_we_only_rewrite():
    from v1 import _we_only

    assert _we_only("I met my lead. Then I asked her to review me.") == (
        "We met our lead. Then we asked her to review us."
    )
