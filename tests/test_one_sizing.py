"""One sizing: the counts in the sizing table, the cost table and the configurations agree.

For every example and every eval case: the cost table prices exactly what the capacity model's
sizing asks for at each horizon; every configuration's counts are its own sizing's; a
configuration that meets all its goals has every resource under its threshold, and every
resource above it is named among its misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.analysis.baseline_costs import monthly_costs, priced_by_size, provisioned_nodes
from assistant.analysis.configurations import PROFILES, build_intake, three_configurations
from assistant.capacity.model import CapacityReport, analyse
from assistant.catalogue.model import defaults_for
from assistant.intake.loading import load_intake
from assistant.intake.schema import Intake
from assistant.knowledge.cards import card_facts, load_cards
from evals.runner import load_cases

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.stem != "broken-intake")


def _intakes() -> list[tuple[str, Intake]]:
    found = [(p.stem, load_intake(p)) for p in EXAMPLES]
    for case in load_cases():
        source = case.inputs.source
        found.append((f"case:{case.name}",
                      source if isinstance(source, Intake) else load_intake(source)))
    return found


INTAKES = _intakes()
FACTS = {card.id: card_facts(card) for card in load_cards()}
IDS = [name for name, _ in INTAKES]


def _cost_units_agree(intake: Intake, capacity: CapacityReport) -> None:
    defaults = defaults_for(intake)
    costs = {c.component_id: c for c in monthly_costs(intake, capacity, defaults).components}
    for component in intake.components:
        if not priced_by_size(component, defaults):
            continue
        for row in costs[component.id].horizons:
            nodes = provisioned_nodes(component, capacity.sizing, row.horizon)
            expected = nodes[0] if nodes else component.instances
            assert row.units == expected, (component.id, row.horizon)


@pytest.mark.parametrize(("name", "intake"), INTAKES, ids=IDS)
def test_cost_table_prices_what_the_sizing_asks(name: str, intake: Intake) -> None:
    _cost_units_agree(intake, analyse(intake, defaults_for(intake)))


@pytest.mark.parametrize(("name", "intake"), INTAKES, ids=IDS)
def test_configurations_are_sized_by_their_own_sizing(name: str, intake: Intake) -> None:
    defaults = defaults_for(intake)
    team = analyse(intake, defaults)
    for profile in PROFILES:
        config = build_intake(intake, profile, defaults, team)
        sized = analyse(config, defaults, profile.target_utilisation)
        for c in config.components:
            row = next((s for s in sized.sizing if s.component_id == c.id
                        and s.quantity == "instances"), None)
            if row is not None and c.kind in {"app", "web", "worker"}:
                assert c.instances == max(profile.min_instances, row.needed_at_target), c.id
            elif row is not None:
                assert c.instances >= row.needed_at_target, c.id
            if c.kind == "db" and c.data is not None:
                parts = next(s for s in sized.sizing if s.component_id == c.id
                             and s.quantity == "partitions")
                assert c.data.partitions == parts.needed_at_target, c.id
        _cost_units_agree(config, analyse(config, defaults))


@pytest.mark.slow
@pytest.mark.parametrize(("name", "intake"), INTAKES, ids=IDS)
def test_a_configuration_never_hides_a_resource_above_its_threshold(name: str,
                                                                    intake: Intake) -> None:
    defaults = defaults_for(intake)
    team = analyse(intake, defaults)
    configurations = three_configurations(intake, defaults, FACTS)
    for profile, result in zip(PROFILES, configurations, strict=True):
        capacity = analyse(build_intake(intake, profile, defaults, team), defaults)
        over = [r for r in capacity.resources if not r.elastic
                and r.horizons[-1].utilisation_pct > r.threshold_pct + 1e-9]
        if not result.misses:
            assert over == [], (profile.name, [(r.subject, r.resource) for r in over])
        for r in over:
            assert any(m.startswith(f"{r.subject} {r.resource}") for m in result.misses), \
                (profile.name, r.subject, r.resource, result.misses)
        # the count a configuration shows is the count its cost table prices
        costs = {c.component_id: c for c in
                 monthly_costs(build_intake(intake, profile, defaults, team), capacity,
                               defaults).components}
        for row in result.components:
            if row.id in costs and row.size is not None and row.peak_utilisation_pct is not None:
                assert costs[row.id].horizons[-1].units == row.nodes, (profile.name, row.id)


@pytest.mark.parametrize(("name", "intake"), INTAKES, ids=IDS)
def test_performance_is_never_estimated_slower_than_cost_optimised(name: str,
                                                                   intake: Intake) -> None:
    cost, _, performance = three_configurations(intake, defaults_for(intake), FACTS)
    if cost.latency_ms is not None and performance.latency_ms is not None:
        assert performance.latency_ms <= cost.latency_ms


@pytest.mark.slow
@pytest.mark.parametrize(("name", "intake"), INTAKES, ids=IDS)
def test_the_final_roadmap_phase_is_priced_from_its_own_sizing(name: str,
                                                               intake: Intake) -> None:
    from assistant import review
    from assistant.analysis.applied_patterns import apply_patterns

    result = review(intake)
    defaults = defaults_for(intake)
    architecture = intake
    for phase in result.roadmap.phases:
        architecture = apply_patterns(architecture, [(t.pattern_id, t.components)
                                                     for t in phase.tasks], defaults)
    capacity = analyse(architecture, defaults)
    _cost_units_agree(architecture, capacity)
    total = monthly_costs(architecture, capacity, defaults).totals[-1].monthly
    assert result.roadmap.full_build_out_monthly_cost == pytest.approx(total)
    assert result.roadmap.phases[-1].monthly_cost_at_target == pytest.approx(total)
