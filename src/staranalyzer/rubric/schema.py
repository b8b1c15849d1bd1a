"""The rubric's data model: strict pydantic models for everything a rubric file may hold.

A rule's ``kind`` picks the detector engine that runs it (``staranalyzer.detectors``); the
models here only say what a valid rule of each kind looks like.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..vocabulary import (
    DIMENSIONS,
    STAR,
    Category,
    Dimension,
    Label,
    MetricKind,
    ScopeKind,
    Severity,
)

RUBRIC_SCHEMA_VERSION = 1
RULE_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"
Phrase = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
"""A phrase of a list: never empty or blank."""
Phrases = list[Phrase]


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

    def target_shares(self) -> dict[str, float]:
        """Each STAR section's target share of the STAR words, from its seconds."""
        total = sum(self.seconds.get(label, 0) for label in STAR) or 1.0
        return {label: self.seconds.get(label, 0) / total for label in STAR}


class Sectioning(_Strict):
    """How sections are found: header words for labelled answers, a trained model for the rest."""

    headers: dict[Label, Phrases]
    headline_headers: Phrases = Field(default_factory=list)
    """Headers of a one-line summary before the story ("TL;DR", "Summary"): no section."""
    letters: dict[str, Label] = Field(default_factory=dict)
    ignore_headers: Phrases = Field(default_factory=list)
    """Headers whose text is not part of the answer ("Question:")."""
    skip_at_start: Phrases = Field(default_factory=list)
    """Discourse markers ("so", "um") passed over when a feature looks at a unit's opener."""
    lexicons: dict[str, Phrases] = Field(default_factory=dict)
    """Cue lexicons; each is a feature of the trained sentence model ("task_obligation")."""
    model: str = "sections"
    """The trained sentence model: a bundled model name or a path relative to the rubric."""

    @model_validator(mode="after")
    def _letters_are_letters(self) -> Sectioning:
        for key in self.letters:
            if len(key) != 1 or not key.isalpha():
                raise ValueError(f"letters: {key!r} is not a single letter")
        return self


class AskedExample(_Strict):
    """An example answer together with the question it answers."""

    answer: Phrase
    question: Phrase


Example = Phrase | AskedExample


class Examples(_Strict):
    """Answers (or sentences) a rule must flag, and ones it must leave alone."""

    match: list[Example] = Field(min_length=1)
    no_match: list[Example] = Field(min_length=1)


class _Rule(_Strict):
    id: str = Field(pattern=RULE_ID)
    category: Category
    severity: Severity
    message: Phrase
    suggestion: Phrase
    examples: Examples


class PhraseRule(_Rule):
    """Flags phrases (token by token, any case) in context.

    A match counts unless a phrase of ``unless`` is in the same sentence or the word just before
    it is in ``not_after``; with ``requires``, one of those phrases must be in the sentence too;
    with ``unless_metric``, a metric in the sentence cancels it. The rule fires only when the
    answer holds at least ``min_count`` counted matches, and then reports each of them.
    """

    kind: Literal["phrase"]
    phrases: Phrases = Field(min_length=1)
    requires: Phrases = Field(default_factory=list)
    unless: Phrases = Field(default_factory=list)
    not_after: Phrases = Field(default_factory=list)
    sections: list[Label] = Field(default_factory=list)
    """Only in these sections (empty: anywhere)."""
    min_count: int = Field(1, ge=1, le=100)
    unless_metric: bool = False


class RatioRule(_Rule):
    """Flags a section whose ``numerator`` words outweigh its ``denominator`` words ("we" vs "I").

    Fires when numerator / (numerator + denominator) >= ``threshold`` and the numerator count is
    at least ``min_numerator``. With ``none_message``, a section where the denominator never
    occurs ("we", never "I") is reported with that message under the rule id plus ``.none``,
    so scoring can weigh it apart. With ``implied_subject``, a bullet, line or clause that opens
    on a past-tense verb with no subject ("- rang the fire service", "pulled the logs; wrote
    the fix") counts once as a denominator word: notes leave out the "I" they mean. The verbs
    are the listed words (irregular past forms) and words of five letters or more ending in
    "ed" that are not listed in ``implied_subject_not``. A clause later in a line that already
    named one of ``subjects`` shares that subject ("we rang them; agreed a route").
    """

    kind: Literal["ratio"]
    section: Label = "action"
    numerator: Phrases = Field(min_length=1)
    denominator: Phrases = Field(min_length=1)
    threshold: float = Field(ge=0, le=1)
    min_numerator: int = Field(1, ge=1)
    none_message: str | None = None
    implied_subject: Phrases = Field(default_factory=list)
    implied_subject_not: Phrases = Field(default_factory=list)
    subjects: Phrases = Field(default_factory=list)


class MissingSectionRule(_Rule):
    """Flags each of ``labels`` that the answer does not have. ``{label}`` in texts is filled."""

    kind: Literal["missing_section"]
    labels: list[Label] = Field(min_length=1)


class BalanceRule(_Rule):
    """Flags each section whose share of the words is short or long against ``timing``.

    ``{label}``, ``{share}``, ``{target}``, ``{status}`` and ``{targets}`` (every section's
    target share, from the rubric's timing) in texts are filled.
    """

    kind: Literal["balance"]


class NoMetricsRule(_Rule):
    """Flags a section (the Result) that holds no outcome evidence of ``kinds``.

    A count only counts as outcome evidence with ``counts_need_change`` false or when it says
    what changed (a direction, or a before and after).
    """

    kind: Literal["no_metrics"]
    section: Label = "result"
    kinds: list[MetricKind] = Field(min_length=1)
    counts_need_change: bool = True


class ScopeLevelRule(_Rule):
    """Flags a level verdict (``over``: claims beyond the level; ``under``: scope below it)."""

    kind: Literal["scope_level"]
    verdict: Literal["over", "under"]


class Slot(_Strict):
    """One slot of a construction: a phrase from a lexicon, after at most ``gap`` tokens.

    ``lexicon`` may name several lexicons joined by ``|`` (any of them fills the slot).
    """

    lexicon: str
    name: str | None = None
    """What the slot is called in messages (``{actor}``)."""
    gap: int | None = Field(None, ge=0, le=60)
    """Tokens allowed between the previous slot and this one (default: the rule's max_gap)."""
    not_after: list[str] = Field(default_factory=list)
    """Lexicons (negators) whose phrase ending just before this slot cancels it."""
    not_within: list[str] = Field(default_factory=list)
    """Lexicons whose phrase overlapping this slot's phrase cancels it ("a kind of queue")."""

    def names(self) -> list[str]:
        """The lexicons that fill this slot."""
        return self.lexicon.split("|")


class ConstructionRule(_Rule):
    """A construction within one sentence: lexicon slots in order, with context conditions.

    ``requires``: one of these lexicons must be in the sentence; ``unless``: none of them may
    be; ``unless_after``: none may follow the match in the sentence (an owned response);
    ``no_metric``: no metric in the sentence or the next one of its section ("no number in
    reach"); ``situation_requires``: in the Situation, one of these lexicons must also be in
    the sentence (a problem described as context needs more evidence); ``every``: report every
    match, not one per sentence. ``why`` explains the construction in the finding.
    """

    kind: Literal["construction"]
    pattern: list[Slot] = Field(min_length=1)
    max_gap: int = Field(8, ge=0, le=60)
    requires: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    unless_after: list[str] = Field(default_factory=list)
    no_metric: bool = False
    sections: list[Label] = Field(default_factory=list)
    situation_requires: list[str] = Field(default_factory=list)
    every: bool = False
    why: Phrase

    def lexicons(self) -> set[str]:
        """Every lexicon the rule names."""
        names = {n for s in self.pattern for n in (*s.names(), *s.not_after, *s.not_within)}
        return names | set(
            self.requires + self.unless + self.unless_after + self.situation_requires
        )


class ClassifierRule(_Rule):
    """The trained sentence model's verdict for one category, at a probability threshold.

    ``situation_threshold``: the (higher) threshold in the Situation. A sentence already flagged
    for the same category by another rule is not flagged again. ``veto``: a construction's
    finding of this category is dropped when the model gives its sentence a probability under
    ``veto`` (the construction matched a literal or neutral use the model has learned to read).
    """

    kind: Literal["classifier"]
    model: str = "flags"
    """A bundled model name or a model file relative to the rubric."""
    label: Literal["blame", "sole_credit", "vague", "hedging", "overreach"]
    threshold: float = Field(0.5, gt=0, lt=1)
    situation_threshold: float | None = Field(None, gt=0, lt=1)
    veto: float | None = Field(None, gt=0, lt=1)


class OrderRule(_Rule):
    """Flags ``later`` told before ``earlier`` (a Result before the Action), when both exist."""

    kind: Literal["order"]
    earlier: Label = "action"
    later: Label = "result"


class QuestionFitRule(_Rule):
    """Flags a story that does not show what its question asks for (when the question is known).

    ``check``: ``principles`` (none of the principles the question asks for is shown) or a need
    of the question's kind (``failure``: a failure question answered with a success story;
    ``lesson``: no lesson; ``conflict``, ``customer``, ``deadline``).
    """

    kind: Literal["question_fit"]
    check: Literal["principles", "failure", "lesson", "conflict", "customer", "deadline"]


class LeadershipRule(_Rule):
    """Flags a story that shows technical work but no people leadership."""

    kind: Literal["leadership"]


Rule = Annotated[
    PhraseRule
    | RatioRule
    | MissingSectionRule
    | BalanceRule
    | NoMetricsRule
    | ScopeLevelRule
    | OrderRule
    | ConstructionRule
    | ClassifierRule
    | QuestionFitRule
    | LeadershipRule,
    Field(discriminator="kind"),
]
RULE_KINDS: tuple[type[_Rule], ...] = (
    PhraseRule,
    RatioRule,
    MissingSectionRule,
    BalanceRule,
    NoMetricsRule,
    ScopeLevelRule,
    OrderRule,
    ConstructionRule,
    ClassifierRule,
    QuestionFitRule,
    LeadershipRule,
)

Measure = Literal["share_distance", "result_numbers", "outcome_numbers"]
"""Whole-answer measures a deduction can scale with (``scoring.measures``)."""

Condition = Literal[
    "no_metrics_anywhere",
    "no_scope_cues",
    "level_under",
    "timing_short",
    "timing_long",
    "action_single_sentence",
    "action_thin",
    "situation_long",
    "situation_dominant",
    "result_one_metric",
    "result_no_number",
    "failure_without_reflection",
]


class Deduction(_Strict):
    """Points a dimension loses for each matching finding (or once for a condition).

    Exactly one of ``rule`` (an id prefix), ``category``, ``condition`` or ``measure`` (points
    times a 0-1 measure of the whole answer) says what matches;
    ``section`` narrows a finding match to one section; ``max_points`` caps the total.
    """

    id: str = Field(pattern=RULE_ID)
    dimension: Dimension
    points: float = Field(gt=0, le=100)
    max_points: float | None = Field(None, gt=0, le=100)
    rule: str | None = None
    category: Category | None = None
    condition: Condition | None = None
    measure: Measure | None = None
    """A whole-answer measure from 0 to 1: the deduction is ``points`` times its value."""
    section: Label | None = None
    severity: Severity | None = None
    """Only findings of this severity (None: any)."""
    reason: str = ""
    """Why a condition costs points; findings bring their own message."""

    @model_validator(mode="after")
    def _one_trigger(self) -> Deduction:
        triggers = (self.rule, self.category, self.condition, self.measure)
        if sum(x is not None for x in triggers) != 1:
            raise ValueError("give exactly one of 'rule', 'category', 'condition' or 'measure'")
        return self


class Scoring(_Strict):
    """Dimension weights, verdict thresholds and deductions."""

    weights: dict[Dimension, float] = Field(default_factory=lambda: {d: 1.0 for d in DIMENSIONS})
    verdicts: dict[Literal["strong", "solid", "needs work"], float] = Field(
        default_factory=lambda: {"strong": 80.0, "solid": 65.0, "needs work": 45.0}
    )
    """Lowest score of each verdict; below "needs work" is "weak"."""
    deductions: list[Deduction] = Field(default_factory=list)
    action_thin_under: float = Field(0.5, gt=0, lt=1)
    """``action_thin`` holds when the Action's share is under its target times this."""
    situation_long_over: float = Field(1.8, gt=1)
    """``situation_long`` holds when the Situation's share is over its target times this."""
    situation_dominant_over: float = Field(2.8, gt=1)
    """``situation_dominant`` holds when the Situation's share is over its target times this."""

    @model_validator(mode="after")
    def _check(self) -> Scoring:
        if sum(self.weights.values()) <= 0 or any(w < 0 for w in self.weights.values()):
            raise ValueError("weights must be >= 0 and add up to more than 0")
        v = self.verdicts
        if not v.get("strong", 100) >= v.get("solid", 0) >= v.get("needs work", 0):
            raise ValueError("verdict thresholds must fall: strong >= solid >= needs work")
        if self.situation_dominant_over <= self.situation_long_over:
            raise ValueError("situation_dominant_over must be above situation_long_over")
        ids = [d.id for d in self.deductions]
        if len(ids) != len(set(ids)):
            raise ValueError("deduction ids must be unique")
        return self


class FollowUp(_Strict):
    """A question an interviewer would likely ask when ``when`` holds.

    ``when`` names one trigger: a finding ``category``, a ``rule`` id prefix, a ``missing``
    section, a ``level`` verdict, or a ``condition``.
    """

    id: str = Field(pattern=RULE_ID)
    question: Phrase
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


class PrincipleCue(_Strict):
    """Phrases that show a principle, and how much one hit weighs."""

    weight: float = Field(1.0, gt=0, le=10)
    phrases: Phrases = Field(min_length=1)


class Principle(_Strict):
    """A leadership principle or competency: what it means and the behaviours that show it.

    ``examples.match`` are texts in which at least one cue must be found; ``no_match`` texts in
    which none may be.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Phrase
    description: Phrase
    ask: str = ""
    """What a story would have to say to show it ("says what the budget was"), for the
    portfolio's next steps."""
    aliases: Phrases = Field(default_factory=list)
    """The principle's own name as a candidate may say it ("customer obsession")."""
    cues: list[PrincipleCue] = Field(min_length=1)
    examples: Examples


class Principles(_Strict):
    """The principles a rubric maps stories to, and the trained model that scores them."""

    model: str | None = None
    """A bundled model name or a file relative to the rubric; None scores by cues alone."""
    items: list[Principle] = Field(min_length=1)
    threshold: float = Field(0.35, gt=0, lt=1)
    """A story "shows" a principle at or above this score (for the portfolio)."""

    @model_validator(mode="after")
    def _unique(self) -> Principles:
        ids = [p.id for p in self.items]
        if len(ids) != len(set(ids)):
            raise ValueError("principle ids must be unique")
        return self


class QuestionKind(_Strict):
    """A kind of interview question ("failure", "conflict") and how to recognise it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    phrases: Phrases = Field(min_length=1)
    """Phrases of the question that ask for this kind."""
    principles: list[str] = Field(default_factory=list)
    """Principle ids this kind of question usually asks for."""
    needs: list[Literal["failure", "lesson", "conflict", "customer", "deadline"]] = Field(
        default_factory=list
    )
    """What a fitting answer must show."""


class Portfolio(_Strict):
    """What a story bank should hold (the targets the portfolio is measured against)."""

    min_stories: int = Field(20, ge=1)
    stories_per_principle: int = Field(2, ge=1)
    themes: dict[str, float] = Field(default_factory=dict)
    """Target share of each interview theme (team_leadership: 0.4, ...)."""
    cross_functional: float | None = Field(None, ge=0, le=1)
    """Target share of stories that work across teams or functions."""


Bounds = tuple[float, float | None]


class LevelBand(_Strict):
    """The scope a level's stories show: each kind's [low, high] (high None: no upper bound)."""

    name: str
    team_size: Bounds | None = None
    teams: Bounds | None = None
    money: Bounds | None = None
    users: Bounds | None = None
    description: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> LevelBand:
        for kind in ("team_size", "teams", "money", "users"):
            bounds = getattr(self, kind)
            if bounds is not None and bounds[1] is not None and bounds[1] < bounds[0]:
                raise ValueError(f"{kind}: the upper bound is below the lower bound")
        return self


class Scope(_Strict):
    """Scope cues (nouns that say what a count measures) and level bands, lowest level first."""

    nouns: dict[ScopeKind, Phrases] = Field(default_factory=dict)
    lead_in: dict[ScopeKind, Phrases] = Field(default_factory=dict)
    """Words just before a bare number that say what it counts ("team of" -> team_size)."""
    setting_before: Phrases = Field(default_factory=list)
    """Words just before a count or amount that make it the setting, not the candidate's scope
    ("a law firm of" 600 staff, "a town of", "supplying", "turnover of")."""
    setting_after: Phrases = Field(default_factory=list)
    """Words just after an amount that make it the setting ("£85 million" "turnover")."""
    levels: list[LevelBand] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind_per_noun(self) -> Scope:
        seen: dict[str, str] = {}
        for kind, words in self.nouns.items():
            for word in words:
                key = " ".join(word.lower().split())
                if key in seen and seen[key] != kind:
                    raise ValueError(f"noun {word!r} is listed under both {seen[key]} and {kind}")
                seen[key] = kind
        return self


class Rubric(_Strict):
    """A validated rubric: timing targets, sectioning, scope levels, rules and scoring."""

    schema_version: Literal[1] = RUBRIC_SCHEMA_VERSION
    name: str
    description: str = ""
    level: str | None = None
    """The level answers are judged against; one of ``scope.levels`` names."""
    timing: Timing = Field(default_factory=Timing)
    sectioning: Sectioning
    scope: Scope = Field(default_factory=Scope)
    lexicons: dict[str, Phrases] = Field(default_factory=dict)
    """Named word lists the constructions and the sentence model read ("third_party")."""
    principles: Principles | None = None
    questions: list[QuestionKind] = Field(default_factory=list)
    themes: list[Principle] = Field(default_factory=list)
    """Interview themes a story fits (team leadership, technical decisions, ...), by cues."""
    portfolio: Portfolio = Field(default_factory=Portfolio)
    rules: list[Rule] = Field(default_factory=list)
    scoring: Scoring = Field(default_factory=Scoring)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    failure_phrases: Phrases = Field(default_factory=list)
    """Phrases that make a story a failure story (for the failure_without_reflection condition)."""
    disabled: list[str] = Field(default_factory=list)
    """Rule id prefixes switched off (``redflag.hedging`` drops every hedging rule)."""
    source: str = ""
    """Where the rubric was loaded from (bundled name or file path); set by the loader."""
    user_rules: list[str] = Field(default_factory=list)
    """Ids of the rules a user's rubric file defines or changes (set by the loader): their
    examples are checked when an Analyzer loads the rubric."""
    base_dir: str | None = None
    """Folder of the rubric file (for model paths relative to it); None for bundled rubrics."""

    @model_validator(mode="after")
    def _check(self) -> Rubric:
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"rule ids used twice: {', '.join(dupes)}")
        for rule in self.rules:
            if isinstance(rule, ConstructionRule):
                missing = sorted(rule.lexicons() - set(self.lexicons))
                if missing:
                    raise ValueError(
                        f"rule {rule.id!r} names unknown lexicons: {', '.join(missing)}"
                    )
        names = [b.name for b in self.scope.levels]
        if self.level is not None and self.level not in names:
            raise ValueError(f"level {self.level!r} is not in scope.levels ({', '.join(names)})")
        return self

    def active_rules(self) -> list[Rule]:
        """Return the rules not switched off by a ``disabled`` prefix."""
        from ..vocabulary import matches_prefix

        return [r for r in self.rules if not any(matches_prefix(r.id, p) for p in self.disabled)]
