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


@rule("connection-pool-exhaustion", "high", ["connection-pooling", "connection-proxy"])
def connection_pool_exhaustion(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag connection counts that reach 80 % of the maximum before the target."""
    return _each_break_of(ctx, meta, "connections")


@rule("storage-growth", "medium", ["data-archiving", "object-storage", "table-partitioning"])
def storage_growth(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag storage that fills past 80 % before the target."""
    return _each_break_of(ctx, meta, "storage")


@rule("vertical-ceiling", "critical", ["sharding", "functional-partitioning",
                                         "table-partitioning"])
def vertical_ceiling(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a database whose writes saturate even the largest size before the target.

    Table partitioning adds no capacity beyond one server; the remedy is sharding, with the
    shard count the one sizing computes.
    """
    findings = []
    for b in ctx.capacity.breaking_points:
        if not b.ceiling or b.resource != "writes":
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


@rule("memory-ceiling", "critical", ["sharding", "functional-partitioning"])
def memory_ceiling(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a database whose hot data outgrows even the largest size's RAM before the target.

    A bigger box stops helping: the working set must be split (shards, or a domain moved to
    its own store).
    """
    return _ceiling_findings(ctx, meta, "memory", "working set against RAM beyond the largest "
                             "size")


@rule("iops-ceiling", "critical", ["sharding"])
def iops_ceiling(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a database whose disk IOPS outgrow even the largest volume before the target."""
    return _ceiling_findings(ctx, meta, "iops", "disk IOPS beyond the largest volume")


def _ceiling_findings(ctx: RuleContext, meta: Rule, resource: str,
                      constraint: str) -> list[Finding]:
    findings = []
    for b in ctx.capacity.breaking_points:
        if not b.ceiling or b.resource != resource:
            continue
        db = ctx.intake.component(b.members[0])
        shards = shard_count(ctx, db.id) or 1
        findings.append(meta.finding(
            b.members, breaking_month=b.month, component=b.subject, month=b.month,
            constraint=constraint, shards_needed=shards,
            partitions=db.data.partitions if db.data else 1,
            evidence=[break_evidence(b),
                      Evidence(label="evidence.shards_needed", value=shards,
                               source="sizing write_partitions_at_largest_size")]))
    return findings


HOT_RESOURCES = frozenset({"cpu", "reads", "writes", "memory", "iops"})


@rule("hot-partition", "high", ["resharding-hot-tenant", "sharding"])
def hot_partition(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a partition that saturates before the target while an even split would not yet.

    The store's average is fine; its busiest partition (`hottest_partition_share`) is not.
    More shards of the same key leave the hot key where it is: split or move the hot tenant.
    """
    findings = []
    for db in (c for c in ctx.intake.components if c.kind == "db"):
        data = db.data
        if data is None or data.partitions < 2 or data.hottest_partition_share is None:
            continue
        if data.hottest_partition_share <= 1 / data.partitions + 1e-9:
            continue
        hot = [b for b in ctx.capacity.breaks_for(db.id)
               if not b.ceiling and b.resource in HOT_RESOURCES]
        if not hot:
            continue
        even = _even_split_month(ctx, db.id, hot[0].resource)
        if even is not None and even <= hot[0].month:
            continue  # the skew is not what binds
        shown_even = even if even is not None else "none"
        findings.append(meta.finding(
            [db.id], severity=month_severity(hot[0].month, ctx.intake.targets.target_month),
            breaking_month=hot[0].month, constraint="a hot partition", component=db.id,
            resource=hot[0].resource, month=hot[0].month,
            hottest_pct=round(data.hottest_partition_share * 100, 1),
            average_pct=round(100 / data.partitions, 1), even_month=shown_even,
            evidence=[break_evidence(hot[0]),
                      Evidence(label="evidence.hot_share",
                               value=round(data.hottest_partition_share * 100, 1), unit="%",
                               source="intake data.hottest_partition_share"),
                      Evidence(label="evidence.even_split_month", value=shown_even,
                               unit="months" if even is not None else "",
                               source="the capacity model rerun with the load split evenly")]))
    return findings


def _even_split_month(ctx: RuleContext, db_id: str, resource: str) -> float | None:
    """The month this resource of the store would break with its load split evenly."""
    from assistant.capacity.model import analyse

    data = ctx.intake.model_dump(mode="python", exclude_none=True)
    for component in data["components"]:
        if component["id"] == db_id:
            component["data"].pop("hottest_partition_share", None)
    even = analyse(type(ctx.intake).model_validate(data), ctx.defaults, latency=False)
    return next((b.month for b in even.breaks_for(db_id)
                 if not b.ceiling and b.resource == resource), None)
