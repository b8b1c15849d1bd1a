"""Summary of a scored story bank: counts, score distribution, common findings, near-duplicates.

Built incrementally (``add`` per story) with memory that grows slowly: scores are floats, and
near-duplicate detection keeps a content-defined sample of each story's word 5-grams (about one
in eight), so a bank of 100,000 stories stays small.
"""

from __future__ import annotations

import re
import statistics
import zlib
from collections import Counter, defaultdict

from pydantic import BaseModel, ConfigDict, Field

from .models import Report

_WORD = re.compile(r"[a-z0-9']+")
_SAMPLE = 8
_MAX_POSTINGS = 50
_SHOWN = 20


class NearDuplicate(BaseModel):
    """Two stories whose wording overlaps heavily (estimated Jaccard of word 5-grams)."""

    model_config = ConfigDict(frozen=True)
    first: str
    second: str
    similarity: float


class Summary(BaseModel):
    """What a bank run found, for the end of ``star-check``'s output."""

    model_config = ConfigDict(frozen=True)
    stories: int
    scored: int
    errors: int
    mean: float | None
    median: float | None
    histogram: dict[str, int]
    """Scores by band of ten ("0-9" ... "90-100")."""
    verdicts: dict[str, int]
    common_findings: list[tuple[str, int]]
    """Rule ids and how many stories they fired in, most common first (top 10)."""
    without_metrics: int
    without_metrics_ids: list[str] = Field(default_factory=list)
    """The first 20 stories with no metric at all."""
    near_duplicates: list[NearDuplicate] = Field(default_factory=list)


def _shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    out = set()
    for i in range(len(words) - 4):
        h = zlib.crc32(" ".join(words[i : i + 5]).encode())
        if h % _SAMPLE == 0:
            out.add(h)
    return out


class SummaryBuilder:
    """Accumulates stories one by one; :meth:`build` returns the :class:`Summary`."""

    def __init__(self, duplicate_threshold: float = 0.6) -> None:
        self.threshold = duplicate_threshold
        self.stories = 0
        self.errors = 0
        self.scores: list[float] = []
        self.verdicts: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.without_metrics = 0
        self.without_metrics_ids: list[str] = []
        self._ids: list[str] = []
        self._sets: list[set[int]] = []
        self._postings: defaultdict[int, list[int]] = defaultdict(list)

    def add(self, story_id: str, text: str, report: Report | None) -> None:
        """Count one story (``report`` None for a story that could not be scored)."""
        self.stories += 1
        if report is None:
            self.errors += 1
            return
        self.scores.append(report.score)
        self.verdicts[report.verdict] += 1
        self.rules.update({f.rule for f in report.findings})
        if not report.metrics:
            self.without_metrics += 1
            if len(self.without_metrics_ids) < _SHOWN:
                self.without_metrics_ids.append(story_id)
        sample = _shingles(text)
        if sample:
            index = len(self._ids)
            self._ids.append(story_id)
            self._sets.append(sample)
            for h in sample:
                postings = self._postings[h]
                if len(postings) < _MAX_POSTINGS:
                    postings.append(index)

    def _duplicates(self) -> list[NearDuplicate]:
        pairs: set[tuple[int, int]] = set()
        for postings in self._postings.values():
            for i, a in enumerate(postings):
                for b in postings[i + 1 :]:
                    pairs.add((a, b))
        found = []
        for a, b in sorted(pairs):
            sa, sb = self._sets[a], self._sets[b]
            sim = len(sa & sb) / len(sa | sb)
            if sim >= self.threshold and min(len(sa), len(sb)) >= 2:
                found.append(
                    NearDuplicate(first=self._ids[a], second=self._ids[b], similarity=round(sim, 2))
                )
        return sorted(found, key=lambda d: (-d.similarity, d.first, d.second))[:_SHOWN]

    def build(self) -> Summary:
        """Return the summary of everything added so far."""
        bands: dict[str, int] = {
            f"{lo}-{lo + 9}" if lo < 90 else "90-100": 0 for lo in range(0, 100, 10)
        }
        for s in self.scores:
            lo = min(int(s // 10) * 10, 90)
            bands[f"{lo}-{lo + 9}" if lo < 90 else "90-100"] += 1
        return Summary(
            stories=self.stories,
            scored=len(self.scores),
            errors=self.errors,
            mean=round(statistics.fmean(self.scores), 1) if self.scores else None,
            median=round(statistics.median(self.scores), 1) if self.scores else None,
            histogram=bands,
            verdicts=dict(sorted(self.verdicts.items())),
            common_findings=self.rules.most_common(10),
            without_metrics=self.without_metrics,
            without_metrics_ids=self.without_metrics_ids,
            near_duplicates=self._duplicates(),
        )
