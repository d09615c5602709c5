"""Which pattern removes a breaking resource: the remedy follows the binding constraint.

A finding's patterns are ordered so the first is the one the roadmap schedules, and that one
must remove the constraint that binds: reads -> a cache, then replicas; writes or a working set
beyond the largest size -> sharding; connections -> a pooler; a stateless tier's CPU ->
horizontal scaling (a load balancer only where none exists); a component on the largest size
never gets vertical scaling, and a database's CPU never gets app-tier autoscaling.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.analysis.rules.registry import RuleContext
from assistant.capacity.data_tier import read_ratio
from assistant.capacity.demand import resolve
from assistant.capacity.sizing import find_sizing, needed_at_target
from assistant.intake.schema import Component

STATELESS_KINDS = frozenset({"app", "web", "worker", "search"})


@dataclass(frozen=True)
class Remedy:
    """The binding constraint of a breaking resource and the patterns that remove it, best first."""

    constraint: str
    patterns: list[str]


def on_largest_size(ctx: RuleContext, component: Component) -> bool:
    """True when the component already runs the largest size its family offers."""
    spec = resolve(component, ctx.defaults)
    return spec.size is not None and spec.largest is not None and \
        spec.size.name == spec.largest.name


def has_kind(ctx: RuleContext, kind: str) -> bool:
    """True when the system already has a component of this kind (a load balancer, a cache)."""
    return any(c.kind == kind for c in ctx.intake.components)


def scale_out(ctx: RuleContext, component: Component) -> Remedy:
    """A stateless tier adds instances; it needs a load balancer only where none exists."""
    if component.kind == "worker" or has_kind(ctx, "lb"):
        return Remedy("cpu of a stateless tier", ["horizontal-autoscaling", "health-checks"])
    return Remedy("cpu of a stateless tier", ["load-balancing", "horizontal-autoscaling"])


def _grow_up_then_out(ctx: RuleContext, component: Component, constraint: str,
                      out: list[str]) -> Remedy:
    if on_largest_size(ctx, component):
        return Remedy(f"{constraint} beyond the largest size", out)
    return Remedy(constraint, ["vertical-scaling", *out])


def _database(ctx: RuleContext, db: Component, resource: str) -> Remedy:
    """Follow the one sizing: more partitions mean writes bind, a bigger size means scale up.

    Reads bind when the sizing asks for replicas (a cache first on a read-heavy store without
    one); writes or hot data beyond the largest size bind when it asks for more partitions.
    """
    sized = find_sizing(ctx.capacity.sizing, db.id, "partitions")
    replicas = needed_at_target(ctx.capacity.sizing, db.id, "read_replicas") or 0
    current = db.data.partitions if db.data else 1
    today_replicas = db.data.replicas if db.data else 0
    read_heavy = read_ratio(db, ctx.defaults) >= \
        ctx.defaults.database["read_replica_trigger_ratio"].value
    cache_first = [] if has_kind(ctx, "cache") or not read_heavy else ["multi-layer-caching"]
    if resource == "iops":
        return _iops(ctx, db, current)
    if sized is not None and sized.needed_at_target > current:
        what = "working set against RAM" if resource == "memory" else "writes"
        return Remedy(f"{what} beyond the largest size",
                      ["sharding", "functional-partitioning", *cache_first])
    if resource == "reads" or (replicas > today_replicas and resource != "memory"):
        return Remedy("reads", [*cache_first, "read-replicas"])
    if resource == "memory":
        return _grow_up_then_out(ctx, db, "working set against RAM", ["sharding"])
    return _grow_up_then_out(ctx, db, "writes", ["sharding", "message-queues"])


def _iops(ctx: RuleContext, db: Component, current: int) -> Remedy:
    """Disk IOPS: provision a bigger volume, until even the largest volume is not enough."""
    shards = needed_at_target(ctx.capacity.sizing, db.id, "write_partitions_at_largest_size")
    if shards is not None and shards > current and _iops_past_largest_volume(ctx, db):
        return Remedy("disk IOPS beyond the largest volume", ["sharding"])
    return Remedy("disk IOPS", ["vertical-scaling", "sharding"])


def _iops_past_largest_volume(ctx: RuleContext, db: Component) -> bool:
    return any(b.ceiling and b.resource == "iops" for b in ctx.capacity.breaks_for(db.id))


def _cache(ctx: RuleContext, cache: Component, resource: str) -> Remedy:
    """Cache memory follows the one sizing: the cheaper of a bigger node and more shards first.

    A bigger node comes first when it holds the data on today's nodes and costs no more than
    sharding today's size (cluster mode); sharding comes first when it is cheaper, and alone
    when even the largest node on today's count cannot hold the data.
    """
    row = find_sizing(ctx.capacity.sizing, cache.id, "cache_nodes")
    if resource != "memory" or row is None:
        return _grow_up_then_out(ctx, cache, f"cache {resource}", ["distributed-cache"])
    if int(row.inputs["nodes_on_size_on_own_count"]) > cache.instances:
        return Remedy("cache memory beyond the largest size", ["distributed-cache"])
    size = resolve(cache, ctx.defaults).size
    bigger = ctx.defaults.size(str(row.inputs["size_on_own_count"]))
    if size is None or bigger is None:
        return Remedy("cache memory", ["distributed-cache"])
    shards = int(row.inputs["nodes_on_own_size"]) * size.monthly_usd
    if shards < cache.instances * bigger.monthly_usd:
        return Remedy("cache memory", ["distributed-cache", "vertical-scaling"])
    return Remedy("cache memory", ["vertical-scaling", "distributed-cache"])


def remedy_for(ctx: RuleContext, subject: str, members: list[str], resource: str) -> Remedy:
    """The constraint that binds when `resource` of `subject` breaks, and its remedy."""
    if subject in ctx.capacity.hosts:
        kinds = {ctx.intake.component(m).kind for m in members}
        if "db" in kinds and kinds & STATELESS_KINDS:
            return Remedy(f"{resource} of a host shared with the database",
                          ["database-separation", "vertical-scaling"])
        return Remedy(f"{resource} of a shared host", ["vertical-scaling"])
    component = ctx.intake.component(subject)
    if resource == "connections":
        return Remedy("connections", ["connection-pooling", "connection-proxy"])
    if resource == "storage":
        return Remedy("storage", ["data-archiving", "object-storage", "table-partitioning"])
    if component.kind == "db":
        return _database(ctx, component, resource)
    if component.kind == "cache":
        return _cache(ctx, component, resource)
    if component.kind in STATELESS_KINDS:
        return scale_out(ctx, component)
    return _grow_up_then_out(ctx, component, resource, ["horizontal-autoscaling"])


def shard_count(ctx: RuleContext, db_id: str) -> int | None:
    """Partitions the store needs at target on the largest size (the one sizing)."""
    return needed_at_target(ctx.capacity.sizing, db_id, "write_partitions_at_largest_size")
