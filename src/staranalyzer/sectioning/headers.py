"""Section headers in labelled answers: ``Situation:``, ``**Task:**``, ``## Action``, ``S:``, ...

Header words come from the rubric (``sectioning.headers``); this module only knows the shapes a
header takes: on its own line or inline after a sentence, with markdown emphasis, heading marks,
bullets or numbering, a trailing note such as ``(30 seconds)``, and a colon, dash or quoted body.
Words in ordinary prose ("the result was", "my task force", "Action items:") are not headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rubric import Label, Sectioning

_PREFIX = r"(?P<prefix>(?:\#{1,6}[ \t]*|[-*•>][ \t]+|\(?\d{1,2}[.)][ \t]*)*)"
_EMPH = r"(?:\*\*|__|\*|_)"
_NOTE = r"(?P<note>[ \t]*[(\[][^)\]\n]{0,40}[)\]])?"
_DELIM = r"(?P<delim>:|—|–|-{1,2}(?=[ \t])|\.(?=[ \t]*(?:\n|$)))"
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_CANDIDATE = re.compile(r"\n[ \t]*|[.!?…][\"”’')\]]*[ \t]+")
_QUOTE_OPEN = '"“'
_QUOTE_CLOSE = '"”'


@dataclass(frozen=True)
class Header:
    """A header found in the text.

    Attributes:
        start: offset of the header's first character (its markdown marks included).
        end: offset just after the header and its delimiter.
        label: the section it opens, or None for an ignored header such as ``Question:``.
        text: the header as written.
        letter: True for single-letter headers (``S:``).

    """

    start: int
    end: int
    label: Label | None
    text: str
    letter: bool


class HeaderFinder:
    """Finds headers with one compiled regular expression built from a rubric's header words."""

    def __init__(self, sectioning: Sectioning) -> None:
        self._labels: dict[str, Label | None] = {}
        for label, words in sectioning.headers.items():
            for word in words:
                self._labels[_norm(word)] = label
        for word in sectioning.ignore_headers:
            self._labels[_norm(word)] = None
        self._letters = {k.upper(): v for k, v in sectioning.letters.items()}
        words = sorted(self._labels, key=len, reverse=True)
        word_alt = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in words)
        letter_alt = "".join(re.escape(k) for k in sorted(self._letters)) or "(?!)"
        self._regex = re.compile(
            _PREFIX
            + rf"(?P<open>{_EMPH})?"
            + rf"(?:(?P<word>{word_alt})(?![\w])|(?-i:(?P<letter>[{letter_alt}]))(?![\w]))"
            + _NOTE
            + rf"(?P<close1>{_EMPH})?[ \t]*"
            + _DELIM
            + "?"
            + rf"(?P<close2>[ \t]*{_EMPH})?",
            re.IGNORECASE,
        )

    def find(self, text: str) -> list[Header]:
        """Return the headers of ``text`` in order, without overlaps."""
        found: list[Header] = []
        end = 0
        # A header starts a line or follows a sentence: try the pattern only there.
        first = len(text) - len(text.lstrip(" \t"))
        for start in [first, *(m.end() for m in _CANDIDATE.finditer(text))]:
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

    def _accept(self, text: str, m: re.Match[str]) -> Header | None:
        i = m.start()
        while i > 0 and text[i - 1] in " \t":
            i -= 1
        line_start = i == 0 or text[i - 1] == "\n"
        inline = not line_start and _SENTENCE_END.search(text[max(0, i - 8) : i]) is not None
        if not (line_start or inline):
            return None
        if m.group("prefix") and not line_start:
            return None
        delim = m.group("delim")
        rest_of_line = text[m.end() :].split("\n", 1)[0]
        own_line = rest_of_line.strip() == ""
        quoted = rest_of_line.lstrip()[:1] in _QUOTE_OPEN and rest_of_line.strip() != ""
        letter = m.group("letter")
        if letter:
            # A lone capital is only a header with a colon or dash: "A: I met ..." not "A plan".
            if delim is None or delim == ".":
                return None
            label: Label | None = self._letters[letter.upper()]
        else:
            label = self._labels[_norm(m.group("word"))]
            if inline and delim != ":":
                return None
            if line_start and delim is None and not own_line and not quoted:
                return None
            if delim == "." and not own_line:
                return None
        end = m.end()
        if (m.group("open") or "") and not (m.group("close1") or m.group("close2")):
            # "**Task** ..." without closing marks is emphasis on a prose word, not a header.
            return None
        return Header(
            start=m.start(), end=end, label=label, text=m.group(0).strip(), letter=bool(letter)
        )


def _norm(word: str) -> str:
    return " ".join(word.lower().split())


def body_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a section body: white space, wrapping quotes and trailing rules (``---``)."""
    while True:
        before = (start, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        tail = text[start:end].rsplit("\n", 1)
        if len(tail) == 2 and tail[1].strip() and set(tail[1].strip()) <= set("-*_=~"):
            end = start + len(tail[0])
        if end - start >= 2 and text[start] in _QUOTE_OPEN and text[end - 1] in _QUOTE_CLOSE:
            inner = text[start + 1 : end - 1]
            # Only strip a pair that wraps the whole body: quotes inside must be balanced.
            if inner.count('"') % 2 == 0 and inner.count("“") == inner.count("”"):
                start, end = start + 1, end - 1
        if (start, end) == before:
            return start, end
