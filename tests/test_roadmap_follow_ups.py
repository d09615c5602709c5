"""The roadmap recomputes: what still breaks after its phases gets the next remedy, or a reason.

e-commerce: moving postgres off the shared host reveals its own RAM (memory in month 5.8);
the roadmap adds vertical scaling for it, and the rerun then finds nothing breaking before the
target. Archiving and pooling have a modelled effect, so they can move a break at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import review
from assistant.analysis.applied_patterns import apply_patterns, pooled_connections
from assistant.analysis.baseline_costs import monthly_costs
from assistant.capacity.model import analyse
from assistant.catalogue.model import load_defaults
from assistant.intake.loading import load_intake
from assistant.planning.roadmap import after_each_phase
from tests.helpers import make_intake

EXAMPLES = Path(__file__).parent.parent / "examples"


def _review(name: str):  # type: ignore[no-untyped-def]
    return review(load_intake(EXAMPLES / f"{name}.yaml"))


def test_ecommerce_roadmap_adds_the_remedy_for_what_its_phases_reveal() -> None:
    result = _review("ecommerce-workshop")
    tasks = [t for p in result.roadmap.phases for t in p.tasks]
    follow = [t for t in tasks if t.follows]
    assert [(t.pattern_id, t.components, t.follows) for t in follow] == [
        ("vertical-scaling", ["postgres"], "postgres memory")]
    assert follow[0].follows_month == pytest.approx(5.8)
    assert follow[0].phase == 1  # before month 5.8, after the separation that revealed it
    assert follow[0].cost_basis.startswith("catalogue:")  # priced on the separated database
    last = result.roadmap.phases[-1]
    target = result.intake.targets.target_month
    assert last.breaks_next_month is None or last.breaks_next_month >= target
    assert "vertical-scaling" in {p.id for p in result.patterns}


def test_each_phase_is_priced_at_its_own_horizon_growth_included() -> None:
    intake = load_intake(EXAMPLES / "ecommerce-workshop.yaml")
    result = review(intake)
    defaults = load_defaults()
    phases = result.roadmap.phases
    built = after_each_phase(intake, [[(t.pattern_id, t.components) for t in p.tasks]
                                      for p in phases], defaults)
    assert [p.cost_horizon for p in phases] == ["6m", "6m", "target", "target"]
    for phase, (architecture, capacity) in zip(phases, built, strict=True):
        totals = {t.horizon: t.monthly for t in
                  monthly_costs(architecture, capacity, defaults).totals}
        assert phase.monthly_cost_at_horizon == pytest.approx(totals[phase.cost_horizon])
        assert phase.monthly_cost_at_target == pytest.approx(totals["target"])
    assert phases[0].monthly_cost_at_horizon < phases[0].monthly_cost_at_target


def test_saas_stops_with_a_reason_when_no_modelled_pattern_moves_the_break() -> None:
    still = _review("saas-growth").roadmap.still_open
    assert still is not None
    assert (still.subject, still.resource) == ("storage", "storage")
    assert any("already in the plan" in t for t in still.tried)
    assert any("no modelled effect" in t for t in still.tried)


def test_trading_archiving_moves_postgres_storage_past_the_target() -> None:
    result = _review("trading-platform")
    archiving = [t for p in result.roadmap.phases for t in p.tasks
                 if t.pattern_id == "data-archiving"]
    assert archiving and archiving[0].assumed_default == "database.archive_retained_share = 0.5"
    assert result.roadmap.still_open is None
    assert result.roadmap.phases[-1].breaks_next is None


def _db_intake(**usage: float) -> object:
    return make_intake(components=[
        {"id": "api", "kind": "app", "instances": 2, "depends_on": ["db"]},
        {"id": "db", "kind": "db", "size": "db.r6g.large",
         "capacity": {"storage_gb": 500},
         "usage": {"cpu_pct": 30, "connections": 400, "storage_used_gb": 300, **usage},
         "data": {"data_volume_gb": 300}}])


def _resource(intake, subject: str, resource: str):  # type: ignore[no-untyped-def]
    return next(r for r in analyse(intake, load_defaults()).resources
                if r.subject == subject and r.resource == resource and not r.ceiling)


def test_archiving_shrinks_storage_and_keeps_the_working_set() -> None:
    intake = _db_intake()
    defaults = load_defaults()
    after = apply_patterns(intake, [("data-archiving", ["db"])], defaults)  # type: ignore[arg-type]
    share = defaults.database["archive_retained_share"].value
    before_storage = _resource(intake, "db", "storage").horizons[0].demand
    assert _resource(after, "db", "storage").horizons[0].demand == pytest.approx(
        before_storage * share)
    assert _resource(after, "db", "memory").horizons[-1].demand == pytest.approx(
        _resource(intake, "db", "memory").horizons[-1].demand)


def test_a_pooler_holds_server_connections_to_the_queries_in_flight() -> None:
    intake = _db_intake()
    after = apply_patterns(intake, [("connection-pooling", ["db"])],  # type: ignore[arg-type]
                           load_defaults())
    db = after.component("db")
    assert db.usage.connections is not None and db.usage.connections <= 2  # 30 % of 2 vCPU
    assert _resource(after, "db", "connections").breaking_month is None
    assert _resource(intake, "db", "connections").breaking_month is not None


@pytest.mark.parametrize(("busy", "expected"), [(0.0, 1), (0.6, 1), (1.0, 1), (1.2, 2),
                                                (7.01, 8)])
def test_pooled_connections_are_the_busy_vcpus_rounded_up(busy: float, expected: int) -> None:
    assert pooled_connections(busy) == expected
