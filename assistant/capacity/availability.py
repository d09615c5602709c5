"""Availability of the request path and its single points of failure.

Serial components multiply; redundant instances combine as 1 - (1 - a)^n (independent failures
behind a load balancer). Components that share a host fail together, so a host counts once.
"""

from __future__ import annotations

from pydantic import BaseModel

from assistant.capacity.cache_outage import CacheOutage
from assistant.capacity.hosts import components_by_host
from assistant.catalogue.model import Defaults
from assistant.catalogue.slas import published_sla
from assistant.intake.schema import Component, Intake

ASYNC_KINDS = frozenset({"worker", "queue"})


class AvailabilityUnit(BaseModel):
    """One failure unit on the request path: a component, or a host shared by several."""

    name: str
    members: list[str]
    instances: int
    instance_availability_pct: float
    availability_pct: float
    spof: bool
    reason: str
    managed: bool = False
    in_series: bool = True


class AvailabilityReport(BaseModel):
    """The request path's availability against the uptime target."""

    units: list[AvailabilityUnit]
    path_availability_pct: float
    target_pct: float | None
    meets_target: bool | None
    formula: str = ("A_path = prod(A_unit in series); A_unit = 1 - (1 - a_instance) ** "
                    "instances; a cache-aside cache is in series only if the database cannot "
                    "take its reads")
    cache_outages: list[CacheOutage] = []

    @property
    def spofs(self) -> list[AvailabilityUnit]:
        """Units whose single failure takes the request path down."""
        return [u for u in self.units if u.spof and u.in_series]

    @property
    def managed_cap_pct(self) -> float:
        """The path's availability if every self-run unit never failed: the managed SLAs alone.

        Above the target, redundancy of the team's own components can reach it; below, no
        redundancy of theirs can, and the gap is in the providers' commitments.
        """
        cap = 1.0
        for unit in self.units:
            if unit.managed and unit.in_series:
                cap *= unit.availability_pct / 100
        return round(cap * 100, 4)


def request_path(intake: Intake) -> list[Component]:
    """Components a synchronous request can touch: all but workers and queues."""
    return [c for c in intake.components if c.kind not in ASYNC_KINDS]


def _instance_availability(component: Component, defaults: Defaults) -> tuple[float, str]:
    multi_az = component.data is not None and component.data.multi_az
    if multi_az or component.managed:
        sla = published_sla(component.technology, component.kind, multi_az)
        if sla is not None:
            return sla.sla_pct, f"{sla.name} SLA: {sla.source}"
    if multi_az:
        own = defaults.availability["managed_multi_az_pct"]
        return own.value, f"multi-AZ failover ({own.source}; no provider SLA named)"
    if component.managed and component.kind == "db":
        # one zone is one instance, managed or not: the multi-AZ figure needs the standby
        own = defaults.availability["managed_single_zone_db_pct"]
        return own.value, f"managed single-zone database ({own.source}; no provider SLA named)"
    if component.managed:
        own = defaults.availability["managed_service_pct"]
        return own.value, f"managed service ({own.source}; no provider SLA named)"
    kind = defaults.kinds[component.kind]
    if kind.family is None:
        own = defaults.availability["self_run_instance_pct"]
        return own.value, f"self-run {component.kind}: {own.source}"
    return kind.availability_pct, kind.source


def _is_self_healing(component: Component, defaults: Defaults) -> bool:
    """Managed services and multi-AZ stores are not single boxes; a self-run one is.

    A load balancer or proxy the team runs itself (nginx on one VM) fails like any VM, so it
    is a single point of failure when it runs once, even though its kind has no size family.
    """
    multi_az = component.data is not None and component.data.multi_az
    return component.managed or multi_az


def availability(intake: Intake, defaults: Defaults,
                 outages: list[CacheOutage] | None = None) -> AvailabilityReport:
    """Compute per-unit and path availability, and mark single points of failure.

    A cache whose outage requests survive (cache-aside, the database able to take its reads at
    target: `outages`) is no failure unit of the path: it is listed, out of the product, and
    no single point of failure. A cache sharing a host with others fails with the host.
    """
    outages = outages or []
    survivable = {o.cache for o in outages if o.survives}
    groups = components_by_host(request_path(intake))
    units = [_unit(name, members, defaults) for name, members in groups.items()]
    units = [u.model_copy(update={"in_series": False, "spof": False})
             if u.members == [u.name] and u.name in survivable else u for u in units]
    path = 1.0
    for unit in units:
        if unit.in_series:
            path *= unit.availability_pct / 100
    target = intake.targets.target_uptime_pct
    path_pct = path * 100
    meets = None if target is None else path_pct >= target
    return AvailabilityReport(units=units, path_availability_pct=round(path_pct, 4),
                              target_pct=target, meets_target=meets, cache_outages=outages)


def _unit(name: str, members: list[Component], defaults: Defaults) -> AvailabilityUnit:
    figures = [_instance_availability(m, defaults) for m in members]
    weakest = min(figures, key=lambda f: f[0])
    instances = min(m.instances for m in members)
    healing = all(_is_self_healing(m, defaults) for m in members)
    a = weakest[0] / 100
    combined = a if healing else 1 - (1 - a) ** instances
    shared = len(members) > 1
    spof = instances == 1 and not healing
    what = f"shared host {name} runs {', '.join(m.id for m in members)}" if shared else name
    how = f"managed/self-healing, {weakest[1]}" if healing else \
        f"{weakest[0]:g} % per instance"
    reason = f"{what}: {instances} instance(s), {how}"
    return AvailabilityUnit(
        name=name, members=[m.id for m in members], instances=instances,
        instance_availability_pct=weakest[0], availability_pct=round(combined * 100, 4),
        spof=spof, reason=reason, managed=healing,
    )
