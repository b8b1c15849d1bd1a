"""spaCy components: thin adapters that put staranalyzer's results on a user's own Doc.

- ``staranalyzer_sectioner`` sets ``doc.spans["star"]``: one span per section, labelled
  ``situation``, ``task``, ``action``, ``result`` or ``reflection``. Spans are token-aligned;
  the exact character offsets, source, confidence, header, words and sentences of each section
  are in ``doc.spans["star"].attrs["sections"]``.
- ``staranalyzer_evidence`` runs the whole analysis and sets ``doc.spans["star_findings"]``
  (label: the finding's category; ``attrs["findings"]`` holds the findings) and
  ``doc.spans["star_metrics"]`` (label: the metric's kind), and the report as a JSON-ready dict
  in ``doc.user_data["staranalyzer.report"]``.

Both are registered as ``spacy_factories`` entry points, so ``nlp.add_pipe(...)`` works in any
English pipeline once the package is installed; they call the same functions as
:class:`~staranalyzer.Analyzer`.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .analyzer import Analyzer

FACTORY = "staranalyzer_sectioner"
EVIDENCE_FACTORY = "staranalyzer_evidence"
SPAN_KEY = "star"
FINDINGS_KEY = "star_findings"
METRICS_KEY = "star_metrics"
REPORT_KEY = "staranalyzer.report"


def _span(doc: Doc, start: int, end: int, label: str) -> Span:
    span = doc.char_span(start, end, label=label, alignment_mode="expand")
    return span if span is not None else Span(doc, 0, 0, label=label)


class _Component:
    """A pipeline component with its own analyzer, sharing the host pipeline's vocabulary."""

    def __init__(self, nlp: Language, name: str, rubric: str = "default") -> None:
        self.name = name
        self.analyzer = Analyzer(rubric, nlp=nlp)


class SectionerComponent(_Component):
    """Finds the sections of a Doc and stores them in ``doc.spans["star"]``."""

    def __call__(self, doc: Doc) -> Doc:
        """Add the ``star`` span group."""
        answer = self.analyzer.sections(doc.text, doc.text, doc)
        doc.spans[SPAN_KEY] = [_span(doc, s.start, s.end, s.label) for s in answer.sections]
        doc.spans[SPAN_KEY].attrs["sections"] = [s.model_dump() for s in answer.sections]
        return doc


class EvidenceComponent(_Component):
    """Runs the whole analysis on a Doc: sections, findings and metrics as span groups."""

    def __call__(self, doc: Doc) -> Doc:
        """Add the ``star``, ``star_findings`` and ``star_metrics`` span groups and the report."""
        report = self.analyzer.report(doc.text, doc.text, doc)
        doc.spans[SPAN_KEY] = [_span(doc, s.start, s.end, s.label) for s in report.sections]
        doc.spans[SPAN_KEY].attrs["sections"] = [s.model_dump() for s in report.sections]
        located = [f for f in report.findings if f.start is not None and f.end is not None]
        doc.spans[FINDINGS_KEY] = [
            _span(doc, f.start, f.end, f.category)  # type: ignore[arg-type]
            for f in located
        ]
        doc.spans[FINDINGS_KEY].attrs["findings"] = [f.model_dump() for f in located]
        doc.spans[METRICS_KEY] = [_span(doc, m.start, m.end, m.kind) for m in report.metrics]
        doc.user_data[REPORT_KEY] = report.model_dump(mode="json")
        return doc


@Language.factory(FACTORY, default_config={"rubric": "default"})
def make_sectioner(nlp: Language, name: str, rubric: str) -> SectionerComponent:
    """SpaCy factory for the STAR sectioner (config: ``rubric``, a bundled name or a path)."""
    return SectionerComponent(nlp, name, rubric)


@Language.factory(EVIDENCE_FACTORY, default_config={"rubric": "default"})
def make_evidence(nlp: Language, name: str, rubric: str) -> EvidenceComponent:
    """SpaCy factory for the whole analysis (config: ``rubric``, a bundled name or a path)."""
    return EvidenceComponent(nlp, name, rubric)
