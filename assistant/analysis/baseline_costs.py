"""Monthly cost per component and horizon, from the price catalogue, never guessed.

Today's cost prices what the intake describes. The cost at each later horizon assumes nothing
changes in the architecture: the same components get more instances of the same size until each
sits at its threshold again (70 % CPU, 80 % memory), and managed services are paid per use.
That is the "do nothing but add boxes" baseline the roadmap is compared against.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.capacity.demand import component_rps, load_share, resolve
from assistant.capacity.growth import GrowthModel
from assistant.capacity.model import CapacityReport
from assistant.capacity.sizing import Sizing, find_sizing
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Component, Intake

SECONDS_PER_MONTH = 730 * 3600


class HorizonCost(BaseModel):
    """One component's units and monthly cost at one horizon."""

    horizon: str
    month: float
    units: float
    monthly: float


class ComponentCost(BaseModel):
    """A component's monthly cost today and at each horizon if nothing changes."""

    component_id: str
    basis: str = Field(description="Catalogue row or service the price comes from.")
    unit_price: float
    formula: str
    horizons: list[HorizonCost]


class HorizonTotal(BaseModel):
    """The whole system's monthly cost at one horizon."""

    horizon: str
    month: float
    monthly: float
    per_user: float
    over_budget: bool


class CostReport(BaseModel):
    """Costs in the intake's currency, with the budget line."""

    currency: str
    prices_as_of: str
    components: list[ComponentCost]
    totals: list[HorizonTotal]
    monthly_budget: float | None
    first_horizon_over_budget: str | None
    notes: list[str]


def provisioned_nodes(component: Component, sized: list[Sizing],
                      horizon: str) -> tuple[int, str | None] | None:
    """Nodes a component runs at a horizon, and their size, read from the one sizing.

    A compute tier adds boxes of today's size (never fewer than today); a cache and a database
    scale up their family first, then shard (a database's partitions each with its read
    replicas). None if the
    component is not sized.
    """
    if component.kind == "db":
        partitions = find_sizing(sized, component.id, "partitions")
        replicas = find_sizing(sized, component.id, "read_replicas")
        if partitions is None or replicas is None:
            return None
        step = next(h for h in partitions.by_horizon if h.horizon == horizon)
        return (partitions.provisioned_at(horizon) * (1 + replicas.provisioned_at(horizon)),
                step.size)
    cache = find_sizing(sized, component.id, "cache_nodes")
    if cache is not None:  # a cache grows its node for the data it holds, then shards
        step = next(h for h in cache.by_horizon if h.horizon == horizon)
        return cache.provisioned_at(horizon), step.size
    row = find_sizing(sized, component.id, "instances")
    return (row.provisioned_at(horizon), None) if row else None


def _sized_cost(component: Component, intake: Intake, capacity: CapacityReport,
                defaults: Defaults, growth: GrowthModel) -> ComponentCost:
    """Price a component at the counts and sizes the one sizing gives per horizon.

    A second member of a shared host already sits on the first member's box: it pays for what
    it needs beyond that one box of today's size.
    """
    spec = resolve(component, defaults)
    size = spec.size
    assert size is not None
    price = defaults.convert(size.monthly_usd, "USD", intake.currency)
    multi_az = 2 if component.data is not None and component.data.multi_az else 1
    guest = _hosted_elsewhere(component, intake, capacity)
    rows = []
    for horizon in growth.horizons():
        counted = provisioned_nodes(component, capacity.sizing, horizon.name)
        units, unit_price = float(component.instances), price
        if counted is not None:
            units = float(counted[0])
            bigger = defaults.size(counted[1]) if counted[1] else None
            if bigger is not None:
                unit_price = defaults.convert(bigger.monthly_usd, "USD", intake.currency)
        monthly = units * unit_price * multi_az - (price if guest else 0.0)
        rows.append(HorizonCost(horizon=horizon.name, month=horizon.month, units=units,
                                monthly=round(max(0.0, monthly), 2)))
    az = " x 2 (multi-AZ)" if multi_az == 2 else ""
    where = f"on host {component.host}" if component.host in capacity.hosts \
        else str(spec.kind.family)
    shared = f" - one {size.name} (shares {component.host})" if guest else ""
    return ComponentCost(
        component_id=component.id, basis=f"{size.name} ({where})", unit_price=price,
        formula=f"units x price of the size the sizing chose (today {size.name}){az}{shared}; "
                "units = the capacity model's sizing at each horizon, never fewer than today",
        horizons=rows)


def _service_units(component: Component, intake: Intake, growth: GrowthModel,
                   defaults: Defaults, month: float) -> float:
    """Usage units of a managed service in one month (LCU, GB, GB-month, million requests)."""
    share = load_share(component, defaults)
    avg_rps = growth.rps(month) / intake.current.peak_factor * share
    if component.kind == "lb":
        return load_balancer_units(component_rps(component, growth, month, defaults), intake,
                                   defaults)
    if component.kind == "cdn":
        return monthly_gigabytes_out(intake, defaults, month) * share
    if component.kind == "storage":
        volume = (component.data.data_volume_gb if component.data else None) or \
            intake.current.data_volume_gb or 0.0
        return volume * growth.data_factor(month)
    if component.kind == "queue":
        return avg_rps * SECONDS_PER_MONTH / 1e6
    return 1.0


def _service_kind(component: Component) -> str:
    """Managed web and app tiers are priced as a platform (e.g. Vercel, serverless)."""
    return "platform" if component.managed and component.kind in {"web", "app"} else \
        component.kind


def priced_by_size(component: Component, defaults: Defaults) -> bool:
    """True when a component is paid per instance of a catalogue size, not per use.

    Only such components have a utilisation worth showing next to their cost.
    """
    return resolve(component, defaults).size is not None and \
        _service_kind(component) != "platform"


def monthly_budget(intake: Intake, defaults: Defaults) -> float | None:
    """The team's monthly budget in the intake's currency, if it gave one."""
    budget = intake.constraints.budget_per_month
    return defaults.convert(budget.amount, budget.currency, intake.currency) if budget else None


def _service_cost(component: Component, intake: Intake, defaults: Defaults,
                  growth: GrowthModel) -> ComponentCost:
    kind = _service_kind(component)
    service = defaults.services[kind]
    fixed = defaults.convert(service.monthly_usd, "USD", intake.currency)
    per_unit = defaults.convert(service.per_unit_usd, "USD", intake.currency)
    rows = []
    for horizon in growth.horizons():
        units = _service_units(component, intake, growth, defaults, horizon.month)
        usage = defaults.convert(service.usage_usd(units), "USD", intake.currency)
        rows.append(HorizonCost(horizon=horizon.name, month=horizon.month,
                                units=round(units, 3), monthly=round(fixed + usage, 2)))
    tiered = " through the published tier table" if service.tiers else ""
    assumed = response_size_note(intake) if kind in {"cdn", "lb"} else ""
    return ComponentCost(
        component_id=component.id, basis=f"{kind} ({service.source})",
        unit_price=per_unit, formula=f"{fixed:g} fixed + units x {per_unit:g} per "
                                     f"{service.unit}{tiered}{assumed}",
        horizons=rows)


RESPONSE_SIZE_NOTE = ("; volume rests on the default response size (avg_response_kb, an "
                      "assumption): give current.avg_response_kb to replace it")


def response_size_note(intake: Intake) -> str:
    """The formula's caveat when the volume rests on the default response size."""
    return RESPONSE_SIZE_NOTE if intake.current.avg_response_kb is None else ""


def response_size_kb(intake: Intake, defaults: Defaults) -> float:
    """Bytes out per edge request in KB: the intake's `current.avg_response_kb`, else 20 KB."""
    given = intake.current.avg_response_kb
    return defaults.services["avg_response_kb"].per_unit_usd if given is None else given


def load_balancer_units(peak_rps: float, intake: Intake, defaults: Defaults) -> float:
    """Load-balancer capacity units (1 GB processed per hour each) at a peak request rate."""
    return max(1.0, peak_rps * response_size_kb(intake, defaults) * 3600 / 1e6)


def monthly_gigabytes_out(intake: Intake, defaults: Defaults, month: float) -> float:
    """Response bytes sent to users in a month: average rate x response size x seconds."""
    growth = GrowthModel(intake)
    kb = response_size_kb(intake, defaults)
    return growth.rps(month) / intake.current.peak_factor * kb * SECONDS_PER_MONTH / 1e6


def _egress_cost(intake: Intake, defaults: Defaults, growth: GrowthModel) -> ComponentCost:
    """Without a CDN the origin pays internet data transfer for every response."""
    service = defaults.services["egress"]
    per_gb = defaults.convert(service.per_unit_usd, "USD", intake.currency)
    rows = []
    for h in growth.horizons():
        gigabytes = monthly_gigabytes_out(intake, defaults, h.month)
        monthly = defaults.convert(service.usage_usd(gigabytes), "USD", intake.currency)
        rows.append(HorizonCost(horizon=h.name, month=h.month, units=round(gigabytes, 1),
                                monthly=round(monthly, 2)))
    return ComponentCost(component_id="egress", basis=f"origin data transfer out "
                         f"({service.source})", unit_price=per_gb,
                         formula="GB out priced through the tier table; GB out = avg rps x "
                         f"avg_response_kb x seconds per month / 1e6{response_size_note(intake)}",
                         horizons=rows)


def _hosted_elsewhere(component: Component, intake: Intake, capacity: CapacityReport) -> bool:
    """True for every member of a shared host but the first: the box is paid once."""
    if component.host not in capacity.hosts:
        return False
    return capacity.hosts[component.host][0] != component.id


def monthly_costs(intake: Intake, capacity: CapacityReport, defaults: Defaults) -> CostReport:
    """Price every component today and at each horizon; compare the totals with the budget."""
    growth = GrowthModel(intake)
    costs: list[ComponentCost] = []
    notes: list[str] = []
    for component in intake.components:
        if _hosted_elsewhere(component, intake, capacity):
            notes.append(f"{component.id} runs on shared host {component.host}: today's box is "
                         "paid once; it pays only for what it needs beyond it")
        if priced_by_size(component, defaults):
            costs.append(_sized_cost(component, intake, capacity, defaults, growth))
        elif _service_kind(component) in defaults.services:
            costs.append(_service_cost(component, intake, defaults, growth))
        else:
            notes.append(f"{component.id}: managed {component.kind} without a catalogue price")
    if not any(c.kind == "cdn" for c in intake.components):
        costs.append(_egress_cost(intake, defaults, growth))
    budget_amount = monthly_budget(intake, defaults)
    totals = []
    for index, horizon in enumerate(growth.horizons()):
        total = sum(c.horizons[index].monthly for c in costs)
        totals.append(HorizonTotal(
            horizon=horizon.name, month=horizon.month, monthly=round(total, 2),
            per_user=round(total / growth.users(horizon.month), 4),
            over_budget=budget_amount is not None and total > budget_amount))
    first_over = next((t.horizon for t in totals if t.over_budget), None)
    return CostReport(currency=intake.currency, prices_as_of=defaults.prices_as_of,
                      components=costs, totals=totals, monthly_budget=budget_amount,
                      first_horizon_over_budget=first_over, notes=notes)
