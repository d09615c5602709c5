"""Latency of the compute tiers against the latency SLO, from an M/M/c queue per horizon.

The time a request spends outside the tier's CPU (database, network, I/O) is taken from the
observed average response time minus the modelled CPU time today and held constant, so the
estimate says how much queueing adds as load grows, and whether the SLO is reachable at all.
"""

from __future__ import annotations

from pydantic import BaseModel

from assistant.capacity.demand import ComponentSpec, calibrated_capacity, component_rps
from assistant.capacity.growth import GrowthModel
from assistant.capacity.queueing import mmc_response_time
from assistant.capacity.sizing import Sizing, needed_at_target
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Intake

LATENCY_KINDS = frozenset({"app", "web"})


class LatencyEstimate(BaseModel):
    """Estimated mean response time of one tier at one horizon."""

    component_id: str
    horizon: str
    month: float
    instances: int
    servers: int
    utilisation_pct: float
    cpu_time_ms: float | None
    other_time_ms: float
    response_time_ms: float | None
    slo_ms: float
    meets_slo: bool
    formula: str = "W = other + Wq + 1/mu; Wq = ErlangC(c, lambda/mu) / (c*mu - lambda)"


def latency_goal_ms(intake: Intake, defaults: Defaults) -> float:
    """The response time to meet: the team's goal, else the seeds' API performance budget."""
    return intake.targets.max_response_time_ms or defaults.performance_budgets[
        "api_response_ms"].value


def per_instance_throughput(spec: ComponentSpec, growth: GrowthModel, defaults: Defaults) -> float:
    """Requests one instance serves at 100 % CPU, calibrated as the CPU curve is.

    With an observed `usage.cpu_pct` the instance serves today's load at that CPU (the same
    calibration the capacity curve and the sizing use), else the measured or catalogue figure.
    """
    c = spec.component
    if not c.usage.cpu_pct:
        return spec.per_instance
    return calibrated_capacity(component_rps(c, growth, 0, defaults), c.usage.cpu_pct) / \
        c.instances


def latency_estimates(specs: list[ComponentSpec], intake: Intake, growth: GrowthModel,
                      defaults: Defaults, sized: list[Sizing] | None = None,
                      ) -> list[LatencyEstimate]:
    """Estimate response time per horizon for each self-run app/web tier.

    Autoscaled tiers are included at their current instance count: the estimate then shows
    what the autoscaler has to add, and the "scaled out" row what it achieves.
    """
    slo = latency_goal_ms(intake, defaults)
    rows: list[LatencyEstimate] = []
    for spec in specs:
        c = spec.component
        if c.kind not in LATENCY_KINDS or c.managed or spec.kind.family is None:
            continue
        mu = per_instance_throughput(spec, growth, defaults) / spec.vcpu
        base = mmc_response_time(max(1, round(spec.vcpu * c.instances)),
                                 component_rps(c, growth, 0, defaults), mu)
        observed = intake.current.avg_response_time_ms
        other = max(0.0, observed - base.response_time_ms) if observed else 0.0
        for horizon in growth.horizons():
            rows.append(_estimate(spec, c.instances, horizon.name, horizon.month, growth,
                                  defaults, mu, other, slo))
        needed = needed_at_target(sized or [], c.id, "instances")
        if needed and needed != c.instances:
            rows.append(_estimate(spec, needed, "target, scaled out", growth.end_month, growth,
                                  defaults, mu, other, slo))
    return rows


def _estimate(spec: ComponentSpec, instances: int, name: str, month: float,
              growth: GrowthModel, defaults: Defaults, mu: float, other: float,
              slo: float) -> LatencyEstimate:
    servers = max(1, round(spec.vcpu * instances))
    queue = mmc_response_time(servers, component_rps(spec.component, growth, month, defaults),
                              mu)
    total = None if queue.saturated else round(other + queue.response_time_ms, 1)
    return LatencyEstimate(
        component_id=spec.component.id, horizon=name, month=month, instances=instances,
        servers=servers, utilisation_pct=round(queue.utilisation * 100, 1),
        cpu_time_ms=None if queue.saturated else round(queue.response_time_ms, 1),
        other_time_ms=round(other, 1), response_time_ms=total, slo_ms=slo,
        meets_slo=total is not None and total <= slo,
    )
