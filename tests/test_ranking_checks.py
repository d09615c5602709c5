"""Rankings in an LLM answer are checked against the computed order, where one exists.

Bottlenecks: a bottleneck ranked above another must not carry a strictly lower computed
severity. Configurations: one that misses more goals must not rank above one that misses fewer.
The offline sections (built from the computed order) must pass both checks.
"""

from __future__ import annotations

from functools import cache

from assistant.assessment.compute import compute_facts
from assistant.assessment.model import Facts
from assistant.assessment.offline_analyzer import bottlenecks, cost_performance
from assistant.intake.loading import load_intake
from assistant.llm.grounding import (
    Known,
    bottleneck_order_problems,
    check_bottlenecks,
    check_cost_performance,
    configuration_order_problems,
)
from tests.conftest import EXAMPLES


@cache
def facts() -> Facts:
    return compute_facts(load_intake(EXAMPLES / "ecommerce-workshop.yaml"))


def known() -> Known:
    review = facts()
    return Known.of(review, {p.id for p in review.patterns})


def test_the_offline_sections_follow_the_computed_order() -> None:
    assert check_bottlenecks(bottlenecks(facts()), known()) == []
    assert check_cost_performance(cost_performance(facts()), known()) == []


def test_a_less_severe_bottleneck_ranked_first_is_rejected() -> None:
    review = facts()
    by_severity = {f.severity: f for f in reversed(review.findings)}
    assert {"critical", "medium"} <= set(by_severity), "the example needs both severities"
    answer = bottlenecks(review)
    template = answer.bottlenecks[0]
    medium, critical = by_severity["medium"], by_severity["critical"]
    swapped = [template.model_copy(update={"rank": 1, "finding_ids": [medium.id]}),
               template.model_copy(update={"rank": 2, "finding_ids": [critical.id],
                                           "breaking_month": critical.breaking_month})]
    problems = bottleneck_order_problems(answer.model_copy(update={"bottlenecks": swapped}),
                                         known())
    assert len(problems) == 1
    assert "bottleneck 1 (medium) is ranked above bottleneck 2 (critical)" in problems[0]


def test_equal_severities_leave_the_order_to_the_model() -> None:
    answer = bottlenecks(facts())
    same = [b for b in answer.bottlenecks
            if b.finding_ids and b.finding_ids[0] in {f.id for f in facts().findings
                                                      if f.severity == "critical"}]
    assert len(same) >= 2, "the example needs two critical bottlenecks"
    reversed_order = [b.model_copy(update={"rank": i}) for i, b in
                      enumerate(reversed(same[:2]), start=1)]
    assert bottleneck_order_problems(answer.model_copy(update={"bottlenecks": reversed_order}),
                                     known()) == []


def test_a_configuration_missing_more_goals_ranked_first_is_rejected() -> None:
    review = facts()
    misses = {c.name: len(c.misses) for c in review.configurations}
    answer = cost_performance(review)
    ranked = sorted(answer.assessments, key=lambda a: a.rank)
    worst, best = ranked[-1], ranked[0]
    if misses[worst.name] == misses[best.name]:
        assert configuration_order_problems(answer, known()) == []
        return
    flipped = [a.model_copy(update={"rank": {worst.name: 1, best.name: 3}.get(a.name, a.rank)})
               for a in answer.assessments]
    problems = configuration_order_problems(answer.model_copy(update={"assessments": flipped}),
                                            known())
    assert problems and f"{worst.name} (rank 1) misses {misses[worst.name]} goal(s)" in problems[0]
