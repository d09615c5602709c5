"""Invariants of the capacity model, sizing, costs and configurations over generated intakes.

Hypothesis builds valid intakes (tier sizes and counts, observed CPU, database size, read share,
partitions, load and growth) and checks what an SRE takes for granted: the counts agree, a
configuration that misses nothing has every resource under its threshold, one more instance
never hurts, a higher target never moves a break later, and cost never falls as load grows.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.analysis.baseline_costs import monthly_costs, priced_by_size, provisioned_nodes
from assistant.analysis.configurations import PROFILES, build_intake, resource_misses
from assistant.capacity.model import analyse
from assistant.catalogue.model import load_defaults
from assistant.intake.schema import Intake
from tests.helpers import intake_data

DEFAULTS = load_defaults()
SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def intakes(draw: st.DrawFn) -> dict[str, Any]:
    """A valid intake: an app tier, a cache and a database under generated load and growth."""
    rps = draw(st.floats(min_value=10, max_value=3000))
    growth = draw(st.floats(min_value=1.5, max_value=40))
    data = intake_data(
        current={"active_users": 1000, "requests_per_second": round(rps, 1)},
        targets={"target_users": int(1000 * growth),
                 "target_month": draw(st.integers(min_value=6, max_value=36))})
    api, db = data["components"][1], data["components"][3]
    api.update(instances=draw(st.integers(min_value=1, max_value=6)),
               size=draw(st.sampled_from(["t3.medium", "m5.large", "m5.xlarge"])),
               autoscaling=draw(st.booleans()))
    if draw(st.booleans()):
        api["usage"] = {"cpu_pct": draw(st.integers(min_value=5, max_value=65))}
    db["size"] = draw(st.sampled_from([s.name for s in DEFAULTS.sizes["database"].entries]))
    db["data"] = {"read_ratio": draw(st.floats(min_value=0.3, max_value=0.95)),
                  "partitions": draw(st.integers(min_value=1, max_value=4)),
                  "multi_az": draw(st.booleans()),
                  "data_volume_gb": draw(st.floats(min_value=1, max_value=2000))}
    return data


def _first_month(intake: Intake) -> float:
    first = analyse(intake, DEFAULTS).first_break
    return first.month if first else float("inf")


@pytest.mark.slow
@SETTINGS
@given(intakes())
def test_cost_units_are_the_sizing_counts(data: dict[str, Any]) -> None:
    intake = Intake.model_validate(data)
    capacity = analyse(intake, DEFAULTS)
    for cost in monthly_costs(intake, capacity, DEFAULTS).components:
        component = next((c for c in intake.components if c.id == cost.component_id), None)
        if component is None or not priced_by_size(component, DEFAULTS):
            continue
        for row in cost.horizons:
            nodes = provisioned_nodes(component, capacity.sizing, row.horizon)
            assert row.units == (nodes[0] if nodes else component.instances)


@pytest.mark.slow
@SETTINGS
@given(intakes())
def test_cost_never_falls_as_load_grows(data: dict[str, Any]) -> None:
    intake = Intake.model_validate(data)
    totals = [t.monthly for t in monthly_costs(intake, analyse(intake, DEFAULTS),
                                               DEFAULTS).totals]
    assert totals == sorted(totals)


@pytest.mark.slow
@SETTINGS
@given(intakes())
def test_a_configuration_without_misses_has_every_resource_under_its_threshold(
        data: dict[str, Any]) -> None:
    intake = Intake.model_validate(data)
    team = analyse(intake, DEFAULTS)
    for profile in PROFILES:
        capacity = analyse(build_intake(intake, profile, DEFAULTS, team), DEFAULTS)
        over = [f"{r.subject} {r.resource}" for r in capacity.resources if not r.elastic
                and r.horizons[-1].utilisation_pct > r.threshold_pct + 1e-9]
        misses = resource_misses(capacity)
        # no resource above its threshold goes unnamed, so "misses none" means all fit
        assert all(any(m.startswith(name) for m in misses) for name in over)
        if not misses:
            assert over == []


@pytest.mark.slow
@SETTINGS
@given(intakes())
def test_one_more_instance_never_hurts(data: dict[str, Any]) -> None:
    intake = Intake.model_validate(data)
    data["components"][1]["instances"] += 1
    more = Intake.model_validate(data)
    before, after = analyse(intake, DEFAULTS), analyse(more, DEFAULTS)
    assert after.availability.path_availability_pct >= \
        before.availability.path_availability_pct
    assert _first_month(more) >= _first_month(intake)


@pytest.mark.slow
@SETTINGS
@given(intakes(), st.floats(min_value=1.1, max_value=5))
def test_a_higher_target_never_moves_a_break_later(data: dict[str, Any], factor: float) -> None:
    intake = Intake.model_validate(data)
    data["targets"]["target_users"] = int(data["targets"]["target_users"] * factor)
    assert _first_month(Intake.model_validate(data)) <= _first_month(intake)
