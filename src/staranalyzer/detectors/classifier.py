"""The ``classifier`` engine: a trained sentence model for the red-flag categories.

Each sentence gets sparse features: its words, their stems and word pairs, the rubric lexicons
it holds (``lex:hedge``, ``lex:third_party``...), whether a metric is in it or in the next
sentence, its section, and who acts in it (first person singular or plural). A logistic model
per category (trained by ``tools/train_models.py`` on the dev corpus) gives a probability; over
the rule's threshold the sentence is flagged, unless another rule already flagged it for that
category. The finding quotes the sentence and says why: the probability and the cues that
weighed most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..answer import ParsedAnswer
from ..linear import LogisticModel, load_model, mix, mix_keys, name_key, ngram_keys
from ..models import Finding
from ..rubric import ClassifierRule, Rubric
from ..vocabulary import RED_FLAGS
from .base import Engine, Evidence

_NS_UNI = name_key("flags:unigram")
_NS_BI = name_key("flags:bigram")
_NS_FIRST = name_key("flags:first")
_NS_STEM = name_key("flags:stem")
NAMED = {
    name: name_key(f"flags:{name}")
    for name in (
        "bias",
        "metric",
        "metric_next",
        "no_metric",
        "question",
        "short",
        "long",
        *(f"sec:{s}" for s in ("situation", "task", "action", "result", "reflection", "none")),
    )
}


class FlagModel(LogisticModel):
    """One logistic model per red-flag category over sentence features."""

    kind = "flags"


@dataclass(frozen=True)
class SentenceFeatures:
    """Sparse features of every sentence of an answer (grouped by sentence index)."""

    groups: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    n: int
    lexicon_keys: dict[int, str]
    """Key -> lexicon name, to explain a verdict."""


def sentence_features(
    answer: ParsedAnswer, evidence: Evidence, lexicons: list[str]
) -> SentenceFeatures:
    """The features the sentence model reads, for every sentence of the answer."""
    n = len(answer.sentences)
    tok_sentence = np.full(len(answer.lower), -1, dtype=np.int64)
    first_token: dict[int, int] = {}
    for u in answer.units:
        tok_sentence[u.tok_start : u.tok_end] = u.sentence
        first_token.setdefault(u.sentence, u.tok_start)
    groups, keys = ngram_keys(answer.lower, tok_sentence, _NS_UNI, _NS_BI)
    # Stems too, so a word read in training in another form still counts ("blamed", "blaming").
    stems = answer.stems
    has_stem = (tok_sentence >= 0) & (stems != 0)
    groups = np.concatenate([groups, tok_sentence[has_stem]])
    keys = np.concatenate([keys, mix_keys(_NS_STEM, stems[has_stem])])
    named: list[tuple[int, int]] = []
    for si, (start, end) in enumerate(answer.sentences):
        named.append((si, NAMED["bias"]))
        if evidence.metric_in(start, end):
            named.append((si, NAMED["metric"]))
        elif evidence.metric_near(answer, si):
            named.append((si, NAMED["metric_next"]))
        else:
            named.append((si, NAMED["no_metric"]))
        section = answer.section_at(start) or answer.section_at(end - 1)
        named.append((si, NAMED[f"sec:{section.label if section is not None else 'none'}"]))
        if answer.clean[end - 1 : end] == "?":
            named.append((si, NAMED["question"]))
        words = answer.clean.count(" ", start, end) + 1
        if words < 7:
            named.append((si, NAMED["short"]))
        elif words > 30:
            named.append((si, NAMED["long"]))
        t = first_token.get(si)
        if t is not None and t < len(answer.lower):
            named.append((si, mix(_NS_FIRST, int(answer.lower[t]))))
    lexicon_keys = {}
    first_hit: dict[int, list[tuple[int, str]]] = {}
    for name in lexicons:
        key = name_key(f"flags:lex:{name}")
        lexicon_keys[key] = name
        for si, found in evidence.lexicon_hits.get(name, {}).items():
            named.append((si, key))
            first_hit.setdefault(si, []).append((found[0][0], name))
    # The order of the lexicons in a sentence ("third_party" before "conduct") carries the
    # constructions into the model.
    for si, present in first_hit.items():
        present.sort()
        for i, (_, a) in enumerate(present):
            for _, b in present[i + 1 : i + 5]:
                named.append((si, name_key(f"flags:pair:{a}<{b}")))
    n_groups = np.fromiter((g for g, _ in named), dtype=np.int64, count=len(named))
    n_keys = np.fromiter((k for _, k in named), dtype=np.uint64, count=len(named))
    all_groups = np.concatenate([n_groups, groups])
    all_keys = np.concatenate([n_keys, keys])
    values = np.ones(len(all_keys), dtype=np.float32)
    return SentenceFeatures(all_groups, all_keys, values, n, lexicon_keys)


class ClassifierEngine(Engine):
    """Runs :class:`~staranalyzer.rubric.ClassifierRule` rules with the bundled sentence model."""

    kind = "classifier"

    def __init__(self, rubric: Rubric) -> None:
        super().__init__(rubric)
        self._lexicons: dict[str, list[str]] = {}
        self._models: dict[str, FlagModel] = {}
        self._last: tuple[ParsedAnswer, str, np.ndarray, SentenceFeatures] | None = None

    def model(self, name: str) -> FlagModel:
        """The model a rule names, loaded once."""
        if name not in self._models:
            self._models[name] = load_model(
                FlagModel, name, self.rubric.base_dir, self.source, "rules.classifier.model"
            )
        return self._models[name]

    def lexicons(self, model_name: str) -> list[str]:
        """The rubric lexicons the model reads: those it was trained with.

        A model's ``lexicons`` record (written by ``tools/train_models.py``) keeps a lexicon
        added to a rubric later, for a construction, from shifting the features of a model that
        never saw it; a model without the record reads all of the rubric's.
        """
        if model_name not in self._lexicons:
            trained = self.model(model_name).meta.get("lexicons")
            names = sorted(self.rubric.lexicons)
            if trained is not None:
                known = set(trained)
                names = [name for name in names if name in known]
            self._lexicons[model_name] = names
        return self._lexicons[model_name]

    def probabilities(
        self, answer: ParsedAnswer, evidence: Evidence, model_name: str
    ) -> tuple[np.ndarray, SentenceFeatures]:
        """Per-sentence probabilities of every category (computed once per answer)."""
        # Keyed by the answer object itself (never by id(): ids are reused once an answer is freed).
        if self._last is not None and self._last[0] is answer and self._last[1] == model_name:
            return self._last[2], self._last[3]
        feats = sentence_features(answer, evidence, self.lexicons(model_name))
        probs = self.model(model_name).probabilities(feats.groups, feats.keys, feats.values,
                                                     feats.n)  # fmt: skip
        self._last = (answer, model_name, probs, feats)
        return probs, feats

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: ClassifierRule) -> list[Finding]:
        """One finding per sentence whose probability passes the rule's threshold."""
        if not answer.sentences:
            return []
        model = self.model(rule.model)
        if rule.label not in model.labels:
            return []
        column = model.labels.index(rule.label)
        probs, feats = self.probabilities(answer, evidence, rule.model)
        out = []
        for si, (start, end) in enumerate(answer.sentences):
            p = float(probs[si, column])
            section = answer.section_at(start) or answer.section_at(end - 1)
            threshold = rule.threshold
            if section is not None and section.label == "situation" and rule.situation_threshold:
                threshold = rule.situation_threshold
            if p < threshold:
                continue
            cues = self._cues(answer, feats, model, si, column)
            why = f"model, p = {p:.2f}" + (f"; cues: {cues}" if cues else "")
            out.append(self.finding(rule, answer, start, end, why=why, p=f"{p:.2f}"))
        return out

    def _cues(
        self, answer: ParsedAnswer, feats: SentenceFeatures, model: FlagModel, si: int, col: int
    ) -> str:
        """The lexicons and words that pushed a sentence's score up most."""
        mask = feats.groups == si
        keys = feats.keys[mask]
        known, rows = model.rows(keys)
        if not known.any():
            return ""
        weights = rows[:, col]
        ranked = sorted(zip(weights.tolist(), keys[known].tolist(), strict=True), reverse=True)
        names = []
        for weight, key in ranked[:6]:
            if weight <= 0.3:
                break
            lexicon = feats.lexicon_keys.get(key)
            if lexicon is not None:
                names.append(lexicon.replace("_", " "))
        return ", ".join(dict.fromkeys(names))


def flag_labels() -> list[str]:
    """The categories of the sentence model, in column order."""
    return list(RED_FLAGS)
