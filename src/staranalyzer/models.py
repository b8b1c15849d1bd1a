"""The report: pydantic models for everything :func:`staranalyzer.analyze` returns."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from typing_extensions import Self

from .vocabulary import Category, Dimension, Label, MetricKind, ScopeKind, Severity, StarLabel

SCHEMA_VERSION = "2.1.0"
"""Version of the report's JSON form; bumped whenever a field is added, renamed or removed."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def build(cls, **values: Any) -> Self:
        """A record from values this package computed itself, without validation.

        The same as pydantic's ``model_construct`` (defaults filled, the fields given marked
        as set), minus its alias handling, which these models do not use; several times faster,
        which counts on the hot path (dozens of records per answer). Validation stays at the
        edges: ``Report.model_validate`` on anything read from outside.
        """
        plan = cls.__dict__.get("_plan_cache")
        if plan is None:
            static: dict[str, Any] = {}
            factories: dict[str, Any] = {}
            for name, field in cls.__pydantic_fields__.items():
                if field.is_required():
                    continue
                if field.default_factory is not None:
                    factories[name] = field.default_factory
                else:
                    static[name] = field.default
            plan = (tuple(cls.__pydantic_fields__), static, factories)
            type.__setattr__(cls, "_plan_cache", plan)
        order, static, factories = plan
        data: dict[str, Any] = {}
        for name in order:
            if name in values:
                data[name] = values[name]
            elif name in static:
                value = static[name]
                data[name] = copy.copy(value) if isinstance(value, list | dict | set) else value
            elif name in factories:
                data[name] = factories[name]()
        record = cls.__new__(cls)
        object.__setattr__(record, "__dict__", data)
        object.__setattr__(record, "__pydantic_fields_set__", set(values))
        object.__setattr__(record, "__pydantic_extra__", None)
        object.__setattr__(record, "__pydantic_private__", None)
        return record


class Section(_Frozen):
    """One STAR section of the answer.

    ``text[start:end]`` is the section's body, without its header, in the exact input string.
    """

    label: Label
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    source: Literal["labeled", "inferred"]
    """``labeled``: the answer names the section with a header; ``inferred``: found from cues."""
    confidence: float = Field(ge=0, le=1)
    words: int = Field(ge=0)
    sentences: int = Field(ge=0)
    header: str | None = None
    """The header as written (``"**Task:**"``), for labelled sections."""

    @model_validator(mode="after")
    def _ordered(self) -> Section:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class Metric(_Frozen):
    """A quantified piece of evidence ("40%", "$2.5M", "from 3 weeks to 4 days").

    ``value`` is normalised: money in currency units (``$2.5M`` -> 2500000, ``unit`` "USD"),
    percentages as numbers (``unit`` "%"), durations in the stated unit (``unit`` "week"),
    ratings with ``unit`` "/5", ratios as fractions. A before/after pair is one ``change``
    metric with ``before``, ``after`` (in the same unit) and ``direction``.
    """

    kind: MetricKind
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    value: float | None
    unit: str | None = None
    high: float | None = None
    """Upper end of a range ("$10-50M", "two or three nurses")."""
    before: float | None = None
    after: float | None = None
    direction: Literal["up", "down"] | None = None
    approximate: bool = False
    """Qualified ("about", "over", "up to", "10,000+")."""
    section: Label | None = None


class ScopeCue(_Frozen):
    """Evidence of the story's scope: team size, number of teams, money, users, ..."""

    kind: ScopeKind
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    value: float | None
    section: Label | None = None
    level: str | None = None
    """The rubric level whose band this value falls in, when the rubric defines levels."""
    context: bool = False
    """The count describes someone else's scope ("the head of support, who ran a team of 60")
    or the setting, not the candidate's: shown, but not used for the level."""


class LevelAssessment(_Frozen):
    """The level the story's scope suggests, against the rubric's level."""

    expected: str | None
    """The rubric's level (None for a rubric without levels)."""
    suggested: str | None
    """The highest level any scope cue reaches; None without cues or levels."""
    verdict: Literal["under", "within", "over", "unknown"]
    cues: list[ScopeCue] = Field(default_factory=list)
    """The cues behind the verdict."""


class Finding(_Frozen):
    """One thing the rubric's rules noticed; ``start``/``end`` are None for the whole answer."""

    rule: str
    """Dotted rule id (``redflag.blame.predecessor``); switch rules off by prefix."""
    category: Category
    severity: Severity
    message: str
    suggestion: str
    start: int | None = None
    end: int | None = None
    text: str | None = None
    """The matched words, for findings with a span."""
    section: Label | None = None
    source: str
    """The rubric (bundled name or file) the rule comes from."""
    why: str | None = None
    """How it was found: the construction or cue that matched, or the model's probability."""


class SectionProportion(_Frozen):
    """A STAR section's length against its target share of the answer."""

    label: StarLabel
    words: int = Field(ge=0)
    seconds: float = Field(ge=0)
    """Estimated speaking time at the rubric's words per minute."""
    share: float = Field(ge=0, le=1)
    """Share of the STAR sections' words."""
    target: float = Field(ge=0, le=1)
    """Target share, from the rubric's seconds per section."""
    status: Literal["ok", "short", "long", "missing"]


class TimingCheck(_Frozen):
    """The whole answer's speaking time against the rubric's window."""

    value: float = Field(ge=0)
    """Estimated seconds."""
    target: tuple[float, float]
    status: Literal["ok", "short", "long"]


class TextStats(_Frozen):
    """Words, sentences, speaking time and readability of the answer or one section."""

    words: int = Field(ge=0)
    sentences: int = Field(ge=0)
    seconds: float = Field(ge=0)
    reading_ease: float | None
    """Flesch reading ease (higher is easier; 60-70 is plain English)."""
    grade: float | None
    """Flesch-Kincaid grade level."""


class Deduction(_Frozen):
    """Points a dimension lost, and why."""

    id: str
    """The rubric's deduction id (``score.ownership.we_heavy``)."""
    points: float = Field(gt=0)
    reason: str
    rule: str | None = None
    """The rule of the finding behind it (None for a whole-answer condition)."""
    start: int | None = None
    end: int | None = None


class DimensionScore(_Frozen):
    """One dimension's score: 100 minus its deductions, floored at 0."""

    dimension: Dimension
    score: float = Field(ge=0, le=100)
    weight: float = Field(ge=0)
    deductions: list[Deduction] = Field(default_factory=list)


class FollowUpQuestion(_Frozen):
    """A question an interviewer would likely ask, given the gaps found."""

    id: str
    question: str
    reason: str


class PrincipleEvidence(_Frozen):
    """A sentence that shows a principle, with the cue that weighed most in it."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    section: Label | None = None
    cue: str = ""


class PrincipleScore(_Frozen):
    """How strongly the story shows one of the rubric's principles (or competencies)."""

    id: str
    name: str
    score: float = Field(ge=0, le=1)
    named: bool = False
    """The answer names the principle itself ("this was about ownership")."""
    evidence: list[PrincipleEvidence] = Field(default_factory=list)


class QuestionFit(_Frozen):
    """What the interview question asks for, and whether the story shows it."""

    question: str
    kinds: list[str] = Field(default_factory=list)
    """Kinds of question it is ("failure", "conflict", ...), from the rubric's phrases."""
    asks_for: list[str] = Field(default_factory=list)
    """Principle ids the question asks for."""
    shown: list[str] = Field(default_factory=list)
    """Of those, the ones the story shows: in its top three or over the rubric's threshold,
    with at least one sentence of evidence."""
    needs: list[str] = Field(default_factory=list)
    """What a fitting answer must show ("failure", "lesson", "conflict", ...)."""
    missing: list[str] = Field(default_factory=list)
    fits: bool = True


class StorySignals(_Frozen):
    """The story as a whole: its interview theme, leadership balance and cross-functional work."""

    theme: str | None = None
    """The theme it fits best (team_leadership, technical_decisions, project_delivery,
    organisational), or None without cues."""
    theme_scores: dict[str, float] = Field(default_factory=dict)
    people_leadership: bool = False
    """The Action or Result coaches, hires, delegates, gives feedback, looks after morale..."""
    technical: bool = False
    """The Action or Result is about systems, code, architecture..."""
    cross_functional: bool = False
    """Two or more functions or teams are named, or work across teams is."""
    functions: list[str] = Field(default_factory=list)


class TextSpan(_Frozen):
    """A stretch of the answer: ``text == answer[start:end]``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Report(_Frozen):
    """Everything staranalyzer found in one answer."""

    schema_version: str = SCHEMA_VERSION
    rubric: str
    """Name or path of the rubric the answer was judged against."""
    characters: int = Field(ge=0)
    """Length of the analysed text; every offset in the report is below or at it."""
    sections: list[Section]
    headline: TextSpan | None = None
    """A one-line summary before the story ("TL;DR: ..."), which belongs to no section."""
    metrics: list[Metric] = Field(default_factory=list)
    scope_cues: list[ScopeCue] = Field(default_factory=list)
    level: LevelAssessment = Field(
        default_factory=lambda: LevelAssessment(expected=None, suggested=None, verdict="unknown")
    )
    findings: list[Finding] = Field(default_factory=list)
    proportions: list[SectionProportion] = Field(default_factory=list)
    timing: TimingCheck | None = None
    stats: TextStats | None = None
    section_stats: dict[Label, TextStats] = Field(default_factory=dict)
    dimensions: list[DimensionScore] = Field(default_factory=list)
    score: float = Field(0.0, ge=0, le=100)
    """Weighted mean of the dimension scores."""
    verdict: Literal["strong", "solid", "needs work", "weak"] = "weak"
    follow_ups: list[FollowUpQuestion] = Field(default_factory=list)
    principles: list[PrincipleScore] = Field(default_factory=list)
    """The rubric's principles (or competencies), strongest first, each with its evidence."""
    question_fit: QuestionFit | None = None
    """When the question is known: what it asks for and whether the story shows it."""
    signals: StorySignals | None = None

    def section(self, label: Label) -> Section | None:
        """Return the first section with ``label``, or None when the answer has none."""
        return next((s for s in self.sections if s.label == label), None)


def report_schema() -> dict[str, object]:
    """Return the JSON Schema of :class:`Report`, with its version (as committed in ``schema/``)."""
    schema = Report.model_json_schema()
    schema["$id"] = f"https://staranalyzer.invalid/schema/report-{SCHEMA_VERSION}.json"
    schema["version"] = SCHEMA_VERSION
    return schema
