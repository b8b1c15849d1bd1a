"""The HTML report without a browser: one page per run, self-contained, escaped, deterministic,
marks that nest; spaCy's displaCy on the evidence component's span groups."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from conftest import ROOT
from markupsafe import escape

from staranalyzer.cli import ExitCode, main
from staranalyzer.render import render
from staranalyzer.render.html import answer_html

EXAMPLES = ROOT / "examples"
STRONG = EXAMPLES / "strong_labelled.md"
WEAK = EXAMPLES / "weak.txt"
INJECTION = (
    "Situation: our <script>window.__pwned = 1</script> checkout & 'search' were slow.\n"
    'Task: I had to fix it. <img src=x onerror="window.__pwned = 2"> "quoted"\n'
    "Action: I profiled it and rewrote the query. </span></mark></div> I added an index.\n"
    "Result: load time fell from 6 s to 2 s, and conversion rose by 12%."
)
VOID = {"meta", "link", "br", "img", "input", "hr", "wbr"}


def run(*args, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


class _Tree(HTMLParser):
    """Checks that tags balance and collects the answer's text without chips and flags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.skipping = 0
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in VOID:
            return
        classes = (attrs.get("class") or "").split()
        skip = "chip" in classes or "flag" in classes
        self.stack.append((tag, "skip" if skip else ""))
        self.skipping += skip

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack, f"</{tag}> closes nothing"
        open_tag, mode = self.stack.pop()
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>"
        self.skipping -= mode == "skip"

    def handle_data(self, data):
        if not self.skipping:
            self.text.append(data)


def parse(html: str) -> _Tree:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree


def test_answer_markup_nests_and_keeps_every_character(analyzer):
    for text in (WEAK.read_text(encoding="utf-8"), STRONG.read_text(encoding="utf-8"), INJECTION):
        report = analyzer.analyze(text)
        tree = parse(str(answer_html(text, report, "p-")))
        assert not tree.stack
        assert "".join(tree.text) == text
        ids = [a["id"] for _, a in tree.tags if "id" in a]
        located = [i for i, f in enumerate(report.findings, 1) if f.start is not None]
        assert ids == [f"p-m{i}" for i in located]  # each finding's place once, in order
        chips = [t for t, a in tree.tags if a.get("class") == "chip"]
        assert len(chips) == len(report.sections)


def test_crossing_marks_are_split_not_misnested(analyzer):
    text = "Result: revenue grew by about 40% this year, a huge success for everyone."
    report = analyzer.analyze(text)
    html = str(answer_html(text, report))
    tree = parse(html)
    assert not tree.stack and "".join(tree.text) == text
    assert '<mark class="mt"' in html


def test_one_answer_page(tmp_path):
    out = tmp_path / "report.html"
    result = run(STRONG, "--format", "html", "-o", out)
    assert result.exit_code == ExitCode.OK
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert html.count("<html") == 1 and "<script" not in html  # no JavaScript on an answer page
    for label in ("situation", "task", "action", "result", "reflection"):
        assert f'class="sec sec-{label}"' in html
    for metric in ("about twice a week", "roughly $40K", "from 2.1 s to 450 ms"):
        assert f">{metric}</mark>" in html
    assert "Balance" in html and "(target 53%)" in html and "Likely follow-up questions" in html
    assert "@media print" in html and "@media (max-width: 30rem)" in html
    parse(html)


def test_page_loads_nothing_from_the_network(tmp_path):
    out = tmp_path / "bank.html"
    run(EXAMPLES / "bank.jsonl", WEAK, "--format", "html", "-q", "-o", out)
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    assert not re.search(r"https?://", html)


def test_bank_page_has_summary_table_and_every_card(tmp_path):
    bank = tmp_path / "bank.jsonl"
    lines = [json.dumps({"id": f"s{i}", "answer": WEAK.read_text()}) for i in range(3)]
    lines.insert(1, "{broken")
    bank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "bank.html"
    result = run(bank, "--format", "html", "-q", "-o", out)
    assert result.exit_code == ExitCode.USAGE
    html = out.read_text(encoding="utf-8")
    assert html.count("<!DOCTYPE html>") == 1
    links = re.findall(r'href="#(story-\d+)"', html)
    ids = re.findall(r'id="(story-\d+)"', html)
    assert ids == ["story-1", "story-2", "story-3", "story-4"]
    assert set(links) == set(ids)
    assert "Not scored" in html and "bad JSON" in html
    assert html.count('<table class="sortable" id="stories">') == 1
    assert "Most common findings" in html and "redflag.vague.unquantified_impact" in html
    # every id on the page is unique
    all_ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(all_ids) == len(set(all_ids))


def test_user_text_is_escaped_everywhere(tmp_path):
    bank = tmp_path / "bank.jsonl"
    evil = '<script>window.__pwned=3</script>"><img src=x>'
    bank.write_text(
        json.dumps({"id": evil, "question": evil, "answer": INJECTION, "tags": [evil]})
        + "\n"
        + json.dumps({"id": "two", "answer": INJECTION})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "bank.html"
    run(bank, "--format", "html", "-q", "-o", out)
    html = out.read_text(encoding="utf-8")
    assert "our &lt;script&gt;window.__pwned = " in html
    assert "&lt;/script&gt; checkout &amp;" in html
    assert "&lt;script&gt;window.__pwned=3&lt;/script&gt;" in html
    assert html.count("<script") == 1  # the page's own table sorter
    assert "<img" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    one = tmp_path / "one.html"
    run("-", "--format", "html", "-o", one, input=INJECTION)
    assert "<script" not in one.read_text(encoding="utf-8")


def test_html_is_deterministic(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    run(EXAMPLES / "bank.jsonl", "--format", "html", "-q", "-o", a)
    run(EXAMPLES / "bank.jsonl", "--format", "html", "-q", "-o", b)
    assert a.read_bytes() == b.read_bytes()


def test_render_html_from_python(analyzer):
    text = WEAK.read_text(encoding="utf-8")
    report = analyzer.analyze(text)
    page = render(report, "html", text, title="weak.txt")
    title = f"<title>weak.txt: {int(report.score)}/100, {report.verdict} · star-check</title>"
    assert title in page
    n = next(i for i, f in enumerate(report.findings, 1) if f.text == "a huge success")
    assert f'id="m{n}"' in page and f'href="#m{n}"' in page and f'aria-describedby="f{n}"' in page
    bare = render(report, "html")
    assert "The answer's text was not given" in bare
    assert f"Findings ({len(report.findings)})" in bare


def test_renderer_tolerates_principles(analyzer):
    text = WEAK.read_text(encoding="utf-8")
    report = analyzer.analyze(text)

    class WithPrinciples:
        def __init__(self, report):
            self._r = report
            self.principles = [
                {"name": "Ownership", "score": 40.0, "evidence": [{"text": "We planned it"}]}
            ]

        def __getattr__(self, name):
            return getattr(self._r, name)

    page = render(WithPrinciples(report), "html", text)  # type: ignore[arg-type]
    assert "Principles" in page and "Ownership" in page and "“We planned it”" in page


def test_displacy_renders_the_evidence_spans():
    spacy = pytest.importorskip("spacy")
    from spacy import displacy

    nlp = spacy.blank("en")
    nlp.add_pipe("staranalyzer_evidence")
    doc = nlp(WEAK.read_text(encoding="utf-8"))
    sections = displacy.render(doc, style="span", options={"spans_key": "star"})
    for label in ("situation", "task", "action", "result"):
        assert label in sections
    findings = displacy.render(doc, style="span", options={"spans_key": "star_findings"})
    assert "ownership" in findings and "vague" in findings
    metrics = displacy.render(doc, style="span", options={"spans_key": "star_metrics"})
    assert "count" in metrics and "services" in metrics


def test_displacy_example_script(tmp_path):
    out = tmp_path / "spans.html"
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "displacy_spans.py"), str(WEAK), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"star 4, star_findings [1-9]\d*, star_metrics 1", proc.stdout)
    html = out.read_text(encoding="utf-8")
    assert "doc.spans[&#x27;star_findings&#x27;]" in html or "star_findings" in html
    assert "situation" in html and "three" in html


def _contrast(a: str, b: str) -> float:
    def lum(h: str) -> float:
        r, g, b_ = (int(h[i : i + 2], 16) / 255 for i in (1, 3, 5))
        f = lambda c: c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4  # noqa: E731
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b_)

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_palette_meets_wcag_aa_contrast():
    css = (ROOT / "src/staranalyzer/render/templates/style.css").read_text(encoding="utf-8")
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    white = "#ffffff"
    pairs = [("ink", name) for name in ("situation", "task", "action", "result", "reflection")]
    pairs += [("ink", "headline"), ("muted", "paper"), ("muted", "page"), ("muted", "situation")]
    pairs += [("accent", "paper"), ("accent", "page")]
    for name, bg in pairs:
        assert _contrast(var[name], var[bg]) >= 4.5, (name, bg)
    # white text on chips, verdicts and pills; severity colours as text on white
    for name in ("situation-ink", "task-ink", "action-ink", "result-ink", "reflection-ink"):
        assert _contrast(white, var[name]) >= 4.5, name
    for name in ("strong", "solid", "needs-work", "weak", "error", "warning", "info"):
        assert _contrast(white, var[name]) >= 4.5, name


FAILURE_QUESTION = "Tell me about a time you failed"


@pytest.fixture(scope="module")
def l6():
    from staranalyzer import Analyzer

    return Analyzer(rubric="amazon-l6")


def test_answer_page_shows_fit_to_the_question(l6):
    text = STRONG.read_text(encoding="utf-8")  # a success story, asked about a failure
    report = l6.analyze(text, question=FAILURE_QUESTION)
    fit = report.question_fit
    assert fit is not None and not fit.fits and "failure" in fit.missing
    page = render(report, "html", text, title="strong_labelled.md")
    parse(page)
    start = page.index('<section class="panel fit-panel" aria-labelledby="fit-h">')
    panel = page[start : page.index("</section>", start)]
    assert '<h2 id="fit-h">Fit to the question</h2>' in panel
    assert f"“{FAILURE_QUESTION}”" in panel
    assert '<span aria-hidden="true">✖ </span>does not fit</span>' in panel
    assert "fits</span>" not in panel.replace("does not fit</span>", "")
    assert "<dt>Kind of question</dt><dd>failure</dd>" in panel
    names = {p.id: p.name for p in report.principles}
    for pid in fit.asks_for:
        label = "shown" if pid in fit.shown else "not shown"
        assert f"<li>{escape(names.get(pid, pid))}: " in panel
        assert f">{label}</span>" in panel
    missing = panel[panel.index("<dt>Missing</dt>") :]
    assert "failure" in missing
    # the story's signals, as a line of text labels
    sig = report.signals
    assert sig is not None
    line = page[page.index('<p class="signals small">') :]
    line = line[: line.index("</p>")]
    assert f"theme: {sig.theme.replace('_', ' ')}" in line
    assert f"technical leadership: {'yes' if sig.technical else 'no'}" in line
    assert f"people leadership: {'yes' if sig.people_leadership else 'no'}" in line
    assert f"cross-functional: {'yes' if sig.cross_functional else 'no'}" in line
    # without a question: no panel
    plain = render(l6.analyze(text), "html", text)
    assert "Fit to the question" not in plain


def test_question_is_escaped_in_the_fit_panel(l6):
    question = f"{FAILURE_QUESTION} <script>window.__pwned=4</script> & 'why'"
    report = l6.analyze(INJECTION, question=question)
    assert report.question_fit is not None
    page = render(report, "html", INJECTION)
    parse(page)
    assert "<script" not in page
    assert (
        "“Tell me about a time you failed &lt;script&gt;window.__pwned=4&lt;/script&gt; "
        "&amp; &#39;why&#39;”" in page
    )


def _bank(l6, n=5):
    from staranalyzer.banks import Story

    records = [json.loads(line) for line in (EXAMPLES / "bank.jsonl").read_text().splitlines()]
    pairs = []
    for i, r in enumerate(records[:n], 1):
        story = Story(
            id=r["id"], source="bank.jsonl", line=i, text=r["answer"], question=r["question"]
        )
        pairs.append((story, l6.analyze(r["answer"], question=r["question"])))
    return pairs


def test_bank_page_shows_the_portfolio(l6):
    from staranalyzer.portfolio import PortfolioBuilder
    from staranalyzer.render.html import render_page

    pairs = _bank(l6)
    builder = PortfolioBuilder("amazon-l6")
    for story, report in pairs:
        builder.add(story.id, report, story.text)
    folio = builder.build()
    assert folio.missing and folio.next_steps  # five stories cannot cover 16 principles
    html = render_page(pairs, None)
    assert html == render_page(pairs, None)  # deterministic
    tree = parse(html)
    assert not tree.stack
    all_ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(all_ids) == len(set(all_ids))
    start = html.index('<section class="panel folio" aria-labelledby="folio-h">')
    panel = html[start : html.index('<section class="panel" aria-labelledby="matrix-h">')]
    assert '<h2 id="folio-h">Portfolio</h2>' in panel
    assert f"<b>{folio.stories}</b>" in panel and f"target {folio.target_stories}+" in panel
    assert f"<li>{escape(folio.missing[0])}</li>" in panel
    assert "<h3>Next steps</h3>" in panel
    steps = re.findall(r"<li>(.*?)</li>", panel[panel.index('<ol class="steps">') :])
    assert steps == [str(escape(s)) for s in folio.next_steps]
    for theme in folio.themes:
        assert f"<span>{theme.name.replace('_', ' ')}</span>" in panel
    # the matrix: every principle of the rubric, in coverage order; a mark where a story shows it
    matrix = html[html.index('aria-labelledby="matrix-h"') : html.index('id="table-h"')]
    assert "Principles by story" in matrix
    heads = re.findall(r'<th scope="col" class="col">(.*?)</th>', matrix)
    assert heads == [str(escape(c.name)) for c in folio.coverage]
    body = matrix[matrix.index("<tbody>") : matrix.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body)
    assert len(rows) == len(folio.matrix)
    for row, shown in zip(rows, folio.matrix, strict=True):
        cells = re.findall(r"<td>(.*?)</td>", row)
        assert [c == "✓" for c in cells] == [p.id in shown.principles for p in folio.coverage]
    counts = re.findall(r"<td><b>(\d+)</b></td>", matrix)
    assert counts == [str(c.count) for c in folio.coverage]


def test_bank_page_without_a_portfolio_falls_back(l6, monkeypatch):
    from staranalyzer.render import html as page

    def broken(*args, **kwargs):
        raise RuntimeError("no portfolio")

    monkeypatch.setattr(page, "PortfolioBuilder", broken)
    html = page.render_page(_bank(l6, 3), None)
    parse(html)
    assert 'id="folio-h"' not in html
    assert '<h2 id="matrix-h">Portfolio</h2>' in html
    assert "principles scored in each story" in html
