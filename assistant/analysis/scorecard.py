"""The seed's scalability score: capacity, performance, business and infrastructure, averaged.

Seed 000 (~770-840) averages four area scores. The seed leaves the area formulas open, so each
one here is a plain, shown formula over computed facts; an area without inputs is left out of
the average and says so, rather than being guessed.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from assistant.capacity.model import CapacityReport
from assistant.catalogue.model import defaults_for
from assistant.intake.schema import Intake


class CostedPlan(Protocol):
    """What the business score reads of a roadmap: today's cost and what the plan adds.

    A protocol, not the roadmap type, so the score (analysis) never imports planning.
    """

    baseline_monthly_cost: float
    total_monthly_cost_delta: float
    currency: str


class AreaScore(BaseModel):
    """One area's score (0-100) and how it was computed; None when not scorable."""

    area: str
    score: float | None
    formula: str
    basis: str


class Scorecard(BaseModel):
    """The four areas and their average."""

    areas: list[AreaScore]
    overall: float
    formula: str = "overall = mean of the scored areas (seed 000 calculateScalabilityScore)"


def _capacity(intake: Intake, capacity: CapacityReport) -> AreaScore:
    first = capacity.first_break
    target = intake.targets.target_month
    month = first.month if first else target
    return AreaScore(area="capacity", score=round(100 * min(1.0, month / target), 1),
                     formula="100 * min(1, first_break_month / target_month)",
                     basis=f"first break month {month:g} of {target}")


def _performance(intake: Intake) -> AreaScore:
    current, goal = intake.current, intake.targets.max_response_time_ms
    if current.avg_response_time_ms is None or goal is None:
        return AreaScore(area="performance", score=None, formula="100 * min(1, goal / observed)",
                         basis="no response time or latency goal in the intake")
    score = 100 * min(1.0, goal / current.avg_response_time_ms)
    return AreaScore(area="performance", score=round(score, 1),
                     formula="100 * min(1, latency_goal_ms / avg_response_time_ms)",
                     basis=f"{goal:g} ms goal, {current.avg_response_time_ms:g} ms observed")


def _business(intake: Intake, roadmap: CostedPlan) -> AreaScore:
    budget = intake.constraints.budget_per_month
    total = roadmap.baseline_monthly_cost + roadmap.total_monthly_cost_delta
    if budget is None or total <= 0:
        return AreaScore(area="business", score=None,
                         formula="100 * min(1, budget / monthly_cost_after_roadmap)",
                         basis="no budget or no costed roadmap")
    # Budget and roadmap may be in different currencies: compare in the roadmap's.
    amount = defaults_for(intake).convert(budget.amount, budget.currency, roadmap.currency)
    score = 100 * min(1.0, amount / total)
    return AreaScore(area="business", score=round(score, 1),
                     formula="100 * min(1, budget / monthly_cost_after_roadmap)",
                     basis=f"budget {budget} = {amount:,.0f} {roadmap.currency}, roadmap at "
                           f"{total:,.0f} {roadmap.currency}/month")


def _infrastructure(intake: Intake, capacity: CapacityReport) -> AreaScore:
    units = capacity.availability.units
    redundant = sum(1 for u in units if not u.spof) / len(units) if units else 1.0
    ops = intake.operations
    compute = [c for c in intake.components if c.kind in {"app", "web", "worker"}]
    elastic = sum(1 for c in compute if c.autoscaling or c.managed) / len(compute) if compute else 1
    # Monitoring and alerting the intake leaves out are unknown: left out of the mean.
    known = [float(v) for v in (ops.monitoring, ops.alerting) if v is not None]
    parts = [redundant, *known, elastic]
    shown = {name: "?" if v is None else str(int(v))
             for name, v in (("monitoring", ops.monitoring), ("alerting", ops.alerting))}
    return AreaScore(
        area="infrastructure", score=round(100 * sum(parts) / len(parts), 1),
        formula="100 * mean(non-SPOF share, monitoring, alerting, elastic compute share; "
                "unknown facts left out)",
        basis=(f"non-SPOF {redundant:.2f}, monitoring {shown['monitoring']}, "
               f"alerting {shown['alerting']}, elastic {elastic:.2f}"),
    )


def scorecard(intake: Intake, capacity: CapacityReport, roadmap: CostedPlan) -> Scorecard:
    """Score the four areas and average the scored ones."""
    areas = [_capacity(intake, capacity), _performance(intake), _business(intake, roadmap),
             _infrastructure(intake, capacity)]
    scored = [a.score for a in areas if a.score is not None]
    return Scorecard(areas=areas, overall=round(sum(scored) / len(scored), 1))
