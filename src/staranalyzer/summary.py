"""Summary of a scored story bank: counts, score distribution, common findings, near-duplicates.

Built incrementally (``add`` per story). Memory per story is one float; near-duplicate
detection uses MinHash signatures of word 5-grams with band buckets (estimated Jaccard), over
the first 20,000 stories of a bank.
"""

from __future__ import annotations

import re
import statistics
import zlib
from array import array
from collections import Counter

from pydantic import BaseModel, ConfigDict, Field

from .models import Report

_WORD = re.compile(r"[a-z0-9']+")
_SHOWN = 20
_HASHES = 8
_BANDS = 4
_ROWS = _HASHES // _BANDS
_MAX_BUCKET = 50
_PRIME = (1 << 61) - 1
_MASK = (1 << 32) - 1  # 32 bits of each minimum are plenty, and fit an array("I")
_PERMUTATIONS = [(1 + 2 * i * 0x9E3779B1 % _PRIME, 7 + i * 0x85EBCA77) for i in range(_HASHES)]


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
    duplicate_window: int = 0
    """How many of the first stories were compared for near-duplicates."""


def _signature(text: str) -> tuple[int, ...] | None:
    """MinHash signature of a text's word 5-grams (``_HASHES`` values), None for short texts."""
    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}
    if len(grams) < 3:
        return None
    hashed = [zlib.crc32(g.encode()) for g in grams]
    return tuple(min((h * a + b) % _PRIME for h in hashed) & _MASK for a, b in _PERMUTATIONS)


class DuplicateFinder:
    """Near-duplicate stories among the first ``window`` added.

    A MinHash signature each, bucketed by bands, compared only within a bucket (time and memory
    linear in the window).
    """

    def __init__(self, threshold: float = 0.6, window: int = 20_000) -> None:
        self.threshold = threshold
        self.window = window
        self.seen = 0
        self._ids: list[str] = []
        self._signatures = array("I")  # _HASHES values per story, flat
        self._buckets: dict[int, int | list[int]] = {}

    def add(self, story_id: str, text: str) -> None:
        """Remember one story's signature (past the window, only count it)."""
        self.seen += 1
        if len(self._ids) >= self.window:
            return
        signature = _signature(text)
        if signature is None:
            return
        index = len(self._ids)
        self._ids.append(story_id)
        self._signatures.extend(signature)
        for band in range(_BANDS):
            key = hash((band, *signature[band * _ROWS : (band + 1) * _ROWS]))
            bucket = self._buckets.get(key)
            if bucket is None:
                self._buckets[key] = index  # most bands are unique: an int, not a list
            elif isinstance(bucket, int):
                self._buckets[key] = [bucket, index]
            elif len(bucket) < _MAX_BUCKET:
                bucket.append(index)

    def pairs(self) -> list[NearDuplicate]:
        """The near-duplicate pairs found, most similar first (at most 20)."""
        pairs: set[tuple[int, int]] = set()
        for bucket in self._buckets.values():
            if isinstance(bucket, int):
                continue
            for i, a in enumerate(bucket):
                for b in bucket[i + 1 :]:
                    pairs.add((a, b))
        found = []
        sig = self._signatures
        for a, b in sorted(pairs):
            sa, sb = sig[a * _HASHES : (a + 1) * _HASHES], sig[b * _HASHES : (b + 1) * _HASHES]
            sim = sum(x == y for x, y in zip(sa, sb, strict=True)) / _HASHES
            if sim >= self.threshold:
                found.append(
                    NearDuplicate(first=self._ids[a], second=self._ids[b], similarity=round(sim, 2))
                )
        return sorted(found, key=lambda d: (-d.similarity, d.first, d.second))[:_SHOWN]

    @property
    def compared(self) -> int:
        """How many stories were compared (the window, or fewer)."""
        return min(self.window, self.seen)


class SummaryBuilder:
    """Accumulates stories one by one; :meth:`build` returns the :class:`Summary`.

    Memory per story is a float (its score); near-duplicates are looked for among the first
    ``duplicate_window`` stories only (a MinHash signature each, bucketed by bands), so a
    100,000-story bank costs about as much memory as a 20,000-story one.
    """

    def __init__(self, duplicate_threshold: float = 0.6, duplicate_window: int = 20_000) -> None:
        self.threshold = duplicate_threshold
        self.window = duplicate_window
        self.stories = 0
        self.errors = 0
        self.scores = array("d")
        self.verdicts: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.without_metrics = 0
        self.without_metrics_ids: list[str] = []
        self.duplicates = DuplicateFinder(duplicate_threshold, duplicate_window)

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
        self.duplicates.add(story_id, text)

    def build(self) -> Summary:
        """Return the summary of everything added so far."""
        names = [f"{lo}-{lo + 9}" if lo < 90 else "90-100" for lo in range(0, 100, 10)]
        bands = dict.fromkeys(names, 0)
        for s in self.scores:
            bands[names[min(int(s // 10), 9)]] += 1
        return Summary(
            stories=self.stories,
            scored=len(self.scores),
            errors=self.errors,
            mean=round(statistics.fmean(self.scores), 1) if self.scores else None,
            median=round(statistics.median(self.scores), 1) if self.scores else None,
            histogram=bands,
            verdicts=dict(sorted(self.verdicts.items())),
            common_findings=sorted(self.rules.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
            without_metrics=self.without_metrics,
            without_metrics_ids=self.without_metrics_ids,
            near_duplicates=self.duplicates.pairs(),
            duplicate_window=self.duplicates.compared,
        )
