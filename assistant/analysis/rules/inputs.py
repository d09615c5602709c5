"""Rules that check the team's figures against each other and against the model.

A measured figure the model also computes (uptime, traffic growth) or a figure that restates
another (daily requests and requests per second) is compared, never dropped: when they disagree
the report says so with both numbers, because one of them is wrong and every figure built on it
inherits the error. The fix is to correct an input, so the cards they cite are about measuring:
capacity planning for load figures, monitoring and incident response for uptime.
"""

from __future__ import annotations

from assistant.analysis.rules.finding import Evidence, Finding
from assistant.analysis.rules.registry import Rule, RuleContext, rule
from assistant.capacity.growth import GrowthModel
from assistant.intake.schema import Intake

SECONDS_PER_DAY = 86_400
DAILY_TOLERANCE = 0.25  # daily requests / 86,400 may differ from the average rate by a quarter
GROWTH_TOLERANCE = 0.20  # the seeds' 20 % band for a stated figure against a computed one


def implied_traffic_growth_pct(intake: Intake) -> float:
    """The yearly request growth the curve from today to the target implies, in %."""
    growth = GrowthModel(intake)
    return ((growth.rps(growth.end_month) / growth.rps(0)) ** (12 / growth.end_month) - 1) * 100


def traffic_growth_agrees(intake: Intake) -> bool | None:
    """Whether the stated yearly traffic growth matches the targets' curve (None: not stated)."""
    given = intake.growth.expected_traffic_growth_pct
    if given is None:
        return None
    implied = implied_traffic_growth_pct(intake)
    return abs(implied - given) <= GROWTH_TOLERANCE * max(abs(given), 1)


@rule("daily-requests-disagree", "low", ["capacity-planning"])
def daily_requests_disagree(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag daily requests that do not match the average request rate the model runs on."""
    current = ctx.intake.current
    if current.daily_requests is None:
        return []
    daily_rps = current.daily_requests / SECONDS_PER_DAY
    if abs(daily_rps - current.requests_per_second) <= DAILY_TOLERANCE * \
            current.requests_per_second:
        return []
    return [meta.finding(
        [c.id for c in ctx.intake.components], breaking_month=0.0,
        daily_rps=round(daily_rps, 2), rps=current.requests_per_second,
        evidence=[Evidence(label="evidence.daily_rps", value=round(daily_rps, 2), unit="rps",
                           source="current.daily_requests / 86,400"),
                  Evidence(label="evidence.current_rps", value=current.requests_per_second,
                           unit="rps", source="current.requests_per_second")])]


@rule("uptime-below-model", "medium", ["incident-response", "monitoring-metrics"])
def uptime_below_model(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a measured uptime below the modelled availability: the model misses failure causes.

    The model counts instance failures only; deploys, incidents and dependencies outside it
    cost uptime too, so every availability figure in the report is optimistic by the gap.
    """
    measured = ctx.intake.current.uptime_pct
    report = ctx.capacity.availability
    if measured is None or measured >= report.path_availability_pct:
        return []
    return [meta.finding(
        sorted({m for u in report.units for m in u.members}), breaking_month=0.0,
        measured=measured, modelled=report.path_availability_pct,
        evidence=[Evidence(label="evidence.measured_uptime", value=measured, unit="%",
                           source="current.uptime_pct"),
                  Evidence(label="evidence.path_availability",
                           value=report.path_availability_pct, unit="%",
                           source=report.formula)])]


@rule("traffic-growth-disagrees", "low", ["capacity-planning"])
def traffic_growth_disagrees(ctx: RuleContext, meta: Rule) -> list[Finding]:
    """Flag a stated yearly traffic growth the targets' curve does not follow.

    The curve comes from today's load and the targets; a growth figure that differs by more
    than a fifth means the targets or the growth expectation is off.
    """
    if traffic_growth_agrees(ctx.intake) is not False:
        return []
    given = ctx.intake.growth.expected_traffic_growth_pct or 0.0
    implied = implied_traffic_growth_pct(ctx.intake)
    return [meta.finding(
        [c.id for c in ctx.intake.components], given=given, implied=round(implied, 1),
        evidence=[Evidence(label="evidence.growth_given", value=given, unit="%",
                           source="growth.expected_traffic_growth_pct"),
                  Evidence(label="evidence.growth_implied", value=round(implied, 1), unit="%",
                           source="(rps(target) / rps(now)) ** (12 / target_month) - 1")])]
