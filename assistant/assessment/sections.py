"""What the LLM must return, step by step: the contract between prompts and code.

Class and field docstrings become the JSON Schema descriptions the model sees. Every list the
model returns refers to ids we gave it (finding ids F01.., component ids, pattern card ids), so
grounding is checked mechanically. The model gives judgment (ranking, reasons, phasing); it never
does the arithmetic: any figure it quotes is compared with ours, and ours wins.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ConfigName = Literal["cost-optimised", "balanced", "performance"]


class LlmModel(BaseModel):
    """Base for every LLM answer: unknown fields are validation errors the model must fix."""

    model_config = ConfigDict(extra="forbid")


class Bottleneck(LlmModel):
    """One bottleneck, in order of impact: what breaks, why it matters, what fixes it."""

    rank: int = Field(ge=1, description="1 = the bottleneck that matters most.")
    title: str = Field(min_length=3, max_length=120)
    component_ids: list[str] = Field(min_length=1, description="Ids from the component list.")
    finding_ids: list[str] = Field(description="Ids of the computed findings (F01..) it rests on.")
    pattern_ids: list[str] = Field(min_length=1, description="Pattern card ids that fix it.")
    breaking_month: float | None = Field(
        description="The month the computed facts give for it (copy it; do not estimate).")
    why_it_matters: str = Field(min_length=10, max_length=800,
                                description="Judgment: impact on users and business, and why now.")
    quick_win: bool = Field(description="True if it can be relieved within two weeks.")


class BottleneckAnalysis(LlmModel):
    """Architecture assessment: bottlenecks ranked by impact, SPOFs and scaling risks."""

    summary: str = Field(min_length=20, max_length=1500,
                         description="Three to five sentences for a CTO.")
    bottlenecks: list[Bottleneck] = Field(min_length=1, max_length=10)
    spof_component_ids: list[str] = Field(description="Single points of failure (component ids).")
    risks: list[str] = Field(max_length=8, description="Scaling risks, one sentence each.")


class ConfigurationAssessment(LlmModel):
    """Judgment on one of the three computed configurations."""

    name: ConfigName
    rank: int = Field(ge=1, le=3)
    monthly_cost: float = Field(description="The computed monthly cost (copy it, do not change).")
    rationale: str = Field(min_length=10, max_length=800)
    risks: list[str] = Field(max_length=5)


class CostPerformanceReview(LlmModel):
    """Explain and rank the three configurations; their numbers are fixed."""

    recommended: ConfigName
    assessments: list[ConfigurationAssessment] = Field(min_length=3, max_length=3)
    trade_off: str = Field(min_length=10, max_length=1200,
                           description="What the team buys with the extra money.")


class RoadmapTask(LlmModel):
    """One task of the phased plan, pointing at computed findings and a pattern card."""

    pattern_id: str = Field(description="Pattern card id the task applies.")
    component_ids: list[str] = Field(min_length=1)
    finding_ids: list[str] = Field(min_length=1, description="Findings (F01..) it resolves.")
    effort_weeks: float = Field(gt=0, le=104, description="Person-weeks (judgment).")
    expected_improvement: str = Field(min_length=5, max_length=400)
    skills: list[str] = Field(max_length=6)


class RoadmapPhase(LlmModel):
    """One of the four phases: 0-3, 3-6, 6-12 and 12+ months."""

    number: Literal[1, 2, 3, 4]
    goal: str = Field(min_length=5, max_length=300)
    tasks: list[RoadmapTask] = Field(max_length=12)
    risks: list[str] = Field(max_length=6)


class RoadmapPlan(LlmModel):
    """A four-phase roadmap that fits the team; costs are added by the tool, not the model."""

    phases: list[RoadmapPhase] = Field(min_length=4, max_length=4)
    rationale: str = Field(min_length=10, max_length=1200)


class RoiCase(LlmModel):
    """A business case a CFO can read, on top of the computed financial figures."""

    executive_summary: str = Field(min_length=20, max_length=1500)
    recommendation: Literal["invest", "invest in phases", "defer", "insufficient data"]
    risk_level: Literal["low", "medium", "high"]
    npv: float | None = Field(description="Risk-adjusted NPV as computed (copy it).")
    irr_annual_pct: float | None = Field(description="Expected annual IRR as computed (copy it).")
    payback_month: float | None = Field(description="Expected payback in months, interpolated "
                                        "within the month, as computed (copy it).")
    value_drivers: list[str] = Field(max_length=6)


class Advice(LlmModel):
    """One recommendation of a focused audit (database, performance, caching)."""

    title: str = Field(min_length=3, max_length=120)
    component_ids: list[str] = Field(min_length=1)
    pattern_ids: list[str] = Field(min_length=1)
    priority: Literal["now", "next", "later"]
    impact: Literal["high", "medium", "low"]
    effort: Literal["high", "medium", "low"]
    detail: str = Field(min_length=10, max_length=800)


class AdviceList(LlmModel):
    """A focused audit's recommendations, prioritised by impact against effort."""

    summary: str = Field(min_length=10, max_length=1200)
    advice: list[Advice] = Field(min_length=1, max_length=10)


STEP_SCHEMAS: dict[str, type[LlmModel]] = {
    "bottlenecks": BottleneckAnalysis,
    "cost_performance": CostPerformanceReview,
    "roadmap": RoadmapPlan,
    "roi": RoiCase,
    "database": AdviceList,
    "performance_audit": AdviceList,
    "caching": AdviceList,
}
