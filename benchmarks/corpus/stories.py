"""The story corpus (v2): answers as their authors wrote them, with inline gold marks.

Source files: ``benchmarks/corpus/stories/{heldout,dev}-*.txt``. Check one with
``python benchmarks/corpus/stories.py FILE...`` (prints errors and statistics).

Format of a file::

    # comment lines before the first record
    === <id> | field: <field> | register: <register> | form: <form> | quality: strong|weak
        | weak: <tag>, <tag> | lp: <code>, <code> | comp: <competency>, ... | theme: <theme>
        | xfn: yes|no
    Q: <the interview question>
    QLP: <code>, <code> | kind: <question kind>
    <the answer exactly as the candidate wrote or said it, with marks>

(the ``===`` header is one line). Marks inside the answer:

- ``⟦S⟧ ⟦T⟧ ⟦A⟧ ⟦R⟧ ⟦L⟧`` open the body of a Situation, Task, Action, Result, or reflection
  (Lesson) section; the body runs to the next mark.
- ``⟦h⟧`` opens a header (``**Situation:**``, ``S -``, ``## Result``, ``TL;DR:``): text that
  belongs to no section; it must be followed by a body mark.
- ``⟦H⟧`` opens a headline (a one-line summary before the story); ``⟦O⟧`` opens other text that
  belongs to no section (a sign-off, the question repeated).
- ``[[...]]`` marks a quantified metric inside a body.

The answer must begin with a mark. Gold spans are the mark's stretch with surrounding white
space trimmed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

PRINCIPLES: dict[str, str] = {
    "CO": "Customer Obsession",
    "OW": "Ownership",
    "IS": "Invent and Simplify",
    "RL": "Are Right, A Lot",
    "LC": "Learn and Be Curious",
    "HD": "Hire and Develop the Best",
    "HS": "Insist on the Highest Standards",
    "TB": "Think Big",
    "BA": "Bias for Action",
    "FR": "Frugality",
    "ET": "Earn Trust",
    "DD": "Dive Deep",
    "HB": "Have Backbone; Disagree and Commit",
    "DR": "Deliver Results",
    "EB": "Strive to be Earth's Best Employer",
    "SS": "Success and Scale Bring Broad Responsibility",
}
COMPETENCIES = (
    "leadership",
    "teamwork",
    "conflict",
    "failure_learning",
    "customer_focus",
    "initiative",
    "problem_solving",
    "communication",
    "adaptability",
)
THEMES = ("team_leadership", "technical_decisions", "project_delivery", "organisational")
QUESTION_KINDS = (
    "failure",
    "mistake",
    "conflict",
    "disagreement",
    "customer",
    "deadline",
    "ambiguity",
    "leadership",
    "initiative",
    "learning",
    "innovation",
    "improvement",
    "data",
    "people_development",
    "frugality",
    "standards",
    "scale",
    "trust",
    "other",
)
WEAK_TAGS = (
    "blame",
    "sole_credit",
    "vague",
    "hedging",
    "we_only",
    "overreach_l6",
    "filler",
    "no_lesson",
    "off_question",
    "no_result",
    "thin_action",
    "long_situation",
    "technical_only",
)
FORMS = ("prose", "bullets", "notes", "transcript", "mixed")
MARKS = {
    "S": "situation",
    "T": "task",
    "A": "action",
    "R": "result",
    "L": "reflection",
    "H": "headline",
    "O": "other",
    "h": "header",
}
MARK_RE = re.compile(r"⟦([STARLHOh])⟧")
METRIC_RE = re.compile(r"\[\[(.+?)\]\]", re.DOTALL)


@dataclass
class Span:
    """A gold stretch of the answer: a section body, a header, a headline or other text."""

    label: str
    start: int
    end: int


@dataclass
class Story:
    """One answer of the story corpus, with its gold marks resolved to offsets."""

    id: str
    split: str
    source: str
    meta: dict[str, str]
    question: str
    qlp: list[str]
    qkind: str
    text: str
    spans: list[Span]
    metrics: list[tuple[int, int]] = field(default_factory=list)

    @property
    def sections(self) -> list[Span]:
        """The STAR and reflection bodies, in text order."""
        return [s for s in self.spans if s.label in STAR_LABELS]

    def tags(self, key: str) -> list[str]:
        """A comma-separated header field as a list (``weak``, ``lp``, ``comp``)."""
        return [t.strip() for t in self.meta.get(key, "").split(",") if t.strip()]


STAR_LABELS = ("situation", "task", "action", "result", "reflection")


class CorpusError(ValueError):
    """A malformed record; the message names the file, line and record."""


def resolve_marks(body: str, where: str) -> tuple[str, list[Span], list[tuple[int, int]]]:
    """Strip marks from an answer body; return the plain text, its spans and metric spans."""
    body = body.strip("\n")
    if not MARK_RE.match(body.lstrip()):
        raise CorpusError(f"{where}: the answer must begin with a mark such as ⟦S⟧ or ⟦h⟧")
    body = body.lstrip()
    out: list[str] = []
    raw_marks: list[tuple[str, int]] = []
    metrics: list[tuple[int, int]] = []
    pos = 0
    length = 0
    token_re = re.compile(r"⟦([STARLHOh])⟧|\[\[|\]\]")
    metric_open: int | None = None
    for m in token_re.finditer(body):
        chunk = body[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m.group(1):
            if metric_open is not None:
                raise CorpusError(f"{where}: a [[metric]] crosses a section mark")
            raw_marks.append((m.group(1), length))
        elif m.group(0) == "[[":
            if metric_open is not None:
                raise CorpusError(f"{where}: nested [[ in a metric")
            metric_open = length
        else:
            if metric_open is None:
                raise CorpusError(f"{where}: ]] without [[")
            if length == metric_open:
                raise CorpusError(f"{where}: empty [[]] metric")
            metrics.append((metric_open, length))
            metric_open = None
    if metric_open is not None:
        raise CorpusError(f"{where}: [[ never closed")
    out.append(body[pos:])
    text = "".join(out).rstrip()
    if "⟦" in text or "⟧" in text:
        raise CorpusError(f"{where}: unknown mark near {text[text.find('⟦') :][:12]!r}")
    spans: list[Span] = []
    for i, (mark, start) in enumerate(raw_marks):
        end = raw_marks[i + 1][1] if i + 1 < len(raw_marks) else len(text)
        seg = text[start:end]
        s = start + (len(seg) - len(seg.lstrip()))
        e = start + len(seg.rstrip())
        label = MARKS[mark]
        if e <= s:
            raise CorpusError(f"{where}: the {label} opened by ⟦{mark}⟧ is empty")
        if mark == "h":
            nxt = raw_marks[i + 1][0] if i + 1 < len(raw_marks) else None
            if nxt is None or nxt == "h":
                raise CorpusError(f"{where}: header {seg.strip()!r} is not followed by a body mark")
        spans.append(Span(label, s, e))
    return text, spans, metrics


def parse_stories(text: str, source: str, split: str) -> list[Story]:
    """Parse one source file of the story corpus.

    Args:
        text: the file's content.
        source: its name, for error messages.
        split: ``dev`` or ``heldout``.

    Raises:
        CorpusError: naming the file, line and record of the first problem.

    """
    stories: list[Story] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines) and not lines[i].startswith("=== "):
        i += 1
    while i < len(lines):
        head_line = i + 1
        head = lines[i][4:]
        parts = [p.strip() for p in head.split("|")]
        sid = parts[0]
        where = f"{source}:{head_line}: {sid}"
        meta: dict[str, str] = {}
        for p in parts[1:]:
            if ":" not in p:
                raise CorpusError(f"{where}: header field {p!r} is not 'key: value'")
            k, v = p.split(":", 1)
            meta[k.strip()] = v.strip()
        i += 1
        block: list[str] = []
        while i < len(lines) and not lines[i].startswith("=== "):
            block.append(lines[i])
            i += 1
        question, qlp, qkind = "", [], "other"
        body_lines = []
        for ln in block:
            if ln.startswith("Q: ") and not question:
                question = ln[3:].strip()
            elif ln.startswith("QLP:") and not body_lines:
                q_parts = [p.strip() for p in ln[4:].split("|")]
                qlp = [c.strip() for c in q_parts[0].split(",") if c.strip()]
                for p in q_parts[1:]:
                    if p.startswith("kind:"):
                        qkind = p[5:].strip()
            else:
                body_lines.append(ln)
        story_text, spans, metrics = resolve_marks("\n".join(body_lines), where)
        story = Story(sid, split, source, meta, question, qlp, qkind, story_text, spans, metrics)
        _check(story, where)
        stories.append(story)
    return stories


def _check(story: Story, where: str) -> None:
    meta = story.meta
    for key in ("field", "register", "form", "quality", "lp", "comp", "theme", "xfn"):
        if key not in meta:
            raise CorpusError(f"{where}: header lacks '{key}:'")
    if meta["quality"] not in ("strong", "weak"):
        raise CorpusError(f"{where}: quality must be strong or weak")
    if meta["form"] not in FORMS:
        raise CorpusError(f"{where}: form must be one of {FORMS}")
    if meta["theme"] not in THEMES:
        raise CorpusError(f"{where}: theme must be one of {THEMES}")
    if meta["xfn"] not in ("yes", "no"):
        raise CorpusError(f"{where}: xfn must be yes or no")
    for code in story.tags("lp") + story.qlp:
        if code not in PRINCIPLES:
            raise CorpusError(f"{where}: unknown principle code {code!r}")
    if not 1 <= len(story.tags("lp")) <= 3:
        raise CorpusError(f"{where}: lp must list 1 to 3 principle codes")
    for comp in story.tags("comp"):
        if comp not in COMPETENCIES:
            raise CorpusError(f"{where}: unknown competency {comp!r}")
    for tag in story.tags("weak"):
        if tag not in WEAK_TAGS:
            raise CorpusError(f"{where}: unknown weak tag {tag!r}")
    if story.qkind not in QUESTION_KINDS:
        raise CorpusError(f"{where}: unknown question kind {story.qkind!r}")
    if not story.question:
        raise CorpusError(f"{where}: no 'Q:' line")
    if not story.sections:
        raise CorpusError(f"{where}: no section marks")


def load_stories(folder: Path | None = None) -> list[Story]:
    """Every story of ``benchmarks/corpus/stories/`` (split from the file name)."""
    folder = folder or Path(__file__).parent / "stories"
    stories: list[Story] = []
    for path in sorted(folder.glob("*.txt")):
        split = "heldout" if path.name.startswith("heldout") else "dev"
        stories.extend(parse_stories(path.read_text(encoding="utf-8"), path.name, split))
    ids = [s.id for s in stories]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise CorpusError(f"duplicate story ids: {sorted(dup)}")
    return stories


def _stats(stories: list[Story]) -> str:
    from collections import Counter

    words = [len(s.text.split()) for s in stories]
    c_form = Counter(s.meta["form"] for s in stories)
    c_lp = Counter(code for s in stories for code in s.tags("lp"))
    c_weak = Counter(t for s in stories for t in s.tags("weak"))
    headers = sum(any(sp.label == "header" for sp in s.spans) for s in stories)
    order = sum(
        "".join(sp.label[0] for sp in s.sections).find("r")
        < "".join(sp.label[0] for sp in s.sections).rfind("a")
        and "r" in "".join(sp.label[0] for sp in s.sections)
        for s in stories
    )
    return "\n".join(
        [
            f"{len(stories)} stories, words min {min(words)} median "
            f"{sorted(words)[len(words) // 2]} max {max(words)}",
            f"with headers: {headers}; result before a later action: {order}; "
            f"headline: {sum(any(sp.label == 'headline' for sp in s.spans) for s in stories)}; "
            f"reflection: {sum(any(sp.label == 'reflection' for sp in s.spans) for s in stories)}",
            f"forms: {dict(c_form)}",
            f"principles: {dict(sorted(c_lp.items()))}",
            f"weak tags: {dict(c_weak)}",
            f"fields: {dict(Counter(s.meta['field'] for s in stories))}",
        ]
    )


def main(argv: list[str]) -> int:
    """Check story files; print errors or statistics."""
    stories: list[Story] = []
    for name in argv:
        path = Path(name)
        split = "heldout" if path.name.startswith("heldout") else "dev"
        try:
            stories.extend(parse_stories(path.read_text(encoding="utf-8"), path.name, split))
        except CorpusError as exc:
            print(f"ERROR {exc}")
            return 1
    if not stories:
        print("no stories")
        return 1
    print(_stats(stories))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
