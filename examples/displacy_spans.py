"""staranalyzer's spans in spaCy's own viewer: sections, findings and metrics with displaCy.

The ``staranalyzer_evidence`` component puts its results on the Doc as span groups:

- ``doc.spans["star"]``: the STAR sections (labels situation, task, action, result, reflection);
- ``doc.spans["star_findings"]``: the findings with a place in the answer (label: category;
  the findings themselves in ``doc.spans["star_findings"].attrs["findings"]``);
- ``doc.spans["star_metrics"]``: the metrics (label: kind).

So ``displacy.render(doc, style="span", options={"spans_key": "star"})`` works as it does for
any span group, in a notebook or, as here, rendered to an HTML file (no server is started)::

    python examples/displacy_spans.py examples/weak.txt -o star_spans.html
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy
from spacy import displacy

COLOURS = {
    "situation": "#dbeafe",
    "task": "#ede9fe",
    "action": "#dcfce7",
    "result": "#fef3c7",
    "reflection": "#fce7f3",
}
KEYS = {"star": "Sections", "star_findings": "Findings", "star_metrics": "Metrics"}


def main() -> None:
    """Render the three span groups of one answer to an HTML file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("answer", nargs="?", default=str(Path(__file__).with_name("weak.txt")))
    parser.add_argument("-o", "--output", default="star_spans.html")
    args = parser.parse_args()

    nlp = spacy.blank("en")  # any English pipeline works: the component brings its own analysis
    nlp.add_pipe("staranalyzer_evidence")
    doc = nlp(Path(args.answer).read_text(encoding="utf-8"))

    parts = []
    for key, title in KEYS.items():
        html = displacy.render(
            doc, style="span", options={"spans_key": key, "colors": COLOURS}, page=False
        )
        parts.append(f"<h2>{title} <code>doc.spans[{key!r}]</code></h2>\n{html}")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>staranalyzer spans</title></head>\n"
        '<body style="font-family: sans-serif; max-width: 60rem; margin: 2rem auto">\n'
        + "\n".join(parts)
        + "\n</body>\n</html>\n"
    )
    Path(args.output).write_text(page, encoding="utf-8")
    print(f"wrote {args.output}: " + ", ".join(f"{k} {len(doc.spans[k])}" for k in KEYS))


if __name__ == "__main__":
    main()
