"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright.

Every page is loaded from a file:// URL with every other request refused and recorded. The
tests run in CI (``.ci/run`` installs Chromium when it is missing); they are skipped only when
Chromium is absent and STAR_CHECK_SKIP_BROWSER=1 is set.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from staranalyzer.analyzer import Analyzer
from staranalyzer.cli import main

CHROMIUM = Path(os.environ.get("STAR_CHECK_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
EXAMPLES = ROOT / "examples"
STRONG = EXAMPLES / "strong_labelled.md"
WEAK = EXAMPLES / "weak.txt"
BANK = EXAMPLES / "bank.jsonl"
INJECTION = (
    "Situation: our <script>window.__pwned = 1</script> checkout was slow for 2 million users.\n"
    'Task: I had to fix it. <img src=x onerror="window.__pwned = 2"> before the sale.\n'
    "Action: I profiled it and rewrote the query. </span></div> I added an index.\n"
    "Result: load time fell from 6 s to 2 s, and conversion rose by 12%."
)

# the answer's text as the reader sees it, without the section chips and finding badges
ANSWER_TEXT = """el => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('.chip, .flag').forEach(n => n.remove());
  return copy.textContent;
}"""
# decodes a PNG in the page and measures it: distinct colours, share of non-background pixels
PNG_STATS = """async (data) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + data;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  const px = g.getImageData(0, 0, c.width, c.height).data;
  const bg = [px[0], px[1], px[2]];
  const colours = new Set();
  let other = 0, n = 0;
  for (let i = 0; i < px.length; i += 4 * 7) {
    n++;
    colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    if (Math.abs(px[i] - bg[0]) + Math.abs(px[i + 1] - bg[1]) + Math.abs(px[i + 2] - bg[2]) > 30) {
      other++;
    }
  }
  return {width: c.width, height: c.height, colours: colours.size, ink: other / n};
}"""


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("STAR_CHECK_SKIP_BROWSER") == "1":
        pytest.skip(f"{reason} (STAR_CHECK_SKIP_BROWSER=1)")
    pytest.fail(
        f"{reason}; install it (apt-get install -y chromium) or set STAR_CHECK_SKIP_BROWSER=1"
    )


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _skip_or_fail(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("Playwright for Python is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Page:
    """A page with its console errors and every non-file request recorded (and refused)."""

    def __init__(self, browser, width: int):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def open(self, path: Path):
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def close(self):
        assert self.errors == [], self.errors
        assert self.requests == [], self.requests
        self.context.close()


@pytest.fixture
def page(browser):
    pages = []

    def make(width: int = 1280) -> Page:
        pages.append(Page(browser, width))
        return pages[-1]

    yield make
    for p in pages:
        p.close()


def html_of(tmp_path: Path, *args, name: str = "report.html", input: str | None = None) -> Path:
    out = tmp_path / name
    result = CliRunner().invoke(
        main, [*[str(a) for a in args], "--format", "html", "-q", "-o", str(out)], input=input
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert out.exists(), result.output
    return out


@pytest.fixture(scope="module")
def reports():
    analyzer = Analyzer()
    return {p: analyzer.analyze(p.read_text(encoding="utf-8")) for p in (STRONG, WEAK)}


def test_every_section_and_metric_of_a_known_answer_is_in_the_dom(tmp_path, page, reports):
    text = STRONG.read_text(encoding="utf-8")
    report = reports[STRONG]
    pg = page().open(html_of(tmp_path, STRONG))
    answer = pg.locator(".answer")
    assert answer.evaluate(ANSWER_TEXT) == text
    chips = pg.locator(".answer .sec > .chip").all_inner_texts()
    assert [c.lower() for c in chips] == [s.label for s in report.sections]
    for s in report.sections:
        body = " ".join(text[s.start : s.end].split())
        shown = pg.locator(f".answer .sec-{s.label}").first.evaluate(ANSWER_TEXT)
        assert " ".join(shown.split()) == body
    marks = pg.locator(".answer mark.mt:not(.cont)")
    assert marks.count() == len(report.metrics) == 7
    assert marks.all_text_contents() == [m.text for m in report.metrics]
    assert report.verdict == "strong" and 98 <= report.score < 99  # balance 3 % off; 2 numbers in R
    assert pg.title() == f"{STRONG}: 98/100, strong · star-check"
    assert pg.locator(".dim").count() == 6
    assert pg.locator(".bars li").count() == 4


def test_findings_are_marked_in_place_with_hover_and_focus(tmp_path, page, reports):
    report = reports[WEAK]
    pg = page().open(html_of(tmp_path, WEAK))
    items = pg.locator("ol.findings > li")
    assert items.count() == len(report.findings) >= 3
    for i, f in enumerate(report.findings, 1):
        item = pg.locator(f"#f{i}")
        assert f.message in item.inner_text() and f.suggestion in item.inner_text()
        mark = pg.locator(f"#m{i}")
        assert mark.count() == 1
        assert item.locator(f'a[href="#m{i}"]').count() == 1
        mark.focus()  # keyboard focus shows the message and the suggestion
        tip = mark.evaluate("el => getComputedStyle(el, '::after').content")
        assert f.message.split('"')[0] in tip and tip != "none"
        assert pg.evaluate("document.activeElement.id") == f"m{i}"
        if f.text and f.rule.startswith("redflag"):
            assert mark.evaluate(ANSWER_TEXT) == f.text
    n = next(i for i, f in enumerate(report.findings, 1) if f.text == "a huge success")
    pg.locator(f"#m{n}").hover()
    tip = pg.locator(f"#m{n}").evaluate("el => getComputedStyle(el, '::after').content")
    assert "a huge success" in tip
    pg.locator(f"#f{n} a").click()
    assert pg.evaluate("location.hash") == f"#m{n}"
    # Tab reaches the findings in the answer in order
    pg.evaluate("document.activeElement && document.activeElement.blur()")
    pg.locator("#title").click()
    seen = []
    located = [f"m{i}" for i, f in enumerate(report.findings, 1) if f.start is not None]
    marks_in_order = pg.locator(".answer [tabindex='0']").evaluate_all("els => els.map(e => e.id)")
    assert sorted(marks_in_order) == sorted(located)
    for _ in range(len(located)):
        pg.keyboard.press("Tab")
        seen.append(pg.evaluate("document.activeElement.id"))
    assert seen == marks_in_order


def test_script_injection_stays_inert(tmp_path, page):
    bank = tmp_path / "evil.jsonl"
    evil = '<script>window.__pwned = 3</script><img src=x onerror="window.__pwned = 4">'
    bank.write_text(
        json.dumps({"id": evil, "question": evil, "answer": INJECTION, "tags": [evil]})
        + "\n"
        + json.dumps({"id": "plain", "answer": INJECTION})
        + "\n",
        encoding="utf-8",
    )
    for path in (html_of(tmp_path, "-", input=INJECTION, name="one.html"), html_of(tmp_path, bank)):
        pg = page().open(path)
        assert pg.evaluate("typeof window.__pwned") == "undefined"
        assert pg.locator("main img").count() == 0
        assert pg.locator(".answer script").count() == 0
        assert "<script>window.__pwned = 1</script>" in pg.locator(".answer").first.inner_text()
    assert evil in pg.locator("#stories tbody tr").first.inner_text()


def test_bank_page_sorts_and_links_every_story(tmp_path, page):
    pg = page().open(html_of(tmp_path, BANK))
    rows = pg.locator("#stories tbody tr")
    assert rows.count() == len(BANK.read_text(encoding="utf-8").splitlines())
    links = pg.locator("#stories tbody a").evaluate_all("els => els.map(a => a.hash)")
    assert links == [f"#story-{i}" for i in range(1, rows.count() + 1)]
    for target in links:
        assert pg.locator(target).count() == 1
        assert pg.locator(f"{target} .answer").count() == 1

    def scores():
        return [float(v) for v in rows.evaluate_all("rs => rs.map(r => r.cells[2].dataset.v)")]

    original = scores()
    score_button = pg.locator("#stories thead th", has_text="score").locator("button")
    score_button.click()
    assert scores() == sorted(original)
    score_button.press("Enter")  # and from the keyboard
    assert scores() == sorted(original, reverse=True)
    assert pg.locator("#stories thead th").nth(2).get_attribute("aria-sort") == "descending"
    pg.locator("#stories thead th").first.locator("button").click()
    assert scores() == original
    pg.locator('#stories a[href="#story-3"]').click()
    assert pg.evaluate("location.hash") == "#story-3"
    assert pg.locator("#s3-title").is_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_are_not_blank_and_fit_the_width(tmp_path, page, width):
    for path in (html_of(tmp_path, STRONG, name="a.html"), html_of(tmp_path, BANK, name="b.html")):
        pg = page(width).open(path)
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        png = pg.screenshot(full_page=False)
        stats = pg.evaluate(PNG_STATS, base64.b64encode(png).decode())
        assert stats["width"] == width
        assert stats["colours"] > 50, stats  # text, shading, bars: not a flat page
        assert 0.03 < stats["ink"] < 0.9, stats


def test_print_stylesheet(tmp_path, page):
    pg = page().open(html_of(tmp_path, BANK))
    pg.emulate_media(media="print")
    assert pg.locator(".story-nav").first.evaluate("el => getComputedStyle(el).display") == "none"
    assert pg.locator("#story-2").evaluate("el => getComputedStyle(el).breakBefore") == "page"
    pg.emulate_media(media="screen")
    assert pg.locator(".story-nav").first.evaluate("el => getComputedStyle(el).display") != "none"
