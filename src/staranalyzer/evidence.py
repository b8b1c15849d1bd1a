"""Evidence detectors: metrics, scope cues and level, and the rubric's rules (findings).

Every detector reads the same analysed answer: the spaCy Doc, its sentences and the sections the
sectioner found. The rule engines are few (phrase, ratio, missing section, balance, no metrics,
scope level); the rules themselves are rubric data. Results are plain dicts stored in
``doc.user_data["staranalyzer"]`` so that they survive ``nlp.pipe(n_process=...)``;
:class:`~staranalyzer.Analyzer` turns them into the report's pydantic models.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.attrs import IDX, LOWER
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .quantities import find_quantities
from .rubric import (
    BalanceRule,
    MissingSectionRule,
    NoMetricsRule,
    PhraseRule,
    RatioRule,
    Rubric,
    ScopeLevelRule,
)
from .scoring import conditions, follow_ups, proportions, score, text_stats, timing_check
from .sectioning import _sentences, doc_text

USER_DATA_KEY = "staranalyzer"
STAR = ("situation", "task", "action", "result")
_SCALE_WORDS = {"hundreds": 1e2, "thousands": 1e3, "millions": 1e6, "billions": 1e9}


class _Fields(dict):  # type: ignore[type-arg]
    """Format fields for rule messages; an unknown ``{name}`` stays as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, **fields: Any) -> str:
    return template.format_map(_Fields(fields))


def section_at(sections: list[dict[str, Any]], pos: int) -> str | None:
    """Label of the section holding character ``pos``, or None (headers, gaps)."""
    for s in sections:
        if s["start"] <= pos < s["end"]:
            return str(s["label"])
    return None


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


class Evidence:
    """Runs one rubric's detectors; build once (matchers compile here), reuse for every answer.

    Args:
        make_doc: the pipeline's tokenizer, so rule phrases tokenise like answers.
        rubric: the validated rubric.

    """

    def __init__(self, make_doc: Callable[[str], Doc], rubric: Rubric) -> None:
        self.rubric = rubric
        self.rules = rubric.active_rules()
        vocab = make_doc("").vocab
        self._matcher = PhraseMatcher(vocab, attr="LOWER")
        for rule in self.rules:
            if isinstance(rule, PhraseRule):
                for part, phrases in (
                    ("p", rule.phrases),
                    ("r", rule.requires),
                    ("u", rule.unless),
                ):
                    if phrases:
                        self._matcher.add(
                            f"{rule.id}|{part}", [make_doc(p.lower()) for p in phrases]
                        )
        nouns = rubric.scope.nouns
        self._noun_kind = {
            _singular(n.lower()): kind for kind, words in nouns.items() for n in words
        }
        self._lead_in = [
            (kind, phrase.lower().split())
            for kind, phrases in rubric.scope.lead_in.items()
            for phrase in phrases
        ]
        self._users_phrase = re.compile(
            r"(?i)\b(hundreds|thousands|millions|billions)\s+of\s+([a-z]+)"
        )

    # -- metrics ---------------------------------------------------------------------------------
    def metrics(self, text: str, sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Quantified evidence, each with the section it sits in."""
        out = []
        for q in find_quantities(text):
            record = dict(vars(q))  # flat dataclass: no need for asdict's deep copy
            record["text"] = text[q.start : q.end]
            record["section"] = section_at(sections, q.start)
            out.append(record)
        return out

    # -- scope -----------------------------------------------------------------------------------
    def scope_cues(
        self, text: str, metrics: list[dict[str, Any]], sections: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Scope cues: counts of people, teams, users and stakeholders, money, time horizons."""
        cues = []
        for m in metrics:
            kind, value = None, m["value"]
            if m["kind"] == "money":
                kind, value = "money", m["high"] if m["high"] is not None else m["value"]
            elif m["kind"] == "duration" and m["unit"] in ("month", "quarter", "year"):
                months = {"month": 1, "quarter": 3, "year": 12}[m["unit"]]
                kind, value = "time_horizon", (m["value"] or 0) * months
            elif m["kind"] in ("count", "change"):
                kind = self._count_kind(text, m)
                if m["kind"] == "change":
                    value = max(m["before"] or 0, m["after"] or 0)
            if kind is not None and value is not None:
                cues.append(self._cue(kind, m["start"], m["end"], text, value, sections))
        for match in self._users_phrase.finditer(text):
            kind = self._noun_kind.get(_singular(match.group(2).lower()))
            if kind is not None:
                value = _SCALE_WORDS[match.group(1).lower()]
                cues.append(self._cue(kind, match.start(), match.end(), text, value, sections))
        return sorted(cues, key=lambda c: (c["start"], c["end"]))

    def _count_kind(self, text: str, m: dict[str, Any]) -> str | None:
        after = re.findall(r"[A-Za-z]+", text[m["end"] : m["end"] + 40])[:2]
        for noun in ([m["unit"]] if m["unit"] else []) + [w.lower() for w in after]:
            kind = self._noun_kind.get(_singular(noun.split()[-1]))
            if kind is not None:
                return kind
        before = re.findall(r"[a-z]+", text[max(0, m["start"] - 30) : m["start"]].lower())
        for kind, words in self._lead_in:
            if before[-len(words) :] == words:
                return kind
        return None

    def _cue(
        self,
        kind: str,
        start: int,
        end: int,
        text: str,
        value: float,
        sections: list[dict[str, Any]],
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "text": text[start:end],
            "start": start,
            "end": end,
            "value": value,
            "section": section_at(sections, start),
            "level": self._band(kind, value),
        }

    def _band(self, kind: str, value: float) -> str | None:
        level = None
        for band in self.rubric.scope.levels:
            bounds = (
                getattr(band, kind, None)
                if kind in ("team_size", "teams", "money", "users")
                else None
            )
            if bounds is not None and value >= bounds[0]:
                level = band.name
        return level

    def level(self, cues: list[dict[str, Any]]) -> dict[str, Any]:
        """Assess the level the scope suggests against the rubric's level."""
        names = [b.name for b in self.rubric.scope.levels]
        expected = self.rubric.level
        ranked = [c for c in cues if c["level"] is not None]
        if not names or not ranked:
            return {"expected": expected, "suggested": None, "verdict": "unknown", "cues": ranked}
        top = max(names.index(c["level"]) for c in ranked)
        suggested = names[top]
        behind = [c for c in ranked if c["level"] == suggested]
        if expected is None:
            verdict = "unknown"
        else:
            rank = names.index(expected)
            verdict = "over" if top > rank else "under" if top < rank else "within"
        return {"expected": expected, "suggested": suggested, "verdict": verdict, "cues": behind}

    # -- rules -----------------------------------------------------------------------------------
    def findings(
        self,
        doc: Doc,
        sections: list[dict[str, Any]],
        metrics: list[dict[str, Any]],
        level: dict[str, Any],
        rows: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Run every active rule of the rubric; findings come in text order, whole-answer last.

        ``rows`` are the section proportions, when the caller has them already.
        """
        if rows is None:
            rows = proportions(sections, self.rubric.timing)
        text = doc_text(doc)
        sentences = _sentences(doc)
        sent_of = [-1] * (len(doc) + 1)
        for i, s in enumerate(sentences):
            for t in range(s.tok_start, s.tok_end):
                sent_of[t] = i
        by_key: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self._matcher(doc):
            by_key.setdefault(doc.vocab.strings[match_id], []).append((start, end))
        out: list[dict[str, Any]] = []
        for rule in self.rules:
            if isinstance(rule, PhraseRule):
                out.extend(
                    self._phrase(rule, doc, text, sections, metrics, sentences, sent_of, by_key)
                )
            elif isinstance(rule, RatioRule):
                out.extend(self._ratio(rule, doc, sections))
            elif isinstance(rule, MissingSectionRule):
                present = {s["label"] for s in sections}
                for label in rule.labels:
                    if label not in present:
                        out.append(self._finding(rule, label=label))
            elif isinstance(rule, BalanceRule):
                out.extend(self._balance(rule, rows, sections))
            elif isinstance(rule, NoMetricsRule):
                out.extend(self._no_metrics(rule, doc, sections, metrics))
            elif isinstance(rule, ScopeLevelRule) and level["verdict"] == rule.verdict:
                cues = ", ".join(f'"{c["text"]}"' for c in level["cues"])
                out.append(
                    self._finding(
                        rule, expected=level["expected"], suggested=level["suggested"], cues=cues
                    )
                )
        return sorted(out, key=lambda f: (f["start"] is None, f["start"] or 0, f["rule"]))

    def _finding(
        self,
        rule: Any,
        start: int | None = None,
        end: int | None = None,
        text: str | None = None,
        section: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        values = {"text": text or "", "label": section or "", **fields}
        return {
            "rule": rule.id,
            "category": rule.category,
            "severity": rule.severity,
            "message": _fill(rule.message, **values),
            "suggestion": _fill(rule.suggestion, **values),
            "start": start,
            "end": end,
            "text": text,
            "section": section if section is not None else fields.get("label"),
            "source": self.rubric.source or self.rubric.name,
        }

    def _phrase(
        self,
        rule: PhraseRule,
        doc: Doc,
        text: str,
        sections: list[dict[str, Any]],
        metrics: list[dict[str, Any]],
        sentences: list[Any],
        sent_of: list[int],
        by_key: dict[str, list[tuple[int, int]]],
    ) -> list[dict[str, Any]]:
        hits = sorted(by_key.get(f"{rule.id}|p", []), key=lambda x: (x[0], -(x[1] - x[0])))
        unless_sents = {sent_of[s] for s, _ in by_key.get(f"{rule.id}|u", [])}
        requires_sents = {sent_of[s] for s, _ in by_key.get(f"{rule.id}|r", [])}
        not_after = {w.lower() for w in rule.not_after}
        kept: list[tuple[int, int]] = []
        for start, end in hits:
            if kept and start < kept[-1][1]:
                continue  # overlapping matches of one rule: keep the first, longest
            si = sent_of[start]
            if si < 0 or si in unless_sents:
                continue
            if rule.requires and si not in requires_sents:
                continue
            if start > 0 and doc[start - 1].lower_ in not_after:
                continue
            c0 = doc[start].idx
            if rule.sections and section_at(sections, c0) not in rule.sections:
                continue
            if rule.unless_metric:
                s = sentences[si]
                if any(m["start"] < s.end and m["end"] > s.start for m in metrics):
                    continue
            kept.append((start, end))
        if len(kept) < rule.min_count:
            return []
        out = []
        for start, end in kept:
            c0, c1 = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
            out.append(self._finding(rule, c0, c1, text[c0:c1], section_at(sections, c0)))
        return out

    def _ratio(
        self, rule: RatioRule, doc: Doc, sections: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        strings = doc.vocab.strings
        num_words = {strings.add(w.lower()) for w in rule.numerator}
        den_words = {strings.add(w.lower()) for w in rule.denominator}
        rows = doc.to_array([LOWER, IDX]).tolist()
        out = []
        for s in sections:
            if s["label"] != rule.section:
                continue
            tokens = [low for low, idx in rows if s["start"] <= idx < s["end"]]
            num = sum(t in num_words for t in tokens)
            den = sum(t in den_words for t in tokens)
            if num >= rule.min_numerator and num / (num + den) >= rule.threshold:
                out.append(
                    self._finding(
                        rule, s["start"], s["end"], None, s["label"], numerator=num, denominator=den
                    )
                )
        return out

    def _balance(
        self, rule: BalanceRule, rows: list[dict[str, Any]], sections: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            if row["status"] in ("short", "long"):
                s = next(x for x in sections if x["label"] == row["label"])
                out.append(
                    self._finding(
                        rule,
                        s["start"],
                        s["end"],
                        None,
                        row["label"],
                        share=f"{row['share']:.0%}",
                        target=f"{row['target']:.0%}",
                        status=row["status"],
                    )
                )
        return out

    def _no_metrics(
        self,
        rule: NoMetricsRule,
        doc: Doc,
        sections: list[dict[str, Any]],
        metrics: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        chosen = [s for s in sections if s["label"] == rule.section]
        if not chosen:
            return []
        kinds = set(rule.kinds)
        if any(m["kind"] in kinds and m["section"] == rule.section for m in metrics):
            return []
        s = chosen[0]
        return [self._finding(rule, s["start"], s["end"], None, rule.section)]

    # -- all of it -------------------------------------------------------------------------------
    def analyse(self, doc: Doc, sections: list[dict[str, Any]]) -> dict[str, Any]:
        """Every detector and the score on one answer, as plain data for the report."""
        text, timing = doc_text(doc), self.rubric.timing
        metrics = self.metrics(text, sections)
        cues = self.scope_cues(text, metrics, sections)
        level = self.level(cues)
        rows = proportions(sections, timing)
        findings = self.findings(doc, sections, metrics, level, rows)
        words = sum(s["words"] for s in sections)
        spoken = timing_check(words, timing)
        held = conditions(text, sections, metrics, cues, level, spoken, self.rubric)
        by_label: dict[str, list[dict[str, Any]]] = {}
        for s in sections:
            by_label.setdefault(s["label"], []).append(s)
        section_stats = {
            label: text_stats(
                " ".join(text[s["start"] : s["end"]] for s in group),
                sum(s["words"] for s in group),
                sum(s["sentences"] for s in group),
                timing,
            )
            for label, group in by_label.items()
        }
        return {
            "characters": len(text),
            "metrics": metrics,
            "scope_cues": cues,
            "level": level,
            "findings": findings,
            "proportions": rows,
            "timing": spoken,
            "stats": text_stats(text, words, len(_sentences(doc)), timing),
            "section_stats": section_stats,
            **score(findings, held, self.rubric),
            "follow_ups": follow_ups(findings, sections, level, held, self.rubric),
        }
