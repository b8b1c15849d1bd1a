"""The report: pydantic models for everything :func:`staranalyzer.analyze` returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .rubric import Label

SCHEMA_VERSION = "0.1.0"
"""Version of the report's JSON form; bumped whenever a field is added, renamed or removed."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class Report(_Frozen):
    """Everything staranalyzer found in one answer."""

    schema_version: str = SCHEMA_VERSION
    rubric: str
    """Name or path of the rubric the answer was judged against."""
    characters: int = Field(ge=0)
    """Length of the analysed text; every offset in the report is below or at it."""
    sections: list[Section]

    def section(self, label: Label) -> Section | None:
        """Return the first section with ``label``, or None when the answer has none."""
        return next((s for s in self.sections if s.label == label), None)
