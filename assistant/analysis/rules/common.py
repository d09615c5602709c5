"""Helpers every rule module shares: severity by month, breaking-point evidence, compute tiers.

Kept apart so each rule module stays about its own area.
"""

from __future__ import annotations

from assistant.analysis.rules.finding import Evidence, Finding, Severity
from assistant.analysis.rules.registry import Rule, RuleContext
from assistant.capacity.model import BreakingPoint
from assistant.intake.schema import Component, Intake

COMPUTE_KINDS = frozenset({"app", "web", "worker", "search"})
FAILOVER_UPTIME_PCT = 99.9


def needs_failover(intake: Intake) -> bool:
    """True when the uptime target (99.9 % or more) cannot be met without failover."""
    return (intake.targets.target_uptime_pct or 0) >= FAILOVER_UPTIME_PCT


def entry_tier(ctx: RuleContext) -> list[str]:
    """The first web or app component: where a request enters the code the team runs."""
    return [c.id for c in ctx.intake.components if c.kind in {"web", "app"}][:1]


def month_severity(month: float | None, horizon: float) -> Severity:
    """Severity by breaking month: critical within 3 months, high within 6."""
    if month is None:
        return "low"
    if month <= 3:
        return "critical"
    if month <= 6:
        return "high"
    return "medium" if month <= horizon else "low"


def break_evidence(point: BreakingPoint) -> Evidence:
    """The evidence line for a breaking point: subject, resource, threshold, month."""
    return Evidence(label="evidence.reaches", params={
                        "subject": point.subject, "resource": point.resource,
                        "threshold": point.threshold_pct},
                    value=point.month, unit="months", source=point.formula)


def stateful_compute(ctx: RuleContext) -> list[Component]:
    """Compute tiers that neither autoscale nor are managed: they scale by hand."""
    return [c for c in ctx.intake.components if c.kind in COMPUTE_KINDS and not c.managed
            and not c.autoscaling]


def scale_out_month(ctx: RuleContext, component_ids: list[str]) -> float | None:
    """Month the first of these components (or its host) needs more than one instance."""
    months = [b.month for cid in component_ids for b in ctx.capacity.breaks_for(cid)
              if b.resource in {"cpu", "memory"} and not b.ceiling]
    return min(months) if months else None


def blocker(ctx: RuleContext, meta: Rule, ids: list[str]) -> list[Finding]:
    """A finding for something that blocks scaling out: critical once scale-out is due."""
    if not ids:
        return []
    month = scale_out_month(ctx, ids)
    severity: Severity = "critical" if month is not None else meta.severity
    return [meta.finding(ids, severity=severity, breaking_month=month,
                         components_list=", ".join(ids))]
