"""The story bank as a portfolio: what it covers and lacks, and concrete next steps.

Which principles it covers, its theme mix, cross-functional share, level consistency, failure
stories and lessons, near-duplicates.

Built story by story (:class:`PortfolioBuilder`) in memory that does not grow with the bank
beyond the first 200 stories' matrix rows, or at once with :func:`portfolio`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from .models import Report
from .rubric import Rubric, load_rubric
from .summary import DuplicateFinder, NearDuplicate

PORTFOLIO_VERSION = "1.0.0"
_MATRIX_ROWS = 200


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PrincipleCoverage(_Frozen):
    """How many stories show one principle, and which (the first 20)."""

    id: str
    name: str
    count: int
    stories: list[str] = Field(default_factory=list)


class Share(_Frozen):
    """A count, its share of the bank, and the rubric's target share (None: no target)."""

    name: str
    count: int
    share: float
    target: float | None = None


class MatrixRow(_Frozen):
    """One story of the stories x principles matrix: the principles it shows."""

    id: str
    principles: list[str]
    theme: str | None = None
    cross_functional: bool = False
    score: float = 0.0


class PortfolioReport(_Frozen):
    """What a story bank covers and lacks, against the rubric's portfolio targets."""

    portfolio_version: str = PORTFOLIO_VERSION
    rubric: str
    stories: int
    target_stories: int
    coverage: list[PrincipleCoverage]
    missing: list[str] = Field(default_factory=list)
    """Principles no story shows."""
    thin: list[str] = Field(default_factory=list)
    """Principles fewer stories show than the rubric asks (but at least one)."""
    matrix: list[MatrixRow] = Field(default_factory=list)
    """The first 200 stories and the principles each shows."""
    themes: list[Share] = Field(default_factory=list)
    cross_functional: Share | None = None
    levels: dict[str, int] = Field(default_factory=dict)
    """Level verdicts (within, under, over, unknown) and how many stories have each."""
    failure_stories: list[str] = Field(default_factory=list)
    failure_without_lesson: list[str] = Field(default_factory=list)
    near_duplicates: list[NearDuplicate] = Field(default_factory=list)
    """Stories told twice in nearly the same words (one story, not two, in the bank)."""
    next_steps: list[str] = Field(default_factory=list)


class PortfolioBuilder:
    """Accumulates scored stories; :meth:`build` returns the :class:`PortfolioReport`.

    Args:
        rubric: the rubric the stories were scored with (its principles and targets).
        duplicates: a near-duplicate finder that is already fed the stories' texts (the bank
            summary's); by default the builder keeps its own.

    """

    def __init__(
        self, rubric: str | Rubric = "default", duplicates: DuplicateFinder | None = None
    ) -> None:
        self.rubric = load_rubric(rubric)
        self._own_duplicates = duplicates is None
        self.duplicates = duplicates if duplicates is not None else DuplicateFinder()
        spec = self.rubric.principles
        self.items = list(spec.items) if spec is not None else []
        self.threshold = spec.threshold if spec is not None else 0.5
        self.names = {p.id: p.name for p in self.items}
        self.stories = 0
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {p.id: [] for p in self.items}
        self.closest: dict[str, tuple[float, str]] = {}
        self.themes: Counter[str] = Counter()
        self.cross_functional = 0
        self.levels: Counter[str] = Counter()
        self.off_level: list[tuple[str, str]] = []
        self.failures: list[str] = []
        self.no_lesson: list[str] = []
        self.rows: list[MatrixRow] = []
        failure = self.rubric.failure_phrases
        self._failure_words = [w.lower() for w in failure]

    def shown(self, report: Report) -> list[str]:
        """The principles a story shows.

        Those over the rubric's threshold (at most three), or else its single best one when
        that is close (at least half the threshold).
        """
        ranked = [p for p in report.principles if p.score >= self.threshold][:3]
        if not ranked and report.principles and report.principles[0].score >= self.threshold / 2:
            ranked = report.principles[:1]
        return [p.id for p in ranked]

    def add(self, story_id: str, report: Report, text: str = "") -> None:
        """Count one scored story (``text``, when given, finds near-duplicates)."""
        self.stories += 1
        if self._own_duplicates and text:
            self.duplicates.add(story_id, text)
        shown = self.shown(report)
        for pid in shown:
            self.counts[pid] += 1
            if len(self.examples[pid]) < 20:
                self.examples[pid].append(story_id)
        for p in report.principles:
            if p.id not in shown and p.score > self.closest.get(p.id, (-1.0, ""))[0]:
                self.closest[p.id] = (p.score, story_id)
        signals = report.signals
        if signals is not None:
            if signals.theme is not None:
                self.themes[signals.theme] += 1
            self.cross_functional += signals.cross_functional
        self.levels[report.level.verdict] += 1
        if report.level.verdict in ("under", "over") and len(self.off_level) < 50:
            self.off_level.append((story_id, report.level.verdict))
        lowered = text.lower()
        fit = report.question_fit
        failure = (fit is not None and "failure" in fit.kinds) or any(
            w in lowered for w in self._failure_words
        )
        if failure:
            self.failures.append(story_id)
            if not any(s.label == "reflection" for s in report.sections):
                self.no_lesson.append(story_id)
        if len(self.rows) < _MATRIX_ROWS:
            self.rows.append(
                MatrixRow(
                    id=story_id,
                    principles=shown,
                    theme=signals.theme if signals is not None else None,
                    cross_functional=bool(signals and signals.cross_functional),
                    score=report.score,
                )
            )

    def build(self) -> PortfolioReport:
        """The portfolio of every story added so far, with next steps."""
        spec = self.rubric.portfolio
        n = max(self.stories, 1)
        coverage = [
            PrincipleCoverage(
                id=p.id, name=p.name, count=self.counts[p.id], stories=self.examples[p.id]
            )
            for p in self.items
        ]
        missing = [c.name for c in coverage if c.count == 0]
        thin = [c.name for c in coverage if 0 < c.count < spec.stories_per_principle]
        themes = [
            Share(name=t, count=self.themes[t], share=round(self.themes[t] / n, 3), target=target)
            for t, target in (spec.themes or {t: None for t in sorted(self.themes)}).items()
        ]
        xfn = None
        if spec.cross_functional is not None:
            xfn = Share(
                name="cross_functional",
                count=self.cross_functional,
                share=round(self.cross_functional / n, 3),
                target=spec.cross_functional,
            )
        report = PortfolioReport(
            rubric=self.rubric.name,
            stories=self.stories,
            target_stories=spec.min_stories,
            coverage=coverage,
            missing=missing,
            thin=thin,
            matrix=self.rows,
            themes=themes,
            cross_functional=xfn,
            levels=dict(sorted(self.levels.items())),
            failure_stories=self.failures[:50],
            failure_without_lesson=self.no_lesson[:50],
            near_duplicates=self.duplicates.pairs(),
        )
        return report.model_copy(update={"next_steps": self._next_steps(report)})

    def _next_steps(self, report: PortfolioReport) -> list[str]:
        steps = []
        spec = self.rubric.portfolio
        if report.stories < spec.min_stories:
            steps.append(
                f"Prepare {spec.min_stories - report.stories} more stories: a bank of "
                f"{spec.min_stories}+ lets you answer every principle twice."
            )
        by_name = {p.name: p for p in self.items}
        for name in report.missing:
            p = by_name[name]
            close = self.closest.get(p.id)
            if close is not None and close[0] > 0.05 and p.ask:
                steps.append(f"No story shows {name}; {close[1]} could show it if it also {p.ask}.")
            elif close is not None and close[0] > 0.05:
                steps.append(
                    f"No story shows {name}; {close[1]} comes closest and could, if it showed "
                    f"this: {p.description[0].lower()}{p.description[1:]}"
                )
            else:
                ask = f"one that {p.ask}." if p.ask else f"one. ({p.description})"
                steps.append(f"No story shows {name}: prepare {ask}")
        for name in report.thin:
            p = by_name[name]
            one = self.examples[p.id][0] if self.examples[p.id] else "one story"
            steps.append(
                f"Only {one} shows {name}; prepare a second story for it "
                f"(aim: {spec.stories_per_principle} each)."
            )
        for theme in report.themes:
            if theme.target is not None and theme.share < theme.target - 0.1:
                steps.append(
                    f"{theme.name.replace('_', ' ').capitalize()} stories are {theme.share:.0%} "
                    f"of the bank against a target of {theme.target:.0%}: add some."
                )
        xfn = report.cross_functional
        if xfn is not None and xfn.target is not None and xfn.share < xfn.target:
            steps.append(
                f"{xfn.share:.0%} of the stories work across teams or functions (aim: "
                f"{xfn.target:.0%}): name the other teams and what you agreed with them."
            )
        for story in report.failure_without_lesson[:5]:
            steps.append(
                f"{story} is a failure story with no lesson: end it with what you learned."
            )
        for dup in report.near_duplicates[:3]:
            steps.append(
                f"{dup.first} and {dup.second} tell nearly the same story "
                f"({dup.similarity:.0%} shared wording): keep one and prepare another."
            )
        level = self.rubric.level
        under = [sid for sid, v in self.off_level if v == "under"]
        over = [sid for sid, v in self.off_level if v == "over"]
        if level and under:
            more = f" and {len(under) - 4} more" if len(under) > 4 else ""
            steps.append(
                f"{', '.join(under[:4])}{more} read below {level} scope: say how many people and "
                "teams you led, the money at stake and how many users it reached."
            )
        if level and over:
            steps.append(
                f"{', '.join(over[:4])} claim scope beyond {level}: check that you can defend it "
                "in follow-ups, or tell it at the scope you owned."
            )
        verdicts = {v for v, c in report.levels.items() if c and v in ("under", "over")}
        if len(verdicts) == 2:
            steps.append(
                "Stories read at different levels (some under, some over the rubric's): check "
                "that each shows the scope you are applying at."
            )
        return steps


def portfolio(
    reports: Iterable[Report | tuple[str, Report] | tuple[str, Report, str]],
    rubric: str | Rubric | None = None,
) -> PortfolioReport:
    """The portfolio of a story bank.

    Args:
        reports: the stories' reports, or (story id, report) pairs, or (story id, report,
            answer text) triples (the text finds near-duplicates; ids default to ``story-1``,
            ``story-2``...).
        rubric: the rubric they were scored with (default: the first report's rubric).

    Returns:
        The portfolio: coverage of principles, theme mix, cross-functional share, level
        consistency, failure stories and next steps.

    """
    builder: PortfolioBuilder | None = None
    for i, item in enumerate(reports, 1):
        if isinstance(item, tuple):
            story_id, report = item[0], item[1]
            text = item[2] if len(item) > 2 else ""  # type: ignore[misc]
        else:
            story_id, report, text = f"story-{i}", item, ""
        if builder is None:
            builder = PortfolioBuilder(rubric if rubric is not None else report.rubric)
        builder.add(story_id, report, text)
    if builder is None:
        builder = PortfolioBuilder(rubric if rubric is not None else "default")
    return builder.build()


def portfolio_schema() -> dict[str, object]:
    """The JSON Schema of :class:`PortfolioReport` (the ``portfolio`` record), versioned."""
    schema = PortfolioReport.model_json_schema()
    schema["$id"] = f"https://staranalyzer.invalid/schema/portfolio-{PORTFOLIO_VERSION}.json"
    schema["version"] = PORTFOLIO_VERSION
    return schema
