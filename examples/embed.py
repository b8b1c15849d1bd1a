"""Embedding staranalyzer in another tool: one Analyzer, reused for every answer."""

from __future__ import annotations

from pathlib import Path

from staranalyzer import Analyzer

HERE = Path(__file__).parent

analyzer = Analyzer()  # loads the rubric and the spaCy pipeline once
texts = [p.read_text(encoding="utf-8") for p in sorted(HERE.glob("*.txt"))]
for text, report in zip(texts, analyzer.analyze_many(texts), strict=True):
    print(", ".join(f"{s.label} ({s.words} words)" for s in report.sections))
    result = report.section("result")
    if result is not None:
        print("  result:", text[result.start : result.end][:70], "...")
