"""Every rubric rule's own examples: must-match examples are flagged, must-not-match are not."""

from __future__ import annotations

import numpy as np
import pytest

from staranalyzer import Analyzer, available_rubrics, load_rubric

RULES = [(name, rule) for name in available_rubrics() for rule in load_rubric(name).active_rules()]
CASES = [
    pytest.param(name, rule.id, text, expected, id=f"{name}:{rule.id}:{kind}{i}")
    for name, rule in RULES
    for expected, kind, texts in (
        (True, "match", rule.examples.match),
        (False, "no_match", rule.examples.no_match),
    )
    for i, text in enumerate(texts)
]
_ANALYZERS: dict[str, Analyzer] = {}


def analyzer_for(name: str) -> Analyzer:
    if name not in _ANALYZERS:
        _ANALYZERS[name] = Analyzer(rubric=name)
    return _ANALYZERS[name]


@pytest.mark.parametrize("rubric,rule_id,text,expected", CASES)
def test_rule_examples(rubric, rule_id, text, expected):
    if isinstance(text, str):
        fired = analyzer_for(rubric).findings_of(text, rule_id)
    else:
        fired = analyzer_for(rubric).findings_of(text.answer, rule_id, text.question)
        text = text.answer
    assert bool(fired) == expected, [f.model_dump() for f in fired]
    for f in fired:
        if f.start is not None:
            assert text[f.start : f.end] == (
                f.text if f.text is not None else text[f.start : f.end]
            )


def test_every_rule_has_examples_both_ways():
    assert RULES
    for name, rule in RULES:
        assert rule.examples.match and rule.examples.no_match, (name, rule.id)


def test_rule_ids_are_dotted_and_categories_public():
    public = {
        "blame",
        "sole_credit",
        "vague",
        "hedging",
        "overreach",
        "ownership",
        "missing_section",
        "balance",
        "no_metrics",
        "filler",
        "structure",
        "question_fit",
        "leadership",
    }
    for _, rule in RULES:
        assert rule.id.count(".") >= 1
        assert rule.category in public
    assert {rule.category for _, rule in RULES} == public


def test_rules_switch_off_by_prefix(tmp_path):
    path = tmp_path / "quiet.yaml"
    path.write_text("extends: default\nname: quiet\ndisabled: [redflag.hedging, structure]\n")
    text = "I think it was kind of hard, maybe. Action: We did it."
    ids = {f.rule for f in Analyzer(rubric=str(path)).analyze(text).findings}
    assert not any(i.startswith(("redflag.hedging", "structure.")) for i in ids)
    loud = {f.rule for f in Analyzer().analyze(text).findings}
    assert any(i.startswith("redflag.hedging.") for i in loud)
    assert "structure.missing_section" in loud


def test_a_new_red_flag_phrase_is_a_rubric_edit(tmp_path):
    path = tmp_path / "extra.yaml"
    path.write_text(
        """
extends: default
name: extra
rules:
  - kind: phrase
    id: redflag.blame.weather
    category: blame
    severity: warning
    message: 'Blames the weather: "{text}".'
    suggestion: Say what you did about it.
    phrases: ["the weather ruined"]
    examples:
      match: ["The weather ruined the launch."]
      no_match: ["The weather was fine."]
""",
        encoding="utf-8",
    )
    report = Analyzer(rubric=str(path)).analyze("Honestly, the weather ruined our launch day.")
    (finding,) = [f for f in report.findings if f.rule == "redflag.blame.weather"]
    assert finding.text == "the weather ruined" and finding.source == str(path)


def test_stems_join_word_forms_and_skip_non_words():
    """The models read a word's stem, so a form unseen in training still counts."""
    import spacy

    from staranalyzer.stems import stem, stem_hashes

    assert stem("blamed") == stem("blaming") == stem("blames") == "blam"
    assert stem("negotiated") == stem("negotiating")
    assert stem("team") == "team"  # four letters or fewer stay as they are
    assert stem("rest") != stem("restructured")
    doc = spacy.blank("en")("They blamed us; she blames them for 40% of it.")
    lower = doc.to_array(["LOWER"]).astype("uint64")
    stems = stem_hashes(lower, doc.vocab.strings)
    by_word = {t.text: int(s) for t, s in zip(doc, stems, strict=True)}
    assert by_word["blamed"] == by_word["blames"] != 0
    assert by_word["40"] == by_word["%"] == by_word[";"] == 0


LITERAL_SORT = (
    "Situation: Our kiosk at the station sold travel goods.\n"
    "Task: I had to lift sales before the summer.\n"
    "Action: We stocked every sort of phone charger going, because commuters always forgot "
    "theirs. I tracked sales daily and moved the chargers next to the till.\n"
    "Result: Revenue rose 18% in a quarter."
)


def test_the_sentence_model_vetoes_a_construction_it_reads_as_clean(tmp_path):
    # The approximation construction matches "sort of" on its own; in the report the sentence
    # model, which reads the literal sense (p under the rule's veto), drops it.
    analyzer = analyzer_for("default")
    alone = analyzer.findings_of(LITERAL_SORT, "redflag.hedging.approximate")
    assert [f.text for f in alone] and "sort of" in (alone[0].why or "")
    report = analyzer.analyze(LITERAL_SORT)
    assert not [f for f in report.findings if f.category == "hedging"]
    # The veto is rubric data: a rubric that switches it off keeps the construction's finding.
    path = tmp_path / "no-veto.yaml"
    path.write_text(
        "extends: default\nname: no-veto\nrules:\n  - {id: redflag.hedging.model, veto: null}\n",
        encoding="utf-8",
    )
    loud = Analyzer(rubric=str(path)).analyze(LITERAL_SORT)
    assert [f.rule for f in loud.findings if f.category == "hedging"] == [
        "redflag.hedging.approximate"
    ]


def test_vague_constructions_stand_unless_the_model_is_nearly_certain(monkeypatch):
    # Candidates' own vague claims are what the sentence model knows least, so the vague rule's
    # veto is lower than the others' (rubric data): at p = 0.01 for every label a vague
    # construction stands while a blame construction in the same answer is dropped.
    from staranalyzer.detectors.classifier import ClassifierEngine

    text = (
        "Situation: Our depot missed delivery slots every week.\n"
        "Action: I rebuilt the rota. The slots were missed because the night shift kept "
        "ignoring the loading plan.\n"
        "Result: The drivers were much happier and it all ran better."
    )
    analyzer = analyzer_for("default")
    rules = {r.id: r for r in analyzer.rubric.rules}
    assert rules["redflag.vague.model"].veto < rules["redflag.blame.model"].veto
    real = analyzer.analyze(text)
    assert {"vague", "blame"} <= {f.category for f in real.findings}
    original = ClassifierEngine.probabilities

    def nearly_clean(self, answer, evidence, name):
        probs, extra = original(self, answer, evidence, name)
        return np.full_like(probs, 0.01), extra

    monkeypatch.setattr(ClassifierEngine, "probabilities", nearly_clean)
    quiet = analyzer_for("default").analyze(text)
    found = {f.category: f.rule for f in quiet.findings}
    assert found.get("vague", "").startswith("redflag.vague.unquantified")
    assert "blame" not in found


def test_the_veto_keeps_a_real_hedge_and_real_blame():
    # A veto drops only what the model reads as clean; plain hedges and blame stay.
    analyzer = analyzer_for("default")
    text = (
        "Situation: Our release slipped by a month.\n"
        "Action: I think I kind of pushed the team too hard, maybe. Honestly the other team "
        "dropped the ball and left us to pick up the pieces. I rebuilt the plan.\n"
        "Result: We shipped in May."
    )
    report = analyzer.analyze(text)
    categories = {f.category for f in report.findings}
    assert {"hedging", "blame"} <= categories


@pytest.mark.parametrize(
    "action,implied",
    [
        ("- rang the fire service\n- briefed the nurses", 2),
        ("pulled last year's discharges (64); agreed a route; wrote a one-page leaflet", 3),
        ("1. Mapped the gaps. 2) took the plan to the board", 2),
        ("Planned the move, then our team split the code.", 1),
        # Not an implied "I": a subject is there, or the opening word is not a past verb.
        ("We rang the fire service and I briefed the nurses.", 0),
        ("Based on the data, we moved the rota.", 0),
        ("- the vendor rang back\n- our leads agreed", 0),
        ("Speed mattered; interested teams joined.", 0),
        ("we rang the fire service; agreed a route", 0),
        ("- they rang back; agreed\n- briefed our coordinators; wrote a leaflet", 2),
    ],
)
def test_notes_that_drop_the_i_count_it_once_per_clause(action, implied):
    from staranalyzer.answer import parse_answer
    from staranalyzer.detectors.structure import ImpliedSubject

    rule = next(r for r in load_rubric("default").rules if r.id == "ownership.action_we")
    doc = Analyzer().nlp(action)
    subject = ImpliedSubject.compile(rule, doc.vocab.strings)
    assert len(subject.starts(parse_answer(action, action, doc), 0, len(action))) == implied


def test_a_notes_action_is_not_told_it_never_says_i():
    notes = (
        "Situation: Oxygen patients went home with no fire-safety check.\n"
        "Action:\n- pulled our discharges for the year\n- rang the fire service; agreed a "
        "referral route with our team\n- briefed our coordinators\n"
        "Result: 40 home checks in the first month."
    )
    we_told = notes.replace("- pulled", "- we pulled").replace("- rang", "- we rang")
    we_told = we_told.replace("- briefed", "- we briefed")
    analyzer = Analyzer()
    assert not any(
        f.rule.startswith("ownership.action_we") for f in analyzer.analyze(notes).findings
    )
    rules = {f.rule for f in analyzer.analyze(we_told).findings}
    assert "ownership.action_we.none" in rules


def test_a_lexicon_added_to_a_rubric_does_not_move_the_sentence_model(tmp_path):
    # The sentence model reads the lexicons it was trained with (its "lexicons" record): a
    # lexicon a rubric adds for a construction must not shift its features or probabilities.
    from staranalyzer.answer import safe_text

    text = (
        "Situation: The other team never documented the old export, and the release slipped.\n"
        "Action: I read the code, wrote the missing runbook and paired with their lead.\n"
        "Result: The export moved in 2 weeks with no incident."
    )
    path = tmp_path / "extra.yaml"
    path.write_text(
        "extends: default\nname: extra\nlexicons:\n"
        '  extra_words: ["other team", "never", "old", "release", "their lead"]\n',
        encoding="utf-8",
    )

    def probabilities(analyzer: Analyzer, lexicons: list[str] | None = None):
        clean = safe_text(text)
        answer = analyzer.sections(text, clean, analyzer.nlp(clean))
        evidence = analyzer.detectors.evidence(answer)
        engine = analyzer.detectors.engines["classifier"]
        if lexicons is not None:  # as if the model had no record: every rubric lexicon
            engine._lexicons["flags"] = lexicons
        return engine.probabilities(answer, evidence, "flags")[0]

    base = probabilities(analyzer_for("default"))
    extra = Analyzer(rubric=str(path))
    assert "extra_words" in extra.rubric.lexicons
    assert "extra_words" not in extra.detectors.engines["classifier"].lexicons("flags")
    assert np.array_equal(probabilities(extra), base)
    unrecorded = probabilities(Analyzer(rubric=str(path)), sorted(extra.rubric.lexicons))
    assert not np.array_equal(unrecorded, base)


def test_blame_verdicts_and_excuses_say_what_they_quote():
    analyzer = analyzer_for("amazon-l6")
    excuse = analyzer.findings_of(
        "Situation: We had a launch.\nAction: I built the service, but the deadline was "
        "unrealistic from day one.\nResult: We shipped late.",
        "redflag.blame.excuse",
    )
    assert [f.why for f in excuse] == [
        'construction: a circumstance is given as the excuse ("the deadline was unrealistic")'
    ]
    (verdict,) = analyzer.findings_of(
        "The agency were hopeless and the launch slipped.", "redflag.blame.verdict"
    )
    assert verdict.text == "The agency were hopeless"
    assert verdict.why == 'construction: The agency is given a verdict ("were hopeless")'
