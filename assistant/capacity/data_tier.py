"""Model a relational data store: reads and writes separately, and its vertical ceiling.

Read replicas and a cache in front absorb reads; only partitioning (sharding) absorbs writes.
On a partitioned store each figure is the hottest partition's: its share of the reads, the
writes and the hot data decides, not the average. The write curve is
also held against the largest size the family offers: when even that saturates, scaling up stops
being an option and the data tier must be partitioned.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.capacity.demand import (
    ComponentSpec,
    ResourceCurve,
    calibrated_capacity,
    component_rps,
)
from assistant.capacity.growth import GrowthModel
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Component, DataProfile, Intake


@dataclass(frozen=True)
class DatabaseLoad:
    """Queries reaching a database, split into the reads and the writes of the whole store.

    Reads are those the cache in front lets through; writes are in primary work units (the
    write cost factor applied). Neither is divided over partitions yet.
    """

    qps: float
    read_ratio: float
    cache_hit_ratio: float
    write_cost: float
    reads: float
    writes: float


def hottest_share(data: DataProfile) -> float:
    """Share of writes on the busiest partition (the average 1/partitions when not given)."""
    return data.hottest_partition_share or 1 / data.partitions


def read_ratio(component: Component, defaults: Defaults) -> float:
    """A database's share of reads: the intake's, else the default."""
    if component.data is not None and component.data.read_ratio is not None:
        return component.data.read_ratio
    return defaults.database["read_ratio"].value


def database_load(component: Component, qps: float, defaults: Defaults,
                  cache_hit_ratio: float | None = None) -> DatabaseLoad:
    """Split the queries reaching a database into reads and writes per second.

    The one formula the capacity curves, the target sizing and the target configurations share:
    reads = qps x read_ratio x (1 - cache_hit), writes = qps x (1 - read_ratio) x write_cost.
    `cache_hit_ratio` replaces the intake's when a configuration puts its own cache in front.
    """
    ratio = read_ratio(component, defaults)
    own_hit = component.data.cache_hit_ratio if component.data is not None else None
    hit = (own_hit or 0.0) if cache_hit_ratio is None else cache_hit_ratio
    write_cost = defaults.database["write_cost_factor"].value
    return DatabaseLoad(qps=qps, read_ratio=ratio, cache_hit_ratio=hit, write_cost=write_cost,
                        reads=qps * ratio * (1 - hit), writes=qps * (1 - ratio) * write_cost)


def database_curves(spec: ComponentSpec, intake: Intake, growth: GrowthModel,
                    defaults: Defaults) -> list[ResourceCurve]:
    """Return CPU, read, write, write-ceiling and memory curves of one database."""
    c = spec.component
    data = c.data or DataProfile()
    share = hottest_share(data)
    load = database_load(c, component_rps(c, growth, 0, defaults), defaults)
    reads = load.reads * share
    writes = load.writes * share
    node = spec.per_instance
    calibration = 1.0
    inputs: dict[str, float | str] = {
        "peak_qps": round(load.qps, 2), "read_ratio": load.read_ratio,
        "cache_hit_ratio": load.cache_hit_ratio,
        "replicas": data.replicas, "partitions": data.partitions,
        "hottest_partition_share": round(share, 4), "write_cost_factor": load.write_cost,
        "per_node_qps": node, "per_node_source": spec.source,
    }
    primary = reads / (1 + data.replicas) + writes
    if c.usage.cpu_pct:
        calibrated = calibrated_capacity(primary, c.usage.cpu_pct)
        calibration, node = calibrated / node, calibrated
        inputs["observed_cpu_pct"] = c.usage.cpu_pct
    threshold = defaults.threshold("cpu")
    rps = growth.rps_factor
    curves = [
        ResourceCurve(c.id, "cpu", "qps", threshold, node, primary, rps,
                      "primary = reads / (1 + replicas) + writes * write_cost * hottest_share",
                      inputs),
        ResourceCurve(c.id, "reads", "qps", threshold, node * (1 + data.replicas), reads, rps,
                      "reads = qps * read_ratio * (1 - cache_hit) * hottest_share over "
                      "(1 + replicas) nodes", inputs),
        ResourceCurve(c.id, "writes", "qps", threshold, node, writes, rps,
                      "writes = qps * (1 - read_ratio) * write_cost * hottest_share on one "
                      "primary", inputs),
    ]
    if spec.largest is not None and spec.kind.per_vcpu:
        largest_node = spec.kind.per_vcpu * spec.largest.vcpu * calibration
        curves.append(ResourceCurve(
            c.id, "writes", "qps", threshold, largest_node, writes, rps,
            f"writes on the largest size ({spec.largest.name}, {spec.largest.vcpu:g} vCPU)",
            {**inputs, "largest_size": spec.largest.name, "largest_node_qps": largest_node},
            ceiling=True))
    curves += _working_set(spec, intake, growth, defaults, data)
    curves += database_iops(spec, growth, defaults, load.qps * (1 - load.read_ratio) * share)
    return curves


def iops_capacity(component: Component, defaults: Defaults) -> tuple[float, str]:
    """Provisioned volume IOPS of one node: the intake's, else the default gp3 baseline."""
    if component.capacity.iops:
        return component.capacity.iops, "capacity.iops"
    return defaults.database["volume_iops"].value, "default database.volume_iops"


def database_iops(spec: ComponentSpec, growth: GrowthModel, defaults: Defaults,
                  writes_hottest: float) -> list[ResourceCurve]:
    """Disk IOPS of the busiest node against its volume and against the largest volume.

    Modelled when the intake gives either figure: observed `usage.iops` (the busiest node's),
    else the hottest partition's writes per second x iops_per_write (reads are taken as
    served from RAM: the memory curve covers the working set). The ceiling curve holds the
    same demand against the largest volume on offer: past it, only partitions add IOPS.
    """
    c = spec.component
    if c.usage.iops is None and c.capacity.iops is None:
        return []
    capacity, capacity_source = iops_capacity(c, defaults)
    per_write = defaults.database["iops_per_write"].value
    demand = c.usage.iops if c.usage.iops is not None else writes_hottest * per_write
    formula = ("observed iops x rps(m) / rps(now) / provisioned iops" if c.usage.iops is not None
               else "writes x hottest_share x iops_per_write / provisioned iops")
    inputs: dict[str, float | str] = {
        "iops_now": round(demand, 2), "provisioned_iops": capacity,
        "provisioned_source": capacity_source, "iops_per_write": per_write}
    largest = defaults.database["largest_volume_iops"].value
    threshold = defaults.threshold("iops")
    return [
        ResourceCurve(c.id, "iops", "IOPS", threshold, capacity, demand, growth.rps_factor,
                      formula, inputs),
        ResourceCurve(c.id, "iops", "IOPS", threshold, largest, demand, growth.rps_factor,
                      f"{formula.rsplit(' / ', 1)[0]} / the largest volume's iops",
                      {**inputs, "largest_volume_iops": largest,
                       "largest_size": "largest volume"}, ceiling=True),
    ]


def data_volume_gb(intake: Intake, data: DataProfile) -> float | None:
    """Data held by the store today: its own figure, the intake's, or the per-user model's."""
    if data.data_volume_gb is not None:
        return data.data_volume_gb
    if intake.current.data_volume_gb is not None:
        return intake.current.data_volume_gb
    if intake.per_user and intake.per_user.storage_mb:
        return intake.current.active_users * intake.per_user.storage_mb / 1024
    return None


def _working_set(spec: ComponentSpec, intake: Intake, growth: GrowthModel, defaults: Defaults,
                 data: DataProfile) -> list[ResourceCurve]:
    c = spec.component
    memory = spec.memory_gb
    volume = data_volume_gb(intake, data)
    if memory is None or (data.working_set_gb is None and volume is None):
        return []
    fraction = defaults.database["working_set_fraction"].value
    if data.working_set_gb is not None:
        working_set = data.working_set_gb * hottest_share(data)
    else:
        assert volume is not None
        working_set = volume * fraction * hottest_share(data)
    inputs: dict[str, float | str] = {
        "working_set_gb": round(working_set, 2), "data_volume_gb": volume or 0,
        "working_set_fraction": fraction, "memory_gb": memory}
    curves = [ResourceCurve(
        c.id, "memory", "GB", defaults.threshold("memory"), memory, working_set,
        growth.data_factor, "working_set(m) x hottest_share / memory_gb (the hottest "
        "partition's hot data should fit in one node's RAM; data_volume x fraction when the "
        "working set is not given)", inputs)]
    if spec.largest is not None and spec.largest.memory_gb and c.kind == "db":
        curves.append(ResourceCurve(
            c.id, "memory", "GB", defaults.threshold("memory"), spec.largest.memory_gb,
            working_set, growth.data_factor,
            f"working_set(m) x hottest_share / the largest size's RAM ({spec.largest.name})",
            {**inputs, "largest_size": spec.largest.name,
             "largest_memory_gb": spec.largest.memory_gb}, ceiling=True))
    return curves
