"""Rubric data: pydantic models for rubric files and the loader for bundled or user rubrics.

A rubric is a YAML file. Bundled rubrics live in the top-level ``rubrics/`` folder of the source
tree and ship inside the wheel as ``staranalyzer.rubrics``; a user's rubric is any path to a
``.yaml`` file. A rubric may ``extends:`` another (bundled name or path relative to itself): the
child's mappings are merged into the parent's key by key; lists of rules or cues merge by ``id``
(a child's rule replaces the parent's rule of the same id, new ones are added); other lists
replace the parent's. ``disabled:`` switches rules off by id prefix.
"""

from __future__ import annotations

import importlib.resources
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import RubricError

Label = Literal["situation", "task", "action", "result", "reflection"]
LABELS: tuple[Label, ...] = ("situation", "task", "action", "result", "reflection")
"""The section labels, in the order a STAR answer tells them."""

RUBRIC_SCHEMA_VERSION = 1
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timing(_Strict):
    """Speaking-time targets for each section and the whole answer."""

    words_per_minute: float = Field(150.0, gt=0, le=400)
    seconds: dict[Label, float] = Field(
        default_factory=lambda: {"situation": 30, "task": 20, "action": 90, "result": 30}
    )
    total_seconds: tuple[float, float] = (90.0, 180.0)
    """The window the whole answer's speaking time should fall in."""
    share_tolerance: float = Field(0.6, gt=0, le=5)
    """A section is short below target * (1 - tolerance) and long above target * (1 + tolerance)."""
    min_words: int = Field(60, ge=0)
    """Answers shorter than this are not judged on section balance."""


class PhraseCue(_Strict):
    """Sentences containing one of ``phrases`` (lower-cased, token by token) lean to ``label``."""

    kind: Literal["phrase"]
    id: str
    label: Label
    weight: float = Field(ge=-10, le=10)
    phrases: list[str] = Field(min_length=1)
    at_start: bool = False
    """Only count the phrase when it opens the sentence (after leading punctuation)."""


class SubjectVerbCue(_Strict):
    """A subject (``I``, ``we``) followed by one of ``verbs``, optionally with adverbs between."""

    kind: Literal["subject_verb"]
    id: str
    label: Label
    weight: float = Field(ge=-10, le=10)
    subjects: list[str] = Field(min_length=1)
    verbs: list[str] = Field(default_factory=list)
    suffixes: list[str] = Field(default_factory=list)
    """Also count any word ending in one of these (``ed``), unless it is in ``exclude``."""
    exclude: list[str] = Field(default_factory=list)
    adverbs: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_verbs(self) -> SubjectVerbCue:
        if not self.verbs and not self.suffixes:
            raise ValueError("give 'verbs' or 'suffixes'")
        return self


class FeatureCue(_Strict):
    """A computed sentence feature: ``number`` (a digit, %, $ or number word)."""

    kind: Literal["feature"]
    id: str
    label: Label
    weight: float = Field(ge=-10, le=10)
    feature: Literal[
        "number",
        "percent_or_money",
        "first_sentence",
        "last_sentence",
        "no_first_person_subject",
        "past_tense_root",
        "first_person_action",
        "modal_or_need",
        "copula_root",
    ]


Cue = Annotated[PhraseCue | SubjectVerbCue | FeatureCue, Field(discriminator="kind")]


class PositionPrior(_Strict):
    """Where in the answer a label is expected: ``weight * |position - center|`` is subtracted."""

    center: float = Field(ge=0, le=1)
    weight: float = Field(ge=0, le=20)


class Sectioning(_Strict):
    """How sections are found: header words for labelled answers and cues for the rest."""

    headers: dict[Label, list[str]]
    letters: dict[str, Label] = Field(default_factory=dict)
    ignore_headers: list[str] = Field(default_factory=list)
    """Headers whose text is not part of the answer ("Question:")."""
    skip_at_start: list[str] = Field(default_factory=list)
    """Discourse markers ("so", "um") passed over when an ``at_start`` cue looks for the opener."""
    cues: list[Cue] = Field(default_factory=list)
    bias: dict[Label, float] = Field(default_factory=dict)
    position: dict[Label, PositionPrior] = Field(default_factory=dict)
    switch_cost: float = Field(1.0, ge=0, le=20)
    """Cost of starting a new section in the middle of a paragraph."""
    paragraph_switch_cost: float = Field(0.0, ge=-20, le=20)
    """Cost of starting a new section at a paragraph break (usually lower)."""
    paragraph_stay_cost: float = Field(0.0, ge=0, le=20)
    """Cost of carrying one section across a paragraph break."""

    @model_validator(mode="after")
    def _unique_cue_ids(self) -> Sectioning:
        seen: set[str] = set()
        for cue in self.cues:
            if cue.id in seen:
                raise ValueError(f"cue id {cue.id!r} is used twice")
            seen.add(cue.id)
        return self


Category = Literal[
    "blame",
    "sole_credit",
    "vague",
    "hedging",
    "overreach",
    "ownership",
    "missing_section",
    "balance",
    "no_metrics",
    "filler",
]
Severity = Literal["info", "warning", "error"]
ScopeKind = Literal["team_size", "teams", "money", "users", "stakeholders", "time_horizon"]
MetricKind = Literal[
    "percent", "money", "count", "multiplier", "duration", "rating", "ratio", "change"
]


class Examples(_Strict):
    """Answers (or sentences) a rule must flag, and ones it must leave alone."""

    match: list[str] = Field(min_length=1)
    no_match: list[str] = Field(min_length=1)


class _Rule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    category: Category
    severity: Severity
    message: str = Field(min_length=1)
    suggestion: str = Field(min_length=1)
    examples: Examples


class PhraseRule(_Rule):
    """Flags phrases (token by token, any case) in context.

    A match counts unless a word of ``unless`` is in the same sentence or the word just before
    it is in ``not_after``; with ``requires``, one of those phrases must be in the sentence too;
    with ``unless_metric``, a metric in the sentence cancels it. The rule fires only when the
    answer holds at least ``min_count`` counted matches, and then reports each of them.
    """

    kind: Literal["phrase"]
    phrases: list[str] = Field(min_length=1)
    requires: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    not_after: list[str] = Field(default_factory=list)
    sections: list[Label] = Field(default_factory=list)
    """Only in these sections (empty: anywhere)."""
    min_count: int = Field(1, ge=1, le=100)
    unless_metric: bool = False


class RatioRule(_Rule):
    """Flags a section whose ``numerator`` words outweigh its ``denominator`` words ("we" vs "I").

    Fires when numerator / (numerator + denominator) >= ``threshold`` and the numerator count is
    at least ``min_numerator``.
    """

    kind: Literal["ratio"]
    section: Label = "action"
    numerator: list[str] = Field(min_length=1)
    denominator: list[str] = Field(min_length=1)
    threshold: float = Field(ge=0, le=1)
    min_numerator: int = Field(1, ge=1)


class MissingSectionRule(_Rule):
    """Flags each of ``labels`` that the answer does not have. ``{label}`` in texts is filled."""

    kind: Literal["missing_section"]
    labels: list[Label] = Field(min_length=1)


class BalanceRule(_Rule):
    """Flags each section whose share of the words is short or long against ``timing``.

    ``{label}``, ``{share}``, ``{target}`` and ``{status}`` in texts are filled.
    """

    kind: Literal["balance"]


class NoMetricsRule(_Rule):
    """Flags a section (the Result) that holds no metric of ``kinds``."""

    kind: Literal["no_metrics"]
    section: Label = "result"
    kinds: list[MetricKind] = Field(min_length=1)


class ScopeLevelRule(_Rule):
    """Flags a level verdict (``over``: claims beyond the level; ``under``: scope below it)."""

    kind: Literal["scope_level"]
    verdict: Literal["over", "under"]


Rule = Annotated[
    PhraseRule | RatioRule | MissingSectionRule | BalanceRule | NoMetricsRule | ScopeLevelRule,
    Field(discriminator="kind"),
]


Dimension = Literal["structure", "balance", "quantification", "scope", "ownership", "language"]
DIMENSIONS: tuple[Dimension, ...] = (
    "structure",
    "balance",
    "quantification",
    "scope",
    "ownership",
    "language",
)
Condition = Literal[
    "no_metrics_anywhere",
    "no_scope_cues",
    "level_under",
    "timing_short",
    "timing_long",
    "action_single_sentence",
    "failure_without_reflection",
]


class Deduction(_Strict):
    """Points a dimension loses for each matching finding (or once for a condition).

    Exactly one of ``rule`` (an id prefix), ``category`` or ``condition`` says what matches;
    ``section`` narrows a finding match to one section; ``max_points`` caps the total.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    dimension: Dimension
    points: float = Field(gt=0, le=100)
    max_points: float | None = Field(None, gt=0, le=100)
    rule: str | None = None
    category: Category | None = None
    condition: Condition | None = None
    section: Label | None = None
    reason: str = ""
    """Why a condition costs points; findings bring their own message."""

    @model_validator(mode="after")
    def _one_trigger(self) -> Deduction:
        if sum(x is not None for x in (self.rule, self.category, self.condition)) != 1:
            raise ValueError("give exactly one of 'rule', 'category' or 'condition'")
        return self


class Scoring(_Strict):
    """Dimension weights, verdict thresholds and deductions."""

    weights: dict[Dimension, float] = Field(default_factory=lambda: {d: 1.0 for d in DIMENSIONS})
    verdicts: dict[Literal["strong", "solid", "needs work"], float] = Field(
        default_factory=lambda: {"strong": 80.0, "solid": 65.0, "needs work": 45.0}
    )
    """Lowest score of each verdict; below "needs work" is "weak"."""
    deductions: list[Deduction] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Scoring:
        if sum(self.weights.values()) <= 0 or any(w < 0 for w in self.weights.values()):
            raise ValueError("weights must be >= 0 and add up to more than 0")
        v = self.verdicts
        if not v.get("strong", 100) >= v.get("solid", 0) >= v.get("needs work", 0):
            raise ValueError("verdict thresholds must fall: strong >= solid >= needs work")
        ids = [d.id for d in self.deductions]
        if len(ids) != len(set(ids)):
            raise ValueError("deduction ids must be unique")
        return self


class FollowUp(_Strict):
    """A question an interviewer would likely ask when ``when`` holds.

    ``when`` names one trigger: a finding ``category``, a ``rule`` id prefix, a ``missing``
    section, a ``level`` verdict, or a ``condition``.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    question: str = Field(min_length=1)
    category: Category | None = None
    rule: str | None = None
    missing: Label | None = None
    level: Literal["under", "over"] | None = None
    condition: Condition | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> FollowUp:
        triggers = (self.category, self.rule, self.missing, self.level, self.condition)
        if sum(x is not None for x in triggers) != 1:
            raise ValueError(
                "give exactly one of 'category', 'rule', 'missing', 'level', 'condition'"
            )
        return self


class LevelBand(_Strict):
    """The scope a level's stories show: each kind's [low, high] (high None: no upper bound)."""

    name: str
    team_size: tuple[float, float | None] | None = None
    teams: tuple[float, float | None] | None = None
    money: tuple[float, float | None] | None = None
    users: tuple[float, float | None] | None = None
    description: str = ""


class Scope(_Strict):
    """Scope cues (nouns that say what a count measures) and level bands, lowest level first."""

    nouns: dict[ScopeKind, list[str]] = Field(default_factory=dict)
    lead_in: dict[ScopeKind, list[str]] = Field(default_factory=dict)
    """Words just before a bare number that say what it counts ("team of" -> team_size)."""
    levels: list[LevelBand] = Field(default_factory=list)


class Rubric(_Strict):
    """A validated rubric: timing targets, sectioning cues, scope levels and detector rules."""

    schema_version: Literal[1] = RUBRIC_SCHEMA_VERSION
    name: str
    description: str = ""
    level: str | None = None
    """The level answers are judged against; one of ``scope.levels`` names."""
    timing: Timing = Field(default_factory=Timing)
    sectioning: Sectioning
    scope: Scope = Field(default_factory=Scope)
    rules: list[Rule] = Field(default_factory=list)
    scoring: Scoring = Field(default_factory=Scoring)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    failure_phrases: list[str] = Field(default_factory=list)
    """Phrases that make a story a failure story (for the failure_without_reflection condition)."""
    disabled: list[str] = Field(default_factory=list)
    """Rule id prefixes switched off (``redflag.hedging`` drops every hedging rule)."""
    source: str = ""
    """Where the rubric was loaded from (bundled name or file path); set by the loader."""

    @model_validator(mode="after")
    def _check(self) -> Rubric:
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"rule ids used twice: {', '.join(dupes)}")
        names = [b.name for b in self.scope.levels]
        if self.level is not None and self.level not in names:
            raise ValueError(f"level {self.level!r} is not in scope.levels ({', '.join(names)})")
        return self

    def active_rules(self) -> list[Rule]:
        """Return the rules not switched off by a ``disabled`` prefix."""
        return [r for r in self.rules if not any(_has_prefix(r.id, p) for p in self.disabled)]


def _has_prefix(rule_id: str, prefix: str) -> bool:
    return rule_id == prefix or rule_id.startswith(prefix.rstrip(".") + ".")


def available_rubrics() -> list[str]:
    """Return the names of the rubrics bundled with staranalyzer, sorted."""
    root = importlib.resources.files("staranalyzer.rubrics")
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def _read_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise RubricError(
            source, [f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]
        ) from None
    if not isinstance(data, dict):
        raise RubricError(source, ["the file must hold a mapping at the top level"])
    return data


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = dict(parent)
    for key, value in child.items():
        old = merged.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            merged[key] = _merge(old, value)
        elif _by_id(value) and _by_id(old):
            # Lists of rules or cues merge by id: a child's entry replaces its parent's namesake.
            ids = {item["id"]: item for item in value}
            merged[key] = [ids.pop(item["id"], item) for item in old] + list(ids.values())
        else:
            merged[key] = value
    return merged


def _by_id(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value)


def _raw_rubric(ref: str | Path, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    """Return the merged raw mapping of a rubric and a name for its source."""
    path: Path | None = None
    if isinstance(ref, Path) or str(ref).endswith((".yaml", ".yml")) or "/" in str(ref):
        path = Path(ref)
        if not path.is_file():
            raise RubricError(str(ref), ["no such rubric file"])
        source = str(path)
        text = path.read_text(encoding="utf-8")
    else:
        names = available_rubrics()
        if ref not in names:
            raise RubricError(str(ref), [f"unknown rubric; available: {', '.join(names)}"])
        source = str(ref)
        text = (importlib.resources.files("staranalyzer.rubrics") / f"{ref}.yaml").read_text(
            encoding="utf-8"
        )
    if source in seen:
        raise RubricError(source, ["'extends' makes a cycle: " + " -> ".join((*seen, source))])
    data = _read_yaml(text, source)
    parent_ref = data.pop("extends", None)
    if parent_ref is not None:
        if not isinstance(parent_ref, str):
            raise RubricError(source, ["field 'extends': must be a rubric name or path"])
        if path is not None and ("/" in parent_ref or parent_ref.endswith((".yaml", ".yml"))):
            parent_ref = str((path.parent / parent_ref).resolve())
        parent, _ = _raw_rubric(parent_ref, (*seen, source))
        data = _merge(parent, data)
    return data, source


def _describe_error(data: dict[str, Any], err: dict[str, Any]) -> str:
    """Name the rule (cue/rule id) and the field a pydantic error is about."""
    loc = [p for p in err["loc"]]
    rule_id = None
    node: Any = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            rule_id = node["id"]
    field = ".".join(str(p) for p in loc if p not in ("phrase", "subject_verb", "feature"))
    rule = f"rule {rule_id!r}, " if rule_id else ""
    return f"{rule}field '{field}': {err['msg']}"


def parse_rubric(data: dict[str, Any], source: str) -> Rubric:
    """Validate a raw rubric mapping; raise :class:`RubricError` naming the rule and field."""
    try:
        return Rubric.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise RubricError(source, [_describe_error(data, e) for e in exc.errors()]) from None


@lru_cache(maxsize=32)
def _load_cached(ref: str, mtime: float) -> Rubric:
    data, source = _raw_rubric(ref)
    return parse_rubric(data, source)


def load_rubric(rubric: str | Path | Rubric = "default") -> Rubric:
    """Load a rubric by bundled name (``"default"``, ``"amazon-l6"``) or by path to a YAML file.

    Args:
        rubric: a bundled name, a path, or an already loaded :class:`Rubric` (returned as is).

    Returns:
        The validated rubric.

    Raises:
        RubricError: the rubric is unknown, unreadable or invalid; the message names the file,
            the rule id and the field.

    """
    if isinstance(rubric, Rubric):
        return rubric
    ref = str(rubric)
    path = Path(ref)
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    return _load_cached(ref, mtime)
