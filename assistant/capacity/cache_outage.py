"""Does a request survive an outage of a cache? Only if the database can take the reads.

With cache-aside every entry is also in a database: when the cache is down the application
reads from the database instead, so requests are slower but do not fail, provided the database
can carry the reads the cache used to answer. This module computes that condition once, at the
target load, on the database as the one sizing provisions it at target (its size, partitions and
replicas, never fewer than today's): the primary's load with no cache hits against its CPU
threshold. The availability model takes the cache out of the series product only when the
condition holds; the report renders the same figure wherever it shows it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from assistant.capacity.data_tier import database_load, hottest_share
from assistant.capacity.demand import ComponentSpec, ResourceCurve, component_rps
from assistant.capacity.growth import GrowthModel
from assistant.capacity.sizing import Sizing, find_sizing
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Component, DataProfile, Intake

FORMULA = ("uncached = (reads / (1 + replicas) + writes) x share / node qps at target, "
           "reads = qps x read_ratio (no cache hits), on the size, partitions and replicas "
           "the sizing provisions at target")


def cache_role(intake: Intake, cache: Component) -> tuple[str, str | None]:
    """A cache's role and, when the intake does not state it, why it is assumed.

    Sessions that an application keeps outside its process (`sessions: external`) live in a
    cache in every example and seed here; an outage of that cache signs every user out and
    fails their requests, so it is a store, not cache-aside. Without external sessions a
    cache is assumed cache-aside. Either assumption is listed in the ledger.
    """
    if cache.cache_role is not None:
        return cache.cache_role, None
    keeping = [c.id for c in intake.components if c.sessions == "external"]
    if keeping:
        return "store", "sessions"
    return "cache_aside", "default"


class CacheOutage(BaseModel):
    """One cache's outage condition: the busiest database's load at target without it."""

    cache: str
    role: str
    role_assumed: bool
    role_reason: str | None = None  # "sessions" or "default" when assumed
    database: str | None
    uncached_utilisation_pct: float | None
    threshold_pct: float
    survives: bool
    formula: str = FORMULA
    inputs: dict[str, float | str] = {}


def cache_outages(intake: Intake, specs: Sequence[ComponentSpec],
                  curves: Sequence[ResourceCurve], sized: Sequence[Sizing], growth: GrowthModel,
                  defaults: Defaults) -> list[CacheOutage]:
    """The outage condition of every cache on the request path."""
    threshold = defaults.threshold("cpu")
    databases = [s for s in specs if s.component.kind == "db"]
    fronted = [s for s in databases if (s.component.data or DataProfile()).cache_hit_ratio]
    result = []
    for cache in (s.component for s in specs if s.component.kind == "cache"):
        role, assumed = cache_role(intake, cache)
        loads = [(s.component.id, *_uncached(s, curves, sized, growth, defaults))
                 for s in (fronted or databases)]
        busiest = max(loads, key=lambda load: load[1], default=None)
        pct = None if busiest is None else round(busiest[1] * 100, 1)
        survives = role == "cache_aside" and pct is not None and pct <= threshold * 100 + 1e-9
        result.append(CacheOutage(
            cache=cache.id, role=role, role_assumed=assumed is not None, role_reason=assumed,
            database=busiest[0] if busiest else None, uncached_utilisation_pct=pct,
            threshold_pct=round(threshold * 100, 1), survives=survives,
            inputs=busiest[2] if busiest else {}))
    return result


def _uncached(spec: ComponentSpec, curves: Sequence[ResourceCurve], sized: Sequence[Sizing],
              growth: GrowthModel, defaults: Defaults
              ) -> tuple[float, dict[str, float | str]]:
    """The primary's utilisation at target with no cache hits, on the nodes sized for target."""
    db = spec.component
    data = db.data or DataProfile()
    writes = next((c for c in curves if c.subject == db.id and c.resource == "writes"
                   and not c.ceiling), None)
    per_vcpu = writes.capacity / spec.vcpu if writes is not None else spec.per_instance
    size_name, partitions, replicas = _provisioned(db, sized)
    size = defaults.size(size_name) if size_name else None
    other = size is not None and (spec.size is None or size.name != spec.size.name)
    node_qps = per_vcpu * (size.vcpu if size is not None and other else spec.vcpu)
    load = database_load(db, component_rps(db, growth, growth.end_month, defaults), defaults,
                         cache_hit_ratio=0.0)
    share = hottest_share(data) if partitions == data.partitions else 1 / partitions
    primary = (load.reads / (1 + replicas) + load.writes) * share
    inputs: dict[str, float | str] = {
        "qps_at_target": round(load.qps, 2), "read_ratio": load.read_ratio,
        "write_cost_factor": load.write_cost, "size": size_name or "custom",
        "partitions": partitions, "replicas": replicas, "node_qps": round(node_qps, 2),
        "cache_hit_ratio_without_cache": 0.0}
    return primary / node_qps if node_qps > 0 else float("inf"), inputs


def _provisioned(db: Component, sized: Sequence[Sizing]) -> tuple[str | None, int, int]:
    """Size, partitions and replicas per partition at target: the sizing's, never below today."""
    data = db.data or DataProfile()
    partitions = find_sizing(sized, db.id, "partitions")
    replicas = find_sizing(sized, db.id, "read_replicas")
    if partitions is None or replicas is None:
        return db.size, data.partitions, data.replicas
    return (partitions.by_horizon[-1].size or db.size,
            max(partitions.current, partitions.needed_at_target),
            max(replicas.current, replicas.needed_at_target))
