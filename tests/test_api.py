"""Public API: analyze, Analyzer, analyze_many, errors, the spaCy component."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

import staranalyzer
from staranalyzer import Analyzer, InputError, ModelError, Report, RubricError

ANSWER = (
    "When I joined Acme as a support lead, our backlog had grown to 4,000 tickets. "
    "My manager asked me to get first replies under a day within a quarter. "
    "First, I analysed a month of tickets and found that 40% were password resets. "
    "I built a self-service reset flow and trained two agents on billing. "
    "As a result, the backlog fell to 600 and replies took 18 hours on average."
)


def test_analyze_returns_a_report_with_all_four_sections():
    report = staranalyzer.analyze(ANSWER)
    assert isinstance(report, Report)
    assert [s.label for s in report.sections] == ["situation", "task", "action", "result"]
    assert report.characters == len(ANSWER)
    result = report.section("result")
    assert ANSWER[result.start : result.end].startswith("As a result")
    assert report.section("reflection") is None


def test_sections_count_words_and_sentences(analyzer):
    report = analyzer.analyze(ANSWER)
    action = report.section("action")
    assert action.sentences == 2
    assert action.words == len(ANSWER[action.start : action.end].split()) == 26
    assert 0 < action.confidence <= 1


def test_analyzer_is_reusable_and_deterministic(analyzer):
    first = analyzer.analyze(ANSWER).model_dump_json()
    assert all(analyzer.analyze(ANSWER).model_dump_json() == first for _ in range(3))


def test_analyze_many_keeps_input_order(analyzer):
    texts = [ANSWER, "Situation: A.\nResult: B.", ANSWER.upper(), "Task: only a task."]
    many = list(analyzer.analyze_many(texts, batch_size=2))
    assert [r.model_dump() for r in many] == [analyzer.analyze(t).model_dump() for t in texts]


def test_analyze_many_with_two_processes_matches_one(analyzer):
    texts = [ANSWER, "Situation: A.\nResult: B.", "S: x\nT: y\nA: z\nR: w"] * 3
    one = [r.model_dump() for r in analyzer.analyze_many(texts)]
    two = [r.model_dump() for r in analyzer.analyze_many(texts, n_process=2, batch_size=2)]
    assert one == two


def test_analyzer_is_safe_to_share_between_threads(analyzer, gold):
    from evaluation import variants

    texts = [variants(a)[v].text for a in gold[:20] for v in ("labelled", "single")]
    expected = [analyzer.analyze(t).model_dump() for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda t: analyzer.analyze(t).model_dump(), texts * 3))
    assert got == expected * 3


@pytest.mark.parametrize(
    "bad,message",
    [
        (None, "must be a str, not NoneType"),
        (b"bytes", "must be a str, not bytes"),
        (42, "must be a str, not int"),
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * 100_001, "limit is 100,000"),
    ],
)
def test_bad_input_raises_input_error(analyzer, bad, message):
    with pytest.raises(InputError, match=message):
        analyzer.analyze(bad)
    assert issubclass(InputError, ValueError)


def test_size_limit_is_configurable():
    small = Analyzer(max_chars=50)
    with pytest.raises(InputError, match="limit is 50"):
        small.analyze(ANSWER)


def test_analyze_many_names_the_bad_text(analyzer):
    with pytest.raises(InputError, match="text #1"):
        list(analyzer.analyze_many([ANSWER, ""]))


def test_unknown_rubric_lists_the_available_ones():
    with pytest.raises(RubricError, match="available: .*default"):
        Analyzer(rubric="no-such-rubric")


def test_unknown_model_is_a_clear_error():
    with pytest.raises(ModelError, match="cannot load spaCy model 'no_such_model'"):
        Analyzer(model="no_such_model")


def test_model_engine_finds_the_same_labelled_sections(analyzer, model_analyzer):
    text = (
        "Situation: We had a problem.\nTask: I had to fix it.\nAction: I fixed it.\nResult: Fixed."
    )
    assert model_analyzer.analyze(text) == analyzer.analyze(text)
    assert [s.label for s in model_analyzer.analyze(ANSWER).sections] == [
        "situation",
        "task",
        "action",
        "result",
    ]


def test_component_is_registered_through_the_entry_point():
    # A fresh interpreter that never imports staranalyzer: spaCy finds the factory itself.
    code = (
        "import spacy\n"
        "nlp = spacy.blank('en'); nlp.add_pipe('sentencizer')\n"
        "nlp.add_pipe('staranalyzer_sectioner')\n"
        "doc = nlp('Situation: We were late. Result: We shipped on time.')\n"
        "print([(s.label_, s.text) for s in doc.spans['star']])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (
        out.stdout.strip() == "[('situation', 'We were late.'), ('result', 'We shipped on time.')]"
    )


def test_component_stores_exact_offsets_in_span_group_attrs():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("staranalyzer_sectioner")
    doc = nlp('Task (20 seconds) "Fix the build."')
    (record,) = doc.spans["star"].attrs["sections"]
    assert doc.text[record["start"] : record["end"]] == "Fix the build."
    assert doc.spans["star"][0].label_ == "task"


def test_paused_gc_disables_the_collector_and_restores_its_state():
    import gc

    from staranalyzer.gcpause import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), paused_gc():
        raise ValueError("an error inside still re-enables it")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()


def test_analyze_many_collects_garbage_after_large_chunks_only(analyzer, monkeypatch):
    from staranalyzer import analyzer as module

    calls = []
    monkeypatch.setattr(module, "_return_freed_memory", lambda: calls.append(1))
    answer = "I led the migration and cut costs by 20%. The team shipped it in May."
    assert len(list(analyzer.analyze_many([answer] * 3))) == 3
    assert calls == []  # a few answers: no full collection (about 0.05 s)
    monkeypatch.setattr(module, "_ZONE", 2)
    monkeypatch.setattr(module, "_COLLECT_AFTER", 2)
    assert len(list(analyzer.analyze_many([answer] * 5, batch_size=1))) == 5
    assert calls == [1, 1]  # chunks of 2, 2 and 1: not after the last, too small to matter


def test_interleaved_and_abandoned_batches_keep_the_vocabulary_whole():
    # A caller reading two batches at once, and leaving the inner one unfinished (zip stops
    # at the shorter input), used to leave spaCy memory zones by GeneratorExit; words first
    # seen there then had no string ("[E018] Can't retrieve string for hash").
    analyzer = Analyzer()
    story = (
        "Situation: our {w} pipeline kept failing. Task: I had to fix the {v} issue in two "
        "weeks. Action: I rewrote the {w} loader and trained three engineers. Result: "
        "failures fell from 12 to 1 a week."
    )
    list(analyzer.analyze_many([story.format(w="warm", v="warm")]))
    outer = [story.format(w=f"quorvex{i}", v=f"zindral{i % 7}") for i in range(12)]
    reports = []
    for i, report in enumerate(analyzer.analyze_many(outer)):
        reports.append(report)
        inner = [story.format(w=f"plimmet{i}x{j}", v=f"zindral{(i + j) % 11}") for j in range(3)]
        reports += [r for _, r in zip("ab", analyzer.analyze_many(inner), strict=False)]
    assert len(reports) == 12 * 3 and all(isinstance(r, Report) for r in reports)
    again = analyzer.analyze(story.format(w="plimmet3x1", v="zindral5"))
    assert (
        again.model_dump()
        == Analyzer().analyze(story.format(w="plimmet3x1", v="zindral5")).model_dump()
    )


def test_console_script_freezes_the_heap_before_exit(monkeypatch, tmp_path):
    import gc

    from staranalyzer import cli

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    answer = tmp_path / "answer.txt"
    answer.write_text("I led the migration and cut costs by 20%.", encoding="utf-8")
    monkeypatch.setattr("sys.argv", ["star-check", str(answer), "--quiet"])
    with pytest.raises(SystemExit) as exit_info:
        cli.run()
    assert exit_info.value.code in (0, 1) and frozen == [True]


@pytest.mark.parametrize("rubric", staranalyzer.available_rubrics())
def test_phrases_split_at_spaces_are_the_tokenizers_own_tokens(rubric):
    from staranalyzer.phrases import PhraseIndex

    fast = Analyzer(rubric)
    make_doc = fast.nlp.make_doc
    assert len(fast.phrases.sequences) > 3000
    for text, sequence in fast.phrases.sequences.items():
        assert sequence == tuple(t.lower for t in make_doc(text)), text
    # the shortcut is taken for most phrases and never for a special case or punctuation
    lists = {
        "k": ["the same cannot be said", "who else was gonna", "rubber-stamped it", "my 2", "Ok"]
    }
    index = PhraseIndex(fast.nlp.vocab, make_doc, lists, fast.nlp.tokenizer.rules)
    assert [len(s) for s in index.sequences.values()] == [6, 5, 4, 2, 1]
    assert index.sequences == PhraseIndex(fast.nlp.vocab, make_doc, lists).sequences
    doc = make_doc(
        "Well, the same can not be said; who else was gonna do it? It was rubber-stamped it"
    )
    assert index.find(doc)["k"] == ((2, 8), (9, 14), (19, 23))
    assert index.find(make_doc("OK, my 2 cents"))["k"] == ((0, 1), (2, 4))
