"""The offline roadmap: the seed's four phases, filled with tasks that fix the findings.

One task per pattern card (several findings may share it), placed in the phase that comes before
the earliest breaking month it resolves, never after a task it builds on. Effort and monthly
cost come from the card; each phase is checked against the team's capacity and the budget, and
an over-capacity or over-budget phase is flagged, not hidden.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from assistant.analysis.applied_patterns import apply_patterns
from assistant.analysis.baseline_costs import monthly_budget, monthly_costs
from assistant.analysis.rules.finding import Finding
from assistant.capacity.growth import GrowthModel
from assistant.capacity.model import CapacityReport, analyse
from assistant.catalogue.model import Defaults
from assistant.intake.dependencies import dependencies_first
from assistant.intake.schema import Intake
from assistant.knowledge.cards import CardFacts
from assistant.planning.follow_ups import StillOpen, follow_ups
from assistant.planning.tasks import Task, make_task, phase_for


class Phase(BaseModel):
    """One of the four phases with its load on the team and the budget."""

    number: int
    tasks: list[Task]
    effort_weeks: float
    capacity_weeks: float
    cumulative_monthly_cost: float
    monthly_budget: float | None
    over_capacity: bool
    over_budget: bool
    breaks_next: str | None = Field(
        default=None, description="What breaks first once this phase's tasks are applied "
        "(subject and resource), recomputed by the capacity model; None if nothing does.")
    breaks_next_month: float | None = None
    monthly_cost_at_target: float | None = Field(
        default=None, description="Monthly cost of the architecture after this phase at the "
        "target load (growth included), from the price catalogue.")
    cost_horizon: str | None = Field(
        default=None, description="The horizon this phase's architecture is priced at: the "
        "first one at or after the month the phase ends (the target for the last phase).")
    monthly_cost_at_horizon: float | None = Field(
        default=None, description="Monthly cost of the architecture after this phase at "
        "cost_horizon's load, growth included.")


class Roadmap(BaseModel):
    """The four phases and the money they add."""

    phases: list[Phase]
    currency: str
    baseline_monthly_cost: float
    total_monthly_cost_delta: float
    first_over_budget_phase: int | None
    full_build_out_monthly_cost: float | None = Field(
        default=None, description="Cost of the final architecture at the target load: the last "
        "phase's monthly_cost_at_target.")
    still_open: StillOpen | None = Field(
        default=None, description="What still breaks before the target after every phase, "
        "and why the roadmap adds nothing for it (no modelled pattern removes it).")


def _collect(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Map each finding's leading pattern to the findings it resolves, in finding order."""
    chosen: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.patterns:
            chosen.setdefault(finding.patterns[0], []).append(finding)
    return chosen


def _pull_prerequisites(phases: dict[str, int], order: list[str], defaults: Defaults) -> None:
    """Move a prerequisite no later than the tasks that need it, directly or through others.

    `order` puts prerequisites first, so walking it backwards settles every task's phase before
    its own prerequisites are pulled: one pass is enough.
    """
    for task in reversed(order):
        for needed in defaults.roadmap.prerequisites.get(task, []):
            if needed in phases:
                phases[needed] = min(phases[needed], phases[task])


def build_roadmap(intake: Intake, findings: list[Finding], cards: Mapping[str, CardFacts],
                  defaults: Defaults, capacity: CapacityReport | None = None,
                  priced_baseline: float | None = None) -> Roadmap:
    """Build the four-phase roadmap from the findings and the pattern cards.

    With the capacity report, tasks that add infrastructure are priced from the catalogue;
    the rest (and every task without it) carry the card's estimate, labelled as such. The
    baseline is the intake's stated monthly cost, else the catalogue's price of today's system.
    With it too, the roadmap recomputes: while the architecture after every phase still breaks
    before the target, the pattern that removes the binding constraint is added (see
    `follow_ups`), and each phase is priced at its own horizon and at the target.
    """
    currency = intake.currency
    chosen = _collect(findings)
    order = dependencies_first(list(chosen), defaults.roadmap.prerequisites)
    phases = {pattern: phase_for(group, defaults) for pattern, group in chosen.items()}
    _pull_prerequisites(phases, order, defaults)
    tasks = [make_task(p, chosen[p], phases[p], cards[p], (intake, capacity, defaults))
             for p in chosen]
    rank = {p: i for i, p in enumerate(order)}
    tasks.sort(key=lambda t: (t.phase, rank[t.pattern_id]))
    baseline = priced_baseline or 0.0
    if intake.current_monthly_cost:
        cost = intake.current_monthly_cost
        baseline = defaults.convert(cost.amount, cost.currency, currency)
    budget_amount = monthly_budget(intake, defaults)
    still_open: StillOpen | None = None
    if capacity is not None:
        tasks, still_open = follow_ups(intake, tasks, cards, defaults)
    built = _phases(tasks, intake, baseline, budget_amount, defaults)
    if capacity is not None:
        built = _recomputed(intake, built, defaults)
    first_over = next((p.number for p in built if p.over_budget), None)
    return Roadmap(phases=built, currency=currency, baseline_monthly_cost=round(baseline, 2),
                   total_monthly_cost_delta=round(sum(t.monthly_cost_delta for t in tasks), 2),
                   first_over_budget_phase=first_over,
                   full_build_out_monthly_cost=built[-1].monthly_cost_at_target
                   if capacity is not None else None,
                   still_open=still_open)


def _phase_horizon(intake: Intake, number: int, defaults: Defaults) -> tuple[int, str]:
    """Index and name of the first horizon at or after the month a phase ends."""
    horizons = GrowthModel(intake).horizons()
    end = min(defaults.roadmap.phase_end_month[number], horizons[-1].month)
    index = next(i for i, h in enumerate(horizons) if h.month >= end - 1e-9)
    return index, horizons[index].name


def _recomputed(intake: Intake, phases: list[Phase], defaults: Defaults) -> list[Phase]:
    """Apply each phase's tasks to the architecture and run the capacity model again.

    The architecture after phase n carries every task of phases 1..n, built the way the
    configurations are; its first breaking point is what breaks next. It is priced like the
    baseline (growth included) at its own horizon and at the target.
    """
    result = []
    architectures = after_each_phase(intake, [[(t.pattern_id, t.components) for t in p.tasks]
                                              for p in phases], defaults)
    for phase, (architecture, capacity) in zip(phases, architectures, strict=True):
        first = capacity.first_break
        totals = monthly_costs(architecture, capacity, defaults).totals
        index, horizon = _phase_horizon(intake, phase.number, defaults)
        result.append(phase.model_copy(update={
            "breaks_next": f"{first.subject} {first.resource}" if first else None,
            "breaks_next_month": first.month if first else None,
            "monthly_cost_at_target": totals[-1].monthly, "cost_horizon": horizon,
            "monthly_cost_at_horizon": totals[index].monthly}))
    return result


def after_each_phase(intake: Intake, phases: list[list[tuple[str, list[str]]]],
                     defaults: Defaults) -> list[tuple[Intake, CapacityReport]]:
    """The architecture after each phase (its tasks applied on top of the phases before)."""
    result, architecture = [], intake
    for tasks in phases:
        architecture = apply_patterns(architecture, tasks, defaults)
        result.append((architecture, analyse(architecture, defaults, latency=False)))
    return result


def _phases(tasks: list[Task], intake: Intake, baseline: float, budget: float | None,
            defaults: Defaults) -> list[Phase]:
    team = intake.constraints.team_size * intake.constraints.scaling_share_pct / 100
    running = baseline
    phases = []
    for number in (1, 2, 3, 4):
        members = [t for t in tasks if t.phase == number]
        effort = round(sum(t.effort_weeks for t in members), 1)
        capacity = round(team * defaults.roadmap.phase_weeks[number], 1)
        running += sum(t.monthly_cost_delta for t in members)
        phases.append(Phase(
            number=number, tasks=members, effort_weeks=effort, capacity_weeks=capacity,
            cumulative_monthly_cost=round(running, 2), monthly_budget=budget,
            over_capacity=effort > capacity,
            over_budget=budget is not None and running > budget,
        ))
    return phases
