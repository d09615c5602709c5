"""How many instances, replicas or partitions each component needs at every horizon.

This is the one sizing: the cost table, the three configurations, task pricing, latency's
scaled-out row and the report all read it. It is derived from the same resource curves the
breaking months come from, so the calibration is the same (observed CPU, measured
per-instance throughput, per-user cores) and a sharded store is sized per partition. Counts put
the demand at the utilisation threshold (70 % CPU, 80 % memory), the level the seeds scale at.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel

from assistant.capacity.demand import ComponentSpec, ResourceCurve
from assistant.capacity.growth import GrowthModel
from assistant.catalogue.model import Size
from assistant.intake.schema import DataProfile

SCALED_RESOURCES = ("cpu", "memory")
WRITE_SHARE = 0.5


def _replicas_for(reads: float, writes: float, usable: float) -> int:
    """Read replicas so the primary (writes + its share of reads) and each replica fit.

    reads / (1 + r) + writes <= usable  =>  r = ceil(reads / (usable - writes)) - 1.
    """
    room = usable - writes
    if room <= 0:
        return 0  # writes alone fill the primary: partitions, not replicas, are the answer
    return max(0, instances_needed(reads, room) - 1)


class SizedCount(BaseModel):
    """A count needed at one horizon."""

    horizon: str
    month: float
    needed: int
    size: str | None = None


class Sizing(BaseModel):
    """A count a component needs at each horizon, next to what it has today."""

    component_id: str
    quantity: str
    current: int
    needed_at_target: int
    by_horizon: list[SizedCount]
    formula: str
    inputs: dict[str, float | str]

    def needed_at(self, horizon: str) -> int:
        """The count needed at a named horizon ("now", "6m", "12m", "target")."""
        return next(h.needed for h in self.by_horizon if h.horizon == horizon)

    def provisioned_at(self, horizon: str) -> int:
        """What a team that only adds boxes runs at a horizon: never fewer than today."""
        return max(self.current, self.needed_at(horizon))


def instances_needed(demand: float, usable_per_instance: float) -> int:
    """Instances (nodes, partitions) that carry a demand when each may take `usable_per_instance`.

    The usable part is one instance's capacity times the utilisation threshold, so the demand
    sits at the threshold, not at 100 %. Rounded up and never below one; the 1e-9 keeps float
    noise at an exact multiple from asking for one more.
    """
    if usable_per_instance <= 0:
        return 1
    return max(1, math.ceil(demand / usable_per_instance - 1e-9))


def needed_at_target(sized: Iterable[Sizing], component_id: str, quantity: str) -> int | None:
    """A component's count at target ("instances", "read_replicas" ...), None if not sized."""
    row = find_sizing(sized, component_id, quantity)
    return row.needed_at_target if row else None


def find_sizing(sized: Iterable[Sizing], component_id: str, quantity: str) -> Sizing | None:
    """A component's sizing row for one quantity, None if not sized."""
    return next((s for s in sized if s.component_id == component_id and s.quantity == quantity),
                None)


def sizing(specs: list[ComponentSpec], curves: Sequence[ResourceCurve], growth: GrowthModel,
           cpu_utilisation: float | None = None) -> list[Sizing]:
    """Size every self-run component with a size family, and every database, per horizon.

    `cpu_utilisation` replaces the 70 % CPU threshold when a configuration sizes for more
    headroom (the performance profile sizes for 50 %).
    """
    result: list[Sizing] = []
    for spec in specs:
        own = [c for c in curves if c.subject == spec.component.id]
        result += _storage(spec, own, growth)
        result += _provisioned_iops(spec, own, growth)
        if spec.component.kind == "db":
            result += _database(spec, own, growth, cpu_utilisation)
        elif spec.component.kind == "cache" and _curve(own, "memory", False) is not None:
            result += cache_nodes(spec, own, growth, cpu_utilisation)
        elif spec.kind.family is not None and not spec.component.managed:
            row = _instances(spec, own, growth, cpu_utilisation)
            if row is not None:
                result.append(row)
    return result


def _storage(spec: ComponentSpec, own: list[ResourceCurve], growth: GrowthModel) -> list[Sizing]:
    """Provisioned storage (GB) so the data at each horizon sits at the storage threshold."""
    curve = next((r for r in own if r.resource == "storage"), None)
    if curve is None:
        return []
    rows = _counts(growth, lambda m: math.ceil(curve.demand(m) / curve.threshold - 1e-9))
    return [Sizing(component_id=spec.component.id, quantity="storage_gb",
                   current=round(curve.capacity), needed_at_target=rows[-1].needed,
                   by_horizon=rows, formula="ceil(data_volume(m) / 0.80)",
                   inputs={"data_gb_now": round(curve.demand_now, 2)})]


def _provisioned_iops(spec: ComponentSpec, own: list[ResourceCurve],
                      growth: GrowthModel) -> list[Sizing]:
    """Volume IOPS to provision per node so the busiest node sits at the IOPS threshold.

    Held to the largest volume: past it the partitions (sized above) take the rest.
    """
    curve = _curve(own, "iops", False)
    ceiling = _curve(own, "iops", True)
    if curve is None:
        return []
    largest = ceiling.capacity if ceiling is not None else math.inf

    def needed(month: float) -> int:
        return int(min(largest, math.ceil(curve.demand(month) / curve.threshold - 1e-9)))

    rows = _counts(growth, needed)
    return [Sizing(component_id=spec.component.id, quantity="provisioned_iops",
                   current=round(curve.capacity), needed_at_target=rows[-1].needed,
                   by_horizon=rows, formula="min(largest volume, ceil(iops(m) / 0.80)) on the "
                   "busiest node (provisioned IOPS are not priced)",
                   inputs={"iops_now": round(curve.demand_now, 2)})]


def _threshold(curve: ResourceCurve, cpu_utilisation: float | None) -> float:
    return cpu_utilisation if cpu_utilisation and curve.resource == "cpu" else curve.threshold


def _counts(growth: GrowthModel, count: Callable[[float], int]) -> list[SizedCount]:
    return [SizedCount(horizon=h.name, month=h.month, needed=count(h.month))
            for h in growth.horizons()]



def _instances(spec: ComponentSpec, own: list[ResourceCurve], growth: GrowthModel,
               cpu_utilisation: float | None) -> Sizing | None:
    c = spec.component
    scaled = [r for r in own if r.resource in SCALED_RESOURCES and not r.ceiling]
    if not scaled:
        return None

    def needed(month: float) -> int:
        return max(instances_needed(r.demand(month),
                                    r.capacity / c.instances * _threshold(r, cpu_utilisation))
                   for r in scaled)

    rows = _counts(growth, needed)
    inputs: dict[str, float | str] = {
        f"{r.resource}_per_instance": round(r.capacity / c.instances, 3) for r in scaled}
    inputs.update({f"{r.resource}_demand_at_target": round(r.demand(growth.end_month), 3)
                   for r in scaled})
    inputs["size"] = spec.size.name if spec.size else "custom"
    return Sizing(component_id=c.id, quantity="instances", current=c.instances,
                  needed_at_target=rows[-1].needed, by_horizon=rows,
                  formula="max over cpu, memory of ceil(demand / (capacity per instance x "
                          "threshold)); capacity calibrated as in the capacity model",
                  inputs=inputs)


def cache_nodes(spec: ComponentSpec, own: list[ResourceCurve], growth: GrowthModel,
                cpu_utilisation: float | None = None) -> list[Sizing]:
    """Size a cache by the data it must hold: the cheapest node size and count that hold it.

    A cache is sized by memory whether it is managed or not: ElastiCache adds no RAM by
    itself. For every size of its family (never less RAM than today's node) the nodes needed
    put the cached data at the memory threshold and the commands at the CPU threshold (never
    fewer nodes than today; more than one is cluster mode, the data sharded over the nodes);
    the cheapest layout at catalogue prices wins, ties to fewer nodes. The two single moves
    are kept as inputs so each remedy is applied as what it is: `size_on_own_count` (vertical
    scaling: the smallest size that holds it on today's nodes, else the largest) and
    `nodes_on_own_size` (cluster mode: shards of today's size).
    """
    plan = _CachePlan(spec, own, cpu_utilisation)
    rows = [SizedCount(horizon=h.name, month=h.month, size=size.name if size else None,
                       needed=count)
            for h in growth.horizons() for size, count in [plan.cheapest(h.month)]]
    end = growth.end_month
    vertical = plan.vertical(end)
    return [Sizing(
        component_id=spec.component.id, quantity="cache_nodes", current=spec.component.instances,
        needed_at_target=rows[-1].needed, by_horizon=rows,
        formula="cheapest size x nodes of the cache family (never less RAM per node or fewer "
                "nodes than today) holding the cached data at 0.80 of RAM and the commands at "
                "0.70 of CPU; nodes = max(ceil(cached data / (memory_gb x 0.80)), ceil(ops / "
                "(node ops x 0.70)))",
        inputs={"cached_gb_at_target": round(plan.memory.demand(end), 2),
                "memory_gb_per_node_today": round(plan.own_memory, 2),
                "nodes_on_own_size": plan.nodes(plan.current, end),
                "size_on_own_count": vertical.name if vertical else "custom",
                "nodes_on_size_on_own_count": plan.nodes(vertical, end)})]


class _CachePlan:
    """Node sizes and counts that hold a cache's data, month by month."""

    def __init__(self, spec: ComponentSpec, own: list[ResourceCurve],
                 cpu_utilisation: float | None) -> None:
        c = spec.component
        memory = _curve(own, "memory", False)
        assert memory is not None
        self.spec, self.memory, self.cpu = spec, memory, _curve(own, "cpu", False)
        self.instances, self.current = c.instances, spec.size
        self.own_memory = memory.capacity / c.instances
        self.per_vcpu = self.cpu.capacity / (c.instances * spec.vcpu) if self.cpu else 0.0
        self.cpu_level = (cpu_utilisation or self.cpu.threshold) if self.cpu else 1.0
        self.ladder: list[Size | None] = [
            s for s in spec.ladder if s.memory_gb >= self.own_memory - 1e-9
            and (self.current is None or s.vcpu >= self.current.vcpu)] or [self.current]
        if c.capacity.memory_gb or c.capacity.vcpu or c.capacity.per_instance:
            self.ladder = [self.current]  # custom hardware: only today's box is known

    def nodes(self, size: Size | None, month: float) -> int:
        """Nodes of this size that hold the data and the commands (never fewer than today)."""
        own = size is None or size is self.current
        node_memory = self.own_memory if own or size is None else size.memory_gb
        vcpu = self.spec.vcpu if own or size is None else size.vcpu
        count = instances_needed(self.memory.demand(month), node_memory * self.memory.threshold)
        if self.cpu is not None and self.per_vcpu:
            count = max(count, instances_needed(self.cpu.demand(month),
                                                self.per_vcpu * vcpu * self.cpu_level))
        return max(self.instances, count)

    def vertical(self, month: float) -> Size | None:
        """The smallest size that holds it on today's node count, else the largest."""
        return next((s for s in self.ladder if self.nodes(s, month) <= self.instances),
                    self.ladder[-1])

    def cheapest(self, month: float) -> tuple[Size | None, int]:
        """The layout of least monthly price; fewer nodes on a tie."""
        options = [(s, self.nodes(s, month)) for s in [self.current, *self.ladder]]
        return min(options, key=lambda o: (o[1] * (o[0].monthly_usd if o[0] else 0.0), o[1]))


def _curve(own: list[ResourceCurve], resource: str, ceiling: bool) -> ResourceCurve | None:
    return next((r for r in own if r.resource == resource and r.ceiling == ceiling), None)


def _database(spec: ComponentSpec, own: list[ResourceCurve], growth: GrowthModel,
              cpu_utilisation: float | None) -> list[Sizing]:
    """Scale up first, then out: the size, partitions and replicas a database needs.

    At each horizon the store takes the smallest size of its family (never smaller than today)
    on which today's partitions hold the hottest partition's writes and hot data; past the
    largest size the writes and hot data are split over more partitions. Read replicas per
    partition then carry the reads on that size.
    """
    c = spec.component
    data = c.data or DataProfile()
    reads, writes = _curve(own, "reads", False), _curve(own, "writes", False)
    if reads is None or writes is None:
        return []
    plan = _DatabasePlan(spec, data, reads, writes, _curve(own, "memory", False),
                         cpu_utilisation or reads.threshold, _curve(own, "iops", True))
    steps = [(h, plan.at(h.month)) for h in growth.horizons()]
    inputs: dict[str, float | str] = {
        "per_vcpu_qps": round(plan.per_vcpu, 2), "partitions_today": data.partitions,
        "reads_per_partition_at_target": round(reads.demand(growth.end_month), 2),
        "writes_hottest_partition_at_target": round(writes.demand(growth.end_month), 2)}
    rows = [
        Sizing(component_id=c.id, quantity="partitions", current=data.partitions,
               needed_at_target=steps[-1][1].partitions, inputs=inputs,
               by_horizon=[SizedCount(horizon=h.name, month=h.month, needed=p.partitions,
                                      size=p.size) for h, p in steps],
               formula="smallest size (never below today's) whose node holds the hottest "
                       "partition's writes (x 0.70 x 0.5 CPU, the rest is for reads) and hot data "
                       "(x 0.80 RAM); past the largest, ceil(writes x skew / (largest node x "
                       "0.35))"),
        Sizing(component_id=c.id, quantity="read_replicas", current=data.replicas,
               needed_at_target=steps[-1][1].replicas, inputs=inputs,
               by_horizon=[SizedCount(horizon=h.name, month=h.month, needed=p.replicas,
                                      size=p.size) for h, p in steps],
               formula="ceil(reads / (node qps x 0.70 - writes)) - 1 per partition: the "
                       "primary serves all writes and its share of the reads"),
    ]
    if spec.largest is not None:
        largest = [(h, plan.partitions_on(spec.largest, h.month)) for h in growth.horizons()]
        rows.append(Sizing(
            component_id=c.id, quantity="write_partitions_at_largest_size",
            current=data.partitions, needed_at_target=largest[-1][1],
            by_horizon=[SizedCount(horizon=h.name, month=h.month, needed=n,
                                   size=spec.largest.name) for h, n in largest],
            formula="max(ceil(writes x skew / (largest node qps x 0.70 x 0.5)), ceil(working "
                    "set x skew / (largest memory_gb x 0.80)), ceil(iops x skew / (largest "
                    "volume iops x 0.80)))",
            inputs={**inputs, "largest_size": spec.largest.name,
                    "largest_node_qps": round(plan.node_qps(spec.largest), 2),
                    "largest_memory_gb": spec.largest.memory_gb}))
    return rows


class _Step(BaseModel):
    size: str | None
    partitions: int
    replicas: int


class _DatabasePlan:
    """The vertical-then-horizontal sizing of one database, month by month."""

    def __init__(self, spec: ComponentSpec, data: DataProfile, reads: ResourceCurve,
                 writes: ResourceCurve, memory: ResourceCurve | None, cpu: float,
                 iops: ResourceCurve | None = None) -> None:
        self.spec, self.data, self.reads, self.writes = spec, data, reads, writes
        self.memory, self.cpu, self.iops = memory, cpu, iops
        # Calibrated throughput per vCPU: the writes curve holds one primary of today's size.
        self.per_vcpu = writes.capacity / spec.vcpu
        current = spec.size
        self.ladder: list[Size | None] = (
            [s for s in spec.ladder if current is None or s.vcpu >= current.vcpu
             and s.memory_gb >= current.memory_gb] or [current])
        if current is None or spec.component.capacity.vcpu or spec.component.capacity.per_instance:
            self.ladder = [current]  # custom hardware: only today's box is known

    def _node(self, size: Size | None) -> tuple[float, float | None]:
        if size is None or size is self.spec.size:
            return self.writes.capacity, self.memory.capacity if self.memory else None
        return self.per_vcpu * size.vcpu, size.memory_gb

    def node_qps(self, size: Size | None) -> float:
        """Calibrated queries per second one node of this size serves."""
        return self._node(size)[0]

    def partitions_on(self, size: Size | None, month: float) -> int:
        """Partitions so the writes and hot data of the whole store fit nodes of this size.

        Writes may take half the primary's usable CPU (WRITE_SHARE): the primary serves its
        share of the reads as well, and replicas cannot take writes off it.
        """
        node_qps, memory_gb = self._node(size)
        count = instances_needed(self.writes.demand(month) * self.data.partitions,
                                 node_qps * self.cpu * WRITE_SHARE)
        if self.memory is not None and memory_gb:
            count = max(count, instances_needed(self.memory.demand(month) * self.data.partitions,
                                                memory_gb * self.memory.threshold))
        if self.iops is not None:  # the largest volume's IOPS, on any instance size
            count = max(count, instances_needed(self.iops.demand(month) * self.data.partitions,
                                                self.iops.capacity * self.iops.threshold))
        return max(count, self.data.partitions)

    def at(self, month: float) -> _Step:
        """The smallest size that holds the load on today's partitions, else the largest."""
        chosen = next((s for s in self.ladder
                       if self.partitions_on(s, month) <= self.data.partitions), self.ladder[-1])
        partitions = self.partitions_on(chosen, month)
        node_qps, _ = self._node(chosen)
        read_node = node_qps * (self.reads.capacity / (1 + self.data.replicas)) / \
            self.writes.capacity
        share = self.data.partitions / partitions
        reads, writes = self.reads.demand(month) * share, self.writes.demand(month) * share
        # The primary carries all writes plus its 1/(1 + replicas) of the reads.
        replicas = _replicas_for(reads, writes, read_node * self.cpu)
        return _Step(size=chosen.name if chosen else None, partitions=partitions,
                     replicas=replicas)
