"""Pattern cards: parse `knowledge/*.md` (YAML front matter + Markdown body) strictly.

A bad card is an error naming the file and the field, never skipped: a review that cites a card
must be able to show it. Parsing is light (PyYAML + Pydantic) so the offline review can load
cards on the CLI's start-up path; the search index lives in `knowledge.py`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.bundled import DataFolderMissing, data_folder, load_data_yaml
from assistant.intake.schema import COMPONENT_KINDS

KNOWLEDGE_ENV = "ARCHREVIEW_KNOWLEDGE_DIR"
_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*\n(?P<body>.*)\Z", re.DOTALL)
_LINES = re.compile(r"^\d+-\d+$")


class CardError(ValueError):
    """A pattern card that cannot be used, with the file and field it concerns."""


class Effort(BaseModel):
    """Person-weeks to apply the pattern, low and high."""

    model_config = ConfigDict(extra="forbid")
    min_weeks: float = Field(ge=0)
    max_weeks: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Effort:
        if self.min_weeks > self.max_weeks:
            raise ValueError(f"min_weeks {self.min_weeks} exceeds max_weeks {self.max_weeks}")
        return self


class CostImpact(BaseModel):
    """Approximate monthly cost delta of applying the pattern (negative = saving)."""

    model_config = ConfigDict(extra="forbid")
    min: float
    max: float
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    note: str

    @model_validator(mode="after")
    def _ordered(self) -> CostImpact:
        if self.min > self.max:
            raise ValueError(f"min {self.min} exceeds max {self.max}")
        return self


class SourceRef(BaseModel):
    """Where in the seeds the card comes from."""

    model_config = ConfigDict(extra="forbid")
    file: str = Field(min_length=1)
    lines: str

    @field_validator("lines")
    @classmethod
    def _range(cls, value: str) -> str:
        if not _LINES.match(value):
            raise ValueError(f"expected a line range like '120-160', got {value!r}")
        return value


class PatternCard(BaseModel):
    """One scaling pattern: what it is, when it applies, what it costs, where it comes from."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    title_de: str = Field(min_length=1)
    applies_to: list[str] = Field(min_length=1)
    triggers: list[str] = Field(min_length=1)
    thresholds: list[str] = Field(min_length=1)
    effort: Effort
    monthly_cost_impact: CostImpact
    risks: list[str] = Field(min_length=1)
    keywords_de: list[str] = Field(min_length=1)
    sources: list[SourceRef] = Field(min_length=1)
    body: str = Field(min_length=1)
    path: str

    @field_validator("applies_to")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        unknown = [k for k in value if k not in COMPONENT_KINDS]
        if unknown:
            raise ValueError(f"unknown component kind(s) {unknown}; expected {COMPONENT_KINDS}")
        return value

    def section(self, heading: str) -> str:
        """The text under one `## heading` of the body."""
        match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", self.body,
                          re.MULTILINE | re.DOTALL)
        return match.group(1).strip() if match else ""


def knowledge_dir() -> Path:
    """The cards folder: $ARCHREVIEW_KNOWLEDGE_DIR, else the wheel's copy, else the checkout's.

    Raises CardError (not FileNotFoundError) when there is none, so the CLI reports it like any
    other unusable card instead of with a traceback.
    """
    try:
        return data_folder("knowledge", KNOWLEDGE_ENV)
    except DataFolderMissing as error:
        raise CardError(str(error)) from None


def parse_card(path: Path) -> PatternCard:
    """Parse one card file, or raise CardError naming the file, the field and the expectation."""
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        raise CardError(f"{path}: expected YAML front matter between '---' lines")
    try:
        meta = load_data_yaml(match.group("meta"))
    except yaml.YAMLError as error:
        raise CardError(f"{path}: malformed front matter: {error}") from None
    if not isinstance(meta, dict):
        raise CardError(f"{path}: front matter must be a mapping of fields")
    try:
        card = PatternCard.model_validate({**meta, "body": match.group("body").strip(),
                                           "path": str(path)})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in error.errors(include_url=False))
        raise CardError(f"{path}: {problems}") from None
    if card.id != path.stem:
        raise CardError(f"{path}: id: expected the file name '{path.stem}', got '{card.id}'")
    return card


@cache
def _load(folder: Path, signature: tuple[tuple[str, float], ...]) -> tuple[PatternCard, ...]:
    return tuple(parse_card(folder / name) for name, _ in signature)


def load_cards(directory: Path | None = None) -> list[PatternCard]:
    """Load every card of a folder, sorted by id (cached until a file changes)."""
    folder = directory or knowledge_dir()
    files = sorted(folder.glob("*.md"))
    if not files:
        raise CardError(f"{folder}: no pattern cards (*.md) found")
    signature = tuple((f.name, f.stat().st_mtime) for f in files)
    return sorted(_load(folder, signature), key=lambda c: c.id)


def cards_by_id(cards: list[PatternCard]) -> dict[str, PatternCard]:
    """Index cards by id."""
    return {card.id: card for card in cards}


def knowledge_hash(cards: list[PatternCard]) -> str:
    """Hash the cards' content, so an index or a report can tell which cards it used."""
    digest = hashlib.sha256()
    for card in sorted(cards, key=lambda c: c.id):
        digest.update(card.model_dump_json(exclude={"path"}).encode())
    return digest.hexdigest()


class CardFacts(Protocol):
    """What the roadmap needs of a pattern card."""

    @property
    def id(self) -> str:
        """Card id."""
        ...

    @property
    def title(self) -> str:
        """English title."""
        ...

    @property
    def title_de(self) -> str:
        """German title."""
        ...

    @property
    def effort_weeks(self) -> tuple[float, float]:
        """Person-weeks, low and high."""
        ...

    @property
    def monthly_cost(self) -> tuple[float, float, str]:
        """Monthly cost delta, low, high and currency."""
        ...


@dataclass(frozen=True)
class _CardFacts:
    """Adapter giving the roadmap a card's effort and cost as plain tuples."""

    id: str
    title: str
    title_de: str
    effort_weeks: tuple[float, float]
    monthly_cost: tuple[float, float, str]


def card_facts(card: PatternCard) -> _CardFacts:
    """Give the roadmap and configurations a card's effort and cost as plain tuples."""
    cost = card.monthly_cost_impact
    return _CardFacts(card.id, card.title, card.title_de,
                      (card.effort.min_weeks, card.effort.max_weeks),
                      (cost.min, cost.max, cost.currency))
