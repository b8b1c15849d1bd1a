"""Shared assertion helper for (text, expected spans) tables."""

from __future__ import annotations


def assert_spans(text: str, found: list, expected: list[tuple]) -> None:
    """``found`` items have start/end and the fields named in each expected tuple.

    Each expected row is (surface text, kind, value[, unit]); order matters, nothing extra.
    """
    got = []
    for item, row in zip(found, expected, strict=False):
        fields = (text[item.start : item.end], item.kind, item.value, getattr(item, "unit", None))
        got.append(fields[: len(row)])
    extra = [text[i.start : i.end] for i in found[len(expected) :]]
    assert got == [tuple(r) for r in expected] and not extra, (got, extra)
