"""The shapes every capacity figure is built from: a resolved component and a demand curve.

A curve knows today's demand, the capacity it is held against, the driver that scales it over
the months and the formula and inputs behind it, so the report can show its work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.capacity.growth import GrowthModel
from assistant.catalogue.model import Defaults, KindDefaults, Size
from assistant.intake.schema import Component

Driver = Callable[[float], float]


@dataclass
class ResourceCurve:
    """Demand for one resource of one subject (component or shared host) over the months."""

    subject: str
    resource: str
    unit: str
    threshold: float
    capacity: float
    demand_now: float
    driver: Driver
    formula: str
    inputs: dict[str, float | str] = field(default_factory=dict)
    elastic: bool = False
    ceiling: bool = False
    counts_for_breaking: bool = True

    def demand(self, month: float) -> float:
        """Demand at a month."""
        return self.demand_now * self.driver(month)

    def utilisation(self, month: float) -> float:
        """Demand over capacity at a month (1.0 = full)."""
        return self.demand(month) / self.capacity if self.capacity > 0 else float("inf")


@dataclass(frozen=True)
class ComponentSpec:
    """A component's resolved size and per-instance throughput, defaults filled in."""

    component: Component
    kind: KindDefaults
    size: Size | None
    largest: Size | None
    per_instance: float
    source: str
    ladder: tuple[Size, ...] = ()

    @property
    def vcpu(self) -> float:
        """Return the vCPUs of one instance (1 when the kind has no size family)."""
        if self.component.capacity.vcpu:
            return self.component.capacity.vcpu
        return self.size.vcpu if self.size else 1.0

    @property
    def memory_gb(self) -> float | None:
        """Memory of one instance, if known."""
        return self.component.capacity.memory_gb or (self.size.memory_gb if self.size else None)

    @property
    def elastic(self) -> bool:
        """True when the platform adds capacity by itself (managed, autoscaled, no family)."""
        c = self.component
        return c.kind != "db" and (c.managed or c.autoscaling or self.kind.family is None)


def resolve(component: Component, defaults: Defaults) -> ComponentSpec:
    """Fill a component's size and throughput from the intake, else from the defaults.

    A size is looked up in the kind's own family first, then in every family: PostgreSQL run
    by hand on a t3.medium is a database on a compute box, and its ceiling is that family's.
    """
    kind = defaults.kinds[component.kind]
    family = defaults.sizes.get(kind.family) if kind.family else None
    size = None
    if component.size:
        families = ([family] if family else []) + list(defaults.sizes.values())
        found = next(((f, f.find(component.size)) for f in families if f.find(component.size)),
                     None)
        if found:
            family, size = found
    if size is None and family is not None and kind.default_size:
        size = family.find(kind.default_size)
    largest = family.largest if family else None
    ladder = tuple(family.entries) if family else ()
    if component.capacity.per_instance:
        return ComponentSpec(component, kind, size, largest, component.capacity.per_instance,
                             "intake capacity.per_instance", ladder)
    vcpu = component.capacity.vcpu or (size.vcpu if size else 1.0)
    per_instance = (kind.per_vcpu * vcpu) if kind.per_vcpu else (kind.per_instance or 1.0)
    return ComponentSpec(component, kind, size, largest, per_instance, kind.source, ladder)


def load_share(component: Component, defaults: Defaults) -> float:
    """Requests reaching the component per edge request (intake, else kind default)."""
    if component.load_share is not None:
        return component.load_share
    return defaults.load_share[component.kind].value


def connection_limit(component: Component, defaults: Defaults) -> int | None:
    """Most connections one instance accepts: the intake's figure, else the kind's default."""
    return component.capacity.max_connections or defaults.kinds[component.kind].max_connections


def calibrated_capacity(demand_now: float, cpu_pct: float) -> float:
    """Capacity at which today's demand shows the CPU the team observes (cpu_pct, 0-100).

    An observed figure beats a catalogue rule of thumb, so a tier with `usage.cpu_pct` is held
    against this capacity instead of its per-instance default.
    """
    return demand_now / (cpu_pct / 100)


def component_rps(component: Component, growth: GrowthModel, month: float,
                  defaults: Defaults) -> float:
    """Peak requests per second reaching a component at a month: edge rate x its load share.

    Every tier's demand starts here, so CPU curves, sizing, latency and the target
    configurations all see the same traffic for the same component and month.
    """
    return growth.rps(month) * load_share(component, defaults)
