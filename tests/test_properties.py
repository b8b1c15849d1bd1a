"""Any str raises InputError (when empty) or gives in-bounds, ordered, non-overlapping sections."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staranalyzer import InputError

HEADERISH = st.sampled_from(
    [
        "Situation:",
        "**Task:**",
        "## Action",
        "S:",
        "R -",
        'Result (30 s) "',
        "\n\n",
        "\n- ",
        ". ",
        "I built",
        "we had to",
        "As a result",
        "40%",
        '"',
        "“",
        "”",
        "**",
        "#",
        "1. ",
        "Learnings\n",
    ]
)


def check(analyzer, text):
    try:
        report = analyzer.analyze(text)
    except InputError:
        assert not text.strip()
        return
    last_end = 0
    for s in report.sections:
        assert 0 <= s.start <= s.end <= len(text)
        assert s.start >= last_end
        last_end = s.end
    assert report.characters == len(text)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text())
def test_arbitrary_unicode_never_crashes(analyzer, text):
    check(analyzer, text)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(HEADERISH, st.text(max_size=12)), max_size=30).map("".join))
def test_header_like_text_never_crashes(analyzer, text):
    check(analyzer, text)
