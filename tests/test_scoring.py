"""Scores, deductions, proportions, text statistics, follow-ups, the schema and determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import staranalyzer
from staranalyzer import Analyzer, load_rubric

STRONG = (Path(__file__).resolve().parents[1] / "examples" / "strong_labelled.md").read_text()
WEAK = (Path(__file__).resolve().parents[1] / "examples" / "weak.txt").read_text()


def test_score_is_explained_point_by_point(analyzer):
    for text in (STRONG, WEAK):
        report = analyzer.analyze(text)
        assert [d.dimension for d in report.dimensions] == [
            "structure",
            "balance",
            "quantification",
            "scope",
            "ownership",
            "language",
        ]
        for d in report.dimensions:
            assert d.score == pytest.approx(max(0.0, 100 - sum(x.points for x in d.deductions)))
            for x in d.deductions:
                assert x.reason
                if x.rule is not None:
                    assert any(f.rule == x.rule and f.start == x.start for f in report.findings)
        weights = sum(d.weight for d in report.dimensions)
        expected = sum(d.score * d.weight for d in report.dimensions) / weights
        assert report.score == pytest.approx(round(expected, 1))


def test_strong_beats_weak_and_verdicts(analyzer):
    strong, weak = analyzer.analyze(STRONG), analyzer.analyze(WEAK)
    assert strong.score > weak.score
    assert strong.verdict == "strong" and weak.verdict in ("needs work", "weak")
    weak_ids = {x.id for d in weak.dimensions for x in d.deductions}
    assert {"score.quantification.result_unmeasured", "score.ownership.we_heavy"} <= weak_ids


def test_proportions_and_timing(analyzer):
    report = analyzer.analyze(
        "Situation: "
        + "Our old billing system was slow and fragile. " * 12
        + "\nAction: I rewrote it.\nResult: Errors fell by 90%."
    )
    rows = {p.label: p for p in report.proportions}
    assert rows["task"].status == "missing" and rows["task"].words == 0
    assert rows["situation"].status == "long" and rows["action"].status == "short"
    assert rows["action"].target == pytest.approx(90 / 170, abs=1e-3)
    assert rows["situation"].seconds == pytest.approx(rows["situation"].words * 60 / 150, abs=0.1)
    assert sum(p.share for p in report.proportions) == pytest.approx(1.0, abs=1e-3)
    balance = [f for f in report.findings if f.category == "balance"]
    assert {f.section for f in balance} == {"situation", "action", "result"}
    missing = [f for f in report.findings if f.category == "missing_section"]
    assert [f.section for f in missing] == ["task"]


def test_total_speaking_time_against_the_window(analyzer):
    report = analyzer.analyze(STRONG)
    low, high = load_rubric("default").timing.total_seconds
    assert report.timing.target == (low, high)
    assert report.timing.value == pytest.approx(report.stats.words * 60 / 150, abs=0.1)
    assert report.timing.status == "ok"
    l6 = Analyzer(rubric="amazon-l6").analyze(STRONG)
    assert l6.timing.status == "short"  # the L6 guidance asks for 2-3 minutes


def test_text_statistics(analyzer):
    report = analyzer.analyze(STRONG)
    assert report.stats.words == sum(s.words for s in report.sections)
    assert report.stats.sentences >= 10
    assert 0 < report.stats.reading_ease < 100 and 0 < report.stats.grade < 20
    assert set(report.section_stats) == {"situation", "task", "action", "result", "reflection"}


def follow_up_ids(report):
    return [f.id for f in report.follow_ups]


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Situation: Sales were flat.\nTask: I had to grow them.\nAction: I changed the pitch.\n"
            "Result: It went really well.",
            "followup.metrics",
        ),
        (
            "Situation: Our team of 8 had slow builds.\nTask: We had to fix it.\nAction: We cached "
            "things and we split the suite.\nResult: Builds fell by 60%.",
            "followup.ownership",
        ),
        (
            "Situation: Our team of 8 had slow builds.\nAction: I cached the dependencies.\n"
            "Result: Builds fell by 60%.",
            "followup.task",
        ),
        (
            "Situation: I led the launch for a team of 6.\nTask: I had to ship by May.\n"
            "Action: I skipped testing.\n"
            "Result: The launch failed and we lost 3 customers; it was my mistake.",
            "followup.lesson",
        ),
    ],
)
def test_follow_ups(analyzer, text, expected):
    assert expected in follow_up_ids(analyzer.analyze(text))


def test_follow_up_for_scope_below_level():
    report = Analyzer(rubric="amazon-l6").analyze(
        "Situation: I led a team of 5 engineers.\nTask: I had to cut costs.\n"
        "Action: I resized our servers.\nResult: Costs fell by 30%."
    )
    assert report.level.verdict == "under"
    assert "followup.scope_under" in follow_up_ids(report)
    assert any(x.id == "score.scope.below_level" for d in report.dimensions for x in d.deductions)


def test_no_follow_ups_for_a_clean_strong_answer(analyzer):
    assert analyzer.analyze(STRONG).follow_ups == []


def test_same_input_same_report_bit_for_bit(analyzer):
    first = analyzer.analyze(WEAK).model_dump_json()
    assert Analyzer().analyze(WEAK).model_dump_json() == first
    assert [r.model_dump_json() for r in analyzer.analyze_many([WEAK, WEAK])] == [first, first]


def test_report_carries_schema_version_and_round_trips(analyzer):
    report = analyzer.analyze(WEAK)
    data = json.loads(report.model_dump_json())
    assert data["schema_version"] == staranalyzer.SCHEMA_VERSION
    assert staranalyzer.Report.model_validate_json(report.model_dump_json()) == report


def test_committed_schema_matches_the_code():
    path = Path(staranalyzer.__file__).parent / "schema" / "report.schema.json"
    committed = json.loads(path.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(staranalyzer.report_schema())), (
        "the Report model changed: bump SCHEMA_VERSION and regenerate with "
        "`star-check --schema > src/staranalyzer/schema/report.schema.json`"
    )
    assert committed["version"] == staranalyzer.SCHEMA_VERSION


def test_analysis_never_touches_the_network(tmp_path):
    # A fresh interpreter, so textstat and the rubric load for the first time with sockets off.
    code = (
        "import socket\n"
        "class Blocked(socket.socket):\n"
        "    def connect(self, *a):\n"
        "        raise RuntimeError('network access')\n"
        "    connect_ex = connect\n"
        "socket.socket = Blocked\n"
        "def refuse(*a, **k):\n"
        "    raise RuntimeError('network access')\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "import staranalyzer\n"
        "r = staranalyzer.analyze(open(%r).read())\n"
        "assert r.stats.reading_ease is not None\n"
        "print(r.verdict)\n"
    ).replace(
        "%r", repr(str(Path(__file__).resolve().parents[1] / "examples" / "strong_labelled.md"))
    )
    env = {"PATH": "", "HOME": str(tmp_path), "NLTK_DATA": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "strong"


def test_syllables_follow_textstat(gold):
    textstat = pytest.importorskip("textstat")
    import re

    from staranalyzer.scoring import syllables

    words = sorted({w for a in gold for w in re.findall(r"[a-z]+", a.text.lower())})
    assert len(words) > 2000
    disagree = [w for w in words if syllables(w) != max(1, textstat.syllable_count(w))]
    assert len(disagree) <= len(words) // 200, disagree[:20]


def test_syllables_follow_pyphen_where_the_cmu_table_is_silent(gold):
    """The shipped patterns give pyphen's own hyphenation points, word for word."""
    pyphen = pytest.importorskip("pyphen")
    import re

    from staranalyzer.scoring import _hyphen_points, _syllable_data

    _, patterns, maxlen = _syllable_data()
    hyphenator = pyphen.Pyphen(lang="en_US")
    words = {w for a in gold for w in re.findall(r"[a-z]+(?:'[a-z]+)?", a.text.lower())}
    words |= {"a", "an", "ox", "rhythm", "strengths", "x" * 40, "antidisestablishmentarianism"}
    assert len(words) > 2000
    wrong = [
        w for w in sorted(words)
        if _hyphen_points(w, patterns, maxlen) != len(hyphenator.positions(w))
    ]  # fmt: skip
    assert wrong == []


def test_readability_close_to_textstat(analyzer):
    textstat = pytest.importorskip("textstat")
    report = analyzer.analyze(STRONG)
    assert report.stats.reading_ease == pytest.approx(textstat.flesch_reading_ease(STRONG), abs=8)
    assert report.stats.grade == pytest.approx(textstat.flesch_kincaid_grade(STRONG), abs=2)


def _deduction_ids(report) -> set[str]:
    return {x.id for d in report.dimensions for x in d.deductions}


_LIGHTING = (
    "Situation: Our emergency lighting failed its annual test on two floors.\n"
    "Task: I had to get every fitting compliant before the fire inspection.\n"
    "Action: I tested each fitting with a meter, replaced the failed batteries, and I "
    "trained the two apprentices to log every test in the site book.\n"
)
_SCENE = "The ward had two agency nurses on nights and the handover sheet was out of date. "
_HANDOVER = (
    "\nTask: I had to make the night handover safe.\n"
    "Action: I rewrote the handover sheet with the two night leads, and I checked it "
    "against every patient's chart for a week. I asked the agency for the same two nurses "
    "every night, walked each of them through the sheet at the start of the shift, and "
    "asked pharmacy to flag every time-critical drug on the chart in red.\n"
    "Result: Missed medications fell from 9 to 2 a month."
)


@pytest.mark.parametrize(
    ("milder", "worse", "both", "extra"),
    [
        # A Result with only a count ("three buildings") is unmeasured, but beats no number.
        (
            _LIGHTING + "Result: All three buildings passed their next inspection.",
            _LIGHTING + "Result: All the buildings passed their next inspection.",
            "score.quantification.result_unmeasured",
            "score.quantification.result_no_number",
        ),
        # A Situation that is most of the answer costs more than a long one.
        (
            "Situation: " + _SCENE * 3 + _HANDOVER,
            "Situation: " + _SCENE * 12 + _HANDOVER,
            "score.structure.situation_long",
            "score.structure.situation_dominant",
        ),
    ],
    ids=["result_only_counts", "situation_dominant"],
)
def test_a_worse_form_of_a_weakness_costs_more(analyzer, milder, worse, both, extra):
    mild, bad = analyzer.analyze(milder), analyzer.analyze(worse)
    assert both in _deduction_ids(mild) and both in _deduction_ids(bad)
    assert extra not in _deduction_ids(mild)
    assert extra in _deduction_ids(bad)
    assert mild.score > bad.score


def test_share_limits_come_from_the_rubric(analyzer):
    """The condition limits are rubric data: a stricter limit makes the same answer hold it."""
    from staranalyzer.rubric import load_rubric

    text = "Situation: " + _SCENE * 3 + _HANDOVER
    rubric = load_rubric("default")
    strict = rubric.model_copy(
        update={"scoring": rubric.scoring.model_copy(update={"situation_dominant_over": 1.9})}
    )
    assert "score.structure.situation_dominant" not in _deduction_ids(analyzer.analyze(text))
    stricter = Analyzer(strict, nlp=analyzer.nlp).analyze(text)
    assert "score.structure.situation_dominant" in _deduction_ids(stricter)


def test_an_action_that_never_says_i_costs_more_than_one_that_rarely_does(analyzer):
    head = "Situation: The billing system was old and slow.\nAction: "
    tail = "\nResult: Invoices went out in 2 hours instead of 9."
    rarely = analyzer.analyze(head + "We planned the move. We split the code, and I tested it. "
                              "We did the cutover on a weekend." + tail)  # fmt: skip
    never = analyzer.analyze(head + "We planned the move. We split the code, and we tested it. "
                             "We did the cutover on a weekend." + tail)  # fmt: skip
    assert [f.rule for f in rarely.findings if f.category == "ownership"] == ["ownership.action_we"]
    (finding,) = [f for f in never.findings if f.category == "ownership"]
    assert finding.rule == "ownership.action_we.none"
    assert finding.message == 'The Action says "we" 4 times and never "I".'
    assert "score.ownership.we_only" in _deduction_ids(never)
    assert rarely.score > never.score


def _balance_points(report, deduction_id="score.balance.shares"):
    balance = next(d for d in report.dimensions if d.dimension == "balance")
    return sum(x.points for x in balance.deductions if x.id == deduction_id)


def test_balance_moves_with_every_change_of_section_shares(analyzer):
    # Both Situations are past the dominant limit, so no per-section condition changes between
    # them; the share of the answer in the wrong place still grows, and so does the cost. (The
    # Action is long enough that the story is not too short without its background.)
    handover = _HANDOVER.replace(
        "\nResult:",
        " Every morning for a month I read the overnight incident log with the ward manager, "
        "and we changed one line of the sheet each week where the log showed a gap. I taught "
        "the sheet to the day staff at their huddle so that both shifts filled it in the same "
        "way, and I asked the practice educator to add it to the induction for every new "
        "agency nurse, with a short quiz at the end that I marked myself.\nResult:",
    )
    long_one = analyzer.analyze("Situation: " + _SCENE * 11 + handover)
    longer = analyzer.analyze("Situation: " + _SCENE * 13 + handover)
    for report in (long_one, longer):
        assert {"score.structure.situation_long", "score.structure.situation_dominant"} <= (
            _deduction_ids(report)
        )
    assert 0 < _balance_points(long_one) < _balance_points(longer) <= 50
    sections = [
        [x.id for x in d.deductions if x.id != "score.balance.shares"] for d in long_one.dimensions
    ]
    assert sections == [
        [x.id for x in d.deductions if x.id != "score.balance.shares"] for d in longer.dimensions
    ]
    assert longer.score < long_one.score
    # the points are the rubric's 50 times the share of the answer in the wrong place
    rows = {r.label: r for r in longer.proportions}
    distance = sum(max(0.0, r.share - r.target) for r in rows.values())
    assert _balance_points(longer) == pytest.approx(round(50 * distance, 1))
    (deduction,) = [
        x for d in longer.dimensions for x in d.deductions if x.id == "score.balance.shares"
    ]
    assert deduction.reason.startswith("Section shares (S / T / A / R) ")
    assert f"{distance:.0%} of the answer is in the wrong place" in deduction.reason


def test_share_distance_is_zero_on_target_and_one_at_most():
    from staranalyzer.models import SectionProportion
    from staranalyzer.scoring import measures

    def rows(shares, targets=(0.17, 0.12, 0.53, 0.18)):
        return [
            SectionProportion.build(
                label=label, words=int(s * 100), seconds=1.0, share=s, target=t, status="ok"
            )  # fmt: skip
            for label, s, t in zip(
                ("situation", "task", "action", "result"), shares, targets, strict=True
            )
        ]

    assert measures(rows((0.17, 0.12, 0.53, 0.18)))["share_distance"][0] == pytest.approx(0)
    assert measures(rows((1.0, 0.0, 0.0, 0.0)))["share_distance"][0] == pytest.approx(0.83)
    assert measures(rows((0.27, 0.12, 0.43, 0.18)))["share_distance"][0] == pytest.approx(0.10)
    assert "share_distance" not in measures([])  # no sections: no shares to measure


def test_number_measures_fall_with_every_number_kept():
    from staranalyzer.models import Metric
    from staranalyzer.scoring import measures

    def metric(section, value, kind="percent"):
        return Metric.build(kind=kind, text=f"{value:g}%", start=0, end=3, value=value,
                            section=section)  # fmt: skip

    none = measures([], [])
    assert none["result_numbers"][0] == 1.0 and none["outcome_numbers"][0] == 1.0
    assert "The Result holds no number" in none["result_numbers"][1]
    two = measures([], [metric("result", 40.0), metric("result", 12.0), metric("action", 3.0)])
    assert two["result_numbers"][0] == pytest.approx(1 / 3)  # two in the Result
    assert two["outcome_numbers"][0] == pytest.approx(1 / 4)  # three outcomes anywhere
    assert "The Result holds 2 numbers" in two["result_numbers"][1]
    # A count of things ("two major features") is a number in the Result but no outcome.
    count = measures([], [Metric.build(kind="count", text="two features", start=0, end=12,
                                        value=2.0, unit="features", section="result")])  # fmt: skip
    assert count["result_numbers"][0] == pytest.approx(0.5)
    assert count["outcome_numbers"][0] == 1.0


def test_a_figure_said_again_is_one_fact():
    from staranalyzer.models import Metric
    from staranalyzer.scoring import measures

    def metric(text, value, section, unit="%"):
        return Metric.build(kind="percent", text=text, start=0, end=len(text), value=value,
                            unit=unit, section=section)  # fmt: skip

    once = measures([], [metric("40%", 40.0, "result")])
    again = measures([], [metric("40%", 40.0, "result"), metric("40 per cent", 40.0, "result")])
    assert again["result_numbers"][0] == once["result_numbers"][0] == pytest.approx(0.5)
    assert again["outcome_numbers"][0] == once["outcome_numbers"][0] == pytest.approx(0.5)
    other = measures([], [metric("40%", 40.0, "result"), metric("12%", 12.0, "result")])
    assert other["result_numbers"][0] == pytest.approx(1 / 3)


def test_telling_the_situation_four_times_does_not_raise_the_score():
    """Its figures repeated are no further evidence of impact (the long_situation variant)."""
    from staranalyzer import analyze

    situation = (
        "Our month-end close at a 300-person distributor took nine working days, and the "
        "reconciliation of 14 bank accounts was done by hand in spreadsheets."
    )
    rest = (
        "\nTask: I was asked to get the close under five days without new headcount.\n"
        "Action: I mapped every step with the two senior accountants, moved the bank feeds into "
        "the ledger's matching tool, wrote the rules for the 40 most common differences, and ran "
        "the old and new process side by side for two months with the controller.\n"
        "Result: The close now takes four days, manual matches fell by 85%, and the auditors "
        "cut their fieldwork by a week."
    )
    text = f"Situation: {situation}{rest}"
    padded = f"Situation: {' '.join([situation] * 4)}{rest}"
    assert analyze(text).score > analyze(padded).score


def test_taking_numbers_out_of_the_result_always_lowers_the_score():
    """Replacing the Result's numbers with "much" costs points even when some remain."""
    from staranalyzer import analyze

    text = (
        "Situation: Our checkout failed twice a week at peak and support tickets kept piling up.\n"
        "Task: I had to make it reliable before the holidays.\n"
        "Action: I pulled three months of incidents, traced the outages to a retry loop, "
        "rewrote the client with timeouts and a circuit breaker, and wrote a runbook with the "
        "on-call engineer.\n"
        "Result: Outages fell from 9 to 0 over the holidays, conversion rose 4%, and tickets "
        "dropped by 1,200 a month."
    )
    weaker = text.replace("conversion rose 4%", "conversion rose much")
    weakest = weaker.replace("tickets dropped by 1,200 a month", "tickets dropped a lot")
    scores = [analyze(t).score for t in (text, weaker, weakest)]
    assert scores[0] > scores[1] > scores[2], scores


def test_a_deduction_has_exactly_one_trigger():
    from pydantic import ValidationError

    from staranalyzer.rubric.schema import Deduction

    Deduction(id="score.balance.x", dimension="balance", points=10, measure="share_distance")
    with pytest.raises(ValidationError, match="exactly one of"):
        Deduction(id="score.balance.x", dimension="balance", points=10,
                  measure="share_distance", condition="timing_short")  # fmt: skip
    with pytest.raises(ValidationError):
        Deduction(id="score.balance.x", dimension="balance", points=10, measure="word_count")


def test_padding_the_situation_does_not_make_a_short_story_long_enough():
    """The too-short deduction counts the Situation at most at its target share."""
    from staranalyzer import analyze

    situation = (
        "Our school's Year 9 science results had slipped for two years, and parents' evenings "
        "kept raising homework that was set but never marked."
    )
    rest = (
        "\nTask: As head of science I had to turn it round within a year.\n"
        "Action: I rebuilt the homework plan with the four teachers, moved marking to short "
        "weekly quizzes the system marks itself, and met the parents' forum each term. I "
        "looked at the quiz scores every Monday with the two newest teachers and planned the "
        "week's reteaching with them, topic by topic.\n"
        "Result: Year 9 results rose 12 points, and homework handed in went from 61% to 88%."
    )

    def too_short(report):
        found = [x for d in report.dimensions for x in d.deductions
                 if x.id == "score.balance.too_short"]  # fmt: skip
        return found[0] if found else None

    short = analyze(f"Situation: {situation}{rest}")
    padded = analyze(f"Situation: {' '.join([situation] * 4)}{rest}")
    assert short.timing.status == "short" and too_short(short) is not None
    assert padded.timing.status == "ok"  # long enough by the clock ...
    deduction = too_short(padded)  # ... but not by the story
    assert deduction is not None and "without the background" in deduction.reason
    assert short.score > padded.score
    # A story long enough in its own right carries no such deduction.
    more = (
        " I also ran a lunchtime clinic twice a week for the forty pupils furthest behind, "
        "trained two teaching assistants to run it while I was teaching, and shared the quiz "
        "data with form tutors every Friday so they could chase missing work. I sat in on one "
        "lesson of every teacher each half term and we agreed one change at a time, and I "
        "wrote a short guide to the quizzes for new staff so the plan outlasted me."
    )
    longer = rest.replace("\nResult:", more + "\nResult:")
    full = analyze(f"Situation: {situation}{longer}")
    assert full.timing.status == "ok" and too_short(full) is None


def test_the_syllable_table_finds_every_word_it_holds_and_no_other():
    import gzip
    import importlib.resources

    from staranalyzer.scoring import SortedCounts, _syllable_data

    table, _, _ = _syllable_data()
    raw = (importlib.resources.files("staranalyzer") / "data" / "syllables.txt.gz").read_bytes()
    lines = gzip.decompress(raw).decode().splitlines()[1:]
    expected = {w: int(n) for w, n in (line.split(" ") for line in lines)}
    assert len(table) == len(expected) > 40_000
    assert list(table.items()) == sorted(expected.items())  # sorted, one line per word
    assert all(table.get(w) == n for w, n in expected.items())
    for absent in ["", "a", "zzzzzz", "aaa ", "'", "queue", "the"]:
        assert table.get(absent) == expected.get(absent)
    small = SortedCounts("apple 2\nbee 1\ncherry 2\n")
    assert [small.get(w) for w in ["apple", "bee", "cherry", "ap", "beef", "zed"]] == [
        2, 1, 2, None, None, None
    ]  # fmt: skip
    assert SortedCounts("").get("a") is None
    assert SortedCounts("apple 2\nbee 1").get("bee") == 1  # no newline at the end
    with pytest.raises(ValueError, match="ASCII"):
        SortedCounts("café 2\n")
