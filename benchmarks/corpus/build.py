"""Turn answers*.txt and heldout.txt (readable source of the corpus) into answers.jsonl.

Run after editing either file: ``python benchmarks/corpus/build.py``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from v1 import CorpusAnswer, render

HERE = Path(__file__).parent
MARK = re.compile(r"\[\[(.+?)\]\]")


def parse(text: str) -> list[dict]:
    records: list[dict] = []
    rec: dict | None = None
    for line in text.splitlines():
        if line.startswith("#") and rec is None:
            continue
        if line.startswith("=== "):
            fields = [f.strip() for f in line[4:].split("|")]
            rec = {
                "id": fields[0],
                "domain": fields[1],
                "quality": fields[2],
                "style": fields[3],
                "weaknesses": [w.strip() for w in fields[4].split(",") if w.strip()],
                "question": "",
                "sections": [],
            }
            records.append(rec)
        elif rec is None:
            continue
        elif line.startswith("Q: "):
            rec["question"] = line[3:].strip()
        elif line.startswith("[") and line.rstrip().endswith("]"):
            rec["sections"].append({"label": line.strip()[1:-1], "text": ""})
        elif rec["sections"]:
            sec = rec["sections"][-1]
            sec["text"] = (sec["text"] + "\n" + line) if sec["text"] else line
    for rec in records:
        for sec in rec["sections"]:
            sec["text"], sec["metrics"] = strip_metric_marks(sec["text"].strip())
    return records


def strip_metric_marks(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove ``[[...]]`` marks around gold metrics; return the text and the marked spans."""
    out, spans, pos = [], [], 0
    for m in MARK.finditer(text):
        out.append(text[pos : m.start()])
        start = sum(map(len, out))
        out.append(m.group(1))
        spans.append((start, start + len(m.group(1))))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), spans


def main() -> None:
    """Build answers.jsonl (or the file named by the first argument) from the text sources."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "answers.jsonl"
    records = []
    for name, split in (
        ("answers.txt", "dev"),
        ("answers2.txt", "dev"),
        ("heldout.txt", "heldout"),
    ):
        for rec in parse((HERE / name).read_text(encoding="utf-8")):
            rec["split"] = split
            records.append(rec)
    out = []
    for rec in records:
        answer = CorpusAnswer.model_validate(rec)
        rendered = render(answer, "paragraphs")
        rec["text"] = rendered.text
        rec["gold"] = [g.model_dump() for g in rendered.gold]
        rec["gold_metrics"] = [
            (g.start + s, g.start + e)
            for g, sec in zip(rendered.gold, answer.sections, strict=True)
            for s, e in sec.metrics
        ]
        out.append(json.dumps(rec, ensure_ascii=False))
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {len(out)} answers to {target}")


if __name__ == "__main__":
    main()
