"""Rules about service levels: capacity thresholds, latency, performance budgets, availability.

Each compares a computed figure with a threshold or a goal the team set.
"""

from __future__ import annotations

from assistant.analysis.rules.common import break_evidence, entry_tier, month_severity
from assistant.analysis.rules.finding import Evidence, Finding
from assistant.analysis.rules.registry import Rule, RuleContext, rule
from assistant.analysis.rules.remedies import remedy_for
from assistant.capacity.availability import AvailabilityReport
from assistant.capacity.model import BreakingPoint


@rule("performance-budget-exceeded", "high", ["performance-budgets", "query-optimization",
                                               "indexing", "multi-layer-caching"])
def performance_budget_exceeded(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag today's figures that already break the seeds' performance budgets.

    The team's own latency goal is the latency-slo rule's business, not this one's.
    """
    current, budgets = ctx.intake.current, ctx.defaults.performance_budgets
    checks = [
        ("p95", current.p95_response_time_ms, budgets["api_response_ms"].value, "ms", True),
        ("error_rate", current.error_rate_pct, budgets["error_rate_pct"].value, "%", True),
        ("cache_hit", current.cache_hit_pct, budgets["cache_hit_pct"].value, "%", False),
    ]
    broken = [
        Evidence(label=f"evidence.budget.{label}", params={"limit": limit}, value=value,
                 unit=unit, source="intake current")
        for label, value, limit, unit, upper in checks
        if value is not None and (value > limit if upper else value < limit)
    ]
    if not broken:
        return []
    return [meta.finding(entry_tier(ctx), breaking_month=0.0, count=len(broken),
                         evidence=broken)]


@rule("availability-slo-unreachable", "critical", ["redundancy-failover", "health-checks",
                                                    "load-balancing"])
def availability_slo_unreachable(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag an uptime target the current redundancy of the team's own components cannot reach.

    It names the single points of failure, else the least available self-run unit. When the
    managed services' SLAs alone already fall below the target, `managed_sla_cap` says so
    instead: making a managed service "redundant" is not a task the team can price.
    """
    report = ctx.capacity.availability
    if report.meets_target is not False:
        return []
    spofs = report.spofs
    self_run = [u for u in report.units if not u.managed and u.in_series]
    if not spofs and (report.managed_cap_pct < (report.target_pct or 0) or not self_run):
        return []
    weakest = min(self_run, key=lambda u: u.availability_pct, default=None)
    members = sorted({m for u in spofs for m in u.members}) or \
        (list(weakest.members) if weakest else [])
    return [meta.finding(
        members, breaking_month=0.0, path_pct=report.path_availability_pct,
        target_pct=report.target_pct or 0, spofs=", ".join(u.name for u in spofs) or "-",
        evidence=_availability_evidence(report))]


@rule("managed-sla-cap", "high", ["multi-region", "redundancy-failover"])
def managed_sla_cap(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a target above what the managed services on the path promise together.

    The composite of their published SLAs caps the path even if every self-run component
    never failed; reaching the target takes a second provider or region for the weakest
    managed services (multi-CDN, cross-region replicas), or a target the providers back.
    """
    report = ctx.capacity.availability
    target = report.target_pct
    if report.meets_target is not False or target is None or report.managed_cap_pct >= target:
        return []
    managed = sorted((u for u in report.units if u.managed and u.in_series),
                     key=lambda u: u.availability_pct)
    weakest = [u for u in managed if u.availability_pct == managed[0].availability_pct]
    return [meta.finding(
        sorted({m for u in weakest for m in u.members}), breaking_month=0.0,
        constraint="availability: the managed services' published SLAs",
        cap_pct=report.managed_cap_pct, target_pct=target,
        weakest=", ".join(u.name for u in weakest), weakest_pct=managed[0].availability_pct,
        evidence=_availability_evidence(report))]


def _availability_evidence(report: AvailabilityReport) -> list[Evidence]:
    return [Evidence(label="evidence.path_availability", value=report.path_availability_pct,
                     unit="%", source=report.formula),
            *[Evidence(label="evidence.unit_availability", params={"name": u.name},
                       value=u.availability_pct, unit="%", source=u.reason)
              for u in report.units]]


_CAPACITY_RESOURCES = frozenset({"cpu", "memory", "reads", "writes", "iops"})


@rule("capacity-threshold", "high", ["horizontal-autoscaling", "vertical-scaling"])
def capacity_threshold(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag each component or host whose CPU, memory, reads, writes or IOPS cross a threshold.

    The patterns follow the binding constraint (`remedies.remedy_for`), not the resource alone.
    """
    first: dict[str, BreakingPoint] = {}
    for b in ctx.capacity.breaking_points:
        if b.resource in _CAPACITY_RESOURCES and not b.ceiling:
            first.setdefault(b.subject, b)
    horizon = ctx.intake.targets.target_month
    findings = []
    for b in first.values():
        remedy = remedy_for(ctx, b.subject, b.members, b.resource)
        findings.append(meta.finding(
            b.members, severity=month_severity(b.month, horizon), breaking_month=b.month,
            patterns=remedy.patterns, constraint=remedy.constraint, subject=b.subject,
            resource=b.resource, month=b.month, threshold=b.threshold_pct,
            rps=b.peak_rps_at_break, users=b.users_at_break, evidence=[break_evidence(b)]))
    return findings


@rule("latency-slo", "high", ["query-optimization", "indexing", "multi-layer-caching",
                               "performance-budgets"])
def latency_slo(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag tiers whose estimated response time misses the latency goal, even scaled out."""
    findings = []
    by_component: dict[str, list] = {}
    for row in ctx.capacity.latency:
        by_component.setdefault(row.component_id, []).append(row)
    for component, rows in by_component.items():
        best = rows[-1]
        if best.meets_slo:
            continue
        findings.append(meta.finding(
            [component], breaking_month=next((r.month for r in rows if not r.meets_slo), None),
            estimate=best.response_time_ms if best.response_time_ms is not None else "saturated",
            slo=best.slo_ms, other=best.other_time_ms,
            evidence=[Evidence(label="evidence.response_time", params={"horizon": r.horizon},
                               value=r.response_time_ms if r.response_time_ms is not None
                               else "saturated", unit="ms", source=r.formula) for r in rows]))
    return findings
