"""A roadmap task and where it goes: effort and cost from its card or the catalogue.

Shared by the roadmap (tasks from today's findings) and its follow-ups (tasks for what still
breaks after the phases), so both are built and placed alike.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.analysis.rules.finding import Finding
from assistant.capacity.model import CapacityReport
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Intake
from assistant.knowledge.cards import CardFacts
from assistant.planning.task_pricing import price_task

SEVERITY_PHASE = {"critical": 1, "high": 2, "medium": 3, "low": 4}
MODELLED_EFFECTS = {
    "data-archiving": "the rerun keeps the retained share of today's data on the store; the "
                      "working set (hot data) stays",
    "connection-pooling": "the rerun holds the database's server connections to the queries in "
                          "flight (busy vCPUs, Little's law) instead of one per client",
}


class Task(BaseModel):
    """One roadmap task: apply a pattern to some components."""

    pattern_id: str
    title: str
    title_de: str
    phase: int
    components: list[str]
    resolves: list[str]
    breaking_month: float | None
    effort_weeks: float
    monthly_cost_delta: float
    currency: str
    cost_basis: str
    prerequisites: list[str]
    follows: str | None = Field(
        default=None, description="What this task removes that still broke after every phase "
        "(subject and resource, the capacity model rerun), when no finding of today's system "
        "asked for it.")
    follows_month: float | None = Field(
        default=None, description="The month `follows` broke in before this task.")
    modelled_effect: str | None = Field(
        default=None, description="How the roadmap's rerun models this task, where that is "
        "not plain from the sizing (archiving, pooling).")
    assumed_default: str | None = Field(
        default=None, description="The default (an assumption) the modelled effect rests on.")



def phase_by_month(month: float, defaults: Defaults) -> int:
    """The phase that ends before a breaking month (phase 1 for anything due now)."""
    if month <= 0:
        return 1
    by_month = next(p for p, end in sorted(defaults.roadmap.phase_end_month.items())
                    if month <= end)
    return max(1, by_month - 1)


def phase_for(findings: list[Finding], defaults: Defaults) -> int:
    """The phase a task belongs in: by its most severe finding, and before its earliest break."""
    phase = 4
    for finding in findings:
        phase = min(phase, SEVERITY_PHASE[finding.severity])
        if finding.breaking_month is not None:
            phase = min(phase, phase_by_month(finding.breaking_month, defaults))
    return phase


def make_task(pattern: str, group: list[Finding], phase: int, card: CardFacts,
              context: tuple[Intake, CapacityReport | None, Defaults],
              components: list[str] | None = None) -> Task:
    """One task for a pattern: effort from its card, cost from the catalogue or the card.

    The monthly cost comes from the catalogue when the capacity report is given (`context` =
    intake, capacity, defaults), else from the card's midpoint.
    """
    intake, capacity, defaults = context
    currency = intake.currency
    low, high = card.effort_weeks
    months = [f.breaking_month for f in group if f.breaking_month is not None]
    components = components or sorted({c for f in group for c in f.components})
    priced = price_task(pattern, components, intake, capacity, defaults) if capacity else None
    if priced is not None:
        cost = defaults.convert(priced.monthly_usd, "USD", currency)
        basis = f"catalogue: {priced.basis}"
    else:
        cost_low, cost_high, cost_currency = card.monthly_cost
        cost = defaults.convert((cost_low + cost_high) / 2, cost_currency, currency)
        basis = f"card estimate (knowledge/{pattern}.md, midpoint)"
    return Task(
        pattern_id=pattern, title=card.title, title_de=card.title_de, phase=phase,
        components=components, resolves=[f.id for f in group],
        breaking_month=min(months) if months else None, effort_weeks=round((low + high) / 2, 1),
        monthly_cost_delta=round(cost, 2), currency=currency, cost_basis=basis,
        prerequisites=[p for p in defaults.roadmap.prerequisites.get(pattern, [])],
        modelled_effect=MODELLED_EFFECTS.get(pattern),
        assumed_default=_assumed_default(pattern, defaults),
    )


def _assumed_default(pattern: str, defaults: Defaults) -> str | None:
    if pattern == "data-archiving":
        return f"database.archive_retained_share = " \
               f"{defaults.database['archive_retained_share'].value:g}"
    return None
