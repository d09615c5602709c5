"""Model a relational data store: reads and writes separately, and its vertical ceiling.

Read replicas and a cache in front absorb reads; only partitioning (sharding) absorbs writes.
On a partitioned store each figure is the hottest partition's: its share of the reads, the
writes and the hot data decides, not the average. The write curve is
also held against the largest size the family offers: when even that saturates, scaling up stops
being an option and the data tier must be partitioned.
"""

from __future__ import annotations

from assistant.capacity.demand import ComponentSpec, ResourceCurve, component_rps
from assistant.capacity.growth import GrowthModel
from assistant.catalogue.model import Defaults
from assistant.intake.schema import DataProfile, Intake


def hottest_share(data: DataProfile) -> float:
    """Share of writes on the busiest partition (the average 1/partitions when not given)."""
    return data.hottest_partition_share or 1 / data.partitions


def database_curves(spec: ComponentSpec, intake: Intake, growth: GrowthModel,
                    defaults: Defaults) -> list[ResourceCurve]:
    """Return CPU, read, write, write-ceiling and memory curves of one database."""
    c = spec.component
    data = c.data or DataProfile()
    db = defaults.database
    read_ratio = data.read_ratio if data.read_ratio is not None else db["read_ratio"].value
    write_cost = db["write_cost_factor"].value
    hit = data.cache_hit_ratio or 0.0
    share = hottest_share(data)
    qps = component_rps(c, growth, 0, defaults)
    reads = qps * read_ratio * (1 - hit) * share
    writes = qps * (1 - read_ratio) * write_cost * share
    node = spec.per_instance
    calibration = 1.0
    inputs: dict[str, float | str] = {
        "peak_qps": round(qps, 2), "read_ratio": read_ratio, "cache_hit_ratio": hit,
        "replicas": data.replicas, "partitions": data.partitions,
        "hottest_partition_share": round(share, 4), "write_cost_factor": write_cost,
        "per_node_qps": node, "per_node_source": spec.source,
    }
    primary = reads / (1 + data.replicas) + writes
    if c.usage.cpu_pct:
        calibrated = primary / (c.usage.cpu_pct / 100)
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
    return curves


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
        working_set = data.working_set_gb
    else:
        assert volume is not None
        working_set = volume * fraction * hottest_share(data)
    return [ResourceCurve(
        c.id, "memory", "GB", defaults.threshold("memory"), memory, working_set,
        growth.data_factor, "working_set(m) / memory_gb (hot data should fit in RAM; "
        "data_volume x fraction x hottest_share when not given)",
        {"working_set_gb": round(working_set, 2), "data_volume_gb": volume or 0,
         "working_set_fraction": fraction, "memory_gb": memory})]
