"""Make the README's screenshots of the HTML report (examples/report-answer.png, report-bank.png).

    python tools/screenshots.py [--out-dir examples]

Renders examples/strong_labelled.md and examples/bank.jsonl with ``star-check --format html``
and photographs them in Debian's headless Chromium (/usr/bin/chromium) through Playwright.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SHOTS = [
    # (input, output, width, height of the clip: the top of the page)
    ("examples/strong_labelled.md", "report-answer.png", 1280, 1200),
    ("examples/bank.jsonl", "report-bank.png", 1280, 1560),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", default=str(ROOT / "examples"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
        for source, name, width, height in SHOTS:
            page_file = Path(tmp) / (name + ".html")
            subprocess.run(
                [sys.executable, "-m", "staranalyzer", source, "--format", "html", "-q"]
                + ["-o", str(page_file)],
                cwd=ROOT,
                check=True,
            )
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(page_file.as_uri())
            out = Path(args.out_dir) / name
            page.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": width, "height": height})
            page.close()
            print(f"{out}: {out.stat().st_size / 1024:.0f} KB")
        browser.close()


if __name__ == "__main__":
    main()
