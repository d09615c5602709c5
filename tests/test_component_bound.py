"""The component bound: what a team writes holds at most 200 components, and a review of an
intake at the bound never crashes on the few components its own derived architectures add (a
configuration's load balancer, CDN or cache took a 200-component intake to 201 and the review
ended in a validation traceback)."""

from __future__ import annotations

import pytest

from assistant.assessment.compute import compute_facts
from assistant.intake.schema import MAX_ITEMS, Intake
from tests.helpers import layered_intake_data


@pytest.mark.slow
def test_an_intake_at_the_component_bound_is_reviewed() -> None:
    intake = Intake.model_validate(layered_intake_data(MAX_ITEMS))
    facts = compute_facts(intake)
    assert len(facts.configurations) == 3
    assert len(facts.intake.components) == MAX_ITEMS
    assert facts.roadmap.phases


def test_a_team_intake_past_the_bound_is_refused_with_the_bound() -> None:
    data = layered_intake_data(MAX_ITEMS)
    data["components"].append({"id": "one-more", "kind": "app"})
    with pytest.raises(ValueError, match=f"at most {MAX_ITEMS} components, got {MAX_ITEMS + 1}"):
        Intake.model_validate(data)


def test_a_derived_architecture_may_pass_the_bound_by_a_few() -> None:
    data = layered_intake_data(MAX_ITEMS)
    data["components"].append({"id": "derived-lb", "kind": "lb", "managed": True})
    derived = Intake.model_validate(data, context={"derived": True})
    assert len(derived.components) == MAX_ITEMS + 1
