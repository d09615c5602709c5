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

from pydantic import BaseModel

from assistant.analysis.baseline_costs import monthly_budget, monthly_costs, priced_by_size
from assistant.capacity.data_tier import database_load
from assistant.capacity.demand import component_rps, resolve
from assistant.capacity.growth import GrowthModel
from assistant.capacity.model import analyse
from assistant.capacity.sizing import instances_needed
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Intake
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


def _target_instances(intake: Intake, component_id: str, profile: Profile,
                      defaults: Defaults, per_instance: float) -> int:
    growth = GrowthModel(intake)
    component = intake.component(component_id)
    demand = component_rps(component, growth, growth.end_month, defaults)
    return max(profile.min_instances,
               instances_needed(demand, per_instance * profile.target_utilisation))


def _working_set_at_target(intake: Intake, data: dict[str, Any], defaults: Defaults) -> float:
    """Hot data at the target month (working set, else volume x fraction; 0 if unknown)."""
    growth = GrowthModel(intake)
    fraction = defaults.database["working_set_fraction"].value
    volume = data.get("data_volume_gb", intake.current.data_volume_gb)
    hot = data.get("working_set_gb", volume * fraction if volume is not None else 0.0)
    return float(hot) * growth.data_factor(growth.end_month)


def _database_size(intake: Intake, db: dict[str, Any], profile: Profile,
                   defaults: Defaults) -> tuple[str, int, int]:
    """Smallest managed size whose primary fits the writes and the hot data; replicas for reads.

    Writes are held to half the profile's utilisation because the primary also serves its
    share of the reads; past the largest size the writes are split over partitions.
    """
    growth = GrowthModel(intake)
    data = db.get("data") or {}
    qps = growth.rps(growth.end_month) * (db.get("load_share") or defaults.load_share["db"].value)
    load = database_load(intake.component(db["id"]), qps, defaults, profile.cache_hit_ratio)
    writes, reads = load.writes, load.reads
    per_vcpu = defaults.kinds["db"].per_vcpu or 1.0
    family = defaults.sizes["database"].entries
    working_set = _working_set_at_target(intake, data, defaults)
    memory_limit = defaults.threshold("memory")
    fits = [s for s in family
            if writes <= per_vcpu * s.vcpu * profile.target_utilisation * 0.5
            and working_set <= s.memory_gb * memory_limit]
    size = fits[0] if fits else family[-1]
    node = per_vcpu * size.vcpu * profile.target_utilisation
    partitions = 1 if fits else math.ceil(writes / (node * 0.5))
    replicas = instances_needed(reads, node) - 1
    return size.name, replicas, partitions


def build_intake(intake: Intake, profile: Profile, defaults: Defaults) -> Intake:
    """Turn the team's intake into the profile's target architecture, as an intake."""
    data = intake.model_dump(mode="python", exclude_none=True)
    components: list[dict[str, Any]] = []
    has = {c.kind for c in intake.components}
    for component in data["components"]:
        component.pop("host", None)
        component.pop("usage", None)
        kind = component["kind"]
        if kind in {"app", "web", "worker"} and not component.get("managed"):
            size = defaults.size(profile.app_size)
            assert size is not None
            per_vcpu = defaults.kinds[kind].per_vcpu or 1.0
            component.update(size=profile.app_size, autoscaling=True, sessions="external",
                             file_storage="none" if component.get("file_storage") == "none"
                             else "object", rate_limiting=True,
                             instances=_target_instances(intake, component["id"], profile,
                                                         defaults, per_vcpu * size.vcpu))
        elif kind == "db":
            size_name, replicas, partitions = _database_size(intake, component, profile, defaults)
            data_profile = component.setdefault("data", {})
            data_profile.update(replicas=replicas, partitions=partitions,
                                multi_az=profile.multi_az,
                                cache_hit_ratio=profile.cache_hit_ratio)
            data_profile.pop("hottest_partition_share", None)
            component.update(size=size_name, managed=True)
        components.append(component)
    if "cache" not in has:
        components.append({"id": "cache", "kind": "cache", "instances": profile.cache_nodes,
                           "size": defaults.kinds["cache"].default_size})
    if "lb" not in has:
        entry = [c["id"] for c in components if c["kind"] in {"web", "app"}][:1]
        components.append({"id": "lb", "kind": "lb", "depends_on": entry,
                           "rate_limiting": True})
    if profile.cdn and "cdn" not in has:
        components.append({"id": "cdn", "kind": "cdn", "depends_on": ["lb"]})
    data["components"] = components
    data["operations"] = {**data.get("operations", {}), "monitoring": True, "alerting": True}
    return Intake.model_validate(data)


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


def evaluate(intake: Intake, profile: Profile, defaults: Defaults,
             cards: Mapping[str, CardFacts]) -> Configuration:
    """Build and measure one configuration at the target load."""
    config = build_intake(intake, profile, defaults)
    capacity = analyse(config, defaults)
    costs = monthly_costs(config, capacity, defaults)
    target = len(capacity.horizons) - 1
    rows = []
    for c in config.components:
        size = resolve(c, defaults).size
        sized = priced_by_size(c, defaults)
        loads = [r.horizons[target].utilisation_pct for r in capacity.resources
                 if r.subject == c.id and not r.ceiling and sized]
        rows.append(ConfigComponent(id=c.id, kind=c.kind, size=size.name if size else None,
                                    count=c.instances, peak_utilisation_pct=max(loads)
                                    if loads else None))
    latency = [row for row in capacity.latency if row.horizon == "target"]
    worst = max((row.response_time_ms or math.inf for row in latency), default=None)
    patterns = _patterns(intake, profile)
    effort = sum(sum(cards[p].effort_weeks) / 2 for p in patterns if p in cards)
    result = Configuration(
        name=profile.name, components=rows,
        latency_ms=None if worst is None or math.isinf(worst) else round(worst, 1),
        availability_pct=capacity.availability.path_availability_pct,
        monthly_cost=costs.totals[target].monthly, currency=costs.currency,
        effort_weeks=round(effort, 1), patterns=patterns, misses=[])
    return result.model_copy(update={"misses": _misses(intake, result, defaults)})


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
    return [evaluate(intake, profile, defaults, cards) for profile in PROFILES]
