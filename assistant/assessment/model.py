"""What a review is: the computed `Facts` and the `Review` (facts plus judgment sections).

Every report renders a `Review`; an LLM may judge the facts but never change them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.analysis.baseline_costs import CostReport
from assistant.analysis.configurations import Configuration
from assistant.analysis.endpoint_caching import CachingAnalysis
from assistant.analysis.monitoring_plan import Alert
from assistant.analysis.rules.finding import Finding
from assistant.analysis.scorecard import Scorecard
from assistant.assessment.assumptions import Assumption
from assistant.assessment.sections import (
    AdviceList,
    BottleneckAnalysis,
    CostPerformanceReview,
    RoadmapPlan,
    RoiCase,
)
from assistant.capacity.model import CapacityReport
from assistant.intake.schema import Intake
from assistant.planning.business_case import RoiResult
from assistant.planning.roadmap import Roadmap

SCHEMA_VERSION = "1.6"
#: Why a section fell back (one label each in the messages, EN and DE).
FallbackCause = Literal["format_refused", "unreachable", "timed_out", "server_error",
                        "rejected", "context", "refused", "invalid", "ungrounded", "truncated",
                        "internal_error"]


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
    llm_model: str | None = Field(default=None, description="The model asked, when one was.")
    llm_sections_asked: int = Field(default=0, description="Judgment sections put to the model.")
    llm_sections_answered: int = Field(
        default=0, description="Sections whose text the model's accepted answer supplied.")
    llm_unavailable: str | None = Field(default=None, description=(
        "When a model was asked and answered no section: the causes, e.g. 'timed out'."))
    recomputed: list[str] = Field(default_factory=list)
    fallbacks: list[str] = Field(default_factory=list)


class SectionSource(BaseModel):
    """Who wrote a judgment section: the offline analyzer, the LLM, or the fallback."""

    source: Literal["offline", "llm", "fallback"]
    attempts: int = 0
    problems: list[str] = Field(default_factory=list)
    cause: FallbackCause | None = Field(default=None, description=(
        "Why a fallback happened: the label the report shows (source.fallback.<cause>)."))
    limit_s: float | None = Field(default=None, description="The deadline that ran out, if one.")
    unverified: list[str] = Field(default_factory=list, description=(
        "Fields of the model's answer no check exists for: model judgment, not verified."))


class Facts(BaseModel):
    """Everything computed for one intake: the facts an LLM may judge but never change."""

    schema_version: str = SCHEMA_VERSION
    mode: Literal["offline", "llm"] = Field(default="offline", description=(
        "llm only when the model's answer supplied at least one section; see "
        "provenance.llm_sections_answered and llm_unavailable"))
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
    assumptions: list[Assumption] = Field(
        default_factory=list, description="Every default the figures used and every fact the "
        "intake left open (the assumptions ledger).")
    first_break_rests_on: list[Assumption] = Field(
        default_factory=list, description="The defaults the first breaking point rests on; "
        "empty when it rests on the team's own figures or nothing breaks.")
    finding_rests_on: dict[str, list[Assumption]] = Field(
        default_factory=dict, description="Per finding id, the defaults its figures rest on; "
        "a finding on the team's own figures is absent.")
    provenance: Provenance


class Review(Facts):
    """A complete review: the computed facts plus the judgment sections and who wrote them."""

    analysis: BottleneckAnalysis
    cost_review: CostPerformanceReview
    roadmap_plan: RoadmapPlan | None = None
    roi_case: RoiCase
    advice: dict[str, AdviceList] = Field(default_factory=dict)
    sections: dict[str, SectionSource] = Field(default_factory=dict)
