"""The business case: every figure checked by hand or against numpy_financial, never itself."""

from __future__ import annotations

import math

import numpy_financial as npf
import pytest
from pydantic import ValidationError

import assistant.planning.business_case as bc
from assistant.intake.business import RoiInputs, Scenario
from assistant.planning.business_case import (
    compute_roi,
    discounted_payback_period,
    irr,
    monthly_rate,
    npv,
    payback_period,
)


def inputs(**overrides: object) -> RoiInputs:
    """Return the hand-worked example below, with any field replaced."""
    base: dict[str, object] = {
        "infrastructure_cost_per_month": 500, "operational_cost_per_month": 500,
        "development_cost": 10_000, "training_cost": 2_000, "baseline_monthly_revenue": 100_000,
        "annual_discount_rate_pct": 0, "timeframe_months": 12,
        "scenarios": [{"name": "expected", "probability_pct": 100, "revenue_growth_pct": 5,
                       "cost_savings_per_month": 1_000, "time_to_value_months": 2}],
    }
    return RoiInputs.model_validate({**base, **overrides})


def spec_flows(one_time: float, running: float, benefit: float, delay: int, months: int
               ) -> list[float]:
    """Write the brief's cash-flow convention out independently of the module."""
    return [-one_time] + [-running + (benefit if t > delay else 0) for t in range(1, months + 1)]


def annualised_pct(rate_per_month: float) -> float:
    return ((1 + rate_per_month) ** 12 - 1) * 100


# --- plain functions -----------------------------------------------------------------------


def test_monthly_rate_compounds_to_the_annual_rate() -> None:
    # 1.10 ** (1/12) = 1.0079741404...: twelve months of it give back exactly 10 % a year
    assert monthly_rate(10) == pytest.approx(0.0079741404, abs=1e-10)
    assert (1 + monthly_rate(10)) ** 12 == pytest.approx(1.10)
    assert monthly_rate(0) == 0


def test_npv_hand_worked_three_year_annuity() -> None:
    # -1000 now, 500 at the end of each of three years, 10 % a year:
    # 500/1.1 = 454.5455, 500/1.21 = 413.2231, 500/1.331 = 375.6574
    # sum 1243.4260 - 1000 = 243.4260
    assert npv(0.10, [-1000, 500, 500, 500]) == pytest.approx(243.4260, abs=1e-4)


def test_irr_hand_worked_and_published() -> None:
    # -100 now and 121 two periods later: (1 + r)^2 = 1.21, so r = 10 % exactly
    assert irr([-100, 0, 121]) == pytest.approx(0.10, abs=1e-10)
    # -100 now and 110 one period later: 1 + r = 1.1
    assert irr([-100, 110]) == pytest.approx(0.10, abs=1e-10)
    # numpy-financial's documented example: round(npf.irr([-100, 39, 59, 55, 20]), 5) == 0.28095
    assert round(irr([-100, 39, 59, 55, 20]), 5) == 0.28095
    # and its NPV at that rate is about zero (docs: npv(0.281, ...) = -0.0084785916384548798)
    assert npv(0.281, [-100, 39, 59, 55, 20]) == pytest.approx(-0.0084785916384548798, abs=1e-9)


def test_irr_with_two_roots_returns_the_one_closest_to_zero() -> None:
    # -100 + 230/(1+r) - 132/(1+r)^2 = 0  <=>  100 x^2 - 230 x + 132 = 0 with x = 1 + r
    # x = (230 ± sqrt(52900 - 52800)) / 200 = (230 ± 10) / 200 = 1.1 or 1.2: r = 10 % or 20 %
    assert irr([-100, 230, -132]) == pytest.approx(0.10, abs=1e-10)


SHAPES = {
    "conventional": [-1000.0] + [120.0] * 12,
    "slow payback over ten years": [-50_000.0] + [450.0] * 120,
    "time to value delay": spec_flows(12_000, 1_000, 6_000, 4, 24),
    "losing investment": [-1000.0] + [60.0] * 12,
    "all negative": spec_flows(5_000, 300, 0, 0, 12),
    "multiple sign changes": [-100.0, 230.0, -132.0],
    "all positive": [10.0, 5.0, 5.0],
}


@pytest.mark.parametrize("flows", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("rate", [0.0, monthly_rate(10), monthly_rate(-5), 0.05])
def test_npv_matches_numpy_financial(flows: list[float], rate: float) -> None:
    assert npv(rate, flows) == pytest.approx(npf.npv(rate, flows), rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("flows", SHAPES.values(), ids=SHAPES.keys())
def test_irr_matches_numpy_financial(flows: list[float]) -> None:
    expected = float(npf.irr(flows))
    ours = irr(flows)
    if math.isnan(expected):
        assert ours is None
    else:
        assert ours == pytest.approx(expected, rel=1e-7, abs=1e-9)


def test_irr_is_none_without_a_sign_change() -> None:
    assert irr([-5.0, -1.0, -1.0]) is None
    assert irr([0.0, 0.0]) is None
    assert irr([3.0, 1.0]) is None


def test_payback_on_hand_checkable_flows() -> None:
    # cumulative -100, -50, 0, 50: recovered in period 2 (0 counts as recovered)
    assert payback_period([-100, 50, 50, 50]) == 2
    # discounted at 10 %: 45.45, 41.32, 37.57 -> cumulative -54.55, -13.22, +24.34: within
    # period 3, 13.22 of its 37.57 in: 2 + 13.22 / 37.57 = 2.352
    assert discounted_payback_period(0.10, [-100, 50, 50, 50]) == pytest.approx(2.352, abs=1e-3)
    assert payback_period([-100, 10, 10]) is None
    assert discounted_payback_period(0.10, [-100, 50, 50]) is None  # 45.45 + 41.32 < 100
    assert payback_period([0, 0]) == 0


def test_payback_waits_until_the_investment_stays_recovered() -> None:
    # cumulative -100, 50, -10, 10: positive in period 1, negative again, recovered for good
    # within period 3: 2 + 10 / 20
    assert payback_period([-100, 150, -60, 20]) == pytest.approx(2.5)
    # recovered then lost by the end: no payback within the horizon
    assert payback_period([-100, 150, -60]) is None


# --- the whole business case ----------------------------------------------------------------


def test_business_case_hand_worked() -> None:
    # one-time 10,000 + 2,000 = 12,000; running 500 + 500 = 1,000 a month;
    # benefit 100,000 * 5 % + 1,000 = 6,000 a month from month 3 (time to value 2)
    # flows: -12,000, -1,000, -1,000, then 5,000 for months 3..12
    # cumulative: -12,000, -13,000, -14,000, -9,000, -4,000, +1,000 -> back within month 5,
    # 4,000 of its 5,000 in: payback 4.8 months
    # benefit 10 * 6,000 = 60,000; cost 12,000 + 12 * 1,000 = 24,000; ROI 36,000 / 24,000 = 150 %
    result = compute_roi(inputs())
    (scenario,) = result.scenarios
    assert scenario.monthly_cash_flows == [-12_000, -1_000, -1_000] + [5_000] * 10
    assert scenario.npv == pytest.approx(36_000)  # 0 % discount: NPV is the plain sum
    assert scenario.payback_month == pytest.approx(4.8)
    assert scenario.discounted_payback_month == pytest.approx(4.8)
    assert scenario.total_benefit == pytest.approx(60_000)
    assert scenario.total_cost == pytest.approx(24_000)
    assert scenario.roi_pct == pytest.approx(150)
    assert result.break_even_month == 3  # first month whose own flow is >= 0
    # Q1 = months 0..3: -12,000 - 1,000 - 1,000 + 5,000 = -9,000; then 3 * 5,000 per quarter
    assert result.quarterly_net == pytest.approx([-9_000, 15_000, 15_000, 15_000])
    assert result.expected_npv == pytest.approx(36_000)
    assert result.currency == "EUR"
    assert {"npv", "irr", "payback", "break_even", "sensitivity"} <= result.formulas.keys()


def two_scenarios() -> RoiInputs:
    return inputs(annual_discount_rate_pct=8, timeframe_months=36, scenarios=[
        {"name": "pessimistic", "probability_pct": 30, "revenue_growth_pct": 1,
         "cost_savings_per_month": 200, "time_to_value_months": 9},
        {"name": "expected", "probability_pct": 50, "revenue_growth_pct": 3,
         "cost_savings_per_month": 800, "time_to_value_months": 4},
        {"name": "optimistic", "probability_pct": 20, "revenue_growth_pct": 6,
         "cost_savings_per_month": 1_500, "time_to_value_months": 2},
    ])


def test_scenarios_and_probability_weighting_match_numpy_financial() -> None:
    data = two_scenarios()
    rate = (1.08) ** (1 / 12) - 1
    # benefits: 100,000 * growth % + savings
    built = {
        "pessimistic": (0.3, spec_flows(12_000, 1_000, 1_000 + 200, 9, 36)),
        "expected": (0.5, spec_flows(12_000, 1_000, 3_000 + 800, 4, 36)),
        "optimistic": (0.2, spec_flows(12_000, 1_000, 6_000 + 1_500, 2, 36)),
    }
    result = compute_roi(data)
    for scenario in result.scenarios:
        weight, flows = built[scenario.name]
        assert scenario.monthly_cash_flows == pytest.approx(flows)
        assert scenario.npv == pytest.approx(npf.npv(rate, flows))
        assert scenario.irr_annual_pct == pytest.approx(annualised_pct(npf.irr(flows)))
        # cumulative flows only rise once benefits start, so the first crossing is the payback,
        # interpolated within its month
        crossing = next((t for t in range(37) if sum(flows[: t + 1]) >= 0), None)
        assert scenario.payback_month == (None if crossing is None else pytest.approx(
            crossing - 1 - sum(flows[:crossing]) / flows[crossing]))
    assert result.scenarios[0].payback_month is None  # -12,000 - 36,000 + 27 * 1,200 < 0
    assert result.scenarios[0].irr_annual_pct < 0
    expected_flows = [sum(w * f[t] for w, f in built.values()) for t in range(37)]
    assert result.expected_cash_flows == pytest.approx(expected_flows)
    assert result.expected_npv == pytest.approx(
        sum(w * npf.npv(rate, f) for w, f in built.values()))
    assert result.expected_npv == pytest.approx(npf.npv(rate, expected_flows))
    assert result.expected_irr_annual_pct == pytest.approx(
        annualised_pct(npf.irr(expected_flows)))
    discounted = [cf / (1 + rate) ** t for t, cf in enumerate(expected_flows)]
    cumulative = [sum(discounted[: t + 1]) for t in range(37)]
    t = next(t for t, c in enumerate(cumulative) if c >= 0)
    assert result.expected_discounted_payback_month == pytest.approx(
        t - 1 - cumulative[t - 1] / discounted[t])
    plain = [sum(expected_flows[: t + 1]) for t in range(37)]
    t = next(t for t, c in enumerate(plain) if c >= 0)
    assert result.expected_payback_month == pytest.approx(
        t - 1 - plain[t - 1] / expected_flows[t])
    assert result.expected_discounted_payback_month is not None
    assert sum(result.quarterly_net) == pytest.approx(sum(expected_flows))
    assert len(result.quarterly_net) == 12


def test_pessimistic_scenario_that_never_pays_back() -> None:
    data = inputs(scenarios=[{"name": "flop", "probability_pct": 100, "cost_savings_per_month": 0,
                              "time_to_value_months": 12}])
    result = compute_roi(data)
    (scenario,) = result.scenarios
    assert all(cf < 0 for cf in scenario.monthly_cash_flows)
    assert scenario.irr_annual_pct is None
    assert scenario.payback_month is None
    assert result.break_even_month is None
    assert result.expected_irr_annual_pct is None
    assert any("flop" in note and "IRR" in note for note in result.notes)
    assert scenario.roi_pct == pytest.approx(-100)  # no benefit at all: every euro lost


def test_sensitivity_moves_npv_the_right_way_and_by_the_right_amount() -> None:
    data = two_scenarios()
    result = compute_roi(data)
    rows = {(r.variable, r.change_pct): r for r in result.sensitivity}
    assert len(rows) == 10
    # +20 % of 500 infra = 100 more every month 1..36, discounted independently
    rate = (1.08) ** (1 / 12) - 1
    extra = npf.npv(rate, [0.0] + [-100.0] * 36)
    assert rows["infrastructure_cost_per_month", 20].npv_delta == pytest.approx(extra)
    assert rows["infrastructure_cost_per_month", 20].npv < result.expected_npv
    assert rows["operational_cost_per_month", -20].npv > result.expected_npv
    assert rows["development_cost", 20].npv_delta == pytest.approx(-2_000)  # month 0, undiscounted
    assert rows["revenue_growth_pct", 20].npv > result.expected_npv
    assert rows["cost_savings_per_month", -20].npv < result.expected_npv
    for row in result.sensitivity:
        assert row.npv - row.npv_delta == pytest.approx(result.expected_npv)


# --- validation -------------------------------------------------------------------------------


def test_probabilities_must_sum_to_100_and_the_error_says_the_sum() -> None:
    with pytest.raises(ValidationError, match=r"sum to 100.*got 90 %"):
        inputs(scenarios=[{"name": "a", "probability_pct": 60},
                          {"name": "b", "probability_pct": 30}])
    inputs(scenarios=[{"name": "a", "probability_pct": 60.3},
                      {"name": "b", "probability_pct": 40}])  # within ± 0.5


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra"):
        inputs(discount_rate=5)
    with pytest.raises(ValidationError, match="probabilty_pct"):
        Scenario.model_validate({"name": "a", "probabilty_pct": 100})


@pytest.mark.parametrize("field, value", [
    ("timeframe_months", 121), ("timeframe_months", 0), ("currency", "eur"),
    ("development_cost", -1), ("scenarios", []), ("infrastructure_cost_per_month", math.inf),
])
def test_out_of_range_inputs_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        inputs(**{field: value})


def test_fields_are_documented_for_the_intake_schema() -> None:
    for model in (RoiInputs, Scenario):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


# Published worked examples of payback, interpolated within the period (annual periods; the
# functions take any period). Each states its cash flows, rate and answer.
@pytest.mark.parametrize(("flows", "rate", "payback", "discounted"), [
    # gaodun.com/q/500s5h: 12 %, discounted payback 3 + 32,828.44 / 38,131.08 = 3.86 years
    ([-200_000, 60_000, 80_000, 70_000, 60_000, 50_000], 0.12, 2 + 60_000 / 70_000, 3.86),
    # justaaa.com/finance/509104: 15 %, discounted payback 1.86 years
    ([-8000, 4800, 5900, 6700, 8000], 0.15, 1 + 3200 / 5900, 1.86),
    # ixl.com worked answer: 11 %, discounted payback 3 + 10.4 / 69.17 = 3.15 years
    ([-210, 85, 75, 85, 105], 0.11, 2 + 50 / 85, 3.15),
    # scribd "Discounted Payback Period Solution": 8.5 %, discounted payback 3.41 years
    ([-150, 70, 55, 40, 25, 10], 0.085, 2 + 25 / 40, 3.41),
])
def test_payback_matches_published_worked_examples(
        flows: list[float], rate: float, payback: float, discounted: float) -> None:
    assert bc.payback_period(flows) == pytest.approx(payback, abs=0.005)
    assert bc.discounted_payback_period(rate, flows) == pytest.approx(discounted, abs=0.005)


def test_payback_that_is_lost_again_counts_from_the_last_recovery() -> None:
    # back at t=1, below zero at t=2, back for good within t=3: 2 + 5/10
    assert bc.payback_period([-10, 15, -10, 10]) == pytest.approx(2.5)


def test_two_irrs_are_both_named_in_a_warning() -> None:
    # Brealey, Myers & Allen, Principles of Corporate Finance: -1,600, +10,000, -10,000 has
    # IRRs of 25 % and 400 %.
    roots = bc.irr_roots([-1600, 10_000, -10_000])
    assert roots == [pytest.approx(0.25, abs=1e-6), pytest.approx(4.0, abs=1e-6)]
    notes: list[str] = []
    bc._annual_irr([-1600, 10_000, -10_000], "pump", notes)
    [note] = notes
    assert "2 IRRs" in note and "judge it by NPV" in note


def test_infrastructure_cost_far_from_the_roadmap_is_noted_with_both() -> None:
    note = bc.infrastructure_disagreement(1000, 5000, "EUR")
    assert note is not None and "1,000 EUR/month" in note and "5,000 EUR/month" in note
    assert bc.infrastructure_disagreement(1000, 1100, "EUR") is None
