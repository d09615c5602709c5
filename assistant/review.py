"""Run the offline review of one intake and hold its result: the `Review` every report renders.

The pipeline is deterministic: capacity model, rules, pattern cards, roadmap, business case,
score and monitoring plan. The clock is injected so reports are repeatable in tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant import __version__
from assistant.caching import CachingAnalysis, analyse_endpoints
from assistant.capacity import CapacityReport, analyse
from assistant.cards import PatternCard, knowledge_hash, load_cards
from assistant.configurations import Configuration, three_configurations
from assistant.costs import CostReport, monthly_costs
from assistant.defaults import (
    CATALOGUE_PATH,
    DEFAULTS_PATH,
    Defaults,
    load_defaults,
    with_overrides,
)
from assistant.finance import RoiResult, compute_roi
from assistant.findings import Finding, run_rules
from assistant.intake import Intake
from assistant.monitoring import Alert, monitoring_plan
from assistant.roadmap import Roadmap, build_roadmap
from assistant.schemas import (
    AdviceList,
    BottleneckAnalysis,
    CostPerformanceReview,
    RoadmapPlan,
    RoiCase,
)
from assistant.scorecard import Scorecard, scorecard

SCHEMA_VERSION = "1.0"
Clock = Callable[[], datetime]


class PatternRef(BaseModel):
    """A pattern card the review cites."""

    id: str
    title: str
    title_de: str
    source_file: str


class Provenance(BaseModel):
    """Where the review came from, so a reader can reproduce or distrust it."""

    tool_version: str
    generated_at: str
    inputs_file: str
    inputs_sha256: str
    defaults_sha256: str
    knowledge_sha256: str
    llm: str | None = None
    recomputed: list[str] = Field(default_factory=list)
    fallbacks: list[str] = Field(default_factory=list)


class SectionSource(BaseModel):
    """Who wrote a judgment section: the offline analyzer, the LLM, or the fallback."""

    source: Literal["offline", "llm", "fallback"]
    attempts: int = 0
    problems: list[str] = Field(default_factory=list)


class Facts(BaseModel):
    """Everything computed for one intake: the facts an LLM may judge but never change."""

    schema_version: str = SCHEMA_VERSION
    mode: Literal["offline", "llm"] = "offline"
    language: Literal["en", "de"] = "en"
    name: str
    intake: Intake
    capacity: CapacityReport
    findings: list[Finding]
    patterns: list[PatternRef]
    related: dict[str, list[str]] = Field(
        default_factory=dict, description="Cards the knowledge base retrieved per finding id.")
    costs: CostReport
    configurations: list[Configuration]
    caching: CachingAnalysis | None = None
    roadmap: Roadmap
    roi: RoiResult | None
    scorecard: Scorecard
    monitoring: list[Alert]
    provenance: Provenance


class Review(Facts):
    """A complete review: the computed facts plus the judgment sections and who wrote them."""

    analysis: BottleneckAnalysis
    cost_review: CostPerformanceReview
    roadmap_plan: RoadmapPlan | None = None
    roi_case: RoiCase
    advice: dict[str, AdviceList] = Field(default_factory=dict)
    sections: dict[str, SectionSource] = Field(default_factory=dict)


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


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def intake_hash(intake: Intake) -> str:
    """Hash the validated intake's canonical JSON, so format and comments do not matter."""
    canonical = json.dumps(intake.model_dump(mode="json"), sort_keys=True).encode()
    return sha256_of(canonical)


def run_review(intake: Intake, *, source: str = "", lang: Literal["en", "de"] = "en",
               clock: Clock | None = None, cards: Mapping[str, PatternCard] | None = None
               ) -> Review:
    """Review one validated intake offline: computed facts plus the offline analyzer's sections.

    The workflow in `graph.py` calls the same functions step by step (and lets an LLM write the
    judgment sections); this is the direct path for library use and tests.
    """
    from assistant.offline import offline_sections

    facts = compute_facts(intake, source=source, lang=lang, clock=clock, cards=cards)
    return Review(**dict(facts), **offline_sections(facts))


def defaults_for(intake: Intake) -> Defaults:
    """The defaults and catalogue as this intake sees them (its own catalogue rows applied)."""
    return with_overrides(load_defaults(), intake.catalogue_overrides)


def _business_case(intake: Intake, roadmap: Roadmap, defaults: Defaults) -> RoiResult | None:
    """Compute the ROI; an omitted infrastructure cost comes from the computed roadmap."""
    business = intake.business
    if business is None:
        return None
    if business.infrastructure_cost_per_month is not None:
        return compute_roi(business)
    infra = defaults.convert(roadmap.total_monthly_cost_delta, roadmap.currency, business.currency)
    roi = compute_roi(business.model_copy(
        update={"infrastructure_cost_per_month": round(max(infra, 0.0), 2)}))
    note = (f"infrastructure cost per month taken from the roadmap's computed cost delta: "
            f"{max(infra, 0.0):,.0f} {business.currency}")
    return roi.model_copy(update={"notes": [note, *roi.notes]})


def compute_facts(intake: Intake, *, source: str = "", lang: Literal["en", "de"] = "en",
                  clock: Clock | None = None, cards: Mapping[str, PatternCard] | None = None,
                  capacity: CapacityReport | None = None,
                  findings: list[Finding] | None = None,
                  related: dict[str, list[str]] | None = None) -> Facts:
    """Compute every figure of a review: capacity, findings, costs, roadmap, ROI, score."""
    defaults = defaults_for(intake)
    capacity = capacity or analyse(intake, defaults)
    findings = findings if findings is not None else run_rules(intake, capacity, defaults)
    cards = cards if cards is not None else {c.id: c for c in load_cards()}
    related = related or {}
    cited = sorted({p for f in findings for p in f.patterns}
                   | {p for ids in related.values() for p in ids})
    unknown = [p for p in cited if p not in cards]
    if unknown:
        raise KeyError(f"rules cite pattern cards that do not exist: {unknown}")
    costs = monthly_costs(intake, capacity, defaults)
    facts = {card_id: card_facts(card) for card_id, card in cards.items()}
    roadmap = build_roadmap(intake, findings, {p: facts[p] for p in cited}, defaults,
                            capacity, costs.totals[0].monthly)
    roi = _business_case(intake, roadmap, defaults)
    now = (clock or (lambda: datetime.now(UTC)))()
    return Facts(
        language=lang, name=intake.name, intake=intake, capacity=capacity, findings=findings,
        related=related,
        patterns=[PatternRef(id=p, title=cards[p].title, title_de=cards[p].title_de,
                             source_file=f"knowledge/{p}.md") for p in cited],
        costs=costs, configurations=three_configurations(intake, defaults, facts),
        caching=analyse_endpoints(intake) if intake.endpoints else None,
        roadmap=roadmap, roi=roi, scorecard=scorecard(intake, capacity, roadmap),
        monitoring=monitoring_plan(intake, defaults),
        provenance=Provenance(
            tool_version=__version__, generated_at=now.isoformat(timespec="seconds"),
            inputs_file=source, inputs_sha256=intake_hash(intake),
            defaults_sha256=sha256_of(Path(DEFAULTS_PATH).read_bytes()
                                      + Path(CATALOGUE_PATH).read_bytes()),
            knowledge_sha256=knowledge_hash(list(cards.values())),
        ),
    )
