"""benchmarks/public_check.py: its file formats are read as documented, bad records skipped."""

from __future__ import annotations

from pathlib import Path

import public_check
from public_check import load_answers, load_flags

ANSWERS = """\
=== pub-x-01 | source: someone/prep notes/star.md | lp:  | form: labelled
Q: Tell me about a time you fixed something.
⟦h⟧**S:** ⟦S⟧Our nightly build failed most days. ⟦h⟧**A:** ⟦A⟧I split the test suite and ran it \
in parallel. ⟦h⟧**R:** ⟦R⟧Failures fell to one a month.

=== pub-x-02 | source: other/repo stories.md | lp: OW, DR | form: single
⟦S⟧The depot ran late every Friday. ⟦A⟧I moved the loading plan to Thursday night. ⟦R⟧Fridays \
ran on time for a quarter.

=== pub-x-03 | source: other/repo stories.md | lp: | form: single
The answer has no marks at all, so it is skipped.

=== pub-x-04 | source: copy/repo stories.md | lp: OW | form: single
⟦S⟧The depot ran late every Friday. ⟦A⟧I moved the loading plan to Thursday night. ⟦R⟧Fridays \
ran on time for a quarter.
"""

FLAGS = (
    "blame\tsomeone/prep bad.md\tThe rollout failed because the other team never tested it.\n"
    "clean\tsomeone/prep good.md\tI owned the rollout and tested it with the other team.\n"
    "nonsense\tsomeone/prep x.md\tAn unknown category is skipped.\n"
    "blame\tagain/repo y.md\tThe rollout failed because the other team never tested it.\n"
    "too few fields\n"
)


def test_answers_are_read_with_their_marks_and_source_principles(tmp_path: Path, capsys) -> None:
    path = tmp_path / "pub-x.txt"
    path.write_text(ANSWERS.replace("\\\n", ""), encoding="utf-8")
    answers = load_answers([path])
    # The unmarked record is reported and skipped; the repeated text is kept once.
    assert [a.story.id for a in answers] == ["pub-x-01", "pub-x-02"]
    assert "pub-x-03" in capsys.readouterr().err
    first, second = answers
    assert first.repo == "someone/prep" and first.form == "labelled"
    assert first.story.question == "Tell me about a time you fixed something."
    labels = [s.label for s in first.story.spans]
    assert labels == ["header", "situation", "header", "action", "header", "result"]
    assert first.story.principles == [] and second.story.principles == ["OW", "DR"]
    section = next(s for s in second.story.spans if s.label == "action")
    assert second.story.text[section.start : section.end] == (
        "I moved the loading plan to Thursday night."
    )


def test_flags_keep_known_categories_once_and_mark_clean_as_traps(tmp_path: Path) -> None:
    path = tmp_path / "flags.txt"
    path.write_text(FLAGS, encoding="utf-8")
    flags = load_flags([path])
    assert [(f.category, f.repo, f.trap_for) for f in flags] == [
        ("blame", "someone/prep", None),
        ("clean", "someone/prep", "clean"),
    ]


def test_the_report_scores_sections_principles_and_flags(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    answers = tmp_path / "pub-x.txt"
    answers.write_text(ANSWERS.replace("\\\n", ""), encoding="utf-8")
    flags = tmp_path / "flags.txt"
    flags.write_text(FLAGS, encoding="utf-8")
    excluded = tmp_path / "exclude.txt"
    excluded.write_text("nobody/else\n", encoding="utf-8")
    argv = ["public_check.py", "--answers", str(answers), "--flags", str(flags)]
    monkeypatch.setattr("sys.argv", [*argv, "--exclude-repos", str(excluded)])
    public_check.main()
    out = capsys.readouterr().out
    assert "sections: 2 public answers from 2 repositories" in out
    assert "principles (amazon-l6): 1 answers whose source names the principle" in out
    assert "(baseline" in out
    assert "red flags (amazon-l6): 2 public sentences from 1 repositories" in out
    blame = next(line for line in out.splitlines() if line.strip().startswith("blame"))
    assert blame.split()[1] == "1"
