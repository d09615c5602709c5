"""Turn a computed review into the facts every LLM step receives (the shared prompt prefix).

Only computed figures and ids go in, plus the team's own text, fenced as data: every string
typed in the intake reaches the prompt only inside the `intake-data` block (`intake_text`);
whatever computed text is derived from it is flattened to one line (`inline`). The model
receives the same facts in every step, so the prefix can be cached by providers that support it.
"""

from __future__ import annotations

from typing import Any

from assistant.assessment.model import Facts
from assistant.i18n.messages import Messages
from assistant.knowledge.cards import PatternCard
from assistant.llm.prompts import fence


def intake_text(review: Facts) -> str:
    """Everything the team typed as text, labelled, for the fenced data block.

    The only place intake text enters a prompt: names, technologies, compliance and notes
    included, so none of it is printed among the computed facts where it could pass for the
    tool's own words.
    """
    intake = review.intake
    lines = [f"name: {intake.name}", f"description: {intake.description}",
             f"source: {intake.source}",
             f"tech_stack: {', '.join(intake.tech_stack)}",
             f"infrastructure: {intake.infrastructure}",
             f"traffic_patterns: {intake.traffic_patterns}",
             f"performance_issues: {'; '.join(intake.performance_issues)}",
             f"performance_goals: {intake.performance_goals}",
             f"compliance: {'; '.join(intake.constraints.compliance)}"]
    for c in intake.components:
        lines += [f"component {c.id} technology: {c.technology}",
                  f"component {c.id} size: {c.size or ''}", f"component {c.id} notes: {c.notes}"]
    lines += [f"endpoint {i} {e.method} path: {e.path}" for i, e in enumerate(intake.endpoints)]
    lines += [f"catalogue override name: {o.name}" for o in intake.catalogue_overrides]
    return fence("\n".join(line for line in lines if not line.endswith(": ")))


def inline(value: Any) -> Any:
    """One line per string, fence markers neutralised, in any nested facts value.

    Why: computed facts can still carry text derived from the intake (a size name, a rule's
    parameters); on one line it can neither close the data fence nor start a heading that reads
    like an instruction.
    """
    if isinstance(value, str):
        return fence(" ".join(value.split()))
    if isinstance(value, dict):
        return {key: inline(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [inline(item) for item in value]
    return value


def llm_facts(review: Facts, cards: dict[str, PatternCard]) -> dict[str, Any]:
    """Build the facts dict the `facts.j2` prefix renders (intake text only in `intake_text`)."""
    english = Messages("en")
    intake = review.intake
    computed = inline({
        "system": {
            "current": intake.current.model_dump(exclude_none=True),
            "targets": intake.targets.model_dump(exclude_none=True),
            "constraints": intake.constraints.model_dump(mode="json", exclude_none=True,
                                                         exclude={"compliance"}),
            "architecture": intake.architecture.model_dump(mode="json"),
        },
        # Endpoints by index (their paths are intake text, in the fence as "endpoint N").
        "endpoints": [{"index": i, "method": e.method, "served_by": e.served_by,
                       "requests_per_minute": e.requests_per_minute}
                      for i, e in enumerate(intake.endpoints)],
        "components": [{"id": c.id, "kind": c.kind, "instances": c.instances, "host": c.host,
                        "depends_on": c.depends_on} for c in intake.components],
        "breaking_points": [b.model_dump() for b in review.capacity.breaking_points],
        "sizing": [s.model_dump() for s in review.capacity.sizing],
        "availability": {
            "path": review.capacity.availability.path_availability_pct,
            "target": review.capacity.availability.target_pct,
            "spofs": [u.name for u in review.capacity.availability.spofs]},
        "findings": [{
            "id": f.id, "severity": f.severity, "components": f.components,
            "patterns": f.patterns, "month": f.breaking_month,
            "title": english.t(f"rule.{f.rule_id}.title", **f.params),
            "summary": english.t(f"rule.{f.rule_id}.summary", **f.params)}
            for f in review.findings],
        "patterns": [{"id": c.id, "title": c.title, "applies_to": c.applies_to,
                      "effort": f"{c.effort.min_weeks:g}-{c.effort.max_weeks:g}"}
                     for c in cards.values()],
        "costs": {"currency": review.costs.currency,
                  "totals": [t.model_dump() for t in review.costs.totals],
                  "budget": review.costs.monthly_budget},
        "configurations": [{**c.model_dump(exclude={"components"}),
                            "components": ", ".join(f"{x.count} x {x.size or x.kind} {x.id}"
                                                    for x in c.components)}
                           for c in review.configurations],
        "roadmap": [t.model_dump() for p in review.roadmap.phases for t in p.tasks],
        "roi": None if review.roi is None else {
            "npv": round(review.roi.expected_npv, 2), "irr": review.roi.expected_irr_annual_pct,
            "payback": review.roi.expected_payback_month,
            "break_even": review.roi.break_even_month, "currency": review.roi.currency,
            "scenario_user_growth_pct": [sc.user_growth_pct for sc in intake.business.scenarios]
            if intake.business else []},
    })
    return {**computed, "intake_text": intake_text(review)}
