"""Turn answers*.txt and heldout.txt (readable source of the corpus) into answers.jsonl.

Run after editing either file: ``python benchmarks/corpus/build.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from staranalyzer.evaluation import CorpusAnswer, render

HERE = Path(__file__).parent


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
            sec["text"] = sec["text"].strip()
    return records


def main() -> None:
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
        out.append(json.dumps(rec, ensure_ascii=False))
    (HERE / "answers.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {len(out)} answers to {HERE / 'answers.jsonl'}")


if __name__ == "__main__":
    main()
