"""Section headers in labelled answers: ``Situation:``, ``**Task:**``, ``## Action``, ``S -``, ...

Header words come from the rubric (``sectioning.headers``); this module only knows the shapes a
header takes: on its own line or inline after a sentence; with markdown emphasis, heading
marks, list markers, numbering, a pictograph or any combination of them (``###### -
**Situation**:``, ``### ✅ **Situation:**``); square brackets (``[Situation]``); a single capital
letter (``S:``, ``S-``, ``S -``, ``S)``, ``(S)``, ``***S***:``), alone or with its word
(``**S – Situation**``, ``**T (Task)**``); two labels at once (``Situation/Task:``); a trailing
note such as ``(30 seconds)`` or ``(~20s)``, which is part of the header and never a metric; and
a colon, dash, arrow (``S ->``), closing bracket or quoted body. Headline
headers (``TL;DR``, ``Summary:``) open a one-line summary that belongs to no section. Words in
ordinary prose ("the result was", "my task force", "Action items:") are not headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from heapq import merge

from ..rubric import Sectioning
from ..vocabulary import Label

_PICTOGRAPH = r"[\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff]\ufe0f?[ \t]*"
"""A pictograph before or inside a label ("### ✅ **S - Situation**", "**📋 S**:")."""
_PREFIX = (
    r"(?P<prefix>(?:\#{1,6}[ \t]*|[-*•>+][ \t]+|\(?\d{1,2}[.)][ \t]*|>[ \t]*|"
    + _PICTOGRAPH
    + r"){0,6}+)"
)
_EMPH = r"(?:\*\*\*|___|\*\*|__|\*|_)"
_NOTE = r"(?P<note>[ \t]*[(\[][^)\]\n]{0,40}[)\]])?"
_DELIM = r"(?P<delim>::?|->|=>|→|—|–|-{1,2}(?=[ \t\r\n]|$)|\.(?=[ \t]*(?:\n|$))|>(?=[ \t]))"
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_CANDIDATE = re.compile(r"\n[ \t]*|[.!?…][\"”’')\]]*[ \t]+")
_QUOTE_OPEN = '"“'
_QUOTE_CLOSE = '"”'
_JOIN = r"[ \t]*(?:/|&|\+|\band\b|,)[ \t]*"

_REST_OF_LINE = re.compile(r"[^\S\n]*(?:(\S)|\n|$)")
_PREVIOUS_WORD = re.compile(r"([\w'’]+)[ \t]*$")
_DETERMINERS = frozenset({
    "a", "an", "the", "my", "our", "your", "his", "her", "their", "its", "this", "that", "these",
    "those", "first", "second", "final", "end", "main", "key", "overall", "real", "same",
    "whole", "big",
})  # fmt: skip

HEADLINE = "headline"
IGNORED = "ignored"


@dataclass(frozen=True)
class Header:
    """A header found in the text.

    Attributes:
        start: offset of the header's first character (its markdown marks included).
        end: offset just after the header, its note and its delimiter.
        labels: the section labels it opens: one, or several for ``Situation/Task:`` and for
            words a rubric lists under two labels ("Challenge:"); empty for a headline or an
            ignored header.
        kind: ``section``, ``headline`` (``TL;DR``) or ``ignored`` (``Question:``).
        text: the header as written.
        letter: True for single-letter headers (``S:``).

    """

    start: int
    end: int
    labels: tuple[Label, ...]
    kind: str
    text: str
    letter: bool

    @property
    def label(self) -> Label | None:
        """The first label it opens, or None."""
        return self.labels[0] if self.labels else None


def _norm(word: str) -> str:
    return " ".join(word.lower().split())


class HeaderFinder:
    """Finds headers with one compiled regular expression built from a rubric's header words."""

    def __init__(self, sectioning: Sectioning) -> None:
        # A word listed under two labels ("challenge": situation and task) opens either; the
        # section model decides between them.
        self._words: dict[str, tuple[str, tuple[Label, ...]]] = {}
        for label, words in sectioning.headers.items():
            for word in words:
                _, old = self._words.get(_norm(word), ("section", ()))
                self._words[_norm(word)] = ("section", (*old, label))
        for word in sectioning.headline_headers:
            self._words[_norm(word)] = (HEADLINE, ())
        for word in sectioning.ignore_headers:
            self._words[_norm(word)] = (IGNORED, ())
        self._letters = {k.upper(): v for k, v in sectioning.letters.items()}
        words = sorted(self._words, key=len, reverse=True)
        word_alt = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in words)
        word_alt = word_alt or "(?!)"
        letter_alt = "".join(re.escape(k) for k in sorted(self._letters)) or "(?!)"
        self._regex = re.compile(
            _PREFIX
            + rf"(?P<open>{_EMPH})?(?:{_PICTOGRAPH})?(?P<paren>[(\[])?"
            + rf"(?:(?P<word>{word_alt})(?:{_JOIN}(?P<word2>{word_alt}))?(?![\w'’])"
            + rf"|(?-i:(?P<letter>[{letter_alt}]))(?:/(?-i:(?P<letter2>[{letter_alt}])))?"
            + r"(?![\w'’])"
            # "S – Situation": the letter and its word, one header.
            + rf"(?:[ \t]*[-–—][ \t]*(?P<lword>{word_alt})(?![\w'’]))?)"
            + r"(?P<cparen>[)\]])?"
            + _NOTE
            + rf"(?P<close1>{_EMPH})?[ \t]*"
            + _DELIM
            + "?"
            + rf"(?P<close2>[ \t]*{_EMPH})?",
            re.IGNORECASE,
        )
        # Notes written without full stops put a header mid-line ("... to hit the rate Task: my
        # goal ..."): a section word written with a capital and followed by a colon is a header
        # there too, unless a determiner makes it prose ("the Result: ...").
        section_words = sorted(
            (w for w, (kind, _) in self._words.items() if kind == "section"), key=len, reverse=True
        )
        capitalised = "|".join(
            re.escape(w[0].upper())
            + "(?i:"
            + r"\s+".join(re.escape(p) for p in w.split())[len(re.escape(w[0])) :]
            + ")"
            for w in section_words
            if w[:1].isalpha()
        )
        self._midline = re.compile(
            rf"(?<=[ \t])(?:{capitalised or '(?!)'})(?![\w'’])"
            r"(?=(?:[ \t]*[(\[][^)\]\n]{0,40}[)\]])?[ \t]*:(?!:))"
        )

    def find(self, text: str) -> list[Header]:
        """Return the headers of ``text`` in order, without overlaps (linear in the text)."""
        found: list[Header] = []
        end = 0
        # A header starts a line or follows a sentence: try the pattern only there.
        first = len(text) - len(text.lstrip(" \t"))
        sentence_starts = (m.end() for m in _CANDIDATE.finditer(text))
        midline = (m.start() for m in self._midline.finditer(text))
        for start in merge([first], sentence_starts, midline):
            if start < end:
                continue
            m = self._regex.match(text, start)
            if m is None or m.end() == m.start():
                continue
            header = self._accept(text, m)
            if header is not None:
                found.append(header)
                end = header.end
        return found

    def _is_midline(self, text: str, i: int, m: re.Match[str]) -> bool:
        """A capitalised section word and a colon inside a line, not after a determiner."""
        word = m.group("word")
        if not word or not word[0].isupper() or m.group("delim") != ":" or m.group("open"):
            return False
        if self._words.get(_norm(word), ("", ()))[0] != "section":
            return False
        before = _PREVIOUS_WORD.search(text, max(0, i - 40), i)
        return before is None or before.group(1).lower() not in _DETERMINERS

    def _names_letter(self, note: str | None, labels: tuple[Label, ...]) -> bool:
        """Whether a letter's note is its own section word: the "(Task)" of "T (Task)"."""
        if not note:
            return False
        kind, named = self._words.get(_norm(note.strip().strip("()[]")), ("", ()))
        return kind == "section" and bool(set(named) & set(labels))

    def _labels(self, m: re.Match[str]) -> tuple[str, tuple[Label, ...]] | None:
        if m.group("letter"):
            letters = [m.group("letter"), m.group("letter2")]
            labels = tuple(self._letters[x.upper()] for x in letters if x)
            return "section", labels
        kind, labels = self._words[_norm(m.group("word"))]
        if m.group("word2"):
            kind2, labels2 = self._words[_norm(m.group("word2"))]
            if kind != "section" or kind2 != "section":
                return None
            return "section", tuple(dict.fromkeys((*labels, *labels2)))
        return kind, labels

    def _accept(self, text: str, m: re.Match[str]) -> Header | None:
        i = m.start()
        while i > 0 and text[i - 1] in " \t":
            i -= 1
        line_start = i == 0 or text[i - 1] == "\n"
        inline = not line_start and _SENTENCE_END.search(text[max(0, i - 8) : i]) is not None
        midline = not (line_start or inline) and self._is_midline(text, i, m)
        if not (line_start or inline or midline) or (m.group("prefix") and not line_start):
            return None
        if bool(m.group("paren")) != bool(m.group("cparen")) and not (
            m.group("cparen") and not m.group("paren") and m.group("letter")
        ):
            return None  # "(Situation" or "Situation)" - except the letter form "S)"
        delim = m.group("delim")
        if m.group("cparen"):
            delim = delim or ")"
        emphasised = bool(m.group("open")) and bool(m.group("close1") or m.group("close2"))
        if m.group("open") and not emphasised:
            return None  # "**Task** ..." without closing marks: emphasis on a prose word
        # Only the start of the rest of the line is read (a long line must not make every
        # header on it cost its length): its first printed character, or its end.
        body = _REST_OF_LINE.match(text, m.end())
        own_line = body is None or body.group(1) is None
        quoted = body is not None and body.group(1) is not None and body.group(1) in _QUOTE_OPEN
        heading = "#" in (m.group("prefix") or "")
        parsed = self._labels(m)
        if parsed is None:
            return None
        kind, labels = parsed
        bracketed = bool(m.group("paren")) and bool(m.group("cparen"))
        # "**T (Task)**" on its own line: the letter named by its word in a note.
        named = (
            m.group("letter") is not None
            and line_start
            and (own_line or emphasised or heading)
            and self._names_letter(m.group("note"), labels)
        )
        if m.group("letter") and not m.group("lword") and not named:
            # A lone capital is only a header with a delimiter: "A: I met ..." not "A plan".
            if delim is None or delim == "." or (inline and delim not in (":", ")")):
                return None
            if delim in ("-", "--", "—", "–") and not line_start:
                return None
        else:
            if inline and delim not in (":", "::"):
                return None
            if (
                line_start
                and delim is None
                and not (own_line or quoted or emphasised or heading or bracketed)
            ):
                return None
            if delim == "." and not own_line:
                return None
            if delim == ">" and not line_start:
                return None
        return Header(
            start=m.start(),
            end=m.end(),
            labels=labels,
            kind=kind,
            text=m.group(0).strip(),
            letter=bool(m.group("letter")),
        )


def body_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a section body: white space, wrapping quotes and trailing rules (``---``).

    At most eight layers are peeled (real answers nest two at most): each layer checks the
    quotes inside, so an unbounded loop would be quadratic on a run of quote marks.
    """
    for _ in range(8):
        before = (start, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        tail_at = text.rfind("\n", start, end)
        if tail_at >= 0:
            tail = text[tail_at + 1 : end].strip()
            if tail and set(tail) <= set("-*_=~"):
                end = tail_at
        if end - start >= 2 and text[start] in _QUOTE_OPEN and text[end - 1] in _QUOTE_CLOSE:
            inner = text[start + 1 : end - 1]
            # Only strip a pair that wraps the whole body: quotes inside must be balanced.
            if inner.count('"') % 2 == 0 and inner.count("“") == inner.count("”"):
                start, end = start + 1, end - 1
        if (start, end) == before:
            return start, end
    return start, end
