"""Findings in the formats prose linters speak: ``line``, GitHub Actions commands, SARIF 2.1.0.

Every finding is placed in the file its story came from: for a ``.txt``/``.md`` answer or a
story of a Markdown bank, the exact line and column of the finding in that file; for a JSONL or
CSV record (whose answer is not verbatim in the file), the record's line and column 1. A finding
about the whole answer (a missing section, a Result without a number) points at the story's
first line.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..banks import Story
from ..models import Finding, Report
from .location import file_position

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
NOT_SCORED = "star-check.not_scored"
"""Rule id of a story that could not be scored (an input or answer error)."""
FAIL_UNDER = "star-check.fail_under"
"""Rule id of a story that scored under ``--fail-under``."""


def _one_line(s: str) -> str:
    return " ".join(s.split())


def _error_message(story: Story) -> str:
    """The story's error without the ``source:line:`` prefix the position already gives."""
    message = story.error or "not scored"
    prefix = f"{story.source}:{story.line}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _start(story: Story) -> int:
    """The story's own line: its file's first line, its heading, or its record."""
    return story.line or 1


def _where(story: Story, finding: Finding) -> tuple[int, int]:
    return file_position(story.text, finding.start, story.text_line, story.line)


def _by_position(story: Story, report: Report) -> list[Finding]:
    """The findings in file order (those about the whole answer at the story's line)."""
    return sorted(report.findings, key=lambda f: _where(story, f))


def _under(report: Report, fail_under: float | None) -> str | None:
    if fail_under is None or report.score >= fail_under:
        return None
    return f"scored {int(report.score)}/100 ({report.verdict}), under --fail-under {fail_under:g}"


def line_format(story: Story, report: Report | None, fail_under: float | None = None) -> str:
    """Return one line per finding: ``path:line:col: severity rule: message``.

    A story that could not be scored is one ``error`` line (rule ``star-check.not_scored``); a
    story under ``fail_under`` one ``error`` line (rule ``star-check.fail_under``).
    """
    path = story.source
    if report is None:
        message = _one_line(_error_message(story))
        return f"{path}:{story.line or 1}:1: error {NOT_SCORED}: {message}\n"
    out = []
    for f in _by_position(story, report):
        line, col = _where(story, f)
        out.append(f"{path}:{line}:{col}: {f.severity} {f.rule}: {_one_line(f.message)}")
    under = _under(report, fail_under)
    if under:
        out.append(f"{path}:{_start(story)}:1: error {FAIL_UNDER}: {under}")
    return "".join(line + "\n" for line in out)


def _data(s: str) -> str:
    """Escape a workflow command's message (as @actions/core does)."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    """Escape a workflow command's property value (as @actions/core does)."""
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, path: str, line: int, col: int | None, title: str, message: str) -> str:
    props = [f"file={_prop(path)}", f"line={line}"]
    if col is not None:
        props.append(f"col={col}")
    props.append(f"title={_prop(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}\n"


def github_format(story: Story, report: Report | None, fail_under: float | None = None) -> str:
    """Return GitHub Actions workflow commands, one per finding, so findings annotate a PR.

    ``::warning file=PATH,line=L,col=C,title=star-check RULE::MESSAGE%0ASUGGESTION``; ``info``
    findings are ``notice`` annotations. Unscored stories and stories under ``fail_under`` are
    ``error`` annotations.
    """
    path = story.source
    if report is None:
        return _command(
            "error", path, story.line or 1, None, "star-check: not scored", _error_message(story)
        )
    out = []
    for f in _by_position(story, report):
        line, col = _where(story, f)
        out.append(
            _command(
                _GITHUB_LEVEL[f.severity],
                path,
                line,
                col if f.start is not None and story.text_line is not None else None,
                f"star-check {f.rule}",
                f"{f.message}\n{f.suggestion}",
            )
        )
    under = _under(report, fail_under)
    if under:
        out.append(_command("error", path, _start(story), None, "star-check: score", under))
    return "".join(out)


def artifact_uri(path: str) -> str:
    """Return a SARIF ``artifactLocation.uri`` for a path: relative as given, absolute as file:."""
    if path.startswith("<"):  # <stdin>
        return quote(path, safe="")
    if os.path.isabs(path):
        return Path(path).as_uri()
    return quote(path.replace(os.sep, "/"), safe="/-._~!$&'()*+,;=@")


class SarifLog:
    """Collects the findings of many stories into one SARIF 2.1.0 log (one run of star-check).

    Results are in input order; rules are listed in the order they were first found, so the
    same input gives byte-identical output.
    """

    def __init__(self, fail_under: float | None = None) -> None:
        self.fail_under = fail_under
        self.rules: dict[str, dict[str, Any]] = {}
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.stories: list[dict[str, Any]] = []

    def _rule(self, rule: str, level: str, description: str, help_text: str, **props: Any) -> int:
        if rule not in self.rules:
            self.rules[rule] = {
                "id": rule,
                "shortDescription": {"text": description},
                "help": {"text": help_text},
                "defaultConfiguration": {"level": level},
                "properties": props,
            }
        return list(self.rules).index(rule)

    def _location(self, story: Story, start: int | None, end: int | None) -> dict[str, Any]:
        region: dict[str, Any]
        if start is None or story.text_line is None:
            region = {"startLine": _start(story) if start is None else story.line or 1}
        else:
            line, col = file_position(story.text, start, story.text_line, story.line)
            end_line, end_col = file_position(
                story.text, end if end is not None else start, story.text_line, story.line
            )
            region = {
                "startLine": line,
                "startColumn": col,
                "endLine": end_line,
                "endColumn": end_col,
            }
            if end is not None and end > start:
                region["snippet"] = {"text": story.text[start:end]}
        return {
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(story.source)},
                "region": region,
            },
            "logicalLocations": [{"name": story.id, "kind": "resource"}],
        }

    def add(self, story: Story, report: Report | None) -> None:
        """Add one story's findings (or, for a story that was not scored, a notification)."""
        if report is None:
            self.notifications.append(
                {
                    "level": "error",
                    "message": {"text": _error_message(story)},
                    "locations": [self._location(story, None, None)],
                    "descriptor": {"id": NOT_SCORED},
                }
            )
            self.stories.append(
                {"id": story.id, "uri": artifact_uri(story.source), "line": story.line}
            )
            return
        self.stories.append(
            {
                "id": story.id,
                "uri": artifact_uri(story.source),
                "line": story.line,
                "score": report.score,
                "verdict": report.verdict,
                "rubric": report.rubric,
            }
        )
        for f in report.findings:
            index = self._rule(
                f.rule,
                _SARIF_LEVEL[f.severity],
                f"{f.category.replace('_', ' ')}: {f.rule}",
                f.suggestion,
                category=f.category,
                source=f.source,
            )
            key = f"{story.id}\x00{f.rule}\x00{f.text or ''}\x00{f.section or ''}"
            result: dict[str, Any] = {
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f"{f.message} {f.suggestion}"},
                "locations": [self._location(story, f.start, f.end)],
                "partialFingerprints": {
                    "staranalyzerFinding/v1": hashlib.sha256(key.encode()).hexdigest()[:32]
                },
                "properties": {"category": f.category, "story": story.id},
            }
            if f.section:
                result["properties"]["section"] = f.section
            self.results.append(result)
        under = _under(report, self.fail_under)
        if under:
            index = self._rule(
                FAIL_UNDER,
                "error",
                "story scored under --fail-under",
                "Work on the findings of this story until its score reaches the threshold.",
                category="score",
            )
            self.results.append(
                {
                    "ruleId": FAIL_UNDER,
                    "ruleIndex": index,
                    "level": "error",
                    "message": {"text": under},
                    "locations": [self._location(story, None, None)],
                    "properties": {"story": story.id, "score": report.score},
                }
            )

    def document(self) -> dict[str, Any]:
        """Return the SARIF log as a JSON-ready dict."""
        from .. import __version__  # the package's __init__ imports this module

        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "star-check",
                            "fullName": "staranalyzer star-check",
                            "version": __version__,
                            "semanticVersion": __version__,
                            "rules": list(self.rules.values()),
                        }
                    },
                    "invocations": [
                        {
                            "executionSuccessful": not self.notifications,
                            "toolExecutionNotifications": self.notifications,
                        }
                    ],
                    "columnKind": "unicodeCodePoints",
                    "results": self.results,
                    "properties": {"stories": self.stories},
                }
            ],
        }

    def dumps(self) -> str:
        """Return the SARIF log as indented JSON, ending with a newline."""
        return json.dumps(self.document(), indent=2, ensure_ascii=False) + "\n"
