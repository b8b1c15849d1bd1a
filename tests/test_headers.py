"""Labelled answers: every common header form is found, prose words are not headers."""

from __future__ import annotations

import pytest
from conftest import spans

S, T, A, R = "We had a problem.", "I had to fix it.", "I fixed it.", "It stayed fixed."

CASES = [
    # own line, plain
    (f"Situation:\n{S}\nTask:\n{T}\nAction:\n{A}\nResult:\n{R}", None),
    # inline in one paragraph
    (f"Situation: {S} Task: {T} Action: {A} Result: {R}", None),
    # any case
    (f"SITUATION: {S}\ntask: {T}\nAcTiOn: {A}\nRESULT - {R}", None),
    # markdown bold, colon inside and outside
    (f"**Situation:** {S}\n\n**Task**: {T}\n\n__Action:__ {A}\n\n**Result:** {R}", None),
    # markdown headings
    (f"## Situation\n\n{S}\n\n## Task\n\n{T}\n\n### Action\n{A}\n\n# Result\n{R}", None),
    # numbered and bulleted lists
    (f"1. Situation - {S}\n2. Task - {T}\n3) Action: {A}\n- Result: {R}", None),
    # single letters
    (f"S: {S}\nT: {T}\nA: {A}\nR: {R}", None),
    # trailing notes and quoted bodies
    (
        f'Situation (30 seconds) "{S}"\nTask (20 seconds): "{T}"\n'
        f'Action [90s]\n"{A}"\nResult (30 seconds) "{R}"',
        None,
    ),
    # synonyms
    (f"Context: {S}\nGoal: {T}\nApproach: {A}\nOutcome: {R}", None),
    (f"Background: {S}\nObjective: {T}\nWhat I did: {A}\nImpact: {R}", None),
    (f"Problem: {S}\nChallenge: {T}\nSteps:\n{A}\nResults: {R}", None),
    (f"The situation: {S}\nMy role: {T}\nActions taken: {A}\nThe outcome: {R}", None),
    # shapes seen in public prep notes: bold italic letters, letter and word, brackets, arrows
    (f"***S***:\n{S}\n***T***:\n{T}\n**A**:\n{A}\n*R:*\n{R}", None),
    (f"**S – Situation**\n{S}\n**T – Task**\n{T}\n**A – Action**\n{A}\n**R – Result**\n{R}", None),
    (f"[Situation] {S}\n[Task] {T}\n[Action] {A}\n[Result] {R}", None),
    (f"S -> {S}\nT -> {T}\nA -> {A}\nR -> {R}", None),
    (f"S-\n{S}\nT-\n{T}\nA-\n{A}\nR-\n{R}", None),
    (f"Cause: {S}\nGoal: {T}\nAction: {A}\nResult: {R}", None),
    (
        f"### ✅ **S - Situation**\n{S}\n### ✅ **T - Task**\n{T}\n### ⭐ **Action:**\n{A}\n"
        f"### 🎯 Result\n{R}",
        None,
    ),  # fmt: skip
    (
        f"### **S (Situation)**\n{S}\n### **T (Task)**\n{T}\n### **A (Action)**\n{A}\n"
        f"### **R (Result)**\n{R}",
        None,
    ),  # fmt: skip
    (f"**📋 S** : {S}\n**🎯 T** : {T}\n**🛠 A** : {A}\n**📈 R** : {R}", None),
]


@pytest.mark.parametrize("text,_", CASES, ids=[f"form{i}" for i in range(len(CASES))])
def test_header_forms(analyzer, text, _):
    report = analyzer.analyze(text)
    assert spans(report, text) == [("situation", S), ("task", T), ("action", A), ("result", R)]
    assert all(s.source == "labeled" for s in report.sections)


@pytest.mark.parametrize(
    "header",
    ["Learnings:", "What I learned:", "Reflection:", "**Lessons learned**", "## Takeaways", "L:"],
)
def test_reflection_headers(analyzer, header):
    text = f"Situation: {S}\nResult: {R}\n{header}\nI now check first."
    assert spans(analyzer.analyze(text), text)[-1] == (
        "reflection",
        "I now check first.",
    )


def test_question_header_is_not_part_of_the_answer(analyzer):
    text = (
        f"Question: Tell me about a failure.\n\nSituation: {S}\nTask: {T}\nAction: {A}\nResult: {R}"
    )
    assert [label for label, _ in spans(analyzer.analyze(text), text)] == [
        "situation",
        "task",
        "action",
        "result",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The result was that the team shipped on time, and I was proud of it.",
        "I joined my task force on reliability. Action items: we wrote three. It went well.",
        "Our goal setting was weak. I set up a context switch budget for the team. Impact matters.",
        "My approach to this was simple. The situation changed after a week.",
        "A colleague said the result: was fine. A plan came next.",
        "We made a plan. Result of all this work was a faster build.",
        "Response time -> 2 s after the fix. We kept it there for a year.",
        "(Result of the audit) nothing changed until I pushed. Then it did.",
        "A (the cheaper vendor) won the tender. We moved in May.",
        "**T (2019)**\nWe moved the depot that spring and kept every driver.",
        "✅ Result of the survey came back slow, so I chased it.",
    ],
)
def test_prose_words_are_not_headers(analyzer, text):
    report = analyzer.analyze(text)
    assert all(s.source == "inferred" for s in report.sections)
    assert all(s.header is None for s in report.sections)


def test_header_in_the_middle_of_a_line_of_notes(analyzer):
    """Notes without full stops: a capitalised section word and a colon mid-line is a header."""
    text = (
        "Situation: night shift lead, 22 pickers, half of new starters gone within 4 weeks "
        "Task: get new starters to rate faster Action: - paired each new starter with a fast "
        "picker for 3 shifts - dropped the league table in month one Result: - leavers from "
        "~50% to 20% in two quarters"
    )
    labels = [(s.label, s.source) for s in analyzer.analyze(text).sections]
    assert labels == [(lab, "labeled") for lab in ("situation", "task", "action", "result")]
    assert spans(analyzer.analyze(text), text)[1] == ("task", "get new starters to rate faster")


@pytest.mark.parametrize(
    "text",
    [
        "I wrote the Action: plan for the ward and shared it on Monday.",
        "It went well and our main Result: fewer calls came in after that.",
        "We kept my Task: list short so the team could see it.",
    ],
)
def test_mid_line_words_after_a_determiner_are_not_headers(analyzer, text):
    assert all(s.header is None for s in analyzer.analyze(text).sections)


def test_header_text_is_kept(analyzer):
    text = f"**Task:** {T}"
    (section,) = analyzer.analyze(text).sections
    assert section.header == "**Task:**"
    assert text[section.start : section.end] == T


def test_partly_labelled_answer_is_inferred_where_unlabelled(analyzer):
    text = (
        "When I joined the clinic, patients waited two hours to be seen. "
        "My manager asked me to cut the wait in half.\n\n"
        "Action: I moved triage to the front desk and staggered appointments.\n\n"
        "Result: Waits fell to 50 minutes within a month."
    )
    got = spans(analyzer.analyze(text), text)
    assert got == [
        ("situation", "When I joined the clinic, patients waited two hours to be seen."),
        ("task", "My manager asked me to cut the wait in half."),
        ("action", "I moved triage to the front desk and staggered appointments."),
        ("result", "Waits fell to 50 minutes within a month."),
    ]
    assert [s.source for s in analyzer.analyze(text).sections] == [
        "inferred",
        "inferred",
        "labeled",
        "labeled",
    ]


def test_labels_out_of_order_are_kept_as_written(analyzer):
    text = f"Result: {R}\nSituation: {S}\nAction: {A}"
    assert spans(analyzer.analyze(text), text) == [("result", R), ("situation", S), ("action", A)]


def test_bullet_list_body_keeps_its_bullets(analyzer):
    text = "Steps:\n- I measured it.\n- I fixed it.\n\nResult: It stayed fixed."
    assert spans(analyzer.analyze(text), text) == [
        ("action", "- I measured it.\n- I fixed it."),
        ("result", "It stayed fixed."),
    ]


def test_indented_first_header(analyzer):
    text = "   Situation: We were late.\n  Result: We shipped."
    assert spans(analyzer.analyze(text), text) == [
        ("situation", "We were late."),
        ("result", "We shipped."),
    ]


def test_lines_after_a_header_may_change_section_without_a_blank_line(analyzer):
    # The author labels Situation, Task and Result, and writes the Action as the next lines
    # under "Task:" with single line breaks: the first line keeps the header's label, the
    # later ones lean to it but the model may read them as the Action.
    text = (
        "Situation: Our clinic's repeat prescriptions took five days to turn around.\n"
        "Task: I was asked to get that under two days without more staff.\n"
        "I mapped every step with the two pharmacists and found requests waited a day in a "
        "shared inbox. I set up a triage rota, wrote a template for the common requests and "
        "trained the reception team to route them.\n"
        "I also agreed with the GPs a daily signing slot at eleven.\n"
        "Result: Turnaround fell from five days to 1.5 days within six weeks."
    )
    got = spans(analyzer.analyze(text), text)
    assert [label for label, _ in got] == ["situation", "task", "action", "result"]
    assert got[1] == ("task", "I was asked to get that under two days without more staff.")
    assert got[2][1].startswith("I mapped every step") and got[2][1].endswith("at eleven.")
    # A header's body on several lines that all belong to it stays one section.
    bullets = (
        "Action:\n- I mapped every step with the pharmacists.\n- I set up a triage rota.\n"
        "- I trained the reception team.\nResult: Turnaround fell from five days to 1.5 days."
    )
    assert [label for label, _ in spans(analyzer.analyze(bullets), bullets)] == [
        "action",
        "result",
    ]
