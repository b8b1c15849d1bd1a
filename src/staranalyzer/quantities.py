"""Quantified evidence: percent, money, counts, multipliers, durations, ratings, ratios, changes.

Every quantity comes with exact character spans and a normalised value.

This is the quantity *engine*: the grammar of numbers and units is code, compiled once at import.
It runs on the answer's text (the same string the spaCy Doc holds), so offsets are exact.

Why hand-written: ``benchmarks/quantity_parsers.py`` runs quantulum3 0.10.0, price-parser 0.5.1 and
number-parser 0.3.2 over the table of cases in ``tests/test_quantities.py`` and the corpus's gold
metrics (2026-11-27). quantulum3 finds numbers (corpus recall 0.993) but not metrics: precision
0.772, 11 of 29 table rows exact (no before/after pairs, "4.5/5", "39 of the last 40",
"sub-100ms"), 1 of 10 non-metric sentences clean ("1:1s", "COVID-19", years), and about 40x
slower; this engine scores 1.000 / 0.998, 29/29 and 10/10. price-parser reads "$2.5M" as 2.5
(1 of 5 money values); number-parser gets 7 of 10 number words. None measurably beats this code,
so none is a dependency.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_UNITS_0_19 = [
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
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_VALUES: dict[str, float] = {w: float(i) for i, w in enumerate(_UNITS_0_19)}
WORD_VALUES.update({w: float(20 + 10 * i) for i, w in enumerate(_TENS)})
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
_TENS_ALT = "|".join(_TENS)
_SMALL_ALT = "|".join(sorted(_UNITS_0_19[1:10], key=len, reverse=True))
# "one" alone is nearly always a determiner or pronoun ("one day", "one of them"): not a metric.
_WORD_NUM = (
    rf"(?:(?:{_TENS_ALT})(?:-(?:{_SMALL_ALT}))?|"
    + "|".join(sorted((w for w in _UNITS_0_19 if w != "one"), key=len, reverse=True))
    + r"|a\s+hundred|a\s+thousand|a\s+dozen|hundred|thousand|dozen)(?![a-z])"
)
_B = r"(?<![\w.,/-])"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUM = rf"(?:{_DIGITS}|{_WORD_NUM})"
_SCALE = r"(?:\s?(?:[kK]|[mM]{1,2}|bn|[bB]|million|billion|thousand)(?![a-zA-Z]))"
_QUAL = (
    r"(?:(?:about|around|roughly|approximately|nearly|almost|over|under|below|above|"
    r"more\s+than|less\s+than|fewer\s+than|up\s+to|at\s+least|at\s+most|only|just)\s+)"
)
_CURRENCY = {"$": "USD", "£": "GBP", "€": "EUR"}
_CURRENCY_WORDS = {
    "dollars": "USD",
    "dollar": "USD",
    "usd": "USD",
    "pounds": "GBP",
    "gbp": "GBP",
    "euros": "EUR",
    "eur": "EUR",
}
_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_TIME_UNITS = {
    "ms": "millisecond",
    "millisecond": "millisecond",
    "milliseconds": "millisecond",
    "s": "second",
    "sec": "second",
    "secs": "second",
    "second": "second",
    "seconds": "second",
    "min": "minute",
    "mins": "minute",
    "minute": "minute",
    "minutes": "minute",
    "hour": "hour",
    "hours": "hour",
    "hr": "hour",
    "hrs": "hour",
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "quarter": "quarter",
    "quarters": "quarter",
    "year": "year",
    "years": "year",
    "sprint": "sprint",
    "sprints": "sprint",
    "semester": "semester",
    "term": "term",
    "shift": "shift",
    "shifts": "shift",
}
_SECONDS = {
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
_TIME_ALT = "|".join(sorted(_TIME_UNITS, key=len, reverse=True))
_DOWN = (
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
)
_UP = (
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
)
_STOP = {
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
}

_MODIFIERS = {
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
}
_PARTITIVE = {"my", "them", "their", "those", "these", "the", "our", "his", "her", "its", "us"}
_LONE_NUMBER_AFTER = {"of", "to", "with", "than", "at", "by", "all", "other", "only", "just"}

Kind = str  # percent, money, count, multiplier, duration, rating, ratio, change


@dataclass(frozen=True)
class Quantity:
    """A quantity found in text (offsets into that text)."""

    kind: Kind
    start: int
    end: int
    value: float | None
    unit: str | None = None
    high: float | None = None
    before: float | None = None
    after: float | None = None
    direction: str | None = None
    approximate: bool = False


def word_value(token: str) -> float | None:
    """Value of a number written in digits or words ("1,200", "2.5", "eighty-seven", "a dozen")."""
    t = " ".join(token.lower().split())
    t = t.rstrip("+")
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


def _scaled(num: str, scale: str | None) -> float | None:
    value = word_value(num)
    if value is None:
        return None
    if scale:
        value *= _SCALES.get(scale.strip().lower(), 1.0)
    return value


# -- patterns (priority order: earlier kinds win an overlap) -------------------------------------
_Q_PART = (
    rf"(?P<{{p}}q>{_QUAL})?(?P<{{p}}cur>[$£€])?(?P<{{p}}n>{_NUM}|one|half\s+an?)"
    rf"(?P<{{p}}sc>{_SCALE})?"
)
_UNIT_AFTER = (
    rf"(?:\s?(?P<{{p}}u>%|percent\b|per\s+cent\b|x\b|(?:{_TIME_ALT})\b)"
    rf"|\s?/\s?(?P<{{p}}den>5|10|100)\b|\s+out\s+of\s+(?P<{{p}}den2>{_DIGITS}|five|ten|a\s+hundred))?"
)


def _q(prefix: str) -> str:
    return (_Q_PART + _UNIT_AFTER).replace("{p}", prefix)


_EXCLUDE = re.compile(
    r"(?i)"
    r"\b[LE]\d{1,2}\b|\bQ[1-4]\b|\b1:1s?\b|\bCOVID-19\b|\bH[12]\b|\b[A-Z]{1,4}-\d+\b"
    r"|(?<![\d$£€.,])(?:19|20)\d\d(?:s)?(?![\d%,.]\d|\s?%|\s?(?:[kK]|[mM]|million|billion)\b)"
    r"|\bv?\d+\.\d+\.\d+\b|\b(?:version|v|python|java|ios|android|windows|http|ipv|gpt|web)"
    r"\s?\d+(?:\.\d+)?\b"
    r"|(?:^|(?<=\n))[ \t]*\d{1,2}[.)](?=\s)"
    r"|\b\d{1,2}(?::\d\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)|\b\d{1,2}:\d\d\b"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:in\s+the\s+morning"
    r"|o'clock|that\s+(?:evening|morning|night))"
    rf"|\b{_NUM}-year-old\b"
    r"|\b(?:year|grade|type|level|week|day|month|step|phase|wave|tier|section|room|page|chapter"
    r"|module|stage|round|number|no\.|line|floor|ward|bed|class|unit|team|version|between)"
    rf"\s+{_NUM}(?:\s+and\s+{_NUM})?\b(?!\s*(?:%|percent|x\b))"
    rf"|\b{_NUM}(?:\s+{_TIME_ALT})?\s+(?:years?|months?|weeks?|days?)\s+ago\b"
    r"|\b\d+(?:st|nd|rd|th)\b|\b(?:" + _TENS_ALT + r")(?:-\w+)?(?:ieth|th)\b",
)
_CHANGE = re.compile(
    rf"(?i)\bfrom\s+{_q('a')}(?P<mid>(?:\s+[a-z-]+){{0,3}}?)\s+(?:down\s+|up\s+)?to\s+{_q('b')}"
)
_RANGE_MONEY = re.compile(
    rf"(?i){_B}(?P<q>{_QUAL})?(?P<cur>[$£€])\s?(?P<n>{_DIGITS})(?P<sc>{_SCALE})?\s?(?:-|–|to)\s?"
    rf"(?:[$£€])?(?P<n2>{_DIGITS})(?P<sc2>{_SCALE})?"
)
_MONEY = re.compile(
    rf"(?i){_B}(?P<q>{_QUAL})?(?:(?P<cur>[$£€])\s?(?P<n>{_DIGITS})(?P<sc>{_SCALE})?\+?"
    rf"|(?P<n_w>{_DIGITS}|{_WORD_NUM})(?P<sc_w>{_SCALE})?\s+(?P<cw>dollars|dollar|usd|pounds|gbp"
    r"|euros|eur)\b)"
)
_RATING = re.compile(
    rf"(?i){_B}(?P<q>{_QUAL})?(?P<n>\d(?:\.\d+)?|{_WORD_NUM})(?:\s?/\s?(?P<den>5|10)\b"
    rf"|\s+out\s+of\s+(?P<den2>5|10|100|five|ten|a\s+hundred)\b|-star\b|\s+stars?\b)"
)
_PERCENT = re.compile(
    rf"(?i){_B}(?P<q>{_QUAL})?(?P<n>{_DIGITS}|{_WORD_NUM})\s?(?:%|percent\b|per\s+cent\b)"
    r"(?:\s+points?)?"
)
_MULTIPLIER = re.compile(
    rf"(?i){_B}(?P<q>{_QUAL})?(?:(?P<n>{_DIGITS})\s?x\b|(?P<nw>{_DIGITS}|{_WORD_NUM})\s+times\b"
    r"(?!\s+(?:a|an|per|each|every)\s)"
    r"|(?P<verb>(?:more\s+than\s+)?(?:doubled|tripled|quadrupled|halved)|by\s+half))"
)
_FREQUENCY = re.compile(
    rf"(?i){_B}(?P<q>{_QUAL})?(?P<n>once|twice|{_NUM}\s+times)\s+(?:a|an|per|each|every)\s+"
    r"(?P<u>day|week|month|year|quarter|shift|hour)\b"
)
_RATIO = re.compile(
    rf"(?i){_B}(?P<q>{_QUAL})?(?P<n>{_DIGITS}|{_WORD_NUM}|one)"
    r"(?:\s+(?:of|out\s+of|in)|\s+[a-z]+\s+out\s+of)\s+"
    r"(?:the\s+|my\s+|its\s+|our\s+|their\s+|his\s+|her\s+)?(?:last\s+|first\s+|next\s+)?"
    rf"(?P<d>{_DIGITS}|{_WORD_NUM})\b"
    r"|(?i:\b(?P<frac>a\s+third|a\s+quarter|half|two\s+thirds|three\s+quarters)\s+of\b)"
)
_DURATION = re.compile(
    rf"(?i){_B}(?P<sub>sub-)?(?P<q>{_QUAL})?(?P<n>{_DIGITS}|{_WORD_NUM}|half\s+an?|an?|one)"
    rf"(?:\s?-\s?|\s?)(?P<u>{_TIME_ALT})\b"
)
_COUNT = re.compile(
    rf"(?i){_B}(?P<q>{_QUAL})?(?P<n>{_DIGITS}|{_WORD_NUM})(?P<sc>{_SCALE})?(?P<plus>\+)?"
    rf"(?P<alt>\s+(?:or|to)\s+(?:{_DIGITS}|{_WORD_NUM}))?"
    r"(?:-(?P<hy>[a-z]+)|(?:\s+(?P<w>[a-z][a-z-]*))?(?:\s+(?P<w2>[a-z][a-z-]*))?)"
)


def _approx(m: re.Match[str], group: str = "q") -> bool:
    return bool(m.groupdict().get(group))


def _direction(text: str, start: int) -> str | None:
    """Direction from the verb just before a quantity: "reduced ... by 25%", "grew by 3x"."""
    window = text[max(0, start - 60) : start].lower()
    window = re.split(r"[.;!?\n]", window)[-1]
    words = re.findall(r"[a-z]+", window)[-6:]
    for w in reversed(words):
        if w.startswith(_DOWN):
            return "down"
        if w.startswith(_UP):
            return "up"
    return None


def _side(m: re.Match[str], p: str) -> tuple[float | None, str | None]:
    value = _scaled(m.group(p + "n"), m.group(p + "sc"))
    unit = None
    if m.group(p + "cur"):
        unit = _CURRENCY[m.group(p + "cur")]
    elif m.group(p + "u"):
        u = m.group(p + "u").lower()
        unit = "%" if u.startswith("per") or u == "%" else "x" if u == "x" else _TIME_UNITS[u]
    elif m.group(p + "den") or m.group(p + "den2"):
        unit = "/" + str(int(word_value(m.group(p + "den") or m.group(p + "den2")) or 0))
    return value, unit


_ANCHOR = re.compile(
    rf"(?i)(?<![\w.,])(?:[$£€]\s?\d|\d|(?:{_WORD_NUM}|one|half|once|twice|doubled|tripled"
    r"|quadrupled|halved|a\s+third|a\s+quarter)(?![a-z]))"
)
_PREFIX_WORDS = frozenset(
    [
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
        "more",
        "less",
        "fewer",
        "than",
        "up",
        "to",
        "at",
        "least",
        "most",
        "only",
        "just",
        "from",
        "by",
        "between",
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
        "sub-",
        "down",
    ]
)
_WORD_BEFORE = re.compile(r"(?:^|(?<=\s))\S+[ \t]+$")


def candidate_starts(text: str) -> list[int]:
    """Where a quantity (or a non-metric look-alike) may start.

    Every pattern here needs a number, so instead of searching the whole text with each pattern,
    patterns are tried only at each number and at the three words before it (qualifiers such as
    "more than", "from about", "by", "sub-"). This keeps the engine near 1 ms per answer.
    """
    starts: set[int] = set()
    for m in _ANCHOR.finditer(text):
        pos = m.start()
        starts.add(pos)
        if text[max(0, pos - 4) : pos].lower() == "sub-":
            starts.add(pos - 4)
        for _ in range(3):
            low = max(0, pos - 40)
            w = _WORD_BEFORE.search(text, low, pos)
            if w is None or "\n" in text[w.start() : pos]:
                break
            if w.group(0).strip().lower().strip("(\"“'") not in _PREFIX_WORDS:
                break  # only qualifiers and keywords can start a pattern before its number
            pos = w.start()
            starts.add(pos)
    return sorted(starts)


def find_quantities(text: str) -> list[Quantity]:
    """Find every quantified metric in ``text``, in order, without overlaps.

    Not metrics: levels (L6), quarters (Q3), 1:1s, COVID-19, calendar years, version numbers,
    list numbering, times of day, ordinals, ages, and identifiers such as "week two".
    """
    taken: list[tuple[int, int]] = []
    found: list[Quantity] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def claim(q: Quantity | None, start: int, end: int) -> None:
        if q is not None:
            found.append(q)
        taken.append((start, end))

    starts = candidate_starts(text)

    def matches(regex: re.Pattern[str]) -> Iterator[re.Match[str]]:
        for s in starts:
            m = regex.match(text, s)
            if m is not None and m.end() > m.start():
                yield m

    for m in matches(_EXCLUDE):
        if free(m.start(), m.end()):
            claim(None, m.start(), m.end())

    for m in matches(_CHANGE):
        if not free(m.start(), m.end()):
            continue
        before, unit_a = _side(m, "a")
        after, unit_b = _side(m, "b")
        if before is None or after is None:
            continue
        mid = (m.group("mid") or "").strip().lower().split()
        unit = unit_b or unit_a
        if unit is None and mid:
            if len(mid) >= 2 and mid[0] in ("a", "an", "per", "each") and mid[1] in _TIME_UNITS:
                unit = "per " + _TIME_UNITS[mid[1]]
            else:
                unit = next((w for w in mid if w not in _STOP), None)
        if unit_a in _SECONDS and unit_b in _SECONDS and unit_a != unit_b:
            before = before * _SECONDS[unit_a] / _SECONDS[unit_b]  # "from 3 weeks to 4 days"
        direction = "down" if after < before else "up" if after > before else None
        claim(
            Quantity(
                "change",
                m.start(),
                m.end(),
                after,
                unit,
                before=before,
                after=after,
                direction=direction,
                approximate=_approx(m, "aq") or _approx(m, "bq"),
            ),
            m.start(),
            m.end(),
        )

    def simple(regex: re.Pattern[str], build: Callable[[re.Match[str]], Quantity | None]) -> None:
        for m in matches(regex):
            q = build(m)
            if q is not None and free(q.start, q.end):
                claim(q, q.start, q.end)

    def money_range(m: re.Match[str]) -> Quantity | None:
        high = _scaled(m.group("n2"), m.group("sc2") or m.group("sc"))
        low = _scaled(m.group("n"), m.group("sc") or m.group("sc2"))
        return Quantity(
            "money",
            m.start(),
            m.end(),
            low,
            _CURRENCY[m.group("cur")],
            high=high,
            approximate=_approx(m),
        )

    def money(m: re.Match[str]) -> Quantity | None:
        if m.group("cur"):
            value, unit = _scaled(m.group("n"), m.group("sc")), _CURRENCY[m.group("cur")]
        else:
            value = _scaled(m.group("n_w"), m.group("sc_w"))
            unit = _CURRENCY_WORDS[m.group("cw").lower()]
        return Quantity(
            "money",
            m.start(),
            m.end(),
            value,
            unit,
            direction=_direction(text, m.start()),
            approximate=_approx(m),
        )

    def rating(m: re.Match[str]) -> Quantity | None:
        den = m.group("den") or m.group("den2")
        value = word_value(m.group("n"))
        if value is None:
            return None
        scale = word_value(den) if den else 5.0
        if scale is None or value > scale:
            return None
        return Quantity(
            "rating", m.start(), m.end(), value, f"/{int(scale)}", approximate=_approx(m)
        )

    def percent(m: re.Match[str]) -> Quantity | None:
        return Quantity(
            "percent",
            m.start(),
            m.end(),
            word_value(m.group("n")),
            "%",
            direction=_direction(text, m.start()),
            approximate=_approx(m),
        )

    def multiplier(m: re.Match[str]) -> Quantity | None:
        verb = (m.group("verb") or "").lower()
        if verb:
            value = {"doubled": 2.0, "tripled": 3.0, "quadrupled": 4.0, "halved": 0.5, "half": 0.5}[
                verb.split()[-1]
            ]
            direction = (
                _direction(text, m.start())
                if verb.startswith("by")
                else ("down" if value < 1 else "up")
            )
        else:
            value = word_value(m.group("n") or m.group("nw"))
            direction = _direction(text, m.start())
        return Quantity(
            "multiplier",
            m.start(),
            m.end(),
            value,
            "x",
            direction=direction,
            approximate=_approx(m) or "more than" in verb,
        )

    def frequency(m: re.Match[str]) -> Quantity | None:
        n = m.group("n").lower()
        value = 1.0 if n == "once" else 2.0 if n == "twice" else word_value(n.rsplit(None, 1)[0])
        return Quantity(
            "count",
            m.start(),
            m.end(),
            value,
            "per " + m.group("u").lower(),
            approximate=_approx(m),
        )

    def ratio(m: re.Match[str]) -> Quantity | None:
        if m.group("frac"):
            frac = " ".join(m.group("frac").lower().split())
            value = {
                "a third": 1 / 3,
                "a quarter": 0.25,
                "half": 0.5,
                "two thirds": 2 / 3,
                "three quarters": 0.75,
            }[frac]
            end = m.start("frac") + len(m.group("frac"))
            return Quantity("ratio", m.start("frac"), end, round(value, 4), "ratio")
        num = 1.0 if m.group("n").lower() == "one" else word_value(m.group("n"))
        den = word_value(m.group("d"))
        if num is None or not den or num > den:
            return None
        return Quantity(
            "ratio", m.start(), m.end(), round(num / den, 4), "ratio", approximate=_approx(m)
        )

    def duration(m: re.Match[str]) -> Quantity | None:
        n = " ".join(m.group("n").lower().split())
        if n in ("a", "an", "one"):
            return None  # "a week", "one day": not quantified evidence
        value = 0.5 if n.startswith("half") else word_value(n)
        unit = _TIME_UNITS[m.group("u").lower()]
        if value is None:
            return None
        return Quantity(
            "duration",
            m.start(),
            m.end(),
            value,
            unit,
            approximate=_approx(m) or bool(m.group("sub")),
        )

    def count(m: re.Match[str]) -> Quantity | None:
        n = m.group("n")
        value = _scaled(n, m.group("sc"))
        if value is None:
            return None
        end = m.end("n")
        if m.group("sc"):
            end = m.end("sc")
        if m.group("plus"):
            end = m.end("plus")
        high = None
        if m.group("alt"):  # "two or three nurses", "10 to 15 engineers"
            end = m.end("alt")
            high = word_value(m.group("alt").split()[-1])
        unit = None
        noun = m.group("hy") or m.group("w")
        w2 = m.group("w2")
        if noun and noun.lower() in _MODIFIERS and w2 and w2.lower() not in _STOP:
            # "two other teams", "six more engineers"
            return Quantity(
                "count",
                m.start(),
                m.end("w2"),
                value,
                w2.lower(),
                high=high,
                approximate=_approx(m),
            )
        if noun and noun.lower() == "of" and w2 and w2.lower() in _PARTITIVE:
            # "two of my engineers", "eight of them"
            return Quantity("count", m.start(), m.end("w2"), value, None, approximate=_approx(m))
        if noun and noun.lower() not in _STOP:
            unit = noun.lower()
            end = m.end("hy") if m.group("hy") else m.end("w")
            w2 = m.group("w2")
            if (
                w2
                and w2.lower() not in _STOP
                and not m.group("hy")
                and w2.lower().endswith("s")
                and not noun.lower().endswith("s")
            ):
                unit, end = w2.lower(), m.end("w2")  # "three critical issues"
        elif not n[0].isdigit():
            # A number word alone is evidence after "team of", "than", "to"...; not "we were three".
            before = re.findall(r"[a-z]+", text[max(0, m.start() - 20) : m.start()].lower())
            if not before or before[-1] not in _LONE_NUMBER_AFTER:
                return None
        return Quantity(
            "count",
            m.start(),
            end,
            value,
            unit,
            high=high,
            approximate=_approx(m) or bool(m.group("plus")),
            direction=_direction(text, m.start()),
        )

    simple(_RANGE_MONEY, money_range)
    simple(_MONEY, money)
    simple(_RATING, rating)
    simple(_PERCENT, percent)
    simple(_MULTIPLIER, multiplier)
    simple(_FREQUENCY, frequency)
    simple(_RATIO, ratio)
    simple(_DURATION, duration)
    simple(_COUNT, count)
    return sorted(found, key=lambda q: (q.start, q.end))
