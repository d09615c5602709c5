"""The reference solution of an exercise, computed by archreview from the exercise's intake.

Nothing here is typed in: the expected items are the review's own findings (or, for the caching
exercise, its per-endpoint caching analysis), each with the computed evidence a participant's miss
is explained with (utilisation at target, breaking month, the figures behind the finding).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from assistant.analysis.endpoint_caching import EndpointCaching
from assistant.analysis.rules.finding import Evidence, Finding
from assistant.assessment.model import Review
from assistant.i18n.messages import Language, Messages
from assistant.workshop.exercises import Exercise

VOCABULARY_PATH = Path(__file__).resolve().parent / "data" / "vocabulary.yaml"
#: Rules about the system as a whole: a claim need not name a component to match them.
SYSTEM_WIDE_RULES = frozenset({"availability-slo-unreachable", "monitoring-missing",
                               "no-rate-limiting", "no-cdn", "target-below-today",
                               "performance-budget-exceeded", "latency-slo"})
#: Technology words too generic to identify a component on their own.
_GENERIC = frozenset({"rest", "api", "main", "service", "services", "managed", "instance"})

ReviewFn = Callable[[Path], Review]


class ExpectedItem(BaseModel):
    """One thing a full answer names, with the words that identify it and its evidence."""

    key: str = Field(description="Finding id (F03) or endpoint, e.g. 'GET /api/products'.")
    title: str
    summary: str
    rule_id: str | None = None
    severity: str | None = None
    components: list[str] = Field(default_factory=list)
    constraint: str | None = None
    patterns: list[str] = Field(default_factory=list)
    breaking_month: float | None = None
    evidence: list[str] = Field(default_factory=list, description="Computed figures, as text.")
    subject_terms: list[str] = Field(default_factory=list, description="Words naming the subject.")
    aspect_terms: list[str] = Field(default_factory=list,
                                    description="Words naming the constraint or layer.")
    system_wide: bool = False


class ReferenceSolution(BaseModel):
    """What archreview computes for an exercise: the expected items and the context around them."""

    exercise_id: str
    review_name: str
    intake_file: str
    language: Language
    expected: list[ExpectedItem]
    others: list[ExpectedItem] = Field(default_factory=list, description=(
        "The review's other findings: a claim matching one is supported but not expected."))
    first_break: str | None = None
    roadmap: list[str] = Field(default_factory=list, description="The roadmap's tasks by phase.")
    caching: list[str] = Field(default_factory=list, description="Caching totals, as text.")


@cache
def vocabulary() -> dict[str, dict[str, list[str]]]:
    """The EN/DE word lists for kinds, resources, rules and caching layers."""
    data = yaml.safe_load(VOCABULARY_PATH.read_text(encoding="utf-8"))
    return {group: {key: [str(w) for w in words or []] for key, words in items.items()}
            for group, items in data.items()}


def reference_solution(exercise: Exercise, review: Review, lang: Language) -> ReferenceSolution:
    """Build the reference solution of `exercise` from its computed `review`, in `lang`."""
    text = Messages(lang)
    if exercise.expect.kind == "caching":
        expected = [_endpoint_item(e, text) for e in (review.caching.endpoints
                                                       if review.caching else [])]
        others = [_finding_item(f, review, text) for f in review.findings]
    else:
        chosen = [f for f in review.findings if _in_scope(f, exercise, review)]
        count = exercise.expect.count or len(chosen)
        expected = [_finding_item(f, review, text) for f in chosen[:count]]
        keys = {item.key for item in expected}
        others = [_finding_item(f, review, text) for f in review.findings if f.id not in keys]
    return ReferenceSolution(
        exercise_id=exercise.id, review_name=review.name, intake_file=exercise.intake,
        language=lang, expected=expected, others=others,
        first_break=_first_break(review, text), roadmap=_roadmap(review, lang),
        caching=_caching_totals(review, text))


def _in_scope(finding: Finding, exercise: Exercise, review: Review) -> bool:
    kinds = set(exercise.expect.kinds)
    if not kinds:
        return True
    return all(review.intake.component(c).kind in kinds for c in finding.components)


def evidence_text(evidence: Evidence, text: Messages) -> str:
    """One evidence figure as a sentence fragment: label, value and unit."""
    value = text.t("table.saturated") if evidence.value == "saturated" else text.value(
        evidence.value)
    unit = text.t(f"unit.{evidence.unit}") if text.has(f"unit.{evidence.unit}") else evidence.unit
    return f"{text.t(evidence.label, **evidence.params)}: {value}{' ' + unit if unit else ''}"


def _capacity_evidence(finding: Finding, review: Review, text: Messages) -> list[str]:
    """Utilisation at target and breaking month of the resources behind a finding.

    A capacity finding gets its own resource; any other finding that breaks in a month gets
    the first resources of its components to cross a threshold (at most three); a finding with
    no breaking month (or about the whole path) gets none: its evidence is its own figures.
    """
    if finding.breaking_month is None or finding.rule_id in SYSTEM_WIDE_RULES:
        return []
    involved = set(finding.components)
    reports = [r for r in review.capacity.resources
               if involved & set(r.members) and r.horizons and r.breaking_month is not None]
    if finding.rule_id == "capacity-threshold":
        reports = [r for r in reports if r.subject == finding.params.get("subject")
                   and r.resource == finding.params.get("resource")]
    reports = sorted(reports, key=lambda r: (r.breaking_month or 0.0, r.subject))[:3]
    lines = []
    for report in reports:
        at_target = report.horizons[-1]
        lines.append(text.t("workshop.evidence.utilisation", subject=report.subject,
                            resource=report.resource, pct=round(at_target.utilisation_pct, 1),
                            horizon=at_target.horizon, threshold=report.threshold_pct,
                            month=text.t("workshop.evidence.month",
                                         month=report.breaking_month)))
    return lines


def _finding_item(finding: Finding, review: Review, text: Messages) -> ExpectedItem:
    words = vocabulary()
    intake = review.intake
    subject: list[str] = []
    for component_id in finding.components:
        component = intake.component(component_id)
        subject += [component_id, *words["kinds"].get(component.kind, [])]
        subject += [w for w in component.technology.replace("(", " ").replace(")", " ").split()
                    if len(w) > 2 and w.lower() not in _GENERIC]
        if component.host:
            subject.append(component.host)
    aspect = list(words["rules"].get(finding.rule_id, []))
    for resource, names in words["resources"].items():
        if finding.constraint and resource in finding.constraint:
            aspect += names
    if finding.rule_id == "capacity-threshold":
        resource = str(finding.params.get("resource", ""))
        aspect += words["resources"].get(resource, [])
    all_components = set(finding.components) >= {c.id for c in intake.components}
    return ExpectedItem(
        key=finding.id, rule_id=finding.rule_id, severity=finding.severity,
        title=text.t(f"rule.{finding.rule_id}.title", **finding.params),
        summary=text.t(f"rule.{finding.rule_id}.summary", **finding.params),
        components=finding.components, constraint=finding.constraint,
        patterns=finding.patterns, breaking_month=finding.breaking_month,
        evidence=[evidence_text(e, text) for e in finding.evidence]
        + _capacity_evidence(finding, review, text),
        subject_terms=list(dict.fromkeys(subject)), aspect_terms=list(dict.fromkeys(aspect)),
        system_wide=finding.rule_id in SYSTEM_WIDE_RULES or all_components)


def _endpoint_item(endpoint: EndpointCaching, text: Messages) -> ExpectedItem:
    segments = [s for s in endpoint.path.strip("/").split("/") if s and s != "api"]
    words = vocabulary()
    subject = [s for s in segments if not s.startswith((":", "{", "<"))]
    subject += [w for s in subject for w in words.get("segments", {}).get(s, [])]
    if endpoint.key_shape == "item":
        subject += ["detail", "einzel", "id", "single", "one product"]
    layers = words["layers"]
    aspect = [w for layer in endpoint.layers for w in layers.get(layer, [])]
    ttl = text.t("workshop.caching.ttl", ttl=endpoint.ttl_s) if endpoint.ttl_s else ""
    title = text.t("workshop.caching.title", layers=" + ".join(endpoint.layers) or "-", ttl=ttl)
    evidence = [text.t("workshop.caching.evidence", before=endpoint.origin_response_ms,
                       after=round(endpoint.response_ms, 1),
                       pct=round(endpoint.improvement_pct, 1),
                       hit=round(endpoint.hit_ratio * 100, 1),
                       memory=round(endpoint.redis_memory_gb, 3))]
    return ExpectedItem(key=f"{endpoint.method} {endpoint.path}", title=title,
                        summary=endpoint.reason,
                        patterns=["multi-layer-caching", "cdn", "distributed-cache"],
                        evidence=evidence, subject_terms=subject, aspect_terms=aspect)


def _first_break(review: Review, text: Messages) -> str | None:
    first = review.capacity.first_break
    if first is None:
        return None
    return text.t("workshop.first_break", subject=first.subject, resource=first.resource,
                  threshold=first.threshold_pct, month=first.month,
                  users=round(first.users_at_break))


def _roadmap(review: Review, lang: Language) -> list[str]:
    return [f"{phase.number}: " + ", ".join(t.title_de if lang == "de" else t.title
                                            for t in phase.tasks)
            for phase in review.roadmap.phases if phase.tasks]


def _caching_totals(review: Review, text: Messages) -> list[str]:
    analysis = review.caching
    if analysis is None or analysis.improvement_pct is None:
        return []
    return [text.t("workshop.caching.total", pct=round(analysis.improvement_pct, 1),
                   goal=analysis.goal_improvement_pct, memory=round(analysis.memory_needed_gb, 2),
                   budget=analysis.memory_budget_gb if analysis.memory_budget_gb is not None
                   else "-")]
