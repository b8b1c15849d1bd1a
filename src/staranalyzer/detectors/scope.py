"""Scope: what the counts and money in an answer measure, and the level they suggest.

Also the ``scope_level`` engine, which flags a scope above or below the rubric's level.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from ..answer import ParsedAnswer
from ..models import Finding, LevelAssessment, Metric, ScopeCue
from ..quantities.numbers import QUALIFIER_PHRASES
from ..rubric import LevelBand, Rubric, ScopeLevelRule
from .base import Engine, Evidence

_SCALE_WORDS = {"hundreds": 1e2, "thousands": 1e3, "millions": 1e6, "billions": 1e9}
_USERS_PHRASE = re.compile(r"(?i)\b(hundreds|thousands|millions|billions)\s+of\s+([a-z]+)")
_WORDS_AFTER = re.compile(r"[A-Za-z]+")
_WORDS_BEFORE = re.compile(r"[a-z]+")
_BANDED = ("team_size", "teams", "money", "users")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_FIRST_PERSON = re.compile(r"(?i)\b(?:i|i'm|i've|i'd|me|my|myself|we|we're|we've|our|us)\b")
_MINE_BEFORE = re.compile(r"(?i)\b(?:my|our)\s+(?:\S+\s+){0,2}$")
# Words between a setting phrase and its number ("a firm of about 600", "a reserve of something
# like £140 million"): the quantity parser's qualifiers, and loose "some", "something like".
_APPROXIMATELY = frozenset(
    [w for p in QUALIFIER_PHRASES for w in p.split()] + ["some", "something", "like", "close", "to"]
)
_ADJECTIVE = re.compile(r"\d-[A-Za-z]+$")  # "400-employee": the number describes the next noun
_OTHERS_CLAUSE = re.compile(r"(?i)\b(?:who|whose|which|he|she|they|their|his|her)\b")


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def band_level(levels: list[LevelBand], kind: str, value: float) -> str | None:
    """The level whose band holds ``value`` for ``kind``.

    Bands honour both bounds: a value above one band's upper bound and below the next band's
    lower bound reads as no level (60 engineers is beyond an L6 band of 10-25 and short of an
    L7 band of 100+: neither within L6 nor a claim of L7); above the highest band with an upper
    bound, that band; below every band, None.
    """
    if kind not in _BANDED:
        return None
    level = None
    for i, band in enumerate(levels):
        bounds = getattr(band, kind)
        if bounds is None:
            continue
        low, high = bounds
        if value >= low:
            level = band.name
            if high is not None and value > high:
                later = any(getattr(b, kind) is not None for b in levels[i + 1 :])
                level = None if later else band.name
    return level


class ScopeReader:
    """Reads scope cues from an answer's metrics and words, with one rubric's nouns and bands."""

    def __init__(self, rubric: Rubric) -> None:
        self.levels = rubric.scope.levels
        self.expected = rubric.level
        self.noun_kind = {
            _singular(n.lower()): kind for kind, words in rubric.scope.nouns.items() for n in words
        }
        self.lead_in = [
            (kind, phrase.lower().split())
            for kind, phrases in rubric.scope.lead_in.items()
            for phrase in phrases
        ]
        self.setting_before = [p.lower().split() for p in rubric.scope.setting_before]
        self.setting_after = [p.lower().split() for p in rubric.scope.setting_after]

    def cues(
        self,
        answer: ParsedAnswer,
        metrics: tuple[Metric, ...],
        led: frozenset[int] | None = None,
    ) -> tuple[ScopeCue, ...]:
        """Scope cues: counts of people, teams, users and stakeholders, money, time horizons.

        Args:
            answer: the parsed answer.
            metrics: its metrics.
            led: sentences where the candidate leads or owns something ("I led", "my team of",
                "reporting to me"); a count of people or teams elsewhere is someone else's scope
                or the setting (context). None: judge by first person alone.

        """
        text = answer.text
        people = self._people(answer)
        self._led = led
        cues = []
        for m in metrics:
            kind: str | None = None
            value = m.value
            if m.kind == "money":
                kind, value = "money", m.high if m.high is not None else m.value
            elif m.kind == "duration" and m.unit in _MONTHS:
                kind, value = "time_horizon", (m.value or 0) * _MONTHS[m.unit]
            elif m.kind in ("count", "change"):
                kind = self._count_kind(text, m)
                if m.kind == "change":
                    value = max(m.before or 0, m.after or 0)
            if kind is not None and value is not None:
                cues.append(self._cue(answer, kind, m.start, m.end, value, people))
        for match in _USERS_PHRASE.finditer(answer.clean):
            kind = self.noun_kind.get(_singular(match.group(2).lower()))
            if kind is not None and not answer.in_header(match.start()):
                value = _SCALE_WORDS[match.group(1).lower()]
                cues.append(self._cue(answer, kind, match.start(), match.end(), value, people))
        return tuple(sorted(cues, key=lambda c: (c.start, c.end)))

    def _count_kind(self, text: str, m: Metric) -> str | None:
        after = _WORDS_AFTER.findall(text, m.end, m.end + 40)[:2]
        for noun in ([m.unit] if m.unit else []) + [w.lower() for w in after]:
            kind = self.noun_kind.get(_singular(noun.split()[-1]))
            if kind is not None:
                return kind
        before = _WORDS_BEFORE.findall(text[max(0, m.start - 30) : m.start].lower())
        for kind, words in self.lead_in:
            if before[-len(words) :] == words:
                return kind
        return None

    @staticmethod
    def _people(answer: ParsedAnswer) -> tuple[list[int], list[int]]:
        """Offsets of first-person words and of words that point at others ("who", "they")."""
        text = answer.clean
        return (
            [m.start() for m in _FIRST_PERSON.finditer(text)],
            [m.start() for m in _OTHERS_CLAUSE.finditer(text)],
        )

    @staticmethod
    def _is_context(answer: ParsedAnswer, start: int, people: tuple[list[int], list[int]]) -> bool:
        """A count in a sentence without the candidate, or after "who"/"he"/"they": context."""
        sentence = answer.sentence_at(start)
        if sentence is None:
            return False
        mine, others = people
        lo = bisect_left(mine, sentence[0])
        if lo >= len(mine) or mine[lo] >= sentence[1]:
            return True  # nobody in the first person in this sentence
        before = bisect_left(mine, start)
        last_mine = mine[before - 1] if before > lo else None
        k = bisect_left(others, start)
        last_other = others[k - 1] if k > 0 and others[k - 1] >= sentence[0] else None
        return last_other is not None and (last_mine is None or last_other > last_mine)

    def _cue(
        self,
        answer: ParsedAnswer,
        kind: str,
        start: int,
        end: int,
        value: float,
        people: tuple[list[int], list[int]],
    ) -> ScopeCue:
        section = answer.section_at(start)
        return ScopeCue.build(
            kind=kind,
            text=answer.text[start:end],
            start=start,
            end=end,
            value=value,
            section=section.label if section is not None else None,
            level=band_level(self.levels, kind, value),
            context=self._is_context(answer, start, people)
            or not self._owned(answer, kind, start)
            or self._setting(answer.text, start, end),
        )

    def _setting(self, text: str, start: int, end: int) -> bool:
        """Is a count or amount the setting: the size of an organisation or place, a turnover?

        "a law firm of about 600 staff", "a town of 14,000 people", "supplying 140,000 people",
        "£85 million turnover", and a number made an adjective of something other than a team
        ("a 400-employee client"; "a 12-person team" stays the candidate's).
        """
        before = _WORDS_BEFORE.findall(text[max(0, start - 60) : start].lower())
        while before and before[-1] in _APPROXIMATELY:
            before.pop()
        if any(before[-len(p) :] == p for p in self.setting_before):
            return True
        after = [w.lower() for w in _WORDS_AFTER.findall(text, end, end + 50)[:4]]
        if any(after[: len(p)] == p for p in self.setting_after):
            return True
        if _ADJECTIVE.search(text, start, end) and after:
            return self.noun_kind.get(_singular(after[0])) != "teams"
        return False

    def _owned(self, answer: ParsedAnswer, kind: str, start: int) -> bool:
        """Is a count of people or teams the candidate's (they lead, or "my"/"our" before it)?"""
        if kind not in ("team_size", "teams") or self._led is None:
            return True
        if answer.sentence_at_char(start) in self._led:
            return True
        return _MINE_BEFORE.search(answer.clean, max(0, start - 30), start) is not None

    def level(self, cues: tuple[ScopeCue, ...]) -> LevelAssessment:
        """The level the scope suggests (the highest any cue reaches) against the rubric's."""
        names = [b.name for b in self.levels]
        ranked = [c for c in cues if c.level is not None and not c.context]
        if not names or not ranked:
            return LevelAssessment.build(
                expected=self.expected, suggested=None, verdict="unknown", cues=ranked
            )
        top = max(names.index(c.level) for c in ranked)  # type: ignore[arg-type]
        suggested = names[top]
        behind = [c for c in ranked if c.level == suggested]
        verdict = "unknown"
        if self.expected is not None:
            rank = names.index(self.expected)
            verdict = "over" if top > rank else "under" if top < rank else "within"
        return LevelAssessment.build(
            expected=self.expected, suggested=suggested, verdict=verdict, cues=behind
        )


class ScopeLevelEngine(Engine):
    """Flags the level verdict a rule names (``over`` or ``under``)."""

    kind = "scope_level"

    def run(self, answer: ParsedAnswer, evidence: Evidence, rule: ScopeLevelRule) -> list[Finding]:
        """One whole-answer finding when the verdict matches."""
        level = evidence.level
        if level.verdict != rule.verdict:
            return []
        cues = ", ".join(f'"{c.text}"' for c in level.cues)
        return [
            self.finding(
                rule, answer, expected=level.expected, suggested=level.suggested, cues=cues,
                why=f"scope cues {cues} read as {level.suggested}",
            )
        ]  # fmt: skip
