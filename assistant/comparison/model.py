"""What a diff of two reviews is: findings, capacity, sizing, cost and availability deltas.

Findings are resolved, new or changed; the first break is given before and after.

Every figure is copied from one of the two reviews, never recomputed here, so a diff shows the
same numbers as the two reports it compares.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DIFF_SCHEMA_VERSION = "1.0"


class FindingRef(BaseModel):
    """A finding on one side of the diff."""

    id: str
    rule_id: str
    title: str
    components: list[str]
    severity: str
    breaking_month: float | None
    constraint: str | None = None


class FindingChange(BaseModel):
    """A finding present on both sides whose severity, month or components changed."""

    rule_id: str
    title: str
    old: FindingRef
    new: FindingRef
    changes: list[Literal["severity", "breaking_month", "components"]]


class ResourceDelta(BaseModel):
    """One resource of one subject (component or shared host): utilisation at target, break."""

    subject: str
    resource: str
    ceiling: bool = Field(default=False, description=(
        "The row checks the largest size on offer (the vertical ceiling), not today's size."))
    status: Literal["changed", "unchanged", "new", "gone"]
    old_utilisation_pct: float | None = None
    new_utilisation_pct: float | None = None
    old_breaking_month: float | None = None
    new_breaking_month: float | None = None


class SizingDelta(BaseModel):
    """Instances (or replicas, shards) needed at target for one component and quantity."""

    component_id: str
    quantity: str
    old_current: int | None = None
    new_current: int | None = None
    old_needed: int | None = None
    new_needed: int | None = None


class CostDelta(BaseModel):
    """Monthly cost at one horizon on both sides."""

    horizon: str
    old_monthly: float | None
    new_monthly: float | None
    delta: float | None


class AvailabilityDelta(BaseModel):
    """The request path's availability and single points of failure on both sides."""

    target_pct: float | None
    old_path_pct: float
    new_path_pct: float
    old_meets_target: bool | None
    new_meets_target: bool | None
    old_spofs: list[str]
    new_spofs: list[str]


class BreakRef(BaseModel):
    """A first breaking point: what crosses its threshold, and when."""

    subject: str
    members: list[str]
    resource: str
    month: float
    threshold_pct: float
    users_at_break: float


class ReviewDiff(BaseModel):
    """Everything that changed between two reviews of one system."""

    diff_schema_version: str = DIFF_SCHEMA_VERSION
    language: Literal["en", "de"] = "en"
    old_source: str
    new_source: str
    old_name: str
    new_name: str
    currency: str
    resolved: list[FindingRef] = Field(description="On the old side only (matched by rule and "
                                       "component).")
    new: list[FindingRef] = Field(description="On the new side only.")
    changed: list[FindingChange]
    unchanged: int = Field(description="Findings on both sides with nothing changed.")
    capacity: list[ResourceDelta] = Field(description="Changed, new and gone resources.")
    sizing: list[SizingDelta]
    costs: list[CostDelta]
    availability: AvailabilityDelta
    old_first_break: BreakRef | None
    new_first_break: BreakRef | None
