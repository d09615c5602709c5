"""Three concrete target architectures (seed 001 ~2465-2530): cost, balanced, performance.

Each configuration is built as an intake of its own (the same load and targets, different
components and sizes) and put through the same capacity model and price catalogue, so its
utilisation, latency, availability and cost are computed exactly like the team's own system.
What distinguishes them is data in `PROFILES`: the utilisation they size for, instance class,
redundancy and cache layers. An LLM may explain and rank them; it never changes their numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from annotated_types import Le
from pydantic import BaseModel

from assistant.analysis.baseline_costs import (
    monthly_budget,
    monthly_costs,
    priced_by_size,
    provisioned_nodes,
)
from assistant.capacity.demand import resolve
from assistant.capacity.model import CapacityReport, analyse
from assistant.capacity.sizing import Sizing, find_sizing, needed_at_target
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Component, DataProfile, Intake
from assistant.knowledge.cards import CardFacts


@dataclass(frozen=True)
class Profile:
    """How one configuration trades money for headroom and resilience."""

    name: str
    target_utilisation: float
    app_size: str
    min_instances: int
    multi_az: bool
    cache_nodes: int
    cache_hit_ratio: float
    cdn: bool


PROFILES: tuple[Profile, ...] = (
    Profile("cost-optimised", 0.70, "t3.medium", 1, False, 1, 0.8, True),
    Profile("balanced", 0.70, "m5.large", 2, True, 2, 0.8, True),
    Profile("performance", 0.50, "m5.xlarge", 3, True, 2, 0.9, True),
)


class ConfigComponent(BaseModel):
    """One component of a configuration."""

    id: str
    kind: str
    size: str | None
    count: int
    partitions: int | None = None
    replicas: int | None = None
    nodes: int = 1
    peak_utilisation_pct: float | None


class Configuration(BaseModel):
    """A concrete target architecture with its computed figures and what it misses."""

    name: str
    components: list[ConfigComponent]
    latency_ms: float | None
    availability_pct: float
    monthly_cost: float
    currency: str
    effort_weeks: float
    patterns: list[str]
    misses: list[str]


COMPUTE_KINDS = frozenset({"app", "web", "worker"})
HARDWARE_OVERRIDES = ("vcpu", "memory_gb", "per_instance")


def _per_vcpu_throughput(team: CapacityReport, component: Component, defaults: Defaults,
                         ) -> float | None:
    """Requests one vCPU of the team's own tier serves, calibrated as the capacity model does.

    A measured `capacity.per_instance` or an observed `usage.cpu_pct` beats the catalogue's
    rule of thumb, and it carries over to another size per vCPU. None under the per-user
    model (cores per user carry over by themselves) or without a measurement.
    """
    if not (component.capacity.per_instance or component.usage.cpu_pct):
        return None
    cpu = next((r for r in team.resources if r.subject == component.id and r.resource == "cpu"
                and r.unit != "cores"), None)
    if cpu is None or not component.instances:
        return None
    return cpu.horizons[0].capacity / component.instances / resolve(component, defaults).vcpu


def on_catalogue_size(component: dict[str, Any], size: str) -> None:
    """Put a component on a catalogue size: overrides that describe today's box are dropped."""
    capacity = component.get("capacity") or {}
    for key in HARDWARE_OVERRIDES:
        capacity.pop(key, None)
    component["capacity"] = capacity
    component["size"] = size


def _draft(intake: Intake, team: CapacityReport, profile: Profile,
           defaults: Defaults) -> dict[str, Any]:
    """The profile's components on their sizes, at today's counts (sized in `build_intake`)."""
    data = intake.model_dump(mode="python", exclude_none=True)
    has = {c.kind for c in intake.components}
    components: list[dict[str, Any]] = []
    for component in data["components"]:
        component.pop("host", None)
        usage = component.pop("usage", None) or {}
        if component["kind"] == "db" and usage.get("iops") is not None:
            component["usage"] = {"iops": usage["iops"]}  # the disk does not change with size
        kind = component["kind"]
        own = intake.component(component["id"])
        if kind in COMPUTE_KINDS and not component.get("managed"):
            per_vcpu = _per_vcpu_throughput(team, own, defaults)
            on_catalogue_size(component, profile.app_size)
            size = defaults.size(profile.app_size)
            assert size is not None
            if per_vcpu is not None:
                component["capacity"]["per_instance"] = round(per_vcpu * size.vcpu, 3)
            component.update(autoscaling=True, sessions="external",
                             file_storage="none" if component.get("file_storage") == "none"
                             else "object", rate_limiting=True)
        elif kind == "lb" and not component.get("managed") and profile.multi_az:
            # a self-run load balancer is a single box: the redundant profiles run a pair
            component["instances"] = max(2, component.get("instances", 1))
        elif kind == "db":
            if not defaults.sizes["database"].find(component.get("size", "")):
                on_catalogue_size(component, defaults.sizes["database"].entries[0].name)
            data_profile = component.setdefault("data", {})
            data_profile.update(multi_az=profile.multi_az,
                                cache_hit_ratio=profile.cache_hit_ratio)
            component["managed"] = True
        components.append(component)
    if "cache" not in has:
        components.append({"id": "cache", "kind": "cache", "instances": profile.cache_nodes,
                           "size": defaults.kinds["cache"].default_size})
    if "lb" not in has:
        entry = [c["id"] for c in components if c["kind"] in {"web", "app"}][:1]
        components.append({"id": "lb", "kind": "lb", "managed": True, "depends_on": entry,
                           "rate_limiting": True})
    if profile.cdn and "cdn" not in has:
        components.append({"id": "cdn", "kind": "cdn", "managed": True, "depends_on": ["lb"]})
    data["components"] = components
    data["operations"] = {**data.get("operations", {}), "monitoring": True, "alerting": True}
    return data


def _apply_sizing(data: dict[str, Any], sized: CapacityReport, profile: Profile) -> None:
    """Set every count and database size from the capacity model's sizing at target."""
    for component in data["components"]:
        cid = component["id"]
        instances = needed_at_target(sized.sizing, cid, "instances")
        if instances is not None and component["kind"] != "db":
            floor = profile.min_instances if component["kind"] in COMPUTE_KINDS else \
                component.get("instances", 1)
            component["instances"] = max(floor, instances)
        cache = find_sizing(sized.sizing, cid, "cache_nodes")
        if cache is not None:
            _size_cache(component, cache)
        storage = needed_at_target(sized.sizing, cid, "storage_gb")
        if storage is not None:
            component.setdefault("capacity", {})["storage_gb"] = max(
                storage, component["capacity"].get("storage_gb", 0))
        partitions = find_sizing(sized.sizing, cid, "partitions")
        replicas = needed_at_target(sized.sizing, cid, "read_replicas")
        if partitions is None or replicas is None:
            continue
        iops = needed_at_target(sized.sizing, cid, "provisioned_iops")
        if iops is not None:
            capacity = component.setdefault("capacity", {})
            capacity["iops"] = max(iops, capacity.get("iops", 0))
        step = partitions.by_horizon[-1]
        profile_data = component.setdefault("data", {})
        if step.needed != profile_data.get("partitions", 1):
            _spread_observed_iops(component, step.needed)
            profile_data.pop("hottest_partition_share", None)  # re-split evenly
        profile_data.update(partitions=step.needed, replicas=replicas)
        if step.size is not None:
            component["size"] = step.size


def _size_cache(component: dict[str, Any], cache: Sizing) -> None:
    """Put a cache on the node size and count that hold its data at target (the one sizing)."""
    step = cache.by_horizon[-1]
    if step.size is not None and step.size != component.get("size"):
        on_catalogue_size(component, step.size)
    component["instances"] = max(component.get("instances", 1), step.needed)


def _spread_observed_iops(component: dict[str, Any], partitions: int) -> None:
    """Observed IOPS were the busiest node's: re-split evenly, each node takes 1/partitions."""
    usage, data = component.get("usage") or {}, component.get("data") or {}
    if usage.get("iops"):
        before = data.get("hottest_partition_share") or 1 / data.get("partitions", 1)
        usage["iops"] = usage["iops"] / partitions / before


def _upper_bound(model: type[BaseModel], field: str) -> int:
    """The largest value the intake schema accepts for a count (its `le` constraint)."""
    return next(int(str(m.le)) for m in model.model_fields[field].metadata if isinstance(m, Le))


def bounded_intake(data: dict[str, Any]) -> Intake:
    """Validate a derived architecture, holding each count to what the intake schema accepts.

    The sizing can ask for more instances or shards than the schema allows (an intake growing
    to 10^10 users asks for 10^8 shards). The count is held at the bound, so the capacity model
    run on this architecture names what is still over its threshold as a miss, instead of the
    review crashing on its own derived intake.
    """
    for component in data["components"]:
        component["instances"] = min(component.get("instances", 1),
                                     _upper_bound(Component, "instances"))
        profile = component.get("data") or {}
        for key in ("partitions", "replicas"):
            if key in profile:
                profile[key] = min(profile[key], _upper_bound(DataProfile, key))
    return Intake.model_validate(data, context={"derived": True})


def build_intake(intake: Intake, profile: Profile, defaults: Defaults,
                 team: CapacityReport | None = None) -> Intake:
    """Turn the team's intake into the profile's target architecture, as an intake.

    Sizes come from the profile; counts, database sizes, partitions and replicas come from the
    one sizing (the capacity model run on the draft at the profile's CPU level), twice so the
    replicas see the partitions chosen first.
    """
    team = team or analyse(intake, defaults)
    data = _draft(intake, team, profile, defaults)
    for _ in range(2):
        sized = analyse(bounded_intake(data), defaults, profile.target_utilisation,
                        latency=False)
        _apply_sizing(data, sized, profile)
    return bounded_intake(data)


def _patterns(intake: Intake, profile: Profile) -> list[str]:
    kinds = {c.kind for c in intake.components}
    chosen = ["horizontal-autoscaling"]
    if intake.components and any(c.host for c in intake.components):
        chosen.append("database-separation")
    if "lb" not in kinds:
        chosen.append("load-balancing")
    if "cache" not in kinds:
        chosen.append("multi-layer-caching")
    if profile.cdn and "cdn" not in kinds:
        chosen.append("cdn")
    if any(c.sessions == "in_process" for c in intake.components):
        chosen.append("stateless-sessions")
    if any(c.file_storage == "local" for c in intake.components):
        chosen.append("object-storage")
    if profile.multi_az:
        chosen.append("redundancy-failover")
    return chosen


def _rows(config: Intake, capacity: CapacityReport, defaults: Defaults) -> list[ConfigComponent]:
    target = len(capacity.horizons) - 1
    rows = []
    for c in config.components:
        spec = resolve(c, defaults)
        sized = priced_by_size(c, defaults)
        loads = [r.horizons[target].utilisation_pct for r in capacity.resources
                 if r.subject == c.id and not r.ceiling and sized]
        data = c.data if c.kind == "db" else None
        nodes = provisioned_nodes(c, capacity.sizing, "target") if sized else None
        rows.append(ConfigComponent(
            id=c.id, kind=c.kind, size=spec.size.name if spec.size else None, count=c.instances,
            partitions=data.partitions if data else None,
            replicas=data.replicas if data else None,
            nodes=nodes[0] if nodes else c.instances,
            peak_utilisation_pct=max(loads) if loads else None))
    return rows


def evaluate(intake: Intake, profile: Profile, defaults: Defaults,
             cards: Mapping[str, CardFacts], team: CapacityReport | None = None,
             ) -> Configuration:
    """Build and measure one configuration at the target load."""
    config = build_intake(intake, profile, defaults, team)
    capacity = analyse(config, defaults)
    costs = monthly_costs(config, capacity, defaults)
    target = len(capacity.horizons) - 1
    latency = [row for row in capacity.latency if row.horizon == "target"]
    worst = max((row.response_time_ms or math.inf for row in latency), default=None)
    patterns = _patterns(intake, profile)
    effort = sum(sum(cards[p].effort_weeks) / 2 for p in patterns if p in cards)
    result = Configuration(
        name=profile.name, components=_rows(config, capacity, defaults),
        latency_ms=None if worst is None or math.isinf(worst) else round(worst, 1),
        availability_pct=capacity.availability.path_availability_pct,
        monthly_cost=costs.totals[target].monthly, currency=costs.currency,
        effort_weeks=round(effort, 1), patterns=patterns, misses=[])
    misses = resource_misses(capacity) + _misses(intake, result, defaults)
    return result.model_copy(update={"misses": misses})


def resource_misses(capacity: CapacityReport) -> list[str]:
    """Every resource still above its threshold at target, and every ceiling still hit.

    Elastic resources (managed or autoscaled: the platform adds capacity) are left out.
    A configuration that leaves one of them never claims to miss nothing.
    """
    misses = []
    for r in capacity.resources:
        at = r.horizons[-1]
        if r.elastic or at.utilisation_pct <= r.threshold_pct + 1e-9:
            continue
        if r.ceiling:
            factor = at.utilisation_pct / r.threshold_pct
            misses.append(f"{r.subject} {r.resource} exceed the largest size "
                          f"({r.inputs.get('largest_size', '?')}) {factor:.1f}x at target")
        else:
            misses.append(f"{r.subject} {r.resource} at {at.utilisation_pct:,.0f} % > "
                          f"{r.threshold_pct:g} % threshold at target")
    return misses


def _misses(intake: Intake, config: Configuration, defaults: Defaults) -> list[str]:
    misses = []
    slo = intake.targets.max_response_time_ms
    if slo is not None and (config.latency_ms is None or config.latency_ms > slo):
        shown = "saturated" if config.latency_ms is None else f"{config.latency_ms:g} ms"
        over = "" if config.latency_ms is None else f" (+{config.latency_ms - slo:.0f} ms)"
        misses.append(f"latency {shown} > {slo:g} ms goal{over}")
    uptime = intake.targets.target_uptime_pct
    if uptime is not None and config.availability_pct < uptime:
        misses.append(f"availability {config.availability_pct:.3f} % < {uptime:g} % target "
                      f"(-{uptime - config.availability_pct:.3f} points)")
    amount = monthly_budget(intake, defaults)  # config.currency is the intake's
    if amount is not None:
        if config.monthly_cost > amount:
            misses.append(f"cost {config.monthly_cost:,.0f} > budget {amount:,.0f} "
                          f"{config.currency}/month (+{config.monthly_cost - amount:,.0f})")
    return misses


def three_configurations(intake: Intake, defaults: Defaults,
                         cards: Mapping[str, CardFacts]) -> list[Configuration]:
    """Evaluate the cost-optimised, balanced and performance configurations."""
    team = analyse(intake, defaults, latency=False)  # its sizing and curves, not latency
    return [evaluate(intake, profile, defaults, cards, team) for profile in PROFILES]
