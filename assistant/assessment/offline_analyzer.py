"""The offline analyzer: every LLM section, written deterministically from the computed facts.

With no key and no network this is what the report shows; with an LLM it is what a section
falls back to when the model's answer cannot be validated or grounded. Each builder returns the
same schema the LLM must fill, so the report has one shape whatever produced it.
"""

from __future__ import annotations

from assistant.assessment.model import Facts, SectionSource
from assistant.assessment.sections import (
    Advice,
    AdviceList,
    Bottleneck,
    BottleneckAnalysis,
    ConfigurationAssessment,
    CostPerformanceReview,
    RoiCase,
)
from assistant.i18n.messages import Messages

MAX_BOTTLENECKS = 5


def bottlenecks(review: Facts) -> BottleneckAnalysis:
    """Rank bottlenecks by the rule engine's order (severity, then breaking month)."""
    text = Messages(review.language)
    ranked = [f for f in review.findings if f.severity in {"critical", "high"}][:MAX_BOTTLENECKS]
    ranked = ranked or review.findings[:MAX_BOTTLENECKS]
    items = [Bottleneck(
        rank=i, title=text.t(f"rule.{f.rule_id}.title", **f.params)[:120],
        component_ids=f.components or [review.intake.components[0].id], finding_ids=[f.id],
        pattern_ids=f.patterns, breaking_month=f.breaking_month,
        why_it_matters=text.t(f"rule.{f.rule_id}.summary", **f.params)[:800],
        quick_win=f.rule_id in {"connection-pool-exhaustion", "no-rate-limiting", "no-cdn",
                                "monitoring-missing"})
        for i, f in enumerate(ranked, start=1)]
    first = review.capacity.first_break
    summary = (text.t("summary.first_break", subject=first.subject, members=", ".join(
        first.members), resource=first.resource, threshold=first.threshold_pct,
        month=first.month, rps=first.peak_rps_at_break, users=first.users_at_break)
        if first else text.t("summary.no_break", month=review.intake.targets.target_month))
    return BottleneckAnalysis(
        summary=summary.replace("**", "")[:1500], bottlenecks=items or [_placeholder(review)],
        spof_component_ids=sorted({m for u in review.capacity.availability.spofs
                                   for m in u.members}),
        risks=[text.t(f"rule.{f.rule_id}.title", **f.params)[:200]
               for f in review.findings if f.severity == "critical"][:8])


def _placeholder(review: Facts) -> Bottleneck:
    component = review.intake.components[0].id
    return Bottleneck(rank=1, title="No bottleneck before the target", component_ids=[component],
                      finding_ids=[], pattern_ids=["capacity-planning"], breaking_month=None,
                      why_it_matters="Nothing crosses its threshold before the target month.",
                      quick_win=False)


def cost_performance(review: Facts) -> CostPerformanceReview:
    """Rank configurations by how few goals they miss, then by cost."""
    ordered = sorted(review.configurations, key=lambda c: (len(c.misses), c.monthly_cost))
    assessments = [ConfigurationAssessment(
        name=c.name, rank=i, monthly_cost=c.monthly_cost,
        rationale=(f"Misses: {'; '.join(c.misses)}." if c.misses else
                   "Meets the latency goal, the uptime target and the budget.")
        + f" Monthly cost {c.monthly_cost:,.0f} {c.currency}, effort {c.effort_weeks:g} "
          "person-weeks.",
        risks=c.misses[:5]) for i, c in enumerate(ordered, start=1)]
    best = ordered[0]
    return CostPerformanceReview(
        recommended=best.name,
        assessments=assessments,
        trade_off=(f"Ranked by goals missed, then by monthly cost; {best.name} misses "
                   f"{len(best.misses)} goal(s) at {best.monthly_cost:,.0f} {best.currency}."))


def roi_case(review: Facts) -> RoiCase:
    """State the computed figures and a rule-based recommendation."""
    roi = review.roi
    if roi is None:
        return RoiCase(
            executive_summary="The intake gives no business figures, so no return on the "
                              "scaling investment is computed.",
            recommendation="insufficient data", risk_level="medium", npv=None,
            irr_annual_pct=None, payback_month=None, value_drivers=[])
    positive = roi.expected_npv > 0
    recommendation = "invest" if positive and roi.expected_payback_month else "defer"
    return RoiCase(
        executive_summary=(f"Risk-adjusted NPV {roi.expected_npv:,.0f} {roi.currency} over the "
                           f"timeframe; payback after {roi.expected_payback_month:.1f} months."
                           if roi.expected_payback_month else
                           f"Risk-adjusted NPV {roi.expected_npv:,.0f} {roi.currency}; the "
                           "investment does not pay back within the timeframe."),
        recommendation=recommendation, risk_level="low" if positive else "high",
        npv=round(roi.expected_npv, 2), irr_annual_pct=roi.expected_irr_annual_pct,
        payback_month=roi.expected_payback_month,
        value_drivers=[s.name for s in roi.scenarios][:6])


def advice(review: Facts, patterns: frozenset[str], summary: str) -> AdviceList:
    """Recommendations from the findings whose fixing patterns belong to one area."""
    relevant = [f for f in review.findings if patterns & set(f.patterns)]
    text = Messages(review.language)
    items = [Advice(
        title=text.t(f"rule.{f.rule_id}.title", **f.params)[:120], component_ids=f.components,
        pattern_ids=f.patterns, priority="now" if f.severity == "critical" else
        "next" if f.severity == "high" else "later",
        impact="high" if f.severity in {"critical", "high"} else "medium",
        effort="medium", detail=text.t(f"rule.{f.rule_id}.summary", **f.params)[:800])
        for f in relevant[:10]]
    if not items:
        component = review.intake.components[0].id
        items = [Advice(title=text.t("advice.none.title"), component_ids=[component],
                        pattern_ids=["capacity-planning"], priority="later", impact="low",
                        effort="low", detail=text.t("advice.none.detail"))]
    return AdviceList(summary=summary, advice=items)


AREA_PATTERNS: dict[str, frozenset[str]] = {
    "database": frozenset({"read-replicas", "sharding", "table-partitioning", "indexing",
                           "query-optimization", "connection-pooling", "database-separation",
                           "backup-disaster-recovery", "data-archiving", "materialized-views"}),
    "performance_audit": frozenset({"performance-budgets", "query-optimization", "indexing",
                                    "multi-layer-caching", "cdn", "response-compression",
                                    "frontend-optimization", "cursor-pagination",
                                    "horizontal-autoscaling", "vertical-scaling"}),
    "caching": frozenset({"multi-layer-caching", "distributed-cache", "cache-invalidation",
                          "cache-warming", "cdn", "stateless-sessions"}),
}


def advice_steps(review: Facts) -> list[str]:
    """The focused audits the intake has details for (database, performance, caching)."""
    steps = []
    if any(c.kind == "db" for c in review.intake.components):
        steps.append("database")
    if review.intake.endpoints or review.intake.current.avg_response_time_ms:
        steps.append("performance_audit")
    if review.intake.endpoints:
        steps.append("caching")
    return steps


def offline_advice(review: Facts, step: str) -> AdviceList:
    """The offline analyzer's answer for one focused audit."""
    summary = Messages(review.language).t(f"advice.summary.{step}")
    return advice(review, AREA_PATTERNS[step], summary)


def offline_sections(review: Facts) -> dict[str, object]:
    """Every judgment section as the offline analyzer writes it, with its source marked."""
    steps = ["bottlenecks", "cost_performance", "roadmap", "roi", *advice_steps(review)]
    return {
        "analysis": bottlenecks(review), "cost_review": cost_performance(review),
        "roadmap_plan": None, "roi_case": roi_case(review),
        "advice": {step: offline_advice(review, step) for step in advice_steps(review)},
        "sections": {step: SectionSource(source="offline") for step in steps},
    }
