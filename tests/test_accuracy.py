"""Section accuracy floors on the corpus (see benchmarks/accuracy.py), and corpus integrity."""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections import Counter

import pytest
from conftest import ROOT

# Measured 2026-11-29 on the held-out stories (never tuned on), models trained on 4,182 dev
# stories: labelled 0.996, as written 0.946, paragraphs 0.972, single paragraph 0.918, notes
# 0.962; position alone 0.68-0.74.
FLOORS = {
    "labelled": 0.985,
    "as_written": 0.935,
    "paragraphs": 0.96,
    "single": 0.90,
    "notes": 0.94,
}
MIN_GAIN = 0.15  # over position alone, on the same texts


@pytest.fixture(scope="module")
def heldout_scores(analyzer, gold):
    from evaluation import score_sections

    heldout = [g for g in gold if g.split == "heldout"]
    return score_sections(lambda texts: analyzer.analyze_many(texts), heldout)


@pytest.mark.parametrize("variant", sorted(FLOORS))
def test_heldout_section_accuracy_floor(heldout_scores, variant):
    rows = [s for s in heldout_scores if s.variant == variant]
    assert len(rows) >= 40
    ours = statistics.fmean(s.accuracy for s in rows)
    baseline = statistics.fmean(s.baseline for s in rows)
    assert ours >= FLOORS[variant]
    assert ours - baseline >= MIN_GAIN


# Measured 2026-11-29 on the held-out stories with principle labels (never tuned on), without the
# question, stacked models trained on 4,078 labelled dev stories (stacker folds by author batch):
# amazon-l6 recall@3 0.784, precision@1 0.837 (baseline 0.356 / 0.290); default 0.877 / 0.849
# (baseline 0.552 / 0.461).
# The baseline always answers the three most frequent dev labels.
PRINCIPLE_FLOORS = {"amazon-l6": ("amazon", 0.76, 0.82), "default": ("default", 0.85, 0.82)}
PRINCIPLE_GAIN = 0.20  # recall@3 over the frequent-label baseline, on the same stories


@pytest.mark.parametrize("rubric_name", sorted(PRINCIPLE_FLOORS))
def test_heldout_principle_floor(gold, rubric_name):
    from evaluation import principle_figures, story_labels

    from staranalyzer import Analyzer

    kind, floor_r3, floor_p1 = PRINCIPLE_FLOORS[rubric_name]
    dev = [g for g in gold if g.split == "dev" and story_labels(g, kind)]
    heldout = [g for g in gold if g.split == "heldout" and story_labels(g, kind)]
    assert len(heldout) >= 80
    frequent = [p for p, _ in Counter(p for g in dev for p in story_labels(g, kind)).most_common(3)]
    reports = list(Analyzer(rubric=rubric_name).analyze_many([g.text for g in heldout]))
    r3, p1, b3, b1 = principle_figures(heldout, reports, kind, frequent)
    assert r3 >= floor_r3 and p1 >= floor_p1
    assert r3 - b3 >= PRINCIPLE_GAIN and p1 > b1


# Measured 2026-11-29 on the held-out red-flag sentences, each placed in a held-out strong answer
# (never tuned on), amazon-l6, sentence model trained on 10,206 dev flag sentences and the dev
# stories, blame thresholds 0.40 / 0.425 (chosen on dev): recall blame 0.92, sole credit 0.90,
# vague 0.96, hedging 0.98, overreach 0.94; 3.8 % of 260 traps flagged; per strong answer blame
# 0.041, sole credit 0.007, vague 0.027, hedging 0.020, overreach 0.041.
FLAG_RECALL_FLOORS = {
    "blame": 0.89,
    "sole_credit": 0.88,
    "vague": 0.92,
    "hedging": 0.95,
    "overreach": 0.92,
}
FLAG_TRAPS_CEILING = 0.08
FLAG_PER_STRONG_CEILING = 0.06
# The same sentences each analysed by itself, as an answer of one sentence (measured the same
# day, after a lone sentence was read as a section instead of a headline): recall blame 0.936,
# sole credit 0.918, vague 0.973, hedging 0.991, overreach 0.936; 12 of 260 traps flagged.
# Before that change blame was 0.891 and sole credit 0.900.
FLAG_ALONE_FLOOR = 0.90


def test_heldout_red_flag_floors(gold):
    from accuracy import FLAG_RUBRIC, flag_figures
    from evaluation import hosts_for
    from flags import load_flags

    from staranalyzer import Analyzer

    flags = [f for f in load_flags() if f.split == "heldout"]
    strong = [g for g in gold if g.split == "heldout" and g.quality == "strong" and not g.weak]
    assert len(flags) >= 700 and len(strong) >= 100
    got = flag_figures(Analyzer(rubric=FLAG_RUBRIC), flags, hosts_for(gold, "heldout"), strong)
    for category, floor in FLAG_RECALL_FLOORS.items():
        caught, n = got["caught"][category]
        assert n >= 100 and caught / n >= floor, (category, caught, n)
        assert got["per_answer"][category] <= FLAG_PER_STRONG_CEILING, category
    flagged = sum(t for t, _ in got["trap"].values())
    traps = sum(n for _, n in got["trap"].values())
    assert traps >= 200 and flagged / traps <= FLAG_TRAPS_CEILING
    for category in FLAG_RECALL_FLOORS:
        caught, n = got["alone"][category]
        assert caught / n >= FLAG_ALONE_FLOOR, ("alone", category, caught, n)
    flagged, traps = got["alone"]["clean"]
    assert traps >= 200 and flagged / traps <= FLAG_TRAPS_CEILING


# Measured 2026-11-29 on the held-out strong answers (never tuned on), rubric default: the
# original beat its weakened variant in 840 of 856 pairs (0.981; target 0.98; 846 the session
# before, see RESULTS.md: sections the retrained section model no longer finds).
VALIDITY_FLOOR = 0.975


def test_heldout_score_validity_floor(gold):
    from evaluation import degrade

    from staranalyzer import Analyzer

    analyzer = Analyzer()
    strong = [g for g in gold if g.split == "heldout" and g.quality == "strong" and not g.weak]
    assert len(strong) >= 100
    pairs = wins = 0
    originals = analyzer.analyze_many([g.text for g in strong])
    for story, original in zip(strong, originals, strict=True):
        variants = list(degrade(story).values())  # up to six; none that equals the original
        for report in analyzer.analyze_many(variants):
            pairs += 1
            wins += original.score > report.score
    assert pairs >= 800 and wins / pairs >= VALIDITY_FLOOR


def test_corpus_is_large_varied_and_held_out_first(gold):
    from evaluation import story_labels

    v2 = [g for g in gold if g.origin == "v2"]
    heldout = [g for g in gold if g.split == "heldout"]
    # The held-out split is fixed (written before any tuning) while dev grows, so its share
    # falls as dev grows (245 of 2,979 stories: 8.2 %); what matters is its size, and that it
    # covers every principle the figures are reported for.
    assert len(gold) >= 300 and len(heldout) >= 240
    per_principle = Counter(p for g in heldout for p in story_labels(g, "amazon"))
    assert len(per_principle) == 16 and min(per_principle.values()) >= 10
    assert {g.form for g in v2} >= {"prose", "bullets", "notes", "transcript", "mixed"}
    words = [len(g.text.split()) for g in v2]
    assert min(words) <= 60 and max(words) >= 550
    assert sum(any(s.label == "headline" for s in g.spans) for g in v2) >= 20
    assert sum(any(s.label == "reflection" for s in g.spans) for g in v2) >= 40
    result_first = 0
    for g in v2:
        labels = [s.label for s in g.sections]
        if "result" in labels and "action" in labels:
            result_first += labels.index("result") < len(labels) - 1 - labels[::-1].index("action")
    assert result_first >= 15
    assert len({g.trade for g in v2}) >= 30


def test_gold_spans_are_trimmed_and_in_order(gold):
    from evaluation import variants

    for story in gold:
        for name, r in variants(story).items():
            last = 0
            for _, start, end in r.gold:
                body = r.text[start:end]
                assert body and body == body.strip(), (story.id, name)
                assert start >= last, (story.id, name)
                last = end


def test_v1_jsonl_is_built_from_its_text_sources(tmp_path):
    corpus = ROOT / "benchmarks" / "corpus" / "answers.jsonl"
    built = tmp_path / "answers.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "corpus" / "build.py"), str(built)],
        check=True,
        capture_output=True,
    )
    assert built.read_text(encoding="utf-8") == corpus.read_text(encoding="utf-8"), (
        "run benchmarks/corpus/build.py"
    )


def test_a_note_is_placed_on_a_line_of_its_own():
    """A flag sentence written as a note is not run into the prose around it (it would merge
    with its neighbours into one sentence nobody wrote)."""
    from evaluation import GoldStory, Span, insert_sentence

    text = "Situation: the depot ran late.\nResult: on time 98% of days. I learned to ask early."
    result_end = text.index(" I learned")
    story = GoldStory(
        id="t-1", split="dev", origin="v2", text=text,
        spans=[Span("situation", 11, 30), Span("result", 39, result_end)],
        form="prose", quality="strong", weak=[],
    )  # fmt: skip
    placed, start, end = insert_sentence(story, "- OTIF way better, fewer escalations", "result")
    assert placed[start:end] == "- OTIF way better, fewer escalations"
    assert placed[start - 1] == "\n" and placed[end] == "\n"
    assert placed.endswith("\nI learned to ask early.")
    prose, start, end = insert_sentence(story, "It was their fault, not mine.", "result")
    assert prose[start - 1] == " " and prose[end:].startswith(" I learned")


def test_the_threshold_rule_takes_the_best_recall_within_its_budget(capsys):
    """tools/tune_flags.py --budget: recall, traps and findings per strong answer per setting."""
    from tune_flags import figures, pick

    def rec(kind, p, item, **extra):
        return {"kind": kind, "p": [p, 0, 0, 0, 0], "item": item, "situation": False,
                "cx": set(), **extra}  # fmt: skip

    recs = [
        rec("flag", 0.9, 1, category="blame"),
        rec("flag", 0.3, 2, category="blame"),
        rec("flag", 0.15, 3, category="blame"),
        rec("trap", 0.2, 4, category="clean"),
        rec("host", 0.12, 5, host="a"),
        rec("host", 0.05, 6, host="b"),
    ]
    assert figures(recs, "blame", 0.25, 0.25, 0.02) == (pytest.approx(2 / 3), 0.0, 0.0)
    assert figures(recs, "blame", 0.1, 0.1, 0.02) == (1.0, 1.0, 0.5)
    # No trap and no finding on a strong answer allowed: the best recall is 2/3 (thresholds
    # above 0.15 and up to 0.3); at 0.2 and under the trap is flagged, so no full recall.
    pick(recs, {"blame": (0.0, 0.0)})
    lines = capsys.readouterr().out.splitlines()[2:]
    assert len(lines) == 5 and all("recall 0.667  traps 0.000" in line for line in lines)
    assert all(0.2 < float(line.split()[0][2:]) <= 0.3 for line in lines)
    pick(recs, {"blame": (1.0, 0.5)})  # a budget that allows everything: full recall
    assert "recall 1.000" in capsys.readouterr().out.splitlines()[2]
