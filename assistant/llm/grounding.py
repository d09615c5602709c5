"""Grounding checks: every id an LLM answer names must exist, every figure it copies must match.

Each check returns a list of problems in plain words; an empty list means grounded. Financial
figures are not rejected but reconciled: ours replace the model's and the difference is flagged
(`reconcile_roi`), because the tool, not the model, owns the arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.assessment.model import Facts
from assistant.assessment.sections import (
    AdviceList,
    BottleneckAnalysis,
    CostPerformanceReview,
    RoadmapPlan,
    RoiCase,
)

MONTH_TOLERANCE = 0.15
RELATIVE_TOLERANCE = 0.01


@dataclass(frozen=True)
class Known:
    """The ids and figures an answer may refer to."""

    components: frozenset[str]
    findings: frozenset[str]
    patterns: frozenset[str]
    review: Facts

    @classmethod
    def of(cls, review: Facts, pattern_ids: Iterable[str]) -> Known:
        """Collect what one review makes referable."""
        return cls(frozenset(c.id for c in review.intake.components),
                   frozenset(f.id for f in review.findings), frozenset(pattern_ids), review)

    def unknown(self, kind: str, ids: Iterable[str], where: str) -> list[str]:
        """Problems for ids not in the known set of this kind."""
        pool: frozenset[str] = getattr(self, kind)
        return [f"{where}: unknown {kind[:-1]} id '{i}' (known: {', '.join(sorted(pool))})"
                for i in ids if i not in pool]


def close(ours: float | None, theirs: float | None, absolute: float = 0.0) -> bool:
    """True when two figures agree within tolerance (both absent counts as agreement)."""
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return math.isclose(ours, theirs, rel_tol=RELATIVE_TOLERANCE, abs_tol=absolute)


def check_bottlenecks(answer: BottleneckAnalysis, known: Known) -> list[str]:
    """Ids exist; each quoted breaking month is one the facts give for those findings."""
    problems: list[str] = []
    findings = {f.id: f for f in known.review.findings}
    for b in answer.bottlenecks:
        where = f"bottleneck {b.rank}"
        problems += known.unknown("components", b.component_ids, where)
        problems += known.unknown("findings", b.finding_ids, where)
        problems += known.unknown("patterns", b.pattern_ids, where)
        months = [findings[f].breaking_month for f in b.finding_ids if f in findings]
        if b.breaking_month is not None and not any(
                close(m, b.breaking_month, MONTH_TOLERANCE) for m in months if m is not None):
            quoted = ", ".join(f"{m:g}" for m in months if m is not None) or "none"
            problems.append(f"{where}: breaking_month {b.breaking_month:g} does not match the "
                            f"computed months of its findings ({quoted})")
    problems += known.unknown("components", answer.spof_component_ids, "spof_component_ids")
    ranks = [b.rank for b in answer.bottlenecks]
    if sorted(ranks) != list(range(1, len(ranks) + 1)):
        problems.append(f"ranks must be 1..{len(ranks)} without gaps, got {ranks}")
    return problems + bottleneck_order_problems(answer, known)


#: The computed severities from most to least severe (the rule engine's order).
SEVERITY_ORDER = ("critical", "high", "medium", "low")


def bottleneck_order_problems(answer: BottleneckAnalysis, known: Known) -> list[str]:
    """The ranking must not contradict the computed severities of the cited findings.

    A bottleneck's computed severity is the highest of its findings'; one ranked above another
    must not be strictly less severe. Within one severity the order is the model's judgment.
    """
    findings = {f.id: f for f in known.review.findings}
    ranked = []
    for b in sorted(answer.bottlenecks, key=lambda item: item.rank):
        levels = [SEVERITY_ORDER.index(findings[f].severity) for f in b.finding_ids
                  if f in findings]
        if levels:
            ranked.append((b.rank, min(levels)))
    problems = []
    for (rank, level), (lower_rank, lower_level) in zip(ranked, ranked[1:], strict=False):
        if level > lower_level:
            problems.append(
                f"bottleneck {rank} ({SEVERITY_ORDER[level]}) is ranked above bottleneck "
                f"{lower_rank} ({SEVERITY_ORDER[lower_level]}): the computed severities of "
                "their findings order them the other way")
    return problems


def check_cost_performance(answer: CostPerformanceReview, known: Known) -> list[str]:
    """All three configurations, ranked once each, costs copied exactly."""
    ours = {c.name: c.monthly_cost for c in known.review.configurations}
    problems = []
    names = [a.name for a in answer.assessments]
    if sorted(names) != sorted(ours):
        problems.append(f"assess each configuration once: {sorted(ours)}, got {names}")
    if sorted(a.rank for a in answer.assessments) != [1, 2, 3]:
        problems.append("ranks must be 1, 2 and 3")
    for a in answer.assessments:
        if a.name in ours and not close(ours[a.name], a.monthly_cost, 1.0):
            problems.append(f"{a.name}: monthly_cost {a.monthly_cost:g} differs from the computed "
                            f"{ours[a.name]:g}")
    top = [a.name for a in answer.assessments if a.rank == 1]
    if top and answer.recommended != top[0]:
        problems.append(f"recommended is {answer.recommended} but rank 1 is {top[0]}")
    return problems + configuration_order_problems(answer, known)


def configuration_order_problems(answer: CostPerformanceReview, known: Known) -> list[str]:
    """A configuration that misses more goals must not rank above one that misses fewer.

    The number of goals missed is computed; between configurations missing as many, the
    ranking (cost against headroom) is the model's judgment.
    """
    misses = {c.name: len(c.misses) for c in known.review.configurations}
    ranked = sorted((a for a in answer.assessments if a.name in misses), key=lambda a: a.rank)
    return [f"{upper.name} (rank {upper.rank}) misses {misses[upper.name]} goal(s) but is ranked "
            f"above {lower.name} (rank {lower.rank}), which misses {misses[lower.name]}"
            for i, upper in enumerate(ranked) for lower in ranked[i + 1:]
            if misses[upper.name] > misses[lower.name]]


def check_roadmap(answer: RoadmapPlan, known: Known) -> list[str]:
    """Four distinct phases; every task's pattern, components and findings exist."""
    problems = []
    if sorted(p.number for p in answer.phases) != [1, 2, 3, 4]:
        problems.append("give each phase 1, 2, 3 and 4 exactly once")
    for phase in answer.phases:
        for index, task in enumerate(phase.tasks, start=1):
            where = f"phase {phase.number} task {index}"
            problems += known.unknown("patterns", [task.pattern_id], where)
            problems += known.unknown("components", task.component_ids, where)
            problems += known.unknown("findings", task.finding_ids, where)
    return problems


def check_advice(answer: AdviceList, known: Known) -> list[str]:
    """Every recommendation names existing components and pattern cards."""
    problems = []
    for index, advice in enumerate(answer.advice, start=1):
        problems += known.unknown("components", advice.component_ids, f"advice {index}")
        problems += known.unknown("patterns", advice.pattern_ids, f"advice {index}")
    return problems


def reconcile_roi(answer: RoiCase, known: Known) -> tuple[RoiCase, list[str]]:
    """Replace the model's financial figures with ours; return the flags for any difference."""
    roi = known.review.roi
    ours = {
        "npv": None if roi is None else round(roi.expected_npv, 2),
        "irr_annual_pct": None if roi is None else roi.expected_irr_annual_pct,
        "payback_month": None if roi is None else roi.expected_payback_month,
    }
    flags = []
    for name, value in ours.items():
        theirs = getattr(answer, name)
        if not close(value, theirs, 0.5):
            flags.append(f"roi.{name}: the model said {theirs}, the computed value is {value}; "
                         "the computed value is used")
    return answer.model_copy(update=ours), flags


def check_roi(answer: RoiCase, known: Known) -> list[str]:
    """The judgment the figures decide: risk level and recommendation.

    The risk level must be the one the computed case gives (the offline analyzer's rule on the
    computed NPV), and the recommendation must not contradict the figures: no business figures
    means "insufficient data"; "invest" needs a positive risk-adjusted NPV. The figures
    themselves are reconciled afterwards (`reconcile_roi`), not rejected.
    """
    from assistant.assessment.offline_analyzer import roi_case

    roi = known.review.roi
    expected = roi_case(known.review)
    problems = []
    if answer.risk_level != expected.risk_level:
        basis = ("no business figures were given" if roi is None else
                 f"the computed risk-adjusted NPV is {roi.expected_npv:,.0f} {roi.currency}")
        problems.append(f"risk_level {answer.risk_level!r} contradicts the computed risk "
                        f"{expected.risk_level!r} ({basis})")
    if roi is None and answer.recommendation != "insufficient data":
        problems.append(f"recommendation {answer.recommendation!r}: the intake gives no "
                        "business figures, so it must be 'insufficient data'")
    if roi is not None and answer.recommendation == "insufficient data":
        problems.append("recommendation 'insufficient data': the business figures are computed")
    if (roi is not None and roi.expected_npv <= 0
            and answer.recommendation in ("invest", "invest in phases")):
        problems.append(f"recommendation {answer.recommendation!r} with a computed "
                        f"risk-adjusted NPV of {roi.expected_npv:,.0f} {roi.currency}")
    return problems


#: Per step, what no check exists for: shown as "model judgment, not verified".
UNVERIFIED: dict[str, tuple[str, ...]] = {
    "bottlenecks": ("ranking within one computed severity", "why_it_matters", "quick_win",
                    "risks", "summary"),
    "cost_performance": ("ranking between configurations missing as many goals", "rationale",
                         "risks", "trade_off"),
    "roadmap": ("phase of each task", "effort_weeks", "goals", "risks", "rationale"),
    "roi": ("value_drivers", "executive_summary"),
    "database": ("priority", "impact", "effort", "detail"),
    "performance_audit": ("priority", "impact", "effort", "detail"),
    "caching": ("priority", "impact", "effort", "detail"),
}
