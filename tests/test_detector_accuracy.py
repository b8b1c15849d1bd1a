"""Regression floors for metrics and findings on the labelled corpus (benchmarks/accuracy.py)."""

from __future__ import annotations

import pytest
from v1 import (
    FLAG_CATEGORIES,
    gold_categories,
    match_spans,
    score_categories,
)

from staranalyzer import Analyzer

# Measured 2026-11-27: metrics precision 1.000 / recall 0.998 over 591 gold spans; every category
# recall >= 0.91; no blame, sole-credit or hedging finding on any of 71 strong answers.


@pytest.fixture(scope="module")
def reports(analyzer, corpus):
    return list(analyzer.analyze_many([a.text for a in corpus]))


def test_metric_precision_and_recall(corpus, reports):
    m = match_spans(
        (a.id, a.text, a.gold_metrics, [(x.start, x.end) for x in r.metrics])
        for a, r in zip(corpus, reports, strict=True)
    )
    assert m.precision >= 0.97 and m.recall >= 0.97, (m.false_positives, m.false_negatives)


@pytest.mark.parametrize("category", FLAG_CATEGORIES)
def test_category_recall(corpus, reports, category):
    (row,) = score_categories(corpus, reports, [category])
    assert row.expected >= 3
    assert row.recall >= 0.90, row.missed
    assert row.false_alarms <= max(1, row.others // 15), row.wrongly_flagged


def test_overreach_recall_under_l6(corpus):
    management = [a for a in corpus if a.domain == "engineering_management"]
    reports = list(Analyzer(rubric="amazon-l6").analyze_many([a.text for a in management]))
    (row,) = score_categories(management, reports, ["overreach"])
    assert row.expected >= 3 and row.recall >= 0.9 and row.false_alarms <= 1


@pytest.mark.parametrize("category", ["blame", "sole_credit", "hedging"])
def test_strong_answers_are_not_flagged(corpus, reports, category):
    strong = [r for a, r in zip(corpus, reports, strict=True) if a.quality == "strong"]
    per_answer = sum(sum(f.category == category for f in r.findings) for r in strong) / len(strong)
    assert per_answer <= 0.1


def test_corpus_has_positive_mentions_of_blame_and_credit(corpus):
    texts = [a.text.lower() for a in corpus if a.quality == "strong"]
    assert any("blameless" in t for t in texts)
    assert any("never blamed" in t for t in texts)
    assert any("credit belongs" in t or "credit goes" in t for t in texts)
    assert all("blame" not in gold_categories(a) for a in corpus if a.quality == "strong")
