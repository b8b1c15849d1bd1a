"""Quantified evidence: percent, money, counts, multipliers, durations, ratings, ratios, changes.

The engine is a table (:data:`ROWS`) of (name, pattern, builder) rows tried in priority order:
an earlier row wins an overlap. Exclusion rows (years, levels, versions, times of day, list
numbers, identifiers such as "week two") only claim their text so that no later row reads it as
a metric. Patterns are tried only at number anchors and the qualifier words before them
(:func:`candidate_starts`), and claimed characters are kept in a bytearray, so the engine is
linear in the text.

Why hand-written: ``benchmarks/quantity_parsers.py`` compares quantulum3, price-parser and
number-parser on the case table of ``tests/test_quantities.py`` and the corpus's gold metrics;
none measurably beats this engine (quantulum3 finds numbers, not metrics: years, "1:1s",
"COVID-19" and list numbers come back as quantities; no before/after pairs or ratings).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .numbers import (
    BOUNDARY,
    CURRENCY,
    CURRENCY_WORDS,
    DIGITS,
    FRACTIONS,
    GATE_WORDS,
    LONE_NUMBER_AFTER,
    MODIFIERS,
    NUM,
    ORDINAL_NOUNS,
    PARTITIVE,
    QUAL,
    SCALE,
    SECONDS,
    STOP,
    TENS_ALT,
    TIME_ALT,
    TIME_UNITS,
    VERSIONED,
    WORD_NUM,
    alternation,
    direction,
    scaled,
    word_value,
)

__all__ = ["ROWS", "Quantity", "Row", "candidate_starts", "find_quantities", "word_value"]


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity found in text (offsets into that text)."""

    kind: str
    start: int
    end: int
    value: float | None
    unit: str | None = None
    high: float | None = None
    before: float | None = None
    after: float | None = None
    direction: str | None = None
    approximate: bool = False


# -- patterns ------------------------------------------------------------------------------------
_Q_PART = (
    rf"(?P<{{p}}q>{QUAL})?(?P<{{p}}cur>[$£€])?(?P<{{p}}n>{NUM}|one|half\s+an?)"
    rf"(?P<{{p}}sc>{SCALE})?"
)
_UNIT_AFTER = (
    rf"(?:\s?(?P<{{p}}u>%|percent\b|per\s+cent\b|x\b|(?:{TIME_ALT})\b)"
    rf"|\s?/\s?(?P<{{p}}den>5|10|100)\b|\s+out\s+of\s+(?P<{{p}}den2>{DIGITS}|five|ten|a\s+hundred))?"
)


def _side_pattern(prefix: str) -> str:
    return (_Q_PART + _UNIT_AFTER).replace("{p}", prefix)


EXCLUDE = re.compile(
    r"(?i)"
    r"\b[LE]\d{1,2}\b|\bQ[1-4]\b|\b1:1s?\b|\bCOVID-19\b|\bH[12]\b|\b[A-Z]{1,4}-\d+\b"
    r"|(?<![\d$£€.,])(?:19|20)\d\d(?:s)?(?![\d%,.]\d|\s?%|\s?(?:[kK]|[mM]|million|billion)\b)"
    rf"|\bv?\d+\.\d+\.\d+\b|\b(?:{alternation(VERSIONED)})\s?\d+(?:\.\d+)?\b"
    r"|(?:^|(?<=\n))[ \t]*\d{1,2}[.)](?=\s)"
    r"|\b\d{1,2}(?::\d\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)|\b\d{1,2}:\d\d\b"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:in\s+the\s+morning"
    r"|o'clock|that\s+(?:evening|morning|night))"
    rf"|\b{NUM}-year-old\b"
    rf"|\b(?:{alternation(ORDINAL_NOUNS)})\s+{NUM}(?:\s+and\s+{NUM})?\b(?!\s*(?:%|percent|x\b))"
    rf"|\b{NUM}(?:\s+{TIME_ALT})?\s+(?:years?|months?|weeks?|days?)\s+ago\b"
    rf"|\b\d+(?:st|nd|rd|th)\b|\b(?:{TENS_ALT})(?:-\w+)?(?:ieth|th)\b",
)
CHANGE = re.compile(
    rf"(?i)\bfrom\s+{_side_pattern('a')}(?P<mid>(?:\s+[a-z-]+){{0,3}}?)\s+(?:down\s+|up\s+)?to\s+"
    + _side_pattern("b")
)
RANGE_MONEY = re.compile(
    rf"(?i){BOUNDARY}(?P<q>{QUAL})?(?P<cur>[$£€])\s?(?P<n>{DIGITS})(?P<sc>{SCALE})?\s?(?:-|–|to)\s?"
    rf"(?:[$£€])?(?P<n2>{DIGITS})(?P<sc2>{SCALE})?"
)
MONEY = re.compile(
    rf"(?i){BOUNDARY}(?P<q>{QUAL})?(?:(?P<cur>[$£€])\s?(?P<n>{DIGITS})(?P<sc>{SCALE})?\+?"
    rf"|(?P<n_w>{DIGITS}|{WORD_NUM})(?P<sc_w>{SCALE})?\s+(?P<cw>{'|'.join(CURRENCY_WORDS)})\b)"
)
RATING = re.compile(
    rf"(?i){BOUNDARY}(?P<q>{QUAL})?(?P<n>\d(?:\.\d+)?|{WORD_NUM})(?:\s?/\s?(?P<den>5|10)\b"
    rf"|\s+out\s+of\s+(?P<den2>5|10|100|five|ten|a\s+hundred)\b|-star\b|\s+stars?\b)"
)
PERCENT = re.compile(
    rf"(?i){BOUNDARY}(?P<q>{QUAL})?(?P<n>{DIGITS}|{WORD_NUM})\s?(?:%|percent\b|per\s+cent\b)"
    r"(?:\s+points?)?"
)
MULTIPLIER = re.compile(
    rf"(?i){BOUNDARY}(?P<q>{QUAL})?(?:(?P<n>{DIGITS})\s?x\b|(?P<nw>{DIGITS}|{WORD_NUM})\s+times\b"
    r"(?!\s+(?:a|an|per|each|every)\s)"
    r"|(?P<verb>(?:more\s+than\s+)?(?:doubled|tripled|quadrupled|halved)|by\s+half))"
)
FREQUENCY = re.compile(
    rf"(?i){BOUNDARY}(?P<q>{QUAL})?(?P<n>once|twice|{NUM}\s+times)\s+(?:a|an|per|each|every)\s+"
    r"(?P<u>day|week|month|year|quarter|shift|hour)\b"
)
RATIO = re.compile(
    rf"(?i){BOUNDARY}(?P<q>{QUAL})?(?P<n>{DIGITS}|{WORD_NUM}|one)"
    r"(?:\s+(?:of|out\s+of|in)|\s+[a-z]+\s+out\s+of)\s+"
    r"(?:the\s+|my\s+|its\s+|our\s+|their\s+|his\s+|her\s+)?(?:last\s+|first\s+|next\s+)?"
    rf"(?P<d>{DIGITS}|{WORD_NUM})\b"
    rf"|(?i:\b(?P<frac>{alternation(list(FRACTIONS))})\s+of\b)"
    rf"|(?i:\bby\s+{QUAL}?(?P<byfrac>{alternation(list(FRACTIONS))})"
    r"(?=\s*(?:[.,;:!?)]|$)|\s+(?:in|over|within|and|from|to|after|since|compared|year|on|this"
    r"|that|last|across|between|while|but|as|when|against|overall)\b))"
)
DURATION = re.compile(
    rf"(?i){BOUNDARY}(?P<sub>sub-)?(?P<q>{QUAL})?(?P<n>{DIGITS}|{WORD_NUM}|half\s+an?|an?|one)"
    rf"(?:\s?-\s?|\s?)(?P<u>{TIME_ALT})\b"
)
COUNT = re.compile(
    rf"(?i){BOUNDARY}(?P<q>{QUAL})?(?P<n>{DIGITS}|{WORD_NUM})(?P<sc>{SCALE})?(?P<plus>\+)?"
    rf"(?P<alt>\s+(?:or|to)\s+(?:{DIGITS}|{WORD_NUM}))?"
    r"(?:-(?P<hy>[a-z]+)|(?:\s+(?P<w>[a-z][a-z-]*))?(?:\s+(?P<w2>[a-z][a-z-]*))?)"
)


# -- builders: match -> Quantity (None: no metric here after all) -------------------------------
def _approx(m: re.Match[str], group: str = "q") -> bool:
    return bool(m.groupdict().get(group))


def _side(m: re.Match[str], p: str) -> tuple[float | None, str | None]:
    value = scaled(m.group(p + "n"), m.group(p + "sc"))
    unit = None
    if m.group(p + "cur"):
        unit = CURRENCY[m.group(p + "cur")]
    elif m.group(p + "u"):
        u = m.group(p + "u").lower()
        unit = "%" if u.startswith("per") or u == "%" else "x" if u == "x" else TIME_UNITS[u]
    elif m.group(p + "den") or m.group(p + "den2"):
        unit = "/" + str(int(word_value(m.group(p + "den") or m.group(p + "den2")) or 0))
    return value, unit


def build_change(m: re.Match[str], text: str) -> Quantity | None:
    """A change: "from 3 weeks to 4 days": one metric with before, after and direction."""
    before, unit_a = _side(m, "a")
    after, unit_b = _side(m, "b")
    if before is None or after is None:
        return None
    mid = (m.group("mid") or "").strip().lower().split()
    unit = unit_b or unit_a
    if unit is None and mid:
        if len(mid) >= 2 and mid[0] in ("a", "an", "per", "each") and mid[1] in TIME_UNITS:
            unit = "per " + TIME_UNITS[mid[1]]
        else:
            unit = next((w for w in mid if w not in STOP), None)
    if unit_a in SECONDS and unit_b in SECONDS and unit_a != unit_b:
        before = before * SECONDS[unit_a] / SECONDS[unit_b]
    trend = "down" if after < before else "up" if after > before else None
    approximate = _approx(m, "aq") or _approx(m, "bq")
    return Quantity(
        "change", m.start(), m.end(), after, unit, None, before, after, trend, approximate
    )


def build_money_range(m: re.Match[str], text: str) -> Quantity | None:
    """Money with a high end: "$10-50M"."""
    high = scaled(m.group("n2"), m.group("sc2") or m.group("sc"))
    low = scaled(m.group("n"), m.group("sc") or m.group("sc2"))
    cur = CURRENCY[m.group("cur")]
    return Quantity("money", m.start(), m.end(), low, cur, high=high, approximate=_approx(m))


def build_money(m: re.Match[str], text: str) -> Quantity | None:
    """Money: "$2.5M", "2.5 million dollars"."""
    if m.group("cur"):
        value, unit = scaled(m.group("n"), m.group("sc")), CURRENCY[m.group("cur")]
    else:
        value = scaled(m.group("n_w"), m.group("sc_w"))
        unit = CURRENCY_WORDS[m.group("cw").lower()]
    trend = direction(text, m.start())
    return Quantity(
        "money", m.start(), m.end(), value, unit, direction=trend, approximate=_approx(m)
    )


def build_rating(m: re.Match[str], text: str) -> Quantity | None:
    """A rating: "4.5/5", "4.7 out of 5", "five-star"."""
    den = m.group("den") or m.group("den2")
    value = word_value(m.group("n"))
    scale = word_value(den) if den else 5.0
    if value is None or scale is None or value > scale:
        return None
    return Quantity("rating", m.start(), m.end(), value, f"/{int(scale)}", approximate=_approx(m))


def build_percent(m: re.Match[str], text: str) -> Quantity | None:
    """A percentage: "40%", "twelve percent"."""
    trend = direction(text, m.start())
    value = word_value(m.group("n"))
    return Quantity(
        "percent", m.start(), m.end(), value, "%", direction=trend, approximate=_approx(m)
    )


_VERB_FACTOR = {"doubled": 2.0, "tripled": 3.0, "quadrupled": 4.0, "halved": 0.5, "half": 0.5}


def build_multiplier(m: re.Match[str], text: str) -> Quantity | None:
    """A multiplier: "3x", "ten times", "doubled", "by half"."""
    verb = (m.group("verb") or "").lower()
    if verb:
        value: float | None = _VERB_FACTOR[verb.split()[-1]]
        by_half = verb.startswith("by")
        trend = direction(text, m.start()) if by_half else ("down" if value < 1 else "up")
    else:
        value = word_value(m.group("n") or m.group("nw"))
        trend = direction(text, m.start())
    approximate = _approx(m) or "more than" in verb
    return Quantity("multiplier", m.start(), m.end(), value, "x", direction=trend,
                    approximate=approximate)  # fmt: skip


def build_frequency(m: re.Match[str], text: str) -> Quantity | None:
    """A frequency: "twice a week", "three times a month"."""
    n = m.group("n").lower()
    value = 1.0 if n == "once" else 2.0 if n == "twice" else word_value(n.rsplit(None, 1)[0])
    unit = "per " + m.group("u").lower()
    return Quantity("count", m.start(), m.end(), value, unit, approximate=_approx(m))


def build_ratio(m: re.Match[str], text: str) -> Quantity | None:
    """A ratio: "39 of the last 40", "a third of"."""
    if m.group("frac"):
        value = FRACTIONS[" ".join(m.group("frac").lower().split())]
        end = m.start("frac") + len(m.group("frac"))
        return Quantity("ratio", m.start("frac"), end, round(value, 4), "ratio")
    if m.group("byfrac"):  # a change by a fraction: "fell by about a third"
        value = FRACTIONS[" ".join(m.group("byfrac").lower().split())]
        value = round(value, 4)
        return Quantity("ratio", m.start(), m.end(), value, "ratio", approximate=_approx(m))
    num = 1.0 if m.group("n").lower() == "one" else word_value(m.group("n"))
    den = word_value(m.group("d"))
    if num is None or not den or num > den:
        return None
    return Quantity(
        "ratio", m.start(), m.end(), round(num / den, 4), "ratio", approximate=_approx(m)
    )


def build_duration(m: re.Match[str], text: str) -> Quantity | None:
    """A duration: "three weeks", "half a day", "sub-100ms" (not "a week" or "one day")."""
    n = " ".join(m.group("n").lower().split())
    if n in ("a", "an", "one"):
        return None
    value = 0.5 if n.startswith("half") else word_value(n)
    if value is None:
        return None
    unit = TIME_UNITS[m.group("u").lower()]
    approximate = _approx(m) or bool(m.group("sub"))
    return Quantity("duration", m.start(), m.end(), value, unit, approximate=approximate)


def build_count(m: re.Match[str], text: str) -> Quantity | None:
    """A count: "18 engineers", "two or three fewer nurses", "10,000+ tickets"."""
    n = m.group("n")
    value = scaled(n, m.group("sc"))
    if value is None:
        return None
    end = m.end("plus") if m.group("plus") else m.end("sc") if m.group("sc") else m.end("n")
    high = None
    if m.group("alt"):
        end = m.end("alt")
        high = word_value(m.group("alt").split()[-1])
    approximate = _approx(m)
    noun, w2 = m.group("hy") or m.group("w"), m.group("w2")
    if noun and noun.lower() in MODIFIERS and w2 and w2.lower() not in STOP:
        # "two other teams", "six more engineers"
        return Quantity("count", m.start(), m.end("w2"), value, w2.lower(), high=high,
                        approximate=approximate)  # fmt: skip
    if noun and noun.lower() == "of" and w2 and w2.lower() in PARTITIVE:
        return Quantity("count", m.start(), m.end("w2"), value, None, approximate=approximate)
    unit = None
    if noun and noun.lower() not in STOP:
        unit = noun.lower()
        end = m.end("hy") if m.group("hy") else m.end("w")
        plural_next = w2 and w2.lower() not in STOP and w2.lower().endswith("s")
        if plural_next and not m.group("hy") and not noun.lower().endswith("s"):
            unit, end = w2.lower(), m.end("w2")  # "three critical issues"
    elif not n[0].isdigit():
        # A number word alone is evidence after "team of", "than", "to"...; not "we were three".
        before = re.findall(r"[a-z]+", text[max(0, m.start() - 20) : m.start()].lower())
        if not before or before[-1] not in LONE_NUMBER_AFTER:
            return None
    approximate = approximate or bool(m.group("plus"))
    trend = direction(text, m.start())
    return Quantity("count", m.start(), end, value, unit, high=high, direction=trend,
                    approximate=approximate)  # fmt: skip


@dataclass(frozen=True)
class Row:
    """One row of the table: a pattern and what to build from its match (None: exclusion)."""

    name: str
    pattern: re.Pattern[str]
    build: Callable[[re.Match[str], str], Quantity | None] | None


ROWS: tuple[Row, ...] = (
    Row("not_a_metric", EXCLUDE, None),
    Row("change", CHANGE, build_change),
    Row("money_range", RANGE_MONEY, build_money_range),
    Row("money", MONEY, build_money),
    Row("rating", RATING, build_rating),
    Row("percent", PERCENT, build_percent),
    Row("multiplier", MULTIPLIER, build_multiplier),
    Row("frequency", FREQUENCY, build_frequency),
    Row("ratio", RATIO, build_ratio),
    Row("duration", DURATION, build_duration),
    Row("count", COUNT, build_count),
)
"""The quantity table, in priority order: an earlier row wins an overlap."""

_ANCHOR = re.compile(
    rf"(?i)(?<![\w.,])(?:[$£€]\s?\d|\d|(?:{WORD_NUM}|one|half|once|twice|doubled|tripled"
    r"|quadrupled|halved|a\s+third|a\s+quarter)(?![a-z]))"
)
_WORD_BEFORE = re.compile(r"(?:^|(?<=\s))\S+[ \t]+$")


_LETTER = re.compile(r"[^\W\d_]")
RUN_LIMIT = 8
"""Eight or more numbers in a row with no word between them ("1 2 3 4 ...", "$1$1$1...") are a
table, a list of figures or a paste, not metrics: none of them is reported."""
_RUN_GAP = 12  # at most this many characters from one number of a run to the next


def _outside_number_runs(text: str, anchors: list[int]) -> list[int]:
    """The anchors that are not part of a run of :data:`RUN_LIMIT` or more bare numbers."""
    keep: list[int] = []
    run: list[int] = []
    for pos in anchors:
        if run and not (pos - run[-1] <= _RUN_GAP and _LETTER.search(text, run[-1], pos) is None):
            if len(run) < RUN_LIMIT:
                keep.extend(run)
            run = []
        run.append(pos)
    if len(run) < RUN_LIMIT:
        keep.extend(run)
    return keep


def candidate_starts(text: str) -> list[int]:
    """Where a quantity (or a non-metric look-alike) may start.

    Every pattern needs a number, so patterns are tried only at each number and at up to three
    words before it when those words can open a pattern (:data:`GATE_WORDS`: "more than",
    "from about", "by", "week", "sub-").
    """
    starts: set[int] = set()
    for pos in _outside_number_runs(text, [m.start() for m in _ANCHOR.finditer(text)]):
        starts.add(pos)
        if text[max(0, pos - 4) : pos].lower() == "sub-":
            starts.add(pos - 4)
        for _ in range(3):
            w = _WORD_BEFORE.search(text, max(0, pos - 40), pos)
            if w is None or "\n" in text[w.start() : pos]:
                break
            if w.group(0).strip().lower().strip("(\"“'") not in GATE_WORDS:
                break
            pos = w.start()
            starts.add(pos)
    return sorted(starts)


def find_quantities(text: str) -> list[Quantity]:
    """Find every quantified metric in ``text``, in order, without overlaps (linear time).

    Not metrics: levels (L6), quarters (Q3), 1:1s, COVID-19, calendar years, version numbers,
    list numbering, times of day, ordinals, ages, identifiers such as "week two", and runs of
    eight or more bare numbers (a table or a paste: :data:`RUN_LIMIT`).
    """
    starts = candidate_starts(text)
    if not starts:
        return []
    claimed = bytearray(len(text) + 1)
    found: list[Quantity] = []
    for row in ROWS:
        for s in starts:
            if claimed[s]:
                continue
            m = row.pattern.match(text, s)
            if m is None or m.end() == m.start():
                continue
            q = row.build(m, text) if row.build is not None else None
            lo, hi = (m.start(), m.end()) if q is None else (q.start, q.end)
            if row.build is not None and q is None:
                continue
            if claimed.find(1, lo, hi) != -1:
                continue
            claimed[lo:hi] = b"\x01" * (hi - lo)
            if q is not None:
                found.append(q)
    found.sort(key=lambda q: (q.start, q.end))
    return found
