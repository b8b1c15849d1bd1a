from __future__ import annotations

import sys
from pathlib import Path

import pytest

from staranalyzer import Analyzer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "corpus"))
sys.path.insert(0, str(ROOT / "tools"))


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def gold():
    from evaluation import load_gold

    return load_gold()


def spans(report, text):
    """(label, body) pairs of a report, for readable assertions."""
    return [(s.label, text[s.start : s.end]) for s in report.sections]


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> str:
    """A small spaCy pipeline (tokenizer and a tagger trained for a few steps), saved to disk
    and loaded by path exactly as a user's installed model would be."""
    import random

    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    tagger = nlp.add_pipe("tagger")
    data = [
        ("I fixed the build", ["PRP", "VBD", "DT", "NN"]),
        ("We shipped it on time", ["PRP", "VBD", "PRP", "IN", "NN"]),
        ("The team was late", ["DT", "NN", "VBD", "JJ"]),
        ("I had to cut costs", ["PRP", "VBD", "TO", "VB", "NNS"]),
    ]
    for _, tags in data:
        for tag in tags:
            tagger.add_label(tag)
    examples = [Example.from_dict(nlp.make_doc(t), {"tags": tags}) for t, tags in data]
    random.seed(0)
    spacy.util.fix_random_seed(0)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(5):
        nlp.update(examples, sgd=optimizer)
    path = tmp_path_factory.mktemp("model") / "tiny_tagger"
    nlp.to_disk(path)
    return str(path)


@pytest.fixture(scope="session")
def model_analyzer(model_path) -> Analyzer:
    return Analyzer(model=model_path)


@pytest.fixture(scope="session")
def corpus():
    """The v1 corpus (sections stored apart), for the checks written against it."""
    from v1 import load_corpus

    return load_corpus(ROOT / "benchmarks" / "corpus" / "answers.jsonl")
