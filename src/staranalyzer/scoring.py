"""Scoring: proportions, speaking time, text statistics, the explained score, follow-up questions.

Everything here is a pure function of the detectors' output and the rubric, so the same input and
rubric give the same numbers. Every point lost is a deduction naming the rubric's deduction id,
the points and the finding (or condition) behind it.
"""

from __future__ import annotations

import gzip
import importlib.resources
import re
from functools import lru_cache
from typing import Any

import pyphen

from .rubric import DIMENSIONS, Rubric, Timing

STAR = ("situation", "task", "action", "result")
_LETTER_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def speaking_seconds(words: int, timing: Timing) -> float:
    """Seconds it takes to say ``words`` at the rubric's speaking rate."""
    return round(words * 60.0 / timing.words_per_minute, 1)


def proportions(sections: list[dict[str, Any]], timing: Timing) -> list[dict[str, Any]]:
    """One row per STAR section: words, seconds, share, target share and status.

    Shares are of the STAR sections' words (a reflection is outside them); targets come from the
    rubric's seconds per section. Status is ``missing``, ``short``, ``long`` or ``ok``; answers
    under ``timing.min_words`` are not judged short or long.
    """
    words = {label: 0 for label in STAR}
    present = set()
    for s in sections:
        if s["label"] in words:
            words[s["label"]] += s["words"]
            present.add(s["label"])
    total = sum(words.values())
    target_total = sum(timing.seconds.get(label, 0) for label in STAR) or 1.0
    rows = []
    for label in STAR:
        share = words[label] / total if total else 0.0
        target = timing.seconds.get(label, 0) / target_total
        if label not in present:
            status = "missing"
        elif total < timing.min_words:
            status = "ok"
        elif share < target * (1 - timing.share_tolerance):
            status = "short"
        elif share > target * (1 + timing.share_tolerance):
            status = "long"
        else:
            status = "ok"
        rows.append(
            {
                "label": label,
                "words": words[label],
                "seconds": speaking_seconds(words[label], timing),
                "share": round(share, 4),
                "target": round(target, 4),
                "status": status,
            }
        )
    return rows


def timing_check(words: int, timing: Timing) -> dict[str, Any]:
    """Check the whole answer's speaking time against the rubric's window."""
    seconds = speaking_seconds(words, timing)
    low, high = timing.total_seconds
    status = "short" if seconds < low else "long" if seconds > high else "ok"
    return {"value": seconds, "target": [low, high], "status": status}


@lru_cache(maxsize=1)
def _syllable_table() -> tuple[dict[str, int], pyphen.Pyphen]:
    raw = (importlib.resources.files("staranalyzer") / "data" / "syllables.txt.gz").read_bytes()
    table = {}
    for line in gzip.decompress(raw).decode().splitlines():
        if line and not line.startswith("#"):
            word, count = line.split()
            table[word] = int(count)
    return table, pyphen.Pyphen(lang="en_US")


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables in one lower-case word, by textstat's rule: the CMU dictionary, else pyphen.

    The CMU counts ship precompiled (``data/syllables.txt.gz``, only where they differ from the
    pyphen estimate), so the 70 MB dictionary is never loaded; ``tests/test_scoring.py`` checks
    the result against ``textstat.syllable_count``.
    """
    table, hyphenator = _syllable_table()
    count = table.get(word)
    if count is None:
        count = len(hyphenator.positions(word)) + 1
    return max(1, count)


def text_stats(text: str, words: int, sentences: int, timing: Timing) -> dict[str, Any]:
    """Words, sentences, speaking time and readability (Flesch reading ease, grade level).

    The Flesch formulas (as textstat applies them) run on per-word syllable counts by textstat's
    rule (cached), with the words and sentences staranalyzer counted: textstat's whole-text
    functions cost several milliseconds per call, load a 70 MB dictionary, and count sentences
    in bullet lists differently.
    """
    letters = _LETTER_WORD.findall(text.lower())
    if not letters or not words:
        return {
            "words": words,
            "sentences": sentences,
            "seconds": speaking_seconds(words, timing),
            "reading_ease": None,
            "grade": None,
        }
    per_sentence = words / max(sentences, 1)
    per_word = sum(syllables(w) for w in letters) / len(letters)
    return {
        "words": words,
        "sentences": sentences,
        "seconds": speaking_seconds(words, timing),
        "reading_ease": round(206.835 - 1.015 * per_sentence - 84.6 * per_word, 1),
        "grade": round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1),
    }


def conditions(
    text: str,
    sections: list[dict[str, Any]],
    metrics: list[dict[str, Any]],
    cues: list[dict[str, Any]],
    level: dict[str, Any],
    timing: dict[str, Any],
    rubric: Rubric,
) -> dict[str, str]:
    """Whole-answer conditions that hold, each with the reason shown to the user."""
    held: dict[str, str] = {}
    labels = {s["label"] for s in sections}
    if not metrics:
        held["no_metrics_anywhere"] = "The answer has no number at all."
    if not cues:
        held["no_scope_cues"] = "The answer never says how big the team, budget or audience was."
    if level["verdict"] == "under":
        held["level_under"] = (
            f"The scope reads as {level['suggested']}, below the {level['expected']} expected."
        )
    if timing["status"] in ("short", "long"):
        low, high = timing["target"]
        held[f"timing_{timing['status']}"] = (
            f"About {timing['value']:.0f} s spoken; aim for {low:.0f}-{high:.0f} s."
        )
    actions = [s for s in sections if s["label"] == "action"]
    if actions and sum(s["sentences"] for s in actions) == 1 and len(sections) >= 3:
        held["action_single_sentence"] = "The Action is a single sentence."
    lowered = text.lower()
    if "reflection" not in labels and any(p.lower() in lowered for p in rubric.failure_phrases):
        held["failure_without_reflection"] = "A story of failure that never says what was learned."
    return held


def score(findings: list[dict[str, Any]], held: dict[str, str], rubric: Rubric) -> dict[str, Any]:
    """Dimension scores (100 minus deductions, floored at 0), the weighted total and a verdict."""
    sc = rubric.scoring
    dims = {
        d: {"dimension": d, "score": 100.0, "weight": sc.weights.get(d, 0.0), "deductions": []}
        for d in DIMENSIONS
    }
    for rule in sc.deductions:
        spent = 0.0
        if rule.condition is not None:
            matched: list[tuple[dict[str, Any] | None, str]] = (
                [(None, held[rule.condition])] if rule.condition in held else []
            )
        else:
            matched = [
                (f, f["message"])
                for f in findings
                if (rule.category is None or f["category"] == rule.category)
                and (
                    rule.rule is None
                    or f["rule"] == rule.rule
                    or f["rule"].startswith(rule.rule.rstrip(".") + ".")
                )
                and (rule.section is None or f["section"] == rule.section)
            ]
        for finding, reason in matched:
            points = rule.points
            if rule.max_points is not None:
                points = min(points, rule.max_points - spent)
            if points <= 0:
                break
            spent += points
            dims[rule.dimension]["deductions"].append(
                {
                    "id": rule.id,
                    "points": points,
                    "reason": rule.reason or reason,
                    "rule": finding["rule"] if finding else None,
                    "start": finding["start"] if finding else None,
                    "end": finding["end"] if finding else None,
                }
            )
    for d in dims.values():
        d["score"] = round(max(0.0, 100.0 - sum(x["points"] for x in d["deductions"])), 1)
    weight = sum(d["weight"] for d in dims.values()) or 1.0
    total = round(sum(d["score"] * d["weight"] for d in dims.values()) / weight, 1)
    verdict = "weak"
    for name in ("needs work", "solid", "strong"):
        if total >= sc.verdicts.get(name, 101):
            verdict = name
    return {"dimensions": list(dims.values()), "score": total, "verdict": verdict}


def follow_ups(
    findings: list[dict[str, Any]],
    sections: list[dict[str, Any]],
    level: dict[str, Any],
    held: dict[str, str],
    rubric: Rubric,
) -> list[dict[str, Any]]:
    """Return the rubric's follow-up questions whose trigger holds, in rubric order, each once."""
    labels = {s["label"] for s in sections}
    categories = {f["category"] for f in findings}
    rules = [f["rule"] for f in findings]
    out = []
    for q in rubric.follow_ups:
        reason = None
        if q.category is not None and q.category in categories:
            reason = f"finding: {q.category}"
        elif q.rule is not None and any(
            r == q.rule or r.startswith(q.rule.rstrip(".") + ".") for r in rules
        ):
            reason = f"rule: {q.rule}"
        elif q.missing is not None and q.missing not in labels:
            reason = f"no {q.missing}"
        elif q.level is not None and level["verdict"] == q.level:
            reason = f"scope {q.level} {level['expected']}"
        elif q.condition is not None and q.condition in held:
            reason = held[q.condition]
        if reason is not None:
            out.append({"id": q.id, "question": q.question, "reason": reason})
    return out
