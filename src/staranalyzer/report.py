"""Assembling the :class:`~staranalyzer.models.Report` from the typed results of one pass.

Everything is built with ``build`` (pydantic's ``model_construct``, faster): the records were
made by this package's own code, with the types the models declare, so they are not validated
again (validation happens at the edges: rubric files, user input, reports read back from JSON).
"""

from __future__ import annotations

from .answer import ParsedAnswer
from .detectors import Evidence
from .models import Finding, Report, TextSpan, TextStats
from .rubric import Rubric
from .scoring import (
    conditions,
    follow_ups,
    letters_and_syllables,
    measures,
    score,
    text_stats,
)
from .scoring import timing_check as check_timing

__all__ = ["build_report", "section_stats"]


def section_stats(answer: ParsedAnswer, rubric: Rubric) -> tuple[TextStats, dict[str, TextStats]]:
    """Text statistics of the whole answer (its sections) and of each label.

    Syllables are counted once per section; the whole answer's figures are their sums.
    """
    per_label: dict[str, list[int]] = {}
    for s in answer.sections:
        letters, syl = letters_and_syllables(answer.text[s.start : s.end])
        row = per_label.setdefault(s.label, [0, 0, 0, 0])
        row[0] += s.words
        row[1] += s.sentences
        row[2] += letters
        row[3] += syl
    totals = [sum(r[i] for r in per_label.values()) for i in range(4)]
    in_sections = {u.sentence for u in answer.units if answer.section_at(u.end - 1) is not None}
    totals[1] = len(in_sections) or totals[1]
    timing = rubric.timing
    whole = text_stats(*totals, timing)
    return whole, {label: text_stats(*row, timing) for label, row in per_label.items()}


def build_report(
    answer: ParsedAnswer, evidence: Evidence, findings: list[Finding], rubric: Rubric
) -> Report:
    """The report of one analysed answer: evidence, findings, statistics and the score."""
    whole, by_label = section_stats(answer, rubric)
    spoken = check_timing(whole.words, rubric.timing)
    held = conditions(
        answer.text,
        answer.sections,
        evidence.metrics,
        evidence.scope_cues,
        evidence.level,
        spoken,
        rubric,
        evidence.proportions,
    )
    measured = measures(evidence.proportions, evidence.metrics)
    dimensions, total, verdict = score(findings, held, rubric, measured)
    headline = None
    if answer.headline is not None:
        h0, h1 = answer.headline
        headline = TextSpan.build(start=h0, end=h1, text=answer.text[h0:h1])
    return Report.build(
        rubric=rubric.name,
        characters=len(answer.text),
        sections=list(answer.sections),
        headline=headline,
        metrics=list(evidence.metrics),
        scope_cues=list(evidence.scope_cues),
        level=evidence.level,
        findings=findings,
        proportions=list(evidence.proportions),
        timing=spoken,
        stats=whole,
        section_stats=by_label,
        dimensions=dimensions,
        score=total,
        verdict=verdict,
        follow_ups=follow_ups(findings, answer.sections, evidence.level, held, rubric),
        principles=list(evidence.principles),
        question_fit=evidence.question_fit,
        signals=evidence.signals,
    )
