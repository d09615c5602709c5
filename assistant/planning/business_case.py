"""The business case of a scaling investment, computed here and never by a language model.

The inputs follow the seed's ROI prompt (seed 001 ~2375-2418, calculateScalingROI): monthly
infrastructure and operational costs, one-time development and training costs, and business
scenarios with probability, revenue growth, cost savings and time to value over a timeframe in
months. The method is the seed's too: NPV over the timeframe, IRR, payback, risk-adjusted
(probability-weighted) returns, ±20 % sensitivity, break-even and returns by quarter. A later
LLM step's figures are checked against these, so every formula used is reported with the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from assistant.intake.business import RoiInputs, Scenario

SENSITIVITY_STEPS_PCT = (-20.0, 20.0)
# Beyond this gap between the intake's infrastructure cost and the roadmap's computed monthly
# delta, the business case says so and shows both: one of them is probably wrong.
INFRASTRUCTURE_DISAGREEMENT_PCT = 20.0
_IRR_GRID_POINTS = 1200
_IRR_MAX_LOG = math.log(1000.0)  # search per-period rates from about -99.9 % to +99,900 %

FORMULAS: dict[str, str] = {
    "monthly_rate": "r_m = (1 + r_annual)^(1/12) - 1",
    "cash_flow": "CF_0 = -(development + training); CF_t = -(infra + ops) + B_t for t = 1..T",
    "benefit": "B_t = baseline_revenue * revenue_growth_pct / 100 + cost_savings "
               "if t > time_to_value else 0",
    "npv": "sum_t CF_t / (1 + r_m)^t, r_m = (1 + r_annual)^(1/12) - 1",
    "irr": "r with sum_t CF_t / (1 + r)^t = 0, root closest to 0 found by bisection; every "
           "root is named when there are several",
    "irr_annual": "(1 + irr_m)^12 - 1",
    "payback": "(t - 1) + |C_{t-1}| / CF_t, t the month in which C_t = sum_{k<=t} CF_k turns "
               ">= 0 for good: recovered within the month, interpolated linearly",
    "discounted_payback": "the same over DCF_k = CF_k / (1 + r_m)^k",
    "roi": "(total_benefit - total_cost) / total_cost * 100, undiscounted",
    "expected_cash_flows": "E[CF_t] = sum_s p_s * CF_{s,t}, p_s = probability_pct / sum of pct",
    "expected_npv": "sum_s p_s * NPV_s = NPV(E[CF]) (risk-adjusted value)",
    "break_even": "first month t >= 1 from which E[CF_t] >= 0: monthly benefit covers running cost",
    "quarterly_net": "Q_q = sum of E[CF_t] for t in months 3q-2..3q; month 0 counts in Q1",
    "sensitivity": "expected NPV with one input scaled by (1 + change_pct / 100), others fixed",
}


class ScenarioResult(BaseModel):
    """The cash flows and figures of one scenario."""

    name: str
    probability_pct: float
    monthly_cash_flows: list[float] = Field(description="Index 0 is the month-0 investment.")
    npv: float
    irr_annual_pct: float | None
    payback_month: float | None = Field(description="Months until the money is back, "
                                        "interpolated within the month it comes back.")
    discounted_payback_month: float | None
    total_benefit: float
    total_cost: float
    roi_pct: float | None = Field(description="None when the total cost is zero.")
    notes: list[str]


class SensitivityRow(BaseModel):
    """The expected NPV with one input changed by a percentage."""

    variable: str
    change_pct: float
    npv: float
    npv_delta: float


class RoiResult(BaseModel):
    """The business case: per scenario, probability-weighted, by quarter and under stress."""

    currency: str
    scenarios: list[ScenarioResult]
    expected_npv: float
    expected_cash_flows: list[float]
    break_even_month: int | None
    expected_payback_month: float | None
    expected_discounted_payback_month: float | None
    expected_irr_annual_pct: float | None
    expected_irr_roots_annual_pct: list[float] = Field(
        default_factory=list, description="Every IRR of the expected cash flows; more than one "
        "means the IRR cannot rank the investment (judge it by NPV).")
    quarterly_net: list[float]
    sensitivity: list[SensitivityRow]
    formulas: dict[str, str]
    notes: list[str]


def monthly_rate(annual_pct: float) -> float:
    """Return the monthly rate that compounds to the annual rate given in percent."""
    return (1 + annual_pct / 100) ** (1 / 12) - 1


def npv(rate_per_period: float, cash_flows: Sequence[float]) -> float:
    """Return the net present value; the first cash flow is at t=0 and not discounted."""
    return sum(cf / (1 + rate_per_period) ** t for t, cf in enumerate(cash_flows))


def _npv_log(log_growth: float, cash_flows: Sequence[float]) -> float:
    """Return the NPV at rate exp(log_growth) - 1, stable for rates near -100 %."""
    return sum(cf * math.exp(-log_growth * t) for t, cf in enumerate(cash_flows))


def _bisect(f: Callable[[float], float], lo: float, hi: float) -> float:
    """Return a root of f inside [lo, hi], whose ends have opposite signs."""
    f_lo = f(lo)
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        f_mid = f(mid)
        if f_mid == 0:
            return mid
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return (lo + hi) / 2


def irr_roots(cash_flows: Sequence[float]) -> list[float]:
    """Return every per-period IRR between -99.9 % and +99,900 %, ascending.

    The NPV is scanned on a grid of log(1 + r) for sign changes and each bracket is bisected,
    so no starting guess can diverge. Flows that change sign more than once can have several.
    """
    if not any(cf > 0 for cf in cash_flows) or not any(cf < 0 for cf in cash_flows):
        return []
    horizon = max(len(cash_flows) - 1, 1)
    low = -min(_IRR_MAX_LOG, 700 / horizon)  # keeps exp() finite for the longest flow
    step = (_IRR_MAX_LOG - low) / _IRR_GRID_POINTS
    grid = [low + i * step for i in range(_IRR_GRID_POINTS + 1)]

    def f(u: float) -> float:
        return _npv_log(u, cash_flows)

    values = [f(u) for u in grid]
    roots = [u for u, v in zip(grid, values, strict=True) if v == 0]
    for i in range(len(grid) - 1):
        if values[i] * values[i + 1] < 0:
            roots.append(_bisect(f, grid[i], grid[i + 1]))
    return sorted(math.exp(u) - 1 for u in roots)


def irr_with_reason(cash_flows: Sequence[float]) -> tuple[float | None, str | None]:
    """Return the per-period IRR closest to 0 (as numpy_financial), or None with the reason."""
    if not any(cf > 0 for cf in cash_flows) or not any(cf < 0 for cf in cash_flows):
        return None, "the cash flows never change sign, so no IRR exists"
    rates = irr_roots(cash_flows)
    if not rates:
        return None, "the NPV has no zero between -99.9 % and +99,900 % per month"
    return min(rates, key=abs), None


def irr(cash_flows: Sequence[float]) -> float | None:
    """Return the per-period internal rate of return, or None when none exists."""
    return irr_with_reason(cash_flows)[0]


def _interpolated_recovery(cumulative: Sequence[float]) -> float | None:
    """Return the fractional period in which the running total turns non-negative for good.

    As textbooks state payback: the last period still short, plus the share of the next
    period's cash flow needed to close the gap (cash assumed to arrive evenly within it).
    """
    t = _recovered_from(cumulative)
    if t is None or t == 0:
        return None if t is None else 0.0
    short, flow = -cumulative[t - 1], cumulative[t] - cumulative[t - 1]
    return (t - 1) + short / flow


def _recovered_from(cumulative: Sequence[float]) -> int | None:
    """Return the first index from which the running total stays at or above zero."""
    month = None
    for t, value in enumerate(cumulative):
        if value < 0:
            month = None
        elif month is None:
            month = t
    return month


def payback_period(cash_flows: Sequence[float]) -> float | None:
    """Return the periods until the cumulative cash flow is back to zero for good, or None."""
    total, cumulative = 0.0, []
    for cf in cash_flows:
        total += cf
        cumulative.append(total)
    return _interpolated_recovery(cumulative)


def discounted_payback_period(rate: float, cash_flows: Sequence[float]) -> float | None:
    """Return the payback month of the cash flows discounted at the per-period rate, or None."""
    return payback_period([cf / (1 + rate) ** t for t, cf in enumerate(cash_flows)])


def _benefit(inputs: RoiInputs, scenario: Scenario) -> float:
    """Return the scenario's monthly benefit once its value is realised."""
    extra_revenue = inputs.baseline_monthly_revenue * scenario.revenue_growth_pct / 100
    return extra_revenue + scenario.cost_savings_per_month


def scenario_cash_flows(inputs: RoiInputs, scenario: Scenario) -> list[float]:
    """Return the monthly cash flows of one scenario, month 0 first."""
    running = _infrastructure(inputs) + inputs.operational_cost_per_month
    benefit = _benefit(inputs, scenario)
    flows = [-(inputs.development_cost + inputs.training_cost)]
    for t in range(1, inputs.timeframe_months + 1):
        flows.append(-running + (benefit if t > scenario.time_to_value_months else 0.0))
    return flows


def _weights(inputs: RoiInputs) -> list[float]:
    """Return the scenario probabilities as fractions that sum to exactly 1."""
    total = sum(s.probability_pct for s in inputs.scenarios)
    return [s.probability_pct / total if total else 0.0 for s in inputs.scenarios]


def _expected_flows(inputs: RoiInputs) -> list[float]:
    """Return the probability-weighted monthly cash flows."""
    expected = [0.0] * (inputs.timeframe_months + 1)
    for weight, scenario in zip(_weights(inputs), inputs.scenarios, strict=True):
        for t, cf in enumerate(scenario_cash_flows(inputs, scenario)):
            expected[t] += weight * cf
    return expected


def _annualised_pct(rate: float) -> float:
    return ((1 + rate) ** 12 - 1) * 100


def _annual_irr(cash_flows: Sequence[float], label: str, notes: list[str]) -> float | None:
    """Return the annualised IRR in percent, noting why it is missing or not unique."""
    rate, reason = irr_with_reason(cash_flows)
    if rate is None:
        notes.append(f"{label}: no IRR, {reason}")
        return None
    roots = irr_roots(cash_flows)
    if len(roots) > 1:
        shown = " and ".join(f"{_annualised_pct(r):,.1f} %" for r in roots)
        notes.append(f"{label}: the cash flows change sign more than once and have {len(roots)} "
                     f"IRRs ({shown} a year); the one closest to 0 is shown, but no IRR ranks "
                     f"this investment: judge it by NPV")
    return _annualised_pct(rate)


def _scenario_result(inputs: RoiInputs, scenario: Scenario) -> ScenarioResult:
    """Return one scenario's cash flows, NPV, IRR, payback and undiscounted ROI."""
    flows = scenario_cash_flows(inputs, scenario)
    rate = monthly_rate(inputs.annual_discount_rate_pct)
    months_with_value = max(inputs.timeframe_months - scenario.time_to_value_months, 0)
    total_benefit = _benefit(inputs, scenario) * months_with_value
    total_cost = (inputs.development_cost + inputs.training_cost + inputs.timeframe_months
                  * (_infrastructure(inputs) + inputs.operational_cost_per_month))
    notes: list[str] = []
    if months_with_value == 0:
        notes.append(f"{scenario.name}: time to value ({scenario.time_to_value_months} months) "
                     f"is not shorter than the timeframe, so no benefit falls inside it")
    if total_cost == 0:
        notes.append(f"{scenario.name}: no ROI in %, the total cost is zero")
    return ScenarioResult(
        name=scenario.name, probability_pct=scenario.probability_pct, monthly_cash_flows=flows,
        npv=npv(rate, flows), irr_annual_pct=_annual_irr(flows, scenario.name, notes),
        payback_month=payback_period(flows),
        discounted_payback_month=discounted_payback_period(rate, flows),
        total_benefit=total_benefit, total_cost=total_cost,
        roi_pct=(total_benefit - total_cost) / total_cost * 100 if total_cost else None,
        notes=notes)


def _scaled(inputs: RoiInputs, variable: str, factor: float) -> RoiInputs:
    """Return a copy of the inputs with one variable (or all scenarios' field) scaled."""
    if variable in RoiInputs.model_fields:
        return inputs.model_copy(update={variable: getattr(inputs, variable) * factor})
    scenarios = [s.model_copy(update={variable: getattr(s, variable) * factor})
                 for s in inputs.scenarios]
    return inputs.model_copy(update={"scenarios": scenarios})


def sensitivity(inputs: RoiInputs) -> list[SensitivityRow]:
    """Return the expected NPV with each key variable changed by -20 % and +20 %."""
    rate = monthly_rate(inputs.annual_discount_rate_pct)
    base = npv(rate, _expected_flows(inputs))
    variables = ("infrastructure_cost_per_month", "operational_cost_per_month",
                 "development_cost", "revenue_growth_pct", "cost_savings_per_month")
    rows = []
    for variable in variables:
        for change in SENSITIVITY_STEPS_PCT:
            value = npv(rate, _expected_flows(_scaled(inputs, variable, 1 + change / 100)))
            rows.append(SensitivityRow(variable=variable, change_pct=change, npv=value,
                                       npv_delta=value - base))
    return rows


def _break_even(expected: Sequence[float]) -> int | None:
    """Return the first month from which the expected monthly cash flow stays non-negative."""
    month = _recovered_from(expected[1:])
    return None if month is None else month + 1


def _quarterly(expected: Sequence[float]) -> list[float]:
    """Return the net expected cash flow per quarter; month 0 counts in the first quarter."""
    quarters = [0.0] * math.ceil((len(expected) - 1) / 3)
    for t, cf in enumerate(expected):
        quarters[max(t - 1, 0) // 3] += cf
    return quarters


def _infrastructure(inputs: RoiInputs) -> float:
    """The monthly infrastructure cost, which must be known before any figure is computed."""
    if inputs.infrastructure_cost_per_month is None:
        raise ValueError("infrastructure_cost_per_month is not set: give it in the intake or let "
                         "the review fill it from the roadmap's computed cost")
    return inputs.infrastructure_cost_per_month


def infrastructure_disagreement(given: float, computed: float, currency: str) -> str | None:
    """Say so when the intake's infrastructure cost and the roadmap's delta differ by > 20 %."""
    gap = abs(given - computed)
    if gap <= INFRASTRUCTURE_DISAGREEMENT_PCT / 100 * max(abs(computed), abs(given)) or gap < 1:
        return None
    return (f"the intake's infrastructure cost ({given:,.0f} {currency}/month) and the "
            f"roadmap's computed monthly cost delta ({computed:,.0f} {currency}/month) differ by "
            f"more than {INFRASTRUCTURE_DISAGREEMENT_PCT:g} %; the figures use the intake's, "
            f"check which one is right")


def compute_roi(inputs: RoiInputs, computed_infrastructure: float | None = None) -> RoiResult:
    """Return the whole business case for the inputs, deterministically.

    `computed_infrastructure` is the roadmap's monthly cost delta in the inputs' currency; when
    the intake gives its own figure, a large gap between the two is noted with both.
    """
    rate = monthly_rate(inputs.annual_discount_rate_pct)
    scenarios = [_scenario_result(inputs, s) for s in inputs.scenarios]
    expected = _expected_flows(inputs)
    notes = [note for s in scenarios for note in s.notes]
    total = sum(s.probability_pct for s in inputs.scenarios)
    if total != 100:
        notes.append(f"scenario probabilities sum to {total:g} %, weights were rescaled to 100 %")
    given = inputs.infrastructure_cost_per_month
    if computed_infrastructure is not None and given is not None:
        gap = infrastructure_disagreement(given, computed_infrastructure, inputs.currency)
        notes.extend([gap] if gap else [])
    return RoiResult(
        currency=inputs.currency, scenarios=scenarios,
        expected_npv=sum(w * s.npv for w, s in zip(_weights(inputs), scenarios, strict=True)),
        expected_cash_flows=expected, break_even_month=_break_even(expected),
        expected_payback_month=payback_period(expected),
        expected_discounted_payback_month=discounted_payback_period(rate, expected),
        expected_irr_annual_pct=_annual_irr(expected, "expected cash flows", notes),
        expected_irr_roots_annual_pct=[_annualised_pct(r) for r in irr_roots(expected)],
        quarterly_net=_quarterly(expected), sensitivity=sensitivity(inputs),
        formulas=dict(FORMULAS), notes=notes)
