"""The intake's `business` section: the scaling investment and its business scenarios.

The business case (`planning.business_case`) computes NPV, IRR and payback from these inputs.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

PROBABILITY_TOLERANCE_PCT = 0.5
MAX_AMOUNT = 1e15  # bounds keep NPV and IRR finite; far beyond any real business case
MAX_PCT = 100_000.0


class Scenario(BaseModel):
    """One business projection: how likely it is and what it brings once value is realised."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    name: str = Field(min_length=1, description="Scenario name, e.g. conservative, expected.")
    probability_pct: float = Field(ge=0, le=100, description="Probability of this scenario in %; "
                                   "all scenarios together must sum to 100.")
    revenue_growth_pct: float = Field(default=0, ge=-100, le=MAX_PCT,
                                      description="Extra monthly revenue in % of "
                                      "baseline_monthly_revenue once value is realised.")
    cost_savings_per_month: float = Field(default=0, ge=0, le=MAX_AMOUNT,
                                          description="Costs saved per month "
                                          "once value is realised, in the inputs' currency.")
    time_to_value_months: int = Field(default=0, ge=0, le=120, description="Months until value is "
                                      "realised; benefits start in the month after this many.")
    user_growth_pct: float = Field(default=0, ge=-100, le=MAX_PCT,
                                   description="Expected user growth in %. Context only the "
                                   "LLM reads: the cash flows use revenue and savings.")


class RoiInputs(BaseModel):
    """The scaling investment and its business projections (intake section `business`)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$",
                          description="ISO 4217 currency code of every amount, e.g. EUR, USD.")
    infrastructure_cost_per_month: float | None = Field(
        default=None, ge=0, le=MAX_AMOUNT,
            description="Additional monthly infrastructure cost of the scaling "
        "investment; when omitted, the review uses the roadmap's computed monthly cost delta.")
    operational_cost_per_month: float = Field(ge=0, le=MAX_AMOUNT,
                                              description="Additional monthly operational "
                                              "cost (people, tools, support).")
    development_cost: float = Field(ge=0, le=MAX_AMOUNT,
                                    description="One-time development cost, paid in month 0.")
    training_cost: float = Field(ge=0, le=MAX_AMOUNT,
                                 description="One-time training cost, paid in month 0.")
    baseline_monthly_revenue: float = Field(default=0, ge=0, le=MAX_AMOUNT,
                                            description="Today's monthly revenue; "
                                            "scenarios' revenue growth is a percentage of it.")
    annual_discount_rate_pct: float = Field(default=10, gt=-100, le=1000,
                                            description="Annual discount "
                                            "rate in % for NPV, compounded to a monthly rate.")
    timeframe_months: int = Field(default=24, ge=1, le=120,
                                  description="Months the business case covers (1-120).")
    scenarios: list[Scenario] = Field(min_length=1, max_length=20,
                                      description="Business projections; their "
                                      "probabilities must sum to 100.")

    @model_validator(mode="after")
    def _probabilities_sum_to_100(self) -> RoiInputs:
        total = sum(s.probability_pct for s in self.scenarios)
        if abs(total - 100) > PROBABILITY_TOLERANCE_PCT:
            raise ValueError(f"scenario probabilities must sum to 100 % (± "
                             f"{PROBABILITY_TOLERANCE_PCT}), got {total:g} %")
        return self
