"""Price a roadmap task from the catalogue: what applying a pattern adds per month at target.

Patterns that add infrastructure (a managed database, replicas, cache nodes, a load balancer,
more instances, CDN traffic, object storage) are priced from catalogue rows and the computed
target load. Patterns that are mostly engineering work (monitoring, rate limiting, query tuning)
have no catalogue row: the roadmap then uses the pattern card's estimate and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.analysis.baseline_costs import load_balancer_units, monthly_gigabytes_out
from assistant.analysis.rules.common import needs_failover
from assistant.capacity.demand import resolve
from assistant.capacity.growth import GrowthModel
from assistant.capacity.model import CapacityReport
from assistant.capacity.sizing import find_sizing, needed_at_target
from assistant.catalogue.model import Defaults, Size
from assistant.intake.schema import Component, Intake


@dataclass(frozen=True)
class TaskPrice:
    """A computed monthly cost delta and the catalogue basis it came from."""

    monthly_usd: float
    basis: str


@dataclass(frozen=True)
class PricingContext:
    """What every pricing function may read."""

    intake: Intake
    capacity: CapacityReport
    defaults: Defaults
    components: list[Component]

    def of_kind(self, *kinds: str) -> list[Component]:
        """Components of these kinds among the task's components (or the whole intake)."""
        found = [c for c in self.components if c.kind in kinds]
        return found or [c for c in self.intake.components if c.kind in kinds]

    def own_of_kind(self, *kinds: str) -> list[Component]:
        """Only the task's own components of these kinds.

        A remedy for one tier is never priced as more boxes of another.
        """
        return [c for c in self.components if c.kind in kinds]

    def default_size(self, kind: str) -> Size:
        """The kind's default catalogue size."""
        name = self.defaults.kinds[kind].default_size
        size = self.defaults.size(name or "")
        assert size is not None, f"catalogue has no default size for kind {kind}"
        return size

    def needed(self, component_id: str, quantity: str) -> int | None:
        """A sizing figure at target (instances, read_replicas ...)."""
        return needed_at_target(self.capacity.sizing, component_id, quantity)

    def strict_uptime(self) -> bool:
        """True when the uptime target needs failover (99.9 % or more)."""
        return needs_failover(self.intake)


Pricer = Callable[[PricingContext], TaskPrice | None]


def _database_separation(ctx: PricingContext) -> TaskPrice | None:
    size = ctx.default_size("db")
    factor = 2 if ctx.strict_uptime() else 1
    az = " x 2 (multi-AZ for the uptime target)" if factor == 2 else ""
    return TaskPrice(size.monthly_usd * factor, f"managed {size.name}{az}")


def _read_replicas(ctx: PricingContext) -> TaskPrice | None:
    total, parts = 0.0, []
    for db in ctx.of_kind("db"):
        replicas = ctx.needed(db.id, "read_replicas") or 0
        current = db.data.replicas if db.data else 0
        own = resolve(db, ctx.defaults).size
        in_family = own is not None and ctx.defaults.sizes["database"].find(own.name)
        size = own if own is not None and in_family else ctx.default_size("db")
        extra = max(0, replicas - current)
        total += extra * size.monthly_usd
        parts.append(f"{extra} x {size.name} for {db.id}")
    return TaskPrice(total, "; ".join(parts)) if parts else None


def _cache_nodes(ctx: PricingContext) -> TaskPrice | None:
    """Shards of today's size that hold an existing cache's data; else a new primary + replica."""
    sharded = [(c, row) for c in ctx.own_of_kind("cache")
               if (row := find_sizing(ctx.capacity.sizing, c.id, "cache_nodes")) is not None]
    if sharded:
        total, parts = 0.0, []
        for cache, row in sharded:
            size = resolve(cache, ctx.defaults).size or ctx.default_size("cache")
            extra = max(0, int(row.inputs["nodes_on_own_size"]) - cache.instances)
            total += extra * size.monthly_usd
            parts.append(f"{extra} more {size.name} shard(s) for {cache.id} "
                         f"({cache.instances + extra} at target, cluster mode)")
        return TaskPrice(total, "; ".join(parts))
    size = ctx.default_size("cache")
    return TaskPrice(2 * size.monthly_usd, f"2 x {size.name} (primary + replica)")


def _cache_size_step(ctx: PricingContext) -> list[tuple[Component, Size, Size]]:
    """Caches that vertical scaling moves to a bigger node: (cache, today's, target's)."""
    steps = []
    for cache in ctx.own_of_kind("cache"):
        row = find_sizing(ctx.capacity.sizing, cache.id, "cache_nodes")
        own = resolve(cache, ctx.defaults).size
        target = ctx.defaults.size(str(row.inputs["size_on_own_count"])) if row else None
        if own is not None and target is not None and target.name != own.name:
            steps.append((cache, own, target))
    return steps


def _load_balancing(ctx: PricingContext) -> TaskPrice | None:
    service = ctx.defaults.services["lb"]
    growth = GrowthModel(ctx.intake)
    lcu = load_balancer_units(growth.rps(growth.end_month), ctx.intake, ctx.defaults)
    extra = 0.0
    for app in ctx.of_kind("app", "web"):
        if app.instances < 2 and not app.managed:
            extra += (resolve(app, ctx.defaults).size or ctx.default_size("app")).monthly_usd
    return TaskPrice(service.monthly_usd + lcu * service.per_unit_usd + extra,
                     f"load balancer with {lcu:.0f} LCU at target + a second instance")


def _autoscaling(ctx: PricingContext) -> TaskPrice | None:
    total, parts = 0.0, []
    for app in ctx.of_kind("app", "web", "worker"):
        needed = ctx.needed(app.id, "instances")
        if needed is None:
            continue
        size = resolve(app, ctx.defaults).size or ctx.default_size(app.kind)
        extra = max(0, needed - max(app.instances, 2))
        total += extra * size.monthly_usd
        parts.append(f"{extra} more {size.name} for {app.id} at target")
    return TaskPrice(total, "; ".join(parts)) if parts else None


def _cdn(ctx: PricingContext) -> TaskPrice | None:
    growth = GrowthModel(ctx.intake)
    gigabytes = monthly_gigabytes_out(ctx.intake, ctx.defaults, growth.end_month)
    cdn = ctx.defaults.services["cdn"].usage_usd(gigabytes)
    origin = ctx.defaults.services["egress"].usage_usd(gigabytes)
    size = ("default response size" if ctx.intake.current.avg_response_kb is None
            else "current.avg_response_kb")
    return TaskPrice(cdn - origin,
                     f"{gigabytes:,.0f} GB/month at target ({size}): CDN "
                     f"{cdn:,.0f} USD replaces origin egress {origin:,.0f} USD, both through "
                     "their tier tables")


def _object_storage(ctx: PricingContext) -> TaskPrice | None:
    if ctx.intake.current.data_volume_gb is None:
        return None
    growth = GrowthModel(ctx.intake)
    volume = ctx.intake.current.data_volume_gb * growth.data_factor(growth.end_month)
    price = ctx.defaults.services["storage"].per_unit_usd
    return TaskPrice(volume * price, f"{volume:,.0f} GB-month at target x {price}")


def _redundancy(ctx: PricingContext) -> TaskPrice | None:
    total, parts = 0.0, []
    for unit in ctx.capacity.availability.spofs:
        component = ctx.intake.component(unit.members[0])
        size = resolve(component, ctx.defaults).size
        if size is not None:
            total += size.monthly_usd
            parts.append(f"second {size.name} for {unit.name}")
    return TaskPrice(total, "; ".join(parts)) if parts else None


def _database_size_step(ctx: PricingContext, db: Component) -> tuple[Size | None, Size | None,
                                                                       int, int]:
    """Today's size, the size and partitions the one sizing chose at target, today's nodes."""
    own = resolve(db, ctx.defaults).size
    row = find_sizing(ctx.capacity.sizing, db.id, "partitions")
    step = row.by_horizon[-1] if row else None
    target = ctx.defaults.size(step.size) if step and step.size else own
    return own, target, (step.needed if step else 1), (db.data.partitions if db.data else 1)


def _sharding(ctx: PricingContext) -> TaskPrice | None:
    """New shards at target, each a node of the size the sizing chose, with its replicas."""
    total, parts = 0.0, []
    for db in ctx.own_of_kind("db"):
        own, target, shards, today = _database_size_step(ctx, db)
        if target is None or shards <= today:
            continue
        replicas = 1 + (ctx.needed(db.id, "read_replicas") or 0)
        total += (shards - today) * replicas * target.monthly_usd
        parts.append(f"{shards - today} more shard(s) of {target.name} x {replicas} node(s) "
                     f"for {db.id} ({shards} at target)")
    return TaskPrice(total, "; ".join(parts)) if parts else None


def _vertical(ctx: PricingContext) -> TaskPrice | None:
    """The step from today's size to the size the sizing chose at target (databases, caches)."""
    total, parts = 0.0, []
    for db in ctx.own_of_kind("db"):
        own, target, _, today = _database_size_step(ctx, db)
        if own is None or target is None or target.name == own.name:
            continue
        total += (target.monthly_usd - own.monthly_usd) * today
        parts.append(f"{own.name} -> {target.name} for {db.id}")
    for cache, own, target in _cache_size_step(ctx):
        total += (target.monthly_usd - own.monthly_usd) * cache.instances
        parts.append(f"{own.name} -> {target.name} for {cache.id}")
    return TaskPrice(total, "; ".join(parts)) if parts else None


PRICERS: dict[str, Pricer] = {
    "sharding": _sharding,
    "vertical-scaling": _vertical,
    "database-separation": _database_separation,
    "read-replicas": _read_replicas,
    "multi-layer-caching": _cache_nodes,
    "distributed-cache": _cache_nodes,
    "load-balancing": _load_balancing,
    "horizontal-autoscaling": _autoscaling,
    "cdn": _cdn,
    "object-storage": _object_storage,
    "redundancy-failover": _redundancy,
}


def price_task(pattern: str, component_ids: list[str], intake: Intake,
               capacity: CapacityReport, defaults: Defaults) -> TaskPrice | None:
    """Return the computed monthly cost of applying a pattern, or None if it has no pricer."""
    pricer = PRICERS.get(pattern)
    if pricer is None:
        return None
    components = [intake.component(c) for c in component_ids]
    return pricer(PricingContext(intake, capacity, defaults, components))
