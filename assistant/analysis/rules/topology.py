"""Rules about the shape of the system: single instances, shared hosts, state that pins users.

These block scaling out, so they turn critical once a tier needs a second instance.
"""

from __future__ import annotations

from assistant.analysis.rules.common import (
    blocker,
    break_evidence,
    needs_failover,
    scale_out_month,
    stateful_compute,
)
from assistant.analysis.rules.finding import Evidence, Finding, Severity
from assistant.analysis.rules.registry import Rule, RuleContext, rule


@rule("single-instance", "high", ["load-balancing", "redundancy-failover", "health-checks"])
def single_instance(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag compute tiers that run as one instance with no load balancer in front."""
    has_lb = any(c.kind == "lb" for c in ctx.intake.components)
    single = [c.id for c in stateful_compute(ctx) if c.instances == 1]
    if not single:
        return []
    severity: Severity = "critical" if needs_failover(ctx.intake) else "high"
    # Queue consumers, and tiers behind an existing load balancer, only need a second instance.
    needs_lb = not has_lb and any(ctx.intake.component(c).kind != "worker" for c in single)
    patterns = list(meta.patterns) if needs_lb else ["horizontal-autoscaling", "health-checks",
                                                     "redundancy-failover"]
    return [meta.finding(single, severity=severity, breaking_month=scale_out_month(ctx, single),
                         patterns=patterns, constraint="a single instance",
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
            evidence=[break_evidence(b) for b in breaks[:3]]))
    return findings


@rule("local-file-storage", "high", ["object-storage", "cdn"])
def local_file_storage(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag files kept on an instance's local disk: they pin users to one box."""
    local = [c.id for c in ctx.intake.components if c.file_storage == "local"]
    return blocker(ctx, meta, local)


@rule("in-process-sessions", "high", ["stateless-sessions", "distributed-cache"])
def in_process_sessions(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag sessions held in one process: a second instance cannot serve those users."""
    held = [c.id for c in ctx.intake.components if c.sessions == "in_process"]
    return blocker(ctx, meta, held)


@rule("no-autoscaling", "medium", ["horizontal-autoscaling", "predictive-scaling",
                                    "containerization-kubernetes"])
def no_autoscaling(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag fixed-size compute tiers when load grows more than twofold to the target."""
    target = ctx.capacity.horizons[-1].peak_rps / ctx.capacity.horizons[0].peak_rps
    fixed = [c.id for c in stateful_compute(ctx)]
    if target < 2 or not fixed:
        return []
    return [meta.finding(fixed, growth_factor=round(target, 1), components_list=", ".join(fixed),
                         evidence=[Evidence(label="evidence.growth",
                                            value=round(target, 1), unit="x",
                                            source="growth model")])]


@rule("no-health-checks", "medium", ["health-checks", "load-balancing"])
def no_health_checks(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag redundant self-run tiers without health checks.

    Redundancy only helps when the balancer stops sending to a dead instance; without a health
    check it keeps routing a share of the requests to it.
    """
    blind = [c.id for c in ctx.intake.components if c.kind in {"web", "app", "worker", "search"}
             and not c.managed and (c.instances > 1 or c.autoscaling) and not c.health_checks]
    return [meta.finding(blind, components_list=", ".join(blind))] if blind else []
