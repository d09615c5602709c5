"""The architecture after a roadmap's tasks: each pattern edits the intake the way it would.

The roadmap recomputes what breaks next on this architecture, so a pattern only counts here if
its mechanism is real and the capacity model holds the figure it moves: replicas and shards
from the one sizing, a stateless tier scaled out to its sizing, a cache or load balancer added
where none exists, a pooler holding the database's server connections to the queries in
flight, archiving moving cold data off the primary. Patterns that change no figure the model
holds (monitoring, query tuning) leave the architecture as it is.
"""

from __future__ import annotations

import math
from typing import Any

from assistant.analysis.configurations import (
    COMPUTE_KINDS,
    PROFILES,
    bounded_intake,
    on_catalogue_size,
)
from assistant.capacity.demand import resolve
from assistant.capacity.model import CapacityReport, ResourceReport, analyse
from assistant.capacity.sizing import find_sizing, needed_at_target
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Component, Intake

APPLIED_PATTERNS = frozenset({
    "database-separation", "read-replicas", "sharding", "vertical-scaling",
    "horizontal-autoscaling", "load-balancing", "redundancy-failover", "multi-layer-caching",
    "distributed-cache", "cdn", "stateless-sessions", "object-storage", "connection-pooling",
    "data-archiving", "resharding-hot-tenant"})
# Patterns whose edit reads the sizing: it is recomputed first when an earlier task changed
# the architecture (a database moved off its host is sized on its own box, not the host's).
SIZED_PATTERNS = frozenset({
    "read-replicas", "sharding", "vertical-scaling", "horizontal-autoscaling", "load-balancing",
    "redundancy-failover", "distributed-cache", "connection-pooling", "resharding-hot-tenant"})


class _Sizer:
    """The capacity model of the architecture being edited, recomputed only when it changed.

    A database's observed CPU calibrates its node (queries per vCPU) on today's load. When a
    task changes the load on the primary (a cache, replicas, shards), the observed figure no
    longer describes it: it is recalibrated so the node keeps today's throughput per vCPU and
    only the load moves (else the calibrated node would shrink with its load and the task
    would change nothing).
    """

    def __init__(self, intake: Intake, defaults: Defaults) -> None:
        self.defaults = defaults
        self.report = analyse(intake, defaults, latency=False)
        self.per_vcpu = {c.id: q for c in intake.components
                         if (q := _calibrated_per_vcpu(c, self.report, defaults)) is not None}
        self.stale = False

    def current(self, data: dict[str, Any]) -> CapacityReport:
        if self.stale:
            self.recalibrate(data)
            self.report = analyse(bounded_intake(data), self.defaults, latency=False)
            self.stale = False
        return self.report

    def recalibrate(self, data: dict[str, Any]) -> None:
        """Set each calibrated database's observed CPU to its load on today's throughput."""
        calibrated = [c for c in data["components"] if c["id"] in self.per_vcpu
                      and (c.get("usage") or {}).get("cpu_pct")]
        if not calibrated:
            return
        for component in calibrated:
            component["usage"].pop("cpu_pct")
        uncalibrated = analyse(bounded_intake(data), self.defaults, latency=False)
        for component in calibrated:
            primary = _cpu_curve(uncalibrated, component["id"])
            vcpu = resolve(Component.model_validate(component), self.defaults).vcpu
            if primary is None or not vcpu:
                continue
            node = self.per_vcpu[component["id"]] * vcpu
            pct = 100 * primary.horizons[0].demand / node
            component["usage"]["cpu_pct"] = min(100.0, max(pct, 1e-6))


def _cpu_curve(report: CapacityReport, component_id: str) -> ResourceReport | None:
    return next((r for r in report.resources if r.subject == component_id
                 and r.resource == "cpu" and not r.ceiling), None)


def _calibrated_per_vcpu(component: Component, report: CapacityReport,
                         defaults: Defaults) -> float | None:
    """Queries per second one vCPU of a database serves, as today's observed CPU calibrates it."""
    if component.kind != "db" or not component.usage.cpu_pct:
        return None
    cpu = _cpu_curve(report, component.id)
    vcpu = resolve(component, defaults).vcpu
    return cpu.horizons[0].capacity / vcpu if cpu is not None and vcpu else None


def apply_patterns(intake: Intake, tasks: list[tuple[str, list[str]]],
                   defaults: Defaults) -> Intake:
    """The architecture after a roadmap's tasks, built the way the configurations are.

    Each (pattern, components) edits the intake as the pattern would, in order; a pattern that
    reads the sizing sees the architecture the tasks before it left. Patterns outside
    APPLIED_PATTERNS leave it as it is.
    """
    sizer = _Sizer(intake, defaults)
    data = intake.model_dump(mode="python", exclude_none=True)
    kinds = {c["kind"] for c in data["components"]}
    for pattern, component_ids in tasks:
        if pattern not in APPLIED_PATTERNS:
            continue
        sized = sizer.current(data) if pattern in SIZED_PATTERNS else sizer.report
        for component in data["components"]:
            if component["id"] not in component_ids and pattern != "database-separation":
                continue
            _component_after(component, pattern, sized, defaults)
        _add_missing_kind(data, kinds, pattern, defaults)
        sizer.stale = True
    if sizer.stale:
        sizer.recalibrate(data)
    return bounded_intake(data)


def _add_missing_kind(data: dict[str, Any], kinds: set[str], pattern: str,
                      defaults: Defaults) -> None:
    """A cache, load balancer or CDN is added where the pattern needs one and none exists."""
    if pattern in {"multi-layer-caching", "distributed-cache"} and "cache" not in kinds:
        data["components"].append({"id": "cache", "kind": "cache",
                                   "size": defaults.kinds["cache"].default_size})
        kinds.add("cache")
    if pattern == "load-balancing" and "lb" not in kinds:
        entry = [c["id"] for c in data["components"] if c["kind"] in {"web", "app"}][:1]
        data["components"].append({"id": "lb", "kind": "lb", "managed": True,
                                   "depends_on": entry})
        kinds.add("lb")
    if pattern == "cdn" and "cdn" not in kinds and "lb" in kinds:
        data["components"].append({"id": "cdn", "kind": "cdn", "managed": True,
                                   "depends_on": ["lb"]})
        kinds.add("cdn")


def _db_after(component: dict[str, Any], pattern: str, sized: CapacityReport,
              defaults: Defaults) -> None:
    cid, data = component["id"], component.setdefault("data", {})
    if pattern == "read-replicas":
        data["replicas"] = max(data.get("replicas", 0),
                               needed_at_target(sized.sizing, cid, "read_replicas") or 0)
    elif pattern == "sharding":
        row = find_sizing(sized.sizing, cid, "write_partitions_at_largest_size")
        if row is not None and row.needed_at_target > data.get("partitions", 1):
            _split(component, row.needed_at_target, None)
            on_catalogue_size(component, str(row.inputs["largest_size"]))
    elif pattern == "resharding-hot-tenant":
        partitions = data.get("partitions", 1)
        share = data.get("hottest_partition_share") or 1 / partitions
        _split(component, partitions + 1, max(share / 2, 1 / (partitions + 1)))
    elif pattern == "vertical-scaling":
        row = find_sizing(sized.sizing, cid, "partitions")
        if row is not None and row.by_horizon[-1].size:
            on_catalogue_size(component, row.by_horizon[-1].size)
        iops = needed_at_target(sized.sizing, cid, "provisioned_iops")
        if iops is not None:
            capacity = component.setdefault("capacity", {})
            capacity["iops"] = max(iops, capacity.get("iops", 0))
    elif pattern in {"multi-layer-caching", "distributed-cache"}:
        data.setdefault("cache_hit_ratio", PROFILES[0].cache_hit_ratio)
    elif pattern == "redundancy-failover":
        data["multi_az"] = True
    elif pattern == "connection-pooling":
        _pool_connections(component, sized, defaults)


def _split(component: dict[str, Any], partitions: int, hottest: float | None) -> None:
    """Spread a store over more partitions; the busiest node's observed IOPS spread too.

    Observed IOPS were measured on today's busiest partition: its share of the load falls from
    the old hottest share to the new one, so they fall with it (observed CPU is recalibrated
    by the sizer).
    """
    data = component.setdefault("data", {})
    before = data.get("hottest_partition_share") or 1 / data.get("partitions", 1)
    after = hottest or 1 / partitions
    data["partitions"] = partitions
    data.pop("hottest_partition_share", None)
    if hottest is not None and hottest > 1 / partitions + 1e-12:
        data["hottest_partition_share"] = hottest
    usage = component.get("usage") or {}
    if usage.get("iops"):
        usage["iops"] = usage["iops"] * after / before
    component["usage"] = usage


def pooled_connections(queries_in_flight: float) -> int:
    """Server connections a transaction-mode pooler keeps open: the queries in flight.

    Little's law: connections busy at once = arrival rate x time each query holds one. On a
    database the time a query holds a connection is its CPU service time, so the queries in
    flight are the busy vCPUs (utilisation x vCPU), rounded up, at least one.
    """
    return max(1, math.ceil(queries_in_flight - 1e-9))


def _pool_connections(component: dict[str, Any], sized: CapacityReport,
                      defaults: Defaults) -> None:
    """Behind a pooler the database sees the queries in flight, not every client's socket."""
    usage = component.get("usage") or {}
    if usage.get("connections") is None:
        return
    cpu = next((r for r in sized.resources if r.subject == component["id"]
                and r.resource == "cpu" and not r.ceiling), None)
    if cpu is None:
        return
    busy_share = cpu.horizons[0].utilisation_pct / 100
    vcpu = resolve(Component.model_validate(component), defaults).vcpu
    usage["connections"] = min(usage["connections"], pooled_connections(busy_share * vcpu))
    component["usage"] = usage


def _archive(component: dict[str, Any], defaults: Defaults) -> None:
    """Move cold data off the store: its storage holds the retained share of today's data.

    The working set is hot data and stays: it is pinned at today's figure before the volume
    shrinks, so archiving buys storage, not RAM. The retained share is a default (an
    assumption, shown on the task).
    """
    retained = defaults.database["archive_retained_share"].value
    data = component.get("data") or {}
    usage = component.get("usage") or {}
    if usage.get("storage_used_gb") is not None:
        usage["storage_used_gb"] = usage["storage_used_gb"] * retained
    elif data.get("data_volume_gb") is not None:
        if data.get("working_set_gb") is None:
            data["working_set_gb"] = data["data_volume_gb"] * \
                defaults.database["working_set_fraction"].value
        data["data_volume_gb"] = data["data_volume_gb"] * retained
    component["usage"], component["data"] = usage, data


def _component_after(component: dict[str, Any], pattern: str, sized: CapacityReport,
                     defaults: Defaults) -> None:
    kind = component["kind"]
    if pattern == "database-separation":
        host = component.pop("host", None)
        if host is not None and kind == "db":
            component.pop("usage", None)
            on_catalogue_size(component, defaults.kinds["db"].default_size or "")
            component["managed"] = True
        return
    if pattern == "data-archiving" and kind in {"db", "storage", "search"}:
        _archive(component, defaults)
        return
    if kind == "db":
        _db_after(component, pattern, sized, defaults)
        return
    needed = needed_at_target(sized.sizing, component["id"], "instances")
    if pattern in {"horizontal-autoscaling", "load-balancing", "redundancy-failover"} and \
            kind in COMPUTE_KINDS:
        floor = 2 if pattern != "horizontal-autoscaling" else 1
        _scale_out_to(component, max(component.get("instances", 1), floor, needed or 1))
        component["autoscaling"] = component.get("autoscaling", False) or \
            pattern == "horizontal-autoscaling"
    elif pattern == "stateless-sessions":
        component["sessions"] = "external"
    elif pattern == "object-storage" and component.get("file_storage") == "local":
        component["file_storage"] = "object"
    elif kind == "cache" and find_sizing(sized.sizing, component["id"], "cache_nodes"):
        _size_cache(component, pattern, sized)
    elif pattern in {"vertical-scaling", "distributed-cache"} and kind == "cache" and needed:
        _scale_out_to(component, max(component.get("instances", 1), needed))


def _size_cache(component: dict[str, Any], pattern: str, sized: CapacityReport) -> None:
    """Apply a remedy to a cache sized by its data, as the one sizing computed it.

    Vertical scaling takes the smallest node size that holds the data at target on today's
    node count (else the largest); cluster mode (distributed-cache) shards over as many nodes
    of today's size as hold it. Either moves the memory curve; neither is assumed.
    """
    row = find_sizing(sized.sizing, component["id"], "cache_nodes")
    assert row is not None
    size = str(row.inputs["size_on_own_count"])
    if pattern == "vertical-scaling" and size not in {"custom", component.get("size")}:
        on_catalogue_size(component, size)
    elif pattern == "distributed-cache":
        _scale_out_to(component, max(component.get("instances", 1),
                                     int(row.inputs["nodes_on_own_size"])))


def _scale_out_to(component: dict[str, Any], instances: int) -> None:
    """Run more instances: observed utilisation was measured on today's count, so it spreads.

    Without this, today's CPU at 2 instances would be read as the CPU of every one of the new
    instances, and the sizing would ask for more again.
    """
    before = component.get("instances", 1)
    usage = component.get("usage") or {}
    for key in ("cpu_pct", "memory_pct"):
        if usage.get(key):
            usage[key] = usage[key] * before / instances
    component["instances"] = instances
