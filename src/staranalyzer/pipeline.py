"""The spaCy side: the ``staranalyzer_sectioner`` pipeline component and pipeline construction.

The component sets ``doc.spans["star"]``: one span per section, labelled ``situation``, ``task``,
``action``, ``result`` or ``reflection``. Spans are token-aligned; the exact character offsets, the
source (labeled or inferred), confidence, header, words and sentences of each section are in
``doc.spans["star"].attrs["sections"]``. It is registered as an entry point in ``spacy_factories``,
so ``nlp.add_pipe("staranalyzer_sectioner")`` works in any English pipeline once the package is
installed.
"""

from __future__ import annotations

import re
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .errors import ModelError
from .evidence import USER_DATA_KEY, Evidence
from .rubric import Rubric, load_rubric
from .sectioning import Sectioner, _sentences, doc_text, forget_text

_WORD = re.compile(r"\S*\w\S*")


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters holding a letter or digit."""
    return len(_WORD.findall(text))


FACTORY = "staranalyzer_sectioner"
EVIDENCE_FACTORY = "staranalyzer_evidence"
SPAN_KEY = "star"


class _RubricComponent:
    """A pipeline component built from a rubric; ``use_rubric`` rebuilds it for another one."""

    def __init__(self, nlp: Language, name: str, rubric: str | Rubric = "default") -> None:
        self.name = name
        self.make_doc = nlp.make_doc
        self.use_rubric(load_rubric(rubric))

    def use_rubric(self, rubric: Rubric) -> None:
        """Switch to another (already loaded) rubric."""
        raise NotImplementedError


class SectionerComponent(_RubricComponent):
    """Pipeline component wrapping a :class:`~staranalyzer.sectioning.Sectioner`."""

    def use_rubric(self, rubric: Rubric) -> None:
        """Switch to another (already loaded) rubric."""
        self.sectioner = Sectioner(self.make_doc, rubric)

    def __call__(self, doc: Doc) -> Doc:
        """Find the sections of ``doc`` and store them in ``doc.spans["star"]``."""
        found = self.sectioner.find_sections(doc)
        text = doc_text(doc)
        sentences = _sentences(doc)
        spans = []
        records: list[dict[str, Any]] = []
        for f in found:
            span = doc.char_span(f.start, f.end, label=f.label, alignment_mode="expand")
            if span is None:  # only possible for an empty body
                span = doc[0:0]
            spans.append(span)
            words = count_words(text[f.start : f.end])
            n_sent = sum(1 for s in sentences if s.end > f.start and s.start < f.end)
            records.append(
                {
                    "label": f.label,
                    "start": f.start,
                    "end": f.end,
                    "source": f.source,
                    "confidence": f.confidence,
                    "header": f.header,
                    "words": words,
                    "sentences": n_sent,
                }
            )
        doc.spans[SPAN_KEY] = spans
        doc.spans[SPAN_KEY].attrs["sections"] = records
        return doc


class EvidenceComponent(_RubricComponent):
    """Pipeline component running the rubric's detectors after the sectioner.

    Stores metrics, scope cues, the level assessment, findings and scores as plain data in
    ``doc.user_data["staranalyzer"]``.
    """

    def use_rubric(self, rubric: Rubric) -> None:
        """Switch to another (already loaded) rubric."""
        self.evidence = Evidence(self.make_doc, rubric)

    def __call__(self, doc: Doc) -> Doc:
        """Run the detectors on ``doc`` (which must have been through the sectioner)."""
        sections = doc.spans[SPAN_KEY].attrs["sections"] if SPAN_KEY in doc.spans else []
        doc.user_data[USER_DATA_KEY] = self.evidence.analyse(doc, sections)
        forget_text(doc)
        return doc


@Language.factory(EVIDENCE_FACTORY, default_config={"rubric": "default"})
def make_evidence(nlp: Language, name: str, rubric: str) -> EvidenceComponent:
    """SpaCy factory for the evidence detectors (config: ``rubric``, a bundled name or a path)."""
    return EvidenceComponent(nlp, name, rubric)


@Language.factory(FACTORY, default_config={"rubric": "default"})
def make_sectioner(nlp: Language, name: str, rubric: str) -> SectionerComponent:
    """SpaCy factory for the STAR sectioner (config: ``rubric``, a bundled name or a path)."""
    return SectionerComponent(nlp, name, rubric)


def build_pipeline(model: str | None, rubric: Rubric) -> Language:
    """Build the pipeline the analyzer runs: a blank English one, or an installed spaCy model.

    Args:
        model: None for the download-free default (``spacy.blank("en")`` with a sentencizer), or
            an installed spaCy pipeline's package name or path (``"en_core_web_sm"``).
        rubric: the rubric whose cues the sectioner uses.

    Raises:
        ModelError: the model is not installed or cannot be loaded.

    """
    if model is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    else:
        try:
            nlp = spacy.load(model, exclude=["ner"])
        except (OSError, ImportError, ValueError) as exc:
            installed = ", ".join(sorted(spacy.util.get_installed_models())) or "none"
            raise ModelError(
                f"cannot load spaCy model {model!r} ({exc.__class__.__name__}); "
                f"installed pipelines: {installed}"
            ) from None
    config = {"rubric": rubric.source or "default"}
    sectioner = nlp.add_pipe(FACTORY, config=config)
    evidence = nlp.add_pipe(EVIDENCE_FACTORY, config=config)
    if not rubric.source or load_rubric(rubric.source) != rubric:
        sectioner.use_rubric(rubric)
        evidence.use_rubric(rubric)
    return nlp
