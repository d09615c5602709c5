"""How many instances, replicas or partitions each component needs at the target load.

Counts are sized so the target demand sits at the utilisation threshold (70 % CPU), the level
the seeds scale at, not at 100 %.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel

from assistant.capacity.compute_tier import cpu_cores_per_user
from assistant.capacity.data_tier import database_load, hottest_share
from assistant.capacity.demand import ComponentSpec, calibrated_capacity, component_rps, load_share
from assistant.capacity.growth import GrowthModel
from assistant.catalogue.model import Defaults
from assistant.intake.schema import DataProfile, Intake


class Sizing(BaseModel):
    """A count a component needs at target, next to what it has today."""

    component_id: str
    quantity: str
    current: int
    needed_at_target: int
    formula: str
    inputs: dict[str, float | str]


def instances_needed(demand: float, usable_per_instance: float) -> int:
    """Instances (nodes, partitions) that carry a demand when each may take `usable_per_instance`.

    The usable part is one instance's capacity times the utilisation threshold, so the demand
    sits at the threshold, not at 100 %. Rounded up and never below one; the 1e-9 keeps float
    noise at an exact multiple from asking for one more.
    """
    return max(1, math.ceil(demand / usable_per_instance - 1e-9))


def needed_at_target(sized: Iterable[Sizing], component_id: str, quantity: str) -> int | None:
    """A component's count at target ("instances", "read_replicas" ...), None if not sized."""
    return next((s.needed_at_target for s in sized
                 if s.component_id == component_id and s.quantity == quantity), None)


def sizing(specs: list[ComponentSpec], intake: Intake, growth: GrowthModel,
           defaults: Defaults) -> list[Sizing]:
    """Return the target-load sizing of every component that has a size family."""
    result: list[Sizing] = []
    for spec in specs:
        if spec.component.kind == "db":
            result += _database(spec, growth, defaults)
        elif spec.kind.family is not None and not spec.component.managed:
            result.append(_instances(spec, intake, growth, defaults))
    return result


def _instances(spec: ComponentSpec, intake: Intake, growth: GrowthModel,
               defaults: Defaults) -> Sizing:
    c = spec.component
    threshold = defaults.threshold("cpu")
    end = growth.end_month
    if intake.per_user and c.kind in {"app", "web"}:
        per_user = cpu_cores_per_user(intake, defaults)
        cores = growth.concurrent_users(end) * per_user
        needed = instances_needed(cores, spec.vcpu * threshold)
        return Sizing(component_id=c.id, quantity="instances", current=c.instances,
                      needed_at_target=needed,
                      formula="ceil(concurrent_users * cpu_per_user / (vcpu * 0.70))",
                      inputs={"concurrent_users": round(growth.concurrent_users(end)),
                              "cpu_per_user": per_user, "vcpu": spec.vcpu})
    demand = component_rps(c, growth, end, defaults)
    per_instance = spec.per_instance
    if c.usage.cpu_pct:
        total = calibrated_capacity(component_rps(c, growth, 0, defaults), c.usage.cpu_pct)
        per_instance = total / c.instances
    needed = instances_needed(demand, per_instance * threshold)
    return Sizing(component_id=c.id, quantity="instances", current=c.instances,
                  needed_at_target=needed,
                  formula="ceil(peak_rps * load_share / (per_instance * 0.70))",
                  inputs={"peak_rps": round(growth.rps(end), 1),
                          "load_share": load_share(c, defaults),
                          "per_instance": round(per_instance, 2),
                          "size": spec.size.name if spec.size else "custom"})


def _database(spec: ComponentSpec, growth: GrowthModel, defaults: Defaults) -> list[Sizing]:
    c = spec.component
    data = c.data or DataProfile()
    threshold = defaults.threshold("cpu")
    load = database_load(c, component_rps(c, growth, growth.end_month, defaults), defaults)
    reads, writes = load.reads, load.writes
    nodes_for_reads = instances_needed(reads, spec.per_instance * threshold)
    inputs: dict[str, float | str] = {"peak_qps": round(load.qps, 1),
                                      "read_ratio": load.read_ratio,
                                      "per_node_qps": spec.per_instance}
    rows = [Sizing(component_id=c.id, quantity="read_replicas", current=data.replicas,
                   needed_at_target=nodes_for_reads - 1,
                   formula="ceil(reads / (per_node_qps * 0.70)) - 1 (primary serves reads too)",
                   inputs=inputs)]
    if spec.largest is not None and spec.kind.per_vcpu:
        largest = spec.kind.per_vcpu * spec.largest.vcpu
        skew = hottest_share(data) * data.partitions
        partitions = instances_needed(writes * skew, largest * threshold)
        rows.append(Sizing(
            component_id=c.id, quantity="write_partitions_at_largest_size",
            current=data.partitions, needed_at_target=partitions,
            formula="ceil(writes * write_cost * skew / (largest_node_qps * 0.70))",
            inputs={**inputs, "largest_size": spec.largest.name, "largest_node_qps": largest,
                    "skew": round(skew, 3)}))
    return rows
