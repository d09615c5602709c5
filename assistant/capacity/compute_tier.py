"""Build one demand-vs-capacity curve per resource of a compute-like component.

CPU follows the request rate (or concurrency under the per-user model of seed 002), memory
follows concurrency, connections follow the request rate, storage follows data volume. Data
stores have their own read/write model in `data_tier.py`.
"""

from __future__ import annotations

from assistant.capacity.data_tier import data_volume_gb, database_curves
from assistant.capacity.demand import (
    ComponentSpec,
    ResourceCurve,
    calibrated_capacity,
    component_rps,
    connection_limit,
    load_share,
)
from assistant.capacity.growth import GrowthModel
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Intake


def curves_for(spec: ComponentSpec, intake: Intake, growth: GrowthModel,
               defaults: Defaults) -> list[ResourceCurve]:
    """Return every resource curve the intake gives enough data for."""
    c = spec.component
    if c.kind == "db":
        curves = database_curves(spec, intake, growth, defaults)
    elif intake.per_user and c.kind in {"app", "web"}:
        curves = _per_user_curves(spec, intake, growth, defaults)
    else:
        curves = [_throughput_cpu(spec, intake, growth, defaults)]
        curves += _observed_memory(spec, growth, defaults)
    curves += _connections(spec, intake, growth, defaults)
    curves += _storage(spec, intake, growth, defaults)
    if c.kind == "cache" and c.data and c.data.data_volume_gb and spec.memory_gb:
        curves.append(ResourceCurve(
            c.id, "memory", "GB", defaults.threshold("memory"), spec.memory_gb * c.instances,
            c.data.data_volume_gb, growth.data_factor, "cached data / memory",
            {"cached_gb": c.data.data_volume_gb, "memory_gb_per_instance": spec.memory_gb,
             "instances": c.instances}))
    return curves


def _throughput_cpu(spec: ComponentSpec, intake: Intake, growth: GrowthModel,
                    defaults: Defaults) -> ResourceCurve:
    c = spec.component
    demand = component_rps(c, growth, 0, defaults)
    capacity = spec.per_instance * c.instances
    inputs: dict[str, float | str] = {
        "peak_rps": round(growth.rps(0), 2), "load_share": load_share(c, defaults),
        "per_instance": spec.per_instance, "instances": c.instances,
        "per_instance_source": spec.source,
    }
    formula = "utilisation = peak_rps * load_share / (per_instance * instances)"
    if c.usage.cpu_pct:
        capacity = calibrated_capacity(demand, c.usage.cpu_pct)
        inputs["observed_cpu_pct"] = c.usage.cpu_pct
        formula = "utilisation = observed_cpu * rps(m) / rps(now) (calibrated from observed CPU)"
    return ResourceCurve(c.id, "cpu", spec.kind.unit, defaults.threshold("cpu"), capacity,
                         demand, growth.rps_factor, formula, inputs, elastic=spec.elastic)


def cpu_cores_per_user(intake: Intake, defaults: Defaults) -> float:
    """CPU cores one concurrent user needs (seed 002): the intake's figure, else the default."""
    per_user = intake.per_user.cpu_cores if intake.per_user else None
    return per_user or defaults.per_user["cpu_cores"].value


def _per_user_curves(spec: ComponentSpec, intake: Intake, growth: GrowthModel,
                     defaults: Defaults) -> list[ResourceCurve]:
    c, per_user = spec.component, intake.per_user
    assert per_user is not None
    cpu_per_user = cpu_cores_per_user(intake, defaults)
    mem_per_user = per_user.memory_mb or defaults.per_user["memory_mb"].value
    users = growth.concurrent_users(0)
    cpu = ResourceCurve(
        c.id, "cpu", "cores", defaults.threshold("cpu"), spec.vcpu * c.instances,
        users * cpu_per_user, growth.concurrency_factor,
        "utilisation = concurrent_users * cpu_per_user / (vcpu * instances)",
        {"concurrent_users": round(users), "cpu_per_user": cpu_per_user, "vcpu": spec.vcpu,
         "instances": c.instances}, elastic=spec.elastic)
    curves = [cpu]
    if spec.memory_gb:
        curves.append(ResourceCurve(
            c.id, "memory", "GB", defaults.threshold("memory"), spec.memory_gb * c.instances,
            users * mem_per_user / 1024, growth.concurrency_factor,
            "utilisation = concurrent_users * memory_per_user / (memory_gb * instances)",
            {"concurrent_users": round(users), "memory_mb_per_user": mem_per_user,
             "memory_gb": spec.memory_gb, "instances": c.instances}, elastic=spec.elastic))
    return curves


def _observed_memory(spec: ComponentSpec, growth: GrowthModel,
                     defaults: Defaults) -> list[ResourceCurve]:
    c = spec.component
    if not c.usage.memory_pct or not spec.memory_gb:
        return []
    total = spec.memory_gb * c.instances
    return [ResourceCurve(
        c.id, "memory", "GB", defaults.threshold("memory"), total,
        total * c.usage.memory_pct / 100, growth.concurrency_factor,
        "utilisation = observed_memory * concurrency(m) / concurrency(now)",
        {"observed_memory_pct": c.usage.memory_pct, "memory_gb": total}, elastic=spec.elastic)]


def _connections(spec: ComponentSpec, intake: Intake, growth: GrowthModel,
                 defaults: Defaults) -> list[ResourceCurve]:
    c = spec.component
    if c.usage.connections is None:
        return []
    limit = connection_limit(c, defaults)
    if not limit:
        return []
    return [ResourceCurve(
        c.id, "connections", "connections", defaults.threshold("connections"), float(limit),
        float(c.usage.connections), growth.rps_factor,
        "utilisation = observed_connections * rps(m) / rps(now) / max_connections",
        {"observed_connections": c.usage.connections, "max_connections": limit})]


def _storage(spec: ComponentSpec, intake: Intake, growth: GrowthModel,
             defaults: Defaults) -> list[ResourceCurve]:
    c = spec.component
    if not c.capacity.storage_gb:
        return []
    # A data store's volume is the one its working set uses (its own, the intake's, per user).
    used = c.usage.storage_used_gb or (data_volume_gb(intake, c.data) if c.data
                                       else intake.current.data_volume_gb)
    if used is None:
        return []
    return [ResourceCurve(
        c.id, "storage", "GB", defaults.threshold("storage"), c.capacity.storage_gb, used,
        growth.data_factor, "utilisation = data_volume(m) / storage_gb",
        {"data_gb_now": used, "storage_gb": c.capacity.storage_gb})]
