"""The deterministic capacity model: load, headroom and breaking points per component.

For every component and horizon it computes demand against capacity for each resource the
intake gives, the month each crosses the seeds' thresholds, instances needed at target, an
M/M/c latency estimate, and the availability of the request path. Components on one host share
that host's CPU and memory. Every figure carries its formula and inputs; the LLM never does this
arithmetic, it receives the result as facts.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

from pydantic import BaseModel

from assistant.capacity.availability import AvailabilityReport, availability
from assistant.capacity.cache_outage import cache_outages
from assistant.capacity.compute_tier import curves_for
from assistant.capacity.demand import ResourceCurve, resolve
from assistant.capacity.growth import GrowthModel
from assistant.capacity.hosts import shared_hosts
from assistant.capacity.latency import LatencyEstimate, latency_estimates
from assistant.capacity.sizing import Sizing, sizing
from assistant.catalogue.model import Defaults, load_defaults
from assistant.intake.schema import Intake


class HorizonPoint(BaseModel):
    """Demand drivers at one horizon."""

    name: str
    month: float
    users: float
    concurrent_users: float
    peak_rps: float


class ResourceAtHorizon(BaseModel):
    """One resource's load at one horizon."""

    horizon: str
    month: float
    demand: float
    capacity: float
    utilisation_pct: float
    headroom_pct: float


class ResourceReport(BaseModel):
    """One resource of one component (or shared host) over all horizons."""

    subject: str
    members: list[str]
    resource: str
    unit: str
    threshold_pct: float
    elastic: bool
    ceiling: bool
    formula: str
    inputs: dict[str, float | str]
    horizons: list[ResourceAtHorizon]
    breaking_month: float | None
    growth_factor_to_break: float | None


class BreakingPoint(BaseModel):
    """The month a resource crosses its threshold, with the load at that moment."""

    subject: str
    members: list[str]
    resource: str
    month: float
    threshold_pct: float
    ceiling: bool
    users_at_break: float
    peak_rps_at_break: float
    formula: str


class CapacityReport(BaseModel):
    """Everything the capacity model computed for one intake."""

    horizons: list[HorizonPoint]
    rps_elasticity: float
    resources: list[ResourceReport]
    breaking_points: list[BreakingPoint]
    sizing: list[Sizing]
    latency: list[LatencyEstimate]
    availability: AvailabilityReport
    hosts: dict[str, list[str]]

    @property
    def first_break(self) -> BreakingPoint | None:
        """The earliest breaking point that is not a vertical-ceiling warning."""
        regular = [b for b in self.breaking_points if not b.ceiling]
        return regular[0] if regular else None

    def breaks_for(self, component_id: str) -> list[BreakingPoint]:
        """Breaking points that involve a component, directly or through its host."""
        return [b for b in self.breaking_points if component_id in b.members]


#: How many capacity reports `analyse` keeps (one review asks for about 12 distinct ones).
MEMO_SIZE = 64
_memo: OrderedDict[tuple[str, int, float | None, bool], tuple[Defaults, CapacityReport]] = \
    OrderedDict()
_memo_lock = threading.Lock()


def analyse(intake: Intake, defaults: Defaults | None = None,
            cpu_utilisation: float | None = None, latency: bool = True) -> CapacityReport:
    """Run the capacity model over an intake.

    `cpu_utilisation` sizes for a CPU level other than the 70 % threshold (a configuration
    that buys more headroom); breaking months always use the thresholds. `latency=False`
    leaves the M/M/c estimates out: the reruns that only need sizing and breaking months (a
    configuration's sizing pass, the roadmap's recompute) skip the Erlang C of a fleet.

    Memoised on identical input (the intake's JSON, the same defaults object, the CPU level,
    with or without latency): one review runs the model many times, on 10-12 distinct
    architectures (the team's own is asked for by the workflow, the configurations and the
    roadmap). The report returned is shared between those callers, so it is read-only by
    convention: nothing changes a `CapacityReport` in place (build a copy with
    `model_copy(update=...)` instead).
    """
    defaults = defaults or load_defaults()
    key = (intake.model_dump_json(), id(defaults), cpu_utilisation, latency)
    with _memo_lock:
        hit = _memo.get(key)
        if hit is not None and hit[0] is defaults:
            _memo.move_to_end(key)
            return hit[1]
    report = _analyse(intake, defaults, cpu_utilisation, latency)
    with _memo_lock:
        _memo[key] = (defaults, report)  # holding `defaults` keeps its id from being reused
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return report


def clear_memo() -> None:
    """Forget every memoised capacity report (benchmarks time a review from scratch)."""
    with _memo_lock:
        _memo.clear()


def _analyse(intake: Intake, defaults: Defaults, cpu_utilisation: float | None,
             latency: bool) -> CapacityReport:
    """Run the capacity model (uncached): curves, sizing, hosts, breaking points, latency."""
    growth = GrowthModel(intake)
    specs = [resolve(c, defaults) for c in intake.components]
    curves: list[tuple[ResourceCurve, list[str]]] = []
    for spec in specs:
        curves += [(curve, [spec.component.id]) for curve in curves_for(spec, intake, growth,
                                                                         defaults)]
    sized = sizing(specs, [curve for curve, _ in curves], growth, cpu_utilisation)
    outages = cache_outages(intake, specs, [curve for curve, _ in curves], sized, growth,
                            defaults)
    hosts = shared_hosts(intake.components)
    curves = _share_hosts(curves, hosts, defaults)
    reports = [_report(curve, members, growth) for curve, members in curves]
    breaks = sorted(
        (_breaking_point(r, growth, curve) for (curve, _), r in zip(curves, reports, strict=True)
         if r.breaking_month is not None and curve.counts_for_breaking and not curve.elastic),
        key=lambda b: (b.month, b.ceiling, b.subject, b.resource),
    )
    return CapacityReport(
        horizons=[HorizonPoint(name=h.name, month=h.month, users=round(growth.users(h.month)),
                               concurrent_users=round(growth.concurrent_users(h.month)),
                               peak_rps=round(growth.rps(h.month), 2))
                  for h in growth.horizons()],
        rps_elasticity=round(growth.rps_alpha, 4),
        resources=reports, breaking_points=breaks,
        sizing=sized,
        latency=latency_estimates(specs, intake, growth, defaults, sized) if latency else [],
        availability=availability(intake, defaults, outages), hosts=hosts,
    )


def _share_hosts(curves: list[tuple[ResourceCurve, list[str]]], hosts: dict[str, list[str]],
                 defaults: Defaults) -> list[tuple[ResourceCurve, list[str]]]:
    """Add one summed CPU and memory curve per shared host; members' own stop counting."""
    result = list(curves)
    for host, members in hosts.items():
        for resource in ("cpu", "memory"):
            parts = [c for c, m in curves if m[0] in members and c.resource == resource
                     and not c.ceiling]
            if not parts:
                continue
            for part in parts:
                part.counts_for_breaking = False
            result.append((_host_curve(host, resource, parts, defaults), members))
    return result


def _host_curve(host: str, resource: str, parts: list[ResourceCurve],
                defaults: Defaults) -> ResourceCurve:
    def summed(month: float) -> float:
        return sum(p.utilisation(month) for p in parts)

    now = summed(0.0)
    return ResourceCurve(
        host, resource, "share of host", defaults.threshold(resource), 1.0, now,
        lambda m: summed(m) / now if now else 0.0,
        f"host {resource} = sum of members' utilisation ({', '.join(p.subject for p in parts)})",
        {f"{p.subject}_utilisation_now_pct": round(p.utilisation(0.0) * 100, 2) for p in parts},
    )


def _report(curve: ResourceCurve, members: list[str], growth: GrowthModel) -> ResourceReport:
    month = _crossing_month(curve, growth)
    util_now = curve.utilisation(0.0)
    factor = curve.threshold / util_now if util_now > 0 else None
    return ResourceReport(
        subject=curve.subject, members=members, resource=curve.resource, unit=curve.unit,
        threshold_pct=round(curve.threshold * 100, 1), elastic=curve.elastic,
        ceiling=curve.ceiling, formula=curve.formula, inputs=curve.inputs,
        horizons=[_at(curve, h.name, h.month) for h in growth.horizons()],
        breaking_month=month, growth_factor_to_break=round(factor, 3) if factor else None,
    )


def _at(curve: ResourceCurve, name: str, month: float) -> ResourceAtHorizon:
    util = curve.utilisation(month)
    return ResourceAtHorizon(
        horizon=name, month=month, demand=round(curve.demand(month), 3),
        capacity=round(curve.capacity, 3), utilisation_pct=round(util * 100, 1),
        headroom_pct=round((curve.threshold - util) * 100, 1),
    )


def _crossing_month(curve: ResourceCurve, growth: GrowthModel) -> float | None:
    """First month on the grid at which utilisation reaches the threshold, else None.

    Walks the driver's values on the grid (`GrowthModel.on_grid`, shared by every curve with
    that driver) with `utilisation`'s own arithmetic, so the month found is the same.
    """
    limit, months = curve.threshold - 1e-12, growth.months()
    if curve.capacity <= 0:  # utilisation is infinite from month 0 on
        return round(months[0], 1) if months and math.inf >= limit else None
    demand_now, capacity = curve.demand_now, curve.capacity
    for month, value in zip(months, growth.on_grid(curve.driver), strict=True):
        if demand_now * value / capacity >= limit:
            return round(month, 1)
    return None


def _breaking_point(report: ResourceReport, growth: GrowthModel,
                    curve: ResourceCurve) -> BreakingPoint:
    month = report.breaking_month
    assert month is not None
    return BreakingPoint(
        subject=report.subject, members=report.members, resource=report.resource, month=month,
        threshold_pct=report.threshold_pct, ceiling=report.ceiling,
        users_at_break=round(growth.users(month)), peak_rps_at_break=round(growth.rps(month), 1),
        formula=curve.formula,
    )

