"""Rules about operations: CDN, rate limiting, monitoring and alerting.

These need no capacity figure: they read what the intake says the team runs. A fact the intake
leaves out is unknown and raises no finding (the report asks it as a question instead).
"""

from __future__ import annotations

from assistant.analysis.rules.common import entry_tier
from assistant.analysis.rules.finding import Evidence, Finding
from assistant.analysis.rules.registry import Rule, RuleContext, rule


@rule("no-cdn", "medium", ["cdn", "frontend-optimization"])
def no_cdn(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag static assets served without a CDN in front."""
    if ctx.intake.operations.static_assets is not True:
        return []
    if any(c.kind == "cdn" for c in ctx.intake.components):
        return []
    return [meta.finding(entry_tier(ctx))]


@rule("no-rate-limiting", "medium", ["rate-limiting"])
def no_rate_limiting(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag an edge with no rate limiting anywhere on the request path."""
    if any(c.rate_limiting for c in ctx.intake.components):
        return []
    edge = [c.id for c in ctx.intake.components if c.kind in {"lb", "app", "web"}][:1]
    return [meta.finding(edge)]


@rule("monitoring-missing", "high", ["monitoring-metrics", "alerting-rules",
                                      "performance-budgets"])
def monitoring_missing(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a system that cannot see its own saturation coming."""
    ops = ctx.intake.operations
    missing = [name for name, present in (("monitoring", ops.monitoring),
                                          ("alerting", ops.alerting)) if present is False]
    if not missing:
        return []
    return [meta.finding([c.id for c in ctx.intake.components], missing=", ".join(missing))]


@rule("target-below-today", "low", ["capacity-planning"])
def target_below_today(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a target below today's load: every figure then plans for demand that shrinks.

    Valid input (a team may plan for a decline), but far more often a typo or a unit slip, so
    the report says it next to the figures it bends.
    """
    current, targets = ctx.intake.current, ctx.intake.targets
    below = []
    if targets.target_users < current.active_users:
        below.append(Evidence(label="evidence.target_users", value=targets.target_users,
                              source=f"targets.target_users < current.active_users "
                                     f"({current.active_users})"))
    if targets.target_requests_per_second is not None \
            and targets.target_requests_per_second < current.requests_per_second:
        below.append(Evidence(label="evidence.target_rps",
                              value=targets.target_requests_per_second,
                              source="targets.target_requests_per_second < current."
                                     f"requests_per_second ({current.requests_per_second:g})"))
    if not below:
        return []
    return [meta.finding([c.id for c in ctx.intake.components], breaking_month=0.0,
                         users=current.active_users, target=targets.target_users,
                         evidence=below)]


@rule("no-backups", "high", ["backup-disaster-recovery"])
def no_backups(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag data stores without backups, as the intake states it (left out: a question)."""
    if ctx.intake.operations.backups is not False:
        return []
    stores = [c.id for c in ctx.intake.components if c.kind in {"db", "storage", "search"}]
    return [meta.finding(stores, components_list=", ".join(stores))] if stores else []


@rule("no-runbooks", "medium", ["incident-response"])
def no_runbooks(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a team without incident runbooks, as the intake states it (left out: a question)."""
    if ctx.intake.operations.incident_runbooks is not False:
        return []
    return [meta.finding([c.id for c in ctx.intake.components])]
