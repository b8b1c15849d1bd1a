"""Principles as rubric data, question fit, story signals and the bank as a portfolio."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from conftest import ROOT

import staranalyzer
from staranalyzer import Analyzer, portfolio
from staranalyzer.answer import safe_text
from staranalyzer.linear import read_arrays

BANK = ROOT / "examples" / "bank.jsonl"
AMAZON = [
    "Customer Obsession",
    "Ownership",
    "Invent and Simplify",
    "Are Right, A Lot",
    "Learn and Be Curious",
    "Hire and Develop the Best",
    "Insist on the Highest Standards",
    "Think Big",
    "Bias for Action",
    "Frugality",
    "Earn Trust",
    "Dive Deep",
    "Have Backbone; Disagree and Commit",
    "Deliver Results",
    "Strive to be Earth's Best Employer",
    "Success and Scale Bring Broad Responsibility",
]
COMPETENCIES = {
    "leadership",
    "teamwork",
    "conflict",
    "failure_learning",
    "customer_focus",
    "initiative",
    "problem_solving",
    "communication",
    "adaptability",
}
SUCCESS = (
    "Situation: Our checkout service failed twice a week at peak.\n"
    "Task: I had to make it reliable before the holidays.\n"
    "Action: I profiled the connection pool, rewrote the retry logic and added load tests.\n"
    "Result: Outages fell from eight a month to none, and conversion rose 3%."
)
FAILURE = (
    "Situation: I owned the launch of a new ranking model for 18 engineers.\n"
    "Task: Ship it before the spring sale.\n"
    "Action: I skipped the canary to save a week, which was my mistake; when conversion fell I "
    "rolled it back within the hour and told my director myself.\n"
    "Result: Conversion dropped 4% for one weekend.\n"
    "What I learned: I never skip a canary now, and I wrote the launch checklist we use today."
)


def analyzer_for(rubric: str, _cache: dict[str, Analyzer] = {}) -> Analyzer:  # noqa: B006
    if rubric not in _cache:
        _cache[rubric] = Analyzer(rubric=rubric)
    return _cache[rubric]


# -- 1. principles as rubric data -----------------------------------------------------------------
@pytest.mark.parametrize("rubric", ["amazon-l5", "amazon-l6", "amazon-l7"])
def test_amazon_rubrics_carry_the_16_principles_by_their_official_names(rubric):
    items = analyzer_for(rubric).rubric.principles.items
    assert [p.name for p in items] == AMAZON
    for p in items:
        assert p.description and p.ask and p.cues and p.examples.match and p.examples.no_match


def test_default_rubric_carries_the_generic_competencies():
    items = analyzer_for("default").rubric.principles.items
    assert {p.id for p in items} == COMPETENCIES


def _cue_score(an: Analyzer, text: str, principle: str) -> float:
    clean = safe_text(text)
    answer = an.sections(text, clean, an.nlp(clean))
    return an.detectors.principles.hits(answer)[principle].score


@pytest.mark.parametrize("rubric", ["amazon-l6", "default"])
def test_each_principle_cues_match_their_examples_and_only_those(rubric):
    an = analyzer_for(rubric)
    ranked_in_top3 = total = 0
    for p in an.rubric.principles.items:
        for text in p.examples.match:
            assert _cue_score(an, text, p.id) > 0, (p.id, text)
            total += 1
            ranked_in_top3 += p.id in [x.id for x in an.analyze(text).principles[:3]]
        for text in p.examples.no_match:
            assert _cue_score(an, text, p.id) == 0, (p.id, text)
    # one-sentence examples are far from whole stories; most still rank their principle high
    assert ranked_in_top3 / total >= 0.75


def test_a_user_rubric_can_define_its_own_values(tmp_path):
    rubric = tmp_path / "acme.yaml"
    rubric.write_text(
        "schema_version: 1\nextends: default\nname: acme\n"
        "principles:\n  items!:\n"
        "    - id: frugal\n      name: Spend Like It Is Yours\n"
        "      description: Saves money where it does not hurt the customer.\n"
        "      cues:\n        - weight: 2.0\n          phrases: [saved, budget, cheaper]\n"
        "      examples:\n        match: [I saved the budget.]\n        no_match: [I wrote code.]\n"
        "    - id: bold\n      name: Be Bold\n      description: Takes a big bet.\n"
        "      cues:\n        - weight: 2.0\n          phrases: [bet, bold]\n"
        "      examples:\n        match: [I made a bold bet.]\n        no_match: [I wrote code.]\n",
        encoding="utf-8",
    )
    report = Analyzer(rubric=str(rubric)).analyze(
        "Situation: Costs were high.\nAction: I moved us to a cheaper supplier and saved "
        "the budget $40K.\nResult: Costs fell 12%."
    )
    assert [p.name for p in report.principles][0] == "Spend Like It Is Yours"
    top = report.principles[0]
    assert top.evidence and top.evidence[0].section == "action"
    assert report.principles[1].score < top.score


# -- 2. report.principles --------------------------------------------------------------------------
def test_principle_features_are_tf_idf_blocks_of_unit_length():
    from staranalyzer.detectors.principles import TAGGED_WEIGHT, PrincipleReader

    reader = analyzer_for("amazon-l6").detectors.principles
    assert reader.model is not None and len(reader.model.keys) > 1000
    an = analyzer_for("amazon-l6")
    answer = an.sections(SUCCESS, safe_text(SUCCESS), an.nlp(safe_text(SUCCESS)))
    blocks = reader.blocks(answer)
    # the whole answer (stems and stem pairs), then the section-tagged stems
    assert [w for w, _ in blocks] == [1.0, TAGGED_WEIGHT]
    keys, values = reader.features(answer)
    assert len(keys) == len(values) > 20 and (values > 0).all()
    # each block has unit length before its weight: squared values sum to 1 + 0.7 ** 2
    assert abs(float((values.astype(float) ** 2).sum()) - (1 + TAGGED_WEIGHT**2)) < 1e-3
    # a term the training stories never had twice has no IDF and is dropped
    unseen = np.array([12345], dtype=np.uint64)
    k, v = PrincipleReader.vectorise([(1.0, unseen)], reader.model.idf_of)
    assert len(k) == 0 and len(v) == 0
    # repeats count sublinearly: twice a term is 1 + ln 2 times once, before the norm
    known = reader.model.keys[:2]
    k, v = PrincipleReader.vectorise(
        [(1.0, np.concatenate([known, known[:1]]))], lambda x: 1.0 + 0 * x.astype(float)
    )
    assert abs(float(v[0] / v[1]) - (1 + np.log(2))) < 1e-5


def test_principle_model_file_round_trips_with_its_idf_table(tmp_path):
    from staranalyzer.detectors.principles import PrincipleModel

    model = analyzer_for("amazon-l6").detectors.principles.model
    path = tmp_path / "p.model"
    model.save(path)
    loaded = PrincipleModel.from_bytes(path.read_bytes(), str(path), "principles.model")
    assert (loaded.keys == model.keys).all() and (loaded.idf == model.idf).all()
    assert loaded.labels == model.labels and loaded.stacked
    assert np.allclose(loaded.stack, model.stack) and (loaded.nb_weights == model.nb_weights).all()
    again = tmp_path / "again.model"
    loaded.save(again)
    assert again.read_bytes() == path.read_bytes()  # deterministic file
    # half-precision weights on file, float32 in memory; one IDF per weight key
    doc = read_arrays(path.read_bytes())
    assert doc["weight_format"] == "<f2" and "idf_keys" not in doc
    assert doc["weights"].dtype == np.dtype("<f2") and doc["idf"].dtype == np.dtype("<f4")
    assert len(loaded.idf) == len(loaded.keys) == doc["n_features"]
    assert loaded.weights.dtype == np.float32
    probe = model.keys[[0, 5, 50]]
    assert (loaded.idf_of(probe) == model.idf_of(probe)).all() and (loaded.idf_of(probe) > 1).all()


def test_principle_model_stacks_two_first_stages():
    from staranalyzer.detectors.principles import PrincipleModel, standardise
    from staranalyzer.linear import lookup

    an = analyzer_for("amazon-l6")
    reader = an.detectors.principles
    model = reader.model
    assert model is not None and model.stacked
    labels = len(model.labels)
    assert model.nb_weights.shape == model.weights.shape and model.stack.shape == (
        2 * labels,
        labels,
    )
    answer = an.sections(FAILURE, safe_text(FAILURE), an.nlp(safe_text(FAILURE)))
    blocks = reader.blocks(answer)
    lr, nb = model.first_stage(blocks)
    assert lr.shape == nb.shape == (labels,) and not np.allclose(lr, nb)
    # the NB-LR part reads the whole answer's stems and pairs only: binary, unit length
    _, pos = lookup(model.keys, np.unique(blocks[0][1]))
    rows = model.nb_weights[pos].astype(float)
    assert len(pos) > 20
    assert np.allclose(nb, model.nb_bias + rows.sum(axis=0) / np.sqrt(len(pos)), atol=1e-4)
    # the second stage reads both, each standardised across the principles
    z = np.concatenate([standardise(lr), standardise(nb)])
    assert abs(z[:labels].mean()) < 1e-9 and abs(z[:labels].std() - 1) < 1e-6
    probs = model.score(blocks)
    assert np.allclose(probs, 1 / (1 + np.exp(-(z @ model.stack + model.stack_bias))))
    scores = {p.id: p.score for p in reader.scores(answer)}
    assert all(
        abs(scores[k] - round(float(v), 3)) < 1e-9 for k, v in zip(model.labels, probs, strict=True)
    )
    # without the NB-LR part and stacker (a user's own model): the logistic regression alone
    plain = PrincipleModel(model.keys, model.weights, {}, model.bias, model.labels, model.idf)
    assert not plain.stacked
    assert np.allclose(plain.score(blocks), 1 / (1 + np.exp(-lr)))
    # the failure story ranks a learning principle over an unrelated one
    ranked = [p.id for p in reader.scores(answer)]
    assert ranked.index("learn_and_be_curious") < ranked.index("frugality")


def test_principles_are_ranked_with_quoted_evidence():
    text = FAILURE
    report = analyzer_for("amazon-l6").analyze(text)
    scores = [p.score for p in report.principles]
    assert scores == sorted(scores, reverse=True) and len(scores) == 16
    assert all(0 <= s <= 1 for s in scores)
    for p in report.principles:
        for e in p.evidence:
            assert text[e.start : e.end] == e.text
            assert e.cue.lower() in e.text.lower()


def test_named_is_true_only_when_the_answer_names_the_principle():
    an = analyzer_for("amazon-l6")
    named = an.analyze(SUCCESS + "\nFor me this was about ownership.")
    plain = an.analyze(SUCCESS)
    assert next(p for p in named.principles if p.id == "ownership").named
    assert not next(p for p in plain.principles if p.id == "ownership").named


def test_cues_in_the_action_weigh_more_than_in_the_situation():
    an = analyzer_for("amazon-l6")
    line = "I cut the budget by renegotiating the vendor contract."
    in_action = f"Situation: Costs rose.\nTask: Fix it.\nAction: {line}\nResult: We saved $2M."
    in_situation = (
        f"Situation: {line}\nTask: Fix it.\nAction: I wrote a plan.\nResult: We saved $2M."
    )
    assert _cue_score(an, in_action, "frugality") > _cue_score(an, in_situation, "frugality")


def test_text_card_shows_the_top_three_principles_with_evidence():
    out = staranalyzer.render(analyzer_for("amazon-l6").analyze(FAILURE), "text", FAILURE)
    assert "principles (top three)" in out
    block = out.split("principles (top three)")[1].split("findings")[0]
    assert block.count('"') >= 2  # at least one quoted sentence


# -- 3. question fit -------------------------------------------------------------------------------
def test_failure_question_answered_with_a_success_story_is_flagged():
    report = analyzer_for("amazon-l6").analyze(SUCCESS, question="Tell me about a time you failed.")
    fit = report.question_fit
    assert fit is not None and "failure" in fit.kinds and not fit.fits
    rules = {f.rule for f in report.findings}
    assert {"question_fit.failure", "question_fit.lesson"} <= rules


def test_failure_story_with_a_lesson_fits_a_failure_question():
    report = analyzer_for("amazon-l6").analyze(FAILURE, question="Tell me about a time you failed.")
    assert report.question_fit is not None and report.question_fit.fits
    assert not {f.rule for f in report.findings} & {"question_fit.failure", "question_fit.lesson"}


def test_no_question_no_question_fit():
    report = analyzer_for("amazon-l6").analyze(SUCCESS)
    assert report.question_fit is None
    assert not any(f.rule.startswith("question_fit") for f in report.findings)


def test_question_asks_for_principles_and_says_which_are_shown():
    report = analyzer_for("amazon-l6").analyze(
        FAILURE, question="Tell me about a time you disagreed with your manager."
    )
    fit = report.question_fit
    assert fit is not None and "backbone" in fit.asks_for
    assert set(fit.shown) <= set(fit.asks_for)


# -- 4. story signals under amazon-l6 --------------------------------------------------------------
def test_only_technical_story_is_flagged_at_l6_and_not_by_default():
    l6 = analyzer_for("amazon-l6").analyze(SUCCESS)
    assert l6.signals is not None and l6.signals.technical and not l6.signals.people_leadership
    assert "leadership.technical_only" in {f.rule for f in l6.findings}
    assert "leadership.technical_only" not in {
        f.rule for f in analyzer_for("default").analyze(SUCCESS).findings
    }


def test_people_leadership_and_cross_functional_work_are_seen():
    text = (
        "Situation: Our 14 engineers in two teams missed every release date.\n"
        "Action: I coached the two leads, agreed a single plan with product, design and the "
        "finance team, and delegated the release train to a senior engineer.\n"
        "Result: We shipped on time for three quarters running."
    )
    sig = analyzer_for("amazon-l6").analyze(text).signals
    assert sig is not None and sig.people_leadership and sig.cross_functional
    assert sig.theme in {"team_leadership", "project_delivery"}
    assert len(sig.functions) >= 2


# -- 5. the portfolio ------------------------------------------------------------------------------
def _bank_reports(rubric: str = "amazon-l6"):
    items = [json.loads(line) for line in BANK.read_text(encoding="utf-8").splitlines()]
    reports = analyzer_for(rubric).analyze_many([(d["answer"], d["question"]) for d in items])
    return items, list(reports)


def test_portfolio_of_the_example_bank():
    items, reports = _bank_reports()
    folio = portfolio([(d["id"], r, d["answer"]) for d, r in zip(items, reports, strict=True)])
    assert folio.stories == len(items) and folio.target_stories == 20
    assert len(folio.coverage) == 16
    counts = {c.name: c.count for c in folio.coverage}
    assert set(folio.missing) == {n for n, c in counts.items() if c == 0}
    assert set(folio.thin) == {n for n, c in counts.items() if c == 1}
    assert [row.id for row in folio.matrix] == [d["id"] for d in items]
    assert {t.name: t.target for t in folio.themes} == {
        "team_leadership": 0.4,
        "technical_decisions": 0.3,
        "project_delivery": 0.2,
        "organisational": 0.1,
    }
    assert folio.cross_functional is not None and folio.cross_functional.target == 0.7
    assert "story-8" in folio.failure_stories and "story-8" in folio.failure_without_lesson
    steps = "\n".join(folio.next_steps)
    assert "more stories" in steps
    for name in folio.missing:
        assert f"No story shows {name}" in steps
    assert "story-8 is a failure story with no lesson" in steps


def test_portfolio_next_step_names_the_story_that_comes_closest():
    items, reports = _bank_reports()
    folio = portfolio([(d["id"], r) for d, r in zip(items, reports, strict=True)])
    close = [s for s in folio.next_steps if "could show it if it also" in s]
    assert close and all("story-" in s for s in close)


def test_portfolio_finds_near_duplicate_stories():
    items, reports = _bank_reports()
    pairs = [(d["id"], r, d["answer"]) for d, r in zip(items, reports, strict=True)]
    pairs.append(("story-1-again", reports[0], items[0]["answer"] + " Thanks."))
    folio = portfolio(pairs)
    assert [(d.first, d.second) for d in folio.near_duplicates] == [("story-1", "story-1-again")]
    assert any("nearly the same story" in s for s in folio.next_steps)


def test_portfolio_of_an_empty_bank_and_of_plain_reports():
    empty = portfolio([], rubric="amazon-l6")
    assert empty.stories == 0 and len(empty.missing) == 16
    _, reports = _bank_reports("default")
    folio = portfolio(reports)
    assert folio.rubric == "default" and folio.matrix[0].id == "story-1"


def test_portfolio_is_deterministic():
    items, reports = _bank_reports()
    pairs = [(d["id"], r, d["answer"]) for d, r in zip(items, reports, strict=True)]
    assert portfolio(pairs).model_dump_json() == portfolio(pairs).model_dump_json()


# -- 6. the CLI ------------------------------------------------------------------------------------
def star_check(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "staranalyzer", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def test_cli_prints_a_portfolio_after_a_bank():
    out = star_check(BANK, "--rubric", "amazon-l6")
    assert out.returncode == 0, out.stderr
    text = out.stdout.split("\nPortfolio\n", 1)[1]
    assert "principles (stories showing each)" in text and "next steps" in text
    assert "themes (share of stories, target)" in text and "cross-functional stories" in text
    assert "Frugality" in text


def test_cli_jsonl_ends_with_a_portfolio_record_valid_against_its_schema():
    plain = star_check(BANK, "--rubric", "amazon-l6", "--format", "jsonl", "-q")
    assert all("report" in json.loads(x) for x in plain.stdout.splitlines())  # opt-in
    out = star_check(BANK, "--rubric", "amazon-l6", "--format", "jsonl", "-q", "--portfolio")
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert all("report" in x for x in lines[:-1]) and list(lines[-1]) == ["portfolio"]
    schema = json.loads(
        (Path(staranalyzer.__file__).parent / "schema" / "portfolio.schema.json").read_text()
    )
    assert schema == staranalyzer.portfolio_schema()
    jsonschema.validate(lines[-1]["portfolio"], schema)
    assert star_check("--portfolio-schema").stdout.strip() == json.dumps(
        schema, indent=2, sort_keys=True
    )


def test_cli_portfolio_in_json_markdown_and_switched_off():
    js = json.loads(
        star_check(BANK, "--rubric", "amazon-l6", "--format", "json", "-q", "--portfolio").stdout
    )
    assert "portfolio" in js[-1] and all("report" in x for x in js[:-1])
    md = star_check(BANK, "--rubric", "amazon-l6", "--format", "markdown").stdout
    assert "## Portfolio" in md and "### Next steps" in md
    off = star_check(BANK, "--rubric", "amazon-l6", "--no-portfolio").stdout
    assert "Summary" in off and "Portfolio" not in off


def test_cli_question_option_applies_to_stories_without_one(tmp_path):
    answer = tmp_path / "answer.txt"
    answer.write_text(SUCCESS, encoding="utf-8")
    out = star_check(
        answer, "--rubric", "amazon-l6", "--format", "json", "--question",
        "Tell me about a time you failed.",
    )  # fmt: skip
    report = json.loads(out.stdout)
    assert report["question_fit"]["kinds"] == ["failure"]
    assert any(f["rule"] == "question_fit.failure" for f in report["findings"])
    bank = star_check(BANK, "--format", "jsonl", "-q", "--question", "Ignored here?").stdout
    first = json.loads(bank.splitlines()[0])
    assert first["question"].startswith("Tell me about a time you improved")
