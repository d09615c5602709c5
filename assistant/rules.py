"""Deterministic rules over the intake and the capacity report, one function per rule.

Each rule's sentence lives in the message catalogue under `rule.<id>`; the rule supplies the
numbers. The pattern ids each rule names are pattern cards in `knowledge/` (a test checks that).
"""

from __future__ import annotations

from assistant.capacity import BreakingPoint
from assistant.datastore import hottest_share
from assistant.findings import Evidence, Finding, Rule, RuleContext, Severity, rule
from assistant.intake import Component

COMPUTE_KINDS = frozenset({"app", "web", "worker", "search"})


def _month_severity(month: float | None, horizon: float) -> Severity:
    if month is None:
        return "low"
    if month <= 3:
        return "critical"
    if month <= 6:
        return "high"
    return "medium" if month <= horizon else "low"


def _break_evidence(point: BreakingPoint) -> Evidence:
    return Evidence(label="evidence.reaches", params={
                        "subject": point.subject, "resource": point.resource,
                        "threshold": point.threshold_pct},
                    value=point.month, unit="months", source=point.formula)


def _stateful_compute(ctx: RuleContext) -> list[Component]:
    return [c for c in ctx.intake.components if c.kind in COMPUTE_KINDS and not c.managed
            and not c.autoscaling]


def _read_ratio(ctx: RuleContext, component: Component) -> float:
    if component.data and component.data.read_ratio is not None:
        return component.data.read_ratio
    return ctx.defaults.database["read_ratio"].value


@rule("single-instance", "high", ["load-balancing", "redundancy-failover", "health-checks"])
def single_instance(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag compute tiers that run as one instance with no load balancer in front."""
    has_lb = any(c.kind == "lb" for c in ctx.intake.components)
    single = [c.id for c in _stateful_compute(ctx) if c.instances == 1]
    if not single:
        return []
    strict = (ctx.intake.targets.target_uptime_pct or 0) >= 99.9
    severity: Severity = "critical" if strict else "high"
    return [meta.finding(single, severity=severity, breaking_month=_scale_out_month(ctx, single),
                         components_list=", ".join(single),
                         load_balancer="yes" if has_lb else "no",
                         evidence=[Evidence(label="evidence.instances", value=1, source="intake")])]


@rule("db-on-app-host", "critical", ["database-separation", "redundancy-failover"])
def db_on_app_host(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a database that shares its host with application code."""
    findings = []
    for host, members in ctx.capacity.hosts.items():
        kinds = {ctx.intake.component(m).kind for m in members}
        if "db" not in kinds or not kinds & {"app", "web", "worker"}:
            continue
        breaks = [b for b in ctx.capacity.breaking_points if b.subject in {host, *members}]
        first = breaks[0] if breaks else None
        findings.append(meta.finding(
            members, breaking_month=first.month if first else None, host=host,
            members_list=", ".join(members),
            first_resource=first.resource if first else "-",
            first_month=first.month if first else "-",
            evidence=[_break_evidence(b) for b in breaks[:3]]))
    return findings


def _scale_out_month(ctx: RuleContext, component_ids: list[str]) -> float | None:
    """Month the first of these components (or its host) needs more than one instance."""
    months = [b.month for cid in component_ids for b in ctx.capacity.breaks_for(cid)
              if b.resource in {"cpu", "memory"} and not b.ceiling]
    return min(months) if months else None


def _blocker(ctx: RuleContext, meta: Rule, ids: list[str]) -> list[Finding]:
    """A finding for something that blocks scaling out: critical once scale-out is due."""
    if not ids:
        return []
    month = _scale_out_month(ctx, ids)
    severity: Severity = "critical" if month is not None else meta.severity
    return [meta.finding(ids, severity=severity, breaking_month=month,
                         components_list=", ".join(ids))]


@rule("local-file-storage", "high", ["object-storage", "cdn"])
def local_file_storage(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag files kept on an instance's local disk: they pin users to one box."""
    local = [c.id for c in ctx.intake.components if c.file_storage == "local"]
    return _blocker(ctx, meta, local)


@rule("no-cache-read-heavy", "high", ["multi-layer-caching", "distributed-cache",
                                       "cache-invalidation"])
def no_cache_read_heavy(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a read-heavy database with no cache in front of it."""
    if any(c.kind == "cache" for c in ctx.intake.components):
        return []
    trigger = ctx.defaults.database["read_replica_trigger_ratio"].value
    findings = []
    for db in (c for c in ctx.intake.components if c.kind == "db"):
        ratio = _read_ratio(ctx, db)
        if ratio < trigger or (db.data and db.data.cache_hit_ratio):
            continue
        reads = [b for b in ctx.capacity.breaks_for(db.id) if b.resource in {"reads", "cpu"}]
        findings.append(meta.finding(
            [db.id], breaking_month=reads[0].month if reads else None,
            read_pct=round(ratio * 100), evidence=[
                Evidence(label="evidence.read_share", value=round(ratio * 100), unit="%",
                         source="intake data.read_ratio or default"),
                *[_break_evidence(b) for b in reads[:1]]]))
    return findings


@rule("no-read-replicas", "medium", ["read-replicas", "connection-pooling"])
def no_read_replicas(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a database without replicas whose reads saturate it before the target."""
    findings = []
    for db in (c for c in ctx.intake.components if c.kind == "db"):
        if db.data and db.data.replicas > 0:
            continue
        reads = [b for b in ctx.capacity.breaks_for(db.id) if b.resource == "reads"]
        needed = next((s.needed_at_target for s in ctx.capacity.sizing
                       if s.component_id == db.id and s.quantity == "read_replicas"), 0)
        if not reads or needed <= 0:
            continue
        severity = _month_severity(reads[0].month, ctx.intake.targets.target_month)
        findings.append(meta.finding(
            [db.id], severity=severity, breaking_month=reads[0].month, replicas_needed=needed,
            read_pct=round(_read_ratio(ctx, db) * 100),
            evidence=[_break_evidence(reads[0]),
                      Evidence(label="evidence.replicas_needed", value=needed,
                               source="ceil(reads / (per_node_qps * 0.70)) - 1")]))
    return findings


@rule("connection-pool-exhaustion", "high", ["connection-pooling"])
def connection_pool_exhaustion(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag connection counts that reach 80 % of the maximum before the target."""
    return [
        meta.finding(b.members, severity=_month_severity(b.month, ctx.intake.targets.target_month),
                     breaking_month=b.month, component=b.subject, month=b.month,
                     evidence=[_break_evidence(b)])
        for b in ctx.capacity.breaking_points if b.resource == "connections"
    ]


@rule("in-process-sessions", "high", ["stateless-sessions", "distributed-cache"])
def in_process_sessions(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag sessions held in one process: a second instance cannot serve those users."""
    held = [c.id for c in ctx.intake.components if c.sessions == "in_process"]
    return _blocker(ctx, meta, held)


@rule("no-cdn", "medium", ["cdn", "frontend-optimization"])
def no_cdn(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag static assets served without a CDN in front."""
    if not ctx.intake.operations.static_assets:
        return []
    if any(c.kind == "cdn" for c in ctx.intake.components):
        return []
    edge = [c.id for c in ctx.intake.components if c.kind in {"web", "app"}][:1]
    return [meta.finding(edge)]


@rule("no-rate-limiting", "medium", ["rate-limiting"])
def no_rate_limiting(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag an edge with no rate limiting anywhere on the request path."""
    if any(c.rate_limiting for c in ctx.intake.components):
        return []
    edge = [c.id for c in ctx.intake.components if c.kind in {"lb", "app", "web"}][:1]
    return [meta.finding(edge)]


@rule("no-autoscaling", "medium", ["horizontal-autoscaling", "predictive-scaling",
                                    "containerization-kubernetes"])
def no_autoscaling(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag fixed-size compute tiers when load grows more than twofold to the target."""
    target = ctx.capacity.horizons[-1].peak_rps / ctx.capacity.horizons[0].peak_rps
    fixed = [c.id for c in _stateful_compute(ctx)]
    if target < 2 or not fixed:
        return []
    return [meta.finding(fixed, growth_factor=round(target, 1), components_list=", ".join(fixed),
                         evidence=[Evidence(label="evidence.growth",
                                            value=round(target, 1), unit="x",
                                            source="growth model")])]


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
    edge = [c.id for c in ctx.intake.components if c.kind in {"app", "web"}][:1]
    return [meta.finding(edge, breaking_month=0.0, count=len(broken),
                         evidence=broken)]


@rule("availability-slo-unreachable", "critical", ["redundancy-failover", "health-checks",
                                                    "load-balancing"])
def availability_slo_unreachable(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag an uptime target the current redundancy cannot reach."""
    report = ctx.capacity.availability
    if report.meets_target is not False:
        return []
    spofs = report.spofs
    members = sorted({m for u in spofs for m in u.members}) or [u.name for u in report.units]
    return [meta.finding(
        members, breaking_month=0.0, path_pct=report.path_availability_pct,
        target_pct=report.target_pct or 0, spofs=", ".join(u.name for u in spofs) or "-",
        evidence=[Evidence(label="evidence.path_availability",
                           value=report.path_availability_pct, unit="%", source=report.formula),
                  *[Evidence(label="evidence.unit_availability", params={"name": u.name},
                             value=u.availability_pct, unit="%",
                             source=u.reason) for u in report.units]])]


@rule("storage-growth", "medium", ["data-archiving", "object-storage", "table-partitioning"])
def storage_growth(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag storage that fills past 80 % before the target."""
    return [
        meta.finding(b.members, severity=_month_severity(b.month, ctx.intake.targets.target_month),
                     breaking_month=b.month, component=b.subject, month=b.month,
                     evidence=[_break_evidence(b)])
        for b in ctx.capacity.breaking_points if b.resource == "storage"
    ]


@rule("monitoring-missing", "high", ["monitoring-metrics", "alerting-rules",
                                      "performance-budgets"])
def monitoring_missing(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a system that cannot see its own saturation coming."""
    ops = ctx.intake.operations
    missing = [name for name, present in (("monitoring", ops.monitoring),
                                          ("alerting", ops.alerting)) if not present]
    if not missing:
        return []
    return [meta.finding([c.id for c in ctx.intake.components], missing=", ".join(missing))]


@rule("vertical-ceiling", "critical", ["table-partitioning", "sharding"])
def vertical_ceiling(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a database whose writes saturate even the largest size before the target."""
    findings = []
    for b in ctx.capacity.breaking_points:
        if not b.ceiling:
            continue
        db = ctx.intake.component(b.members[0])
        data = db.data
        findings.append(meta.finding(
            b.members, breaking_month=b.month, component=b.subject, month=b.month,
            partitions=data.partitions if data else 1,
            hottest_pct=round(hottest_share(data) * 100, 1) if data else 100.0,
            evidence=[_break_evidence(b)]))
    return findings


_CAPACITY_PATTERNS = {
    "cpu": ["horizontal-autoscaling", "vertical-scaling", "load-balancing"],
    "memory": ["vertical-scaling", "multi-layer-caching"],
    "reads": ["read-replicas", "multi-layer-caching"],
    "writes": ["table-partitioning", "message-queues", "vertical-scaling"],
}


@rule("capacity-threshold", "high", ["horizontal-autoscaling", "vertical-scaling"])
def capacity_threshold(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag each component or host whose CPU, memory, reads or writes cross their threshold."""
    first: dict[str, BreakingPoint] = {}
    for b in ctx.capacity.breaking_points:
        if b.resource in _CAPACITY_PATTERNS and not b.ceiling:
            first.setdefault(b.subject, b)
    horizon = ctx.intake.targets.target_month
    return [
        meta.finding(b.members, severity=_month_severity(b.month, horizon), breaking_month=b.month,
                     patterns=_CAPACITY_PATTERNS[b.resource], subject=b.subject,
                     resource=b.resource, month=b.month, threshold=b.threshold_pct,
                     rps=b.peak_rps_at_break, users=b.users_at_break,
                     evidence=[_break_evidence(b)])
        for b in first.values()
    ]


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
