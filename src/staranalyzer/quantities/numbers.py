"""Numbers in words and digits, scales, currencies, time units: the vocabulary of quantities.

Every word list that a quantity pattern uses is defined here once; the patterns and the words
that may open a pattern before its number (:data:`GATE_WORDS`) are both built from these lists.
"""

from __future__ import annotations

import re

UNITS_0_19 = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_VALUES: dict[str, float] = {w: float(i) for i, w in enumerate(UNITS_0_19)}
WORD_VALUES.update({w: float(20 + 10 * i) for i, w in enumerate(TENS)})
WORD_VALUES.update(
    {
        "hundred": 100.0,
        "thousand": 1000.0,
        "dozen": 12.0,
        "a dozen": 12.0,
        "a hundred": 100.0,
        "a thousand": 1000.0,
        "half": 0.5,
        "a third": 1 / 3,
        "a quarter": 0.25,
    }
)
FRACTIONS = {
    "a third": 1 / 3,
    "a quarter": 0.25,
    "half": 0.5,
    "two thirds": 2 / 3,
    "three quarters": 0.75,
}
QUALIFIER_PHRASES = [
    "about",
    "around",
    "roughly",
    "approximately",
    "nearly",
    "almost",
    "over",
    "under",
    "below",
    "above",
    "more than",
    "less than",
    "fewer than",
    "up to",
    "at least",
    "at most",
    "only",
    "just",
]
ORDINAL_NOUNS = [
    "year",
    "grade",
    "type",
    "level",
    "week",
    "day",
    "month",
    "step",
    "phase",
    "wave",
    "tier",
    "section",
    "room",
    "page",
    "chapter",
    "module",
    "stage",
    "round",
    "number",
    "no.",
    "line",
    "floor",
    "ward",
    "bed",
    "class",
    "unit",
    "team",
    "version",
    "between",
]
"""Nouns before a number that make it an identifier ("week two", "ward 7"), not a metric."""
VERSIONED = [
    "version",
    "v",
    "python",
    "java",
    "ios",
    "android",
    "windows",
    "http",
    "ipv",
    "gpt",
    "web",
]
CURRENCY = {"$": "USD", "£": "GBP", "€": "EUR"}
CURRENCY_WORDS = {
    "dollars": "USD",
    "dollar": "USD",
    "usd": "USD",
    "pounds": "GBP",
    "gbp": "GBP",
    "euros": "EUR",
    "eur": "EUR",
}
SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6}
SCALES.update({"b": 1e9, "bn": 1e9, "billion": 1e9})
TIME_UNITS = {
    **dict.fromkeys(["ms", "millisecond", "milliseconds"], "millisecond"),
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds"], "second"),
    **dict.fromkeys(["min", "mins", "minute", "minutes"], "minute"),
    **dict.fromkeys(["hour", "hours", "hr", "hrs"], "hour"),
    **dict.fromkeys(["day", "days"], "day"),
    **dict.fromkeys(["week", "weeks"], "week"),
    **dict.fromkeys(["month", "months"], "month"),
    **dict.fromkeys(["quarter", "quarters"], "quarter"),
    **dict.fromkeys(["year", "years"], "year"),
    **dict.fromkeys(["sprint", "sprints"], "sprint"),
    "semester": "semester",
    "term": "term",
    **dict.fromkeys(["shift", "shifts"], "shift"),
}
SECONDS = {
    "millisecond": 0.001,
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 604800,
    "month": 2629800,
    "quarter": 7889400,
    "year": 31557600,
}
DOWN_STEMS = tuple(
    [
        "reduc",
        "cut",
        "decreas",
        "drop",
        "fell",
        "fall",
        "lower",
        "shrank",
        "shrink",
        "down",
        "sav",
        "halv",
        "less",
        "fewer",
        "declin",
        "shorten",
        "slash",
    ]
)
UP_STEMS = tuple(
    [
        "increas",
        "rais",
        "rose",
        "rise",
        "grew",
        "grow",
        "improv",
        "boost",
        "lift",
        "up",
        "doubl",
        "tripl",
        "gain",
        "expand",
        "higher",
        "more",
        "climb",
        "jump",
    ]
)
STOP = frozenset(
    [
        "of",
        "the",
        "a",
        "an",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "that",
        "this",
        "it",
        "we",
        "i",
        "they",
        "he",
        "she",
        "was",
        "were",
        "is",
        "are",
        "had",
        "has",
        "have",
        "be",
        "been",
        "per",
        "than",
        "but",
        "so",
        "when",
        "which",
        "who",
        "more",
        "less",
        "times",
        "time",
        "out",
        "into",
        "over",
        "under",
        "about",
        "before",
        "after",
        "later",
        "ago",
        "away",
        "earlier",
        "each",
        "every",
        "our",
        "my",
        "their",
        "his",
        "her",
        "its",
        "me",
        "us",
        "them",
        "you",
        "not",
        "no",
        "if",
        "then",
        "there",
        "here",
        "all",
        "both",
        "other",
        "others",
    ]
)
MODIFIERS = frozenset(
    [
        "other",
        "more",
        "additional",
        "extra",
        "further",
        "new",
        "different",
        "separate",
        "key",
        "main",
        "major",
        "later",
    ]
)
PARTITIVE = frozenset(
    ["my", "them", "their", "those", "these", "the", "our", "his", "her", "its", "us"]
)
LONE_NUMBER_AFTER = frozenset(
    ["of", "to", "with", "than", "at", "by", "all", "other", "only", "just"]
)


def alternation(words: list[str] | tuple[str, ...]) -> str:
    """A regex alternation of words (longest first), spaces matching any white space."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in ordered)


TENS_ALT = "|".join(TENS)
_SMALL_ALT = "|".join(sorted(UNITS_0_19[1:10], key=len, reverse=True))
# "one" alone is nearly always a determiner or pronoun ("one day", "one of them"): not a metric.
WORD_NUM = (
    rf"(?:(?:{TENS_ALT})(?:-(?:{_SMALL_ALT}))?|"
    + "|".join(sorted((w for w in UNITS_0_19 if w != "one"), key=len, reverse=True))
    + r"|a\s+hundred|a\s+thousand|a\s+dozen|hundred|thousand|dozen)(?![a-z])"
)
BOUNDARY = r"(?<![\w.,/-])"
DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUM = rf"(?:{DIGITS}|{WORD_NUM})"
SCALE = r"(?:\s?(?:[kK]|[mM]{1,2}|bn|[bB]|million|billion|thousand)(?![a-zA-Z]))"
QUAL = rf"(?:(?:{alternation(QUALIFIER_PHRASES)})\s+)"
TIME_ALT = alternation(list(TIME_UNITS))


def word_value(token: str) -> float | None:
    """Value of a number written in digits or words ("1,200", "2.5", "eighty-seven", "a dozen")."""
    t = " ".join(token.lower().split()).rstrip("+")
    if not t:
        return None
    if t in ("half a", "half an"):
        return 0.5
    if t[0].isdigit():
        try:
            return float(t.replace(",", ""))
        except ValueError:
            return None
    if "-" in t:
        tens, _, unit = t.partition("-")
        if tens in WORD_VALUES and unit in WORD_VALUES:
            return WORD_VALUES[tens] + WORD_VALUES[unit]
    return WORD_VALUES.get(t)


def scaled(num: str, scale: str | None) -> float | None:
    """Value of a number with an optional scale word ("2.5", "M") -> 2,500,000."""
    value = word_value(num)
    if value is None:
        return None
    if scale:
        value *= SCALES.get(scale.strip().lower(), 1.0)
    return value


_CLAUSE_END = re.compile(r"[.;!?\n]")
_LOWER_WORD = re.compile(r"[a-z]+")


def direction(text: str, start: int) -> str | None:
    """Direction from the verb just before a quantity: "reduced ... by 25%", "grew by 3x"."""
    window = text[max(0, start - 60) : start].lower()
    window = _CLAUSE_END.split(window)[-1]
    for w in reversed(_LOWER_WORD.findall(window)[-6:]):
        if w.startswith(DOWN_STEMS):
            return "down"
        if w.startswith(UP_STEMS):
            return "up"
    return None


GATE_WORDS = frozenset(
    [w for p in QUALIFIER_PHRASES for w in p.split()]
    + ORDINAL_NOUNS
    + VERSIONED
    + ["from", "by", "down", "sub-"]
)
"""Words that may open a pattern before its number: every qualifier word, the identifier nouns
and version words of the exclusions, "from" (a change), "by" (by half), "down" ("down to"), and
"sub-". Built from the lists above, so a new qualifier can never be forgotten here."""
