"""Rules about the data tier: caches, read replicas, connections, storage and the vertical ceiling.

Reads and writes are judged separately: replicas absorb reads, only partitions absorb writes.
"""

from __future__ import annotations

from assistant.analysis.rules.common import break_evidence, month_severity
from assistant.analysis.rules.finding import Evidence, Finding
from assistant.analysis.rules.registry import Rule, RuleContext, rule
from assistant.analysis.rules.remedies import shard_count
from assistant.capacity.data_tier import hottest_share, read_ratio
from assistant.capacity.sizing import needed_at_target


@rule("no-cache-read-heavy", "high", ["multi-layer-caching", "distributed-cache",
                                       "cache-invalidation"])
def no_cache_read_heavy(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a read-heavy database with no cache in front of it."""
    if any(c.kind == "cache" for c in ctx.intake.components):
        return []
    trigger = ctx.defaults.database["read_replica_trigger_ratio"].value
    findings = []
    for db in (c for c in ctx.intake.components if c.kind == "db"):
        ratio = read_ratio(db, ctx.defaults)
        if ratio < trigger or (db.data and db.data.cache_hit_ratio):
            continue
        reads = [b for b in ctx.capacity.breaks_for(db.id) if b.resource in {"reads", "cpu"}]
        findings.append(meta.finding(
            [db.id], breaking_month=reads[0].month if reads else None,
            read_pct=round(ratio * 100), evidence=[
                Evidence(label="evidence.read_share", value=round(ratio * 100), unit="%",
                         source="intake data.read_ratio or default"),
                *[break_evidence(b) for b in reads[:1]]]))
    return findings


@rule("no-read-replicas", "medium", ["read-replicas", "connection-pooling"])
def no_read_replicas(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a database without replicas whose reads saturate it before the target."""
    findings = []
    for db in (c for c in ctx.intake.components if c.kind == "db"):
        if db.data and db.data.replicas > 0:
            continue
        reads = [b for b in ctx.capacity.breaks_for(db.id) if b.resource == "reads"]
        needed = needed_at_target(ctx.capacity.sizing, db.id, "read_replicas") or 0
        if not reads or needed <= 0:
            continue
        severity = month_severity(reads[0].month, ctx.intake.targets.target_month)
        findings.append(meta.finding(
            [db.id], severity=severity, breaking_month=reads[0].month, replicas_needed=needed,
            read_pct=round(read_ratio(db, ctx.defaults) * 100),
            evidence=[break_evidence(reads[0]),
                      Evidence(label="evidence.replicas_needed", value=needed,
                               source="ceil(reads / (per_node_qps * 0.70)) - 1")]))
    return findings


def _each_break_of(ctx: RuleContext, meta: Rule, resource: str) -> list[Finding]:
    """One finding per breaking point of a resource, as severe as its month is near."""
    return [
        meta.finding(b.members, severity=month_severity(b.month, ctx.intake.targets.target_month),
                     breaking_month=b.month, component=b.subject, month=b.month,
                     evidence=[break_evidence(b)])
        for b in ctx.capacity.breaking_points if b.resource == resource
    ]


@rule("connection-pool-exhaustion", "high", ["connection-pooling"])
def connection_pool_exhaustion(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag connection counts that reach 80 % of the maximum before the target."""
    return _each_break_of(ctx, meta, "connections")


@rule("storage-growth", "medium", ["data-archiving", "object-storage", "table-partitioning"])
def storage_growth(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag storage that fills past 80 % before the target."""
    return _each_break_of(ctx, meta, "storage")


@rule("vertical-ceiling", "critical", ["sharding", "table-partitioning"])
def vertical_ceiling(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a database whose writes saturate even the largest size before the target.

    Table partitioning adds no capacity beyond one server; the remedy is sharding, with the
    shard count the one sizing computes.
    """
    findings = []
    for b in ctx.capacity.breaking_points:
        if not b.ceiling:
            continue
        db = ctx.intake.component(b.members[0])
        data = db.data
        shards = shard_count(ctx, db.id) or 1
        findings.append(meta.finding(
            b.members, breaking_month=b.month, component=b.subject, month=b.month,
            partitions=data.partitions if data else 1, constraint="writes beyond the largest "
            "size", shards_needed=shards,
            hottest_pct=round(hottest_share(data) * 100, 1) if data else 100.0,
            evidence=[break_evidence(b),
                      Evidence(label="evidence.shards_needed", value=shards,
                               source="sizing write_partitions_at_largest_size")]))
    return findings
