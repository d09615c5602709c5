"""A cache is sized by the data it holds: configurations, the cost table and both remedies.

The scaled e-commerce example keeps its Redis at cache.r6g.large while the cached data grows
to ~200 GB; before this sizing every configuration left it at ~1,530 % of its memory.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assistant.analysis.applied_patterns import apply_patterns
from assistant.analysis.baseline_costs import monthly_costs
from assistant.analysis.configurations import three_configurations
from assistant.analysis.rules.registry import RuleContext
from assistant.analysis.rules.remedies import remedy_for
from assistant.capacity.model import CapacityReport, analyse
from assistant.capacity.sizing import find_sizing
from assistant.catalogue.model import Defaults, defaults_for
from assistant.intake.loading import load_intake
from assistant.intake.schema import Intake
from assistant.knowledge.cards import card_facts, load_cards
from assistant.planning.task_pricing import price_task

ROOT = Path(__file__).resolve().parent.parent
SCALED = ROOT / "examples" / "ecommerce-workshop-scaled.yaml"
Scaled = tuple[Intake, Defaults, CapacityReport]


@pytest.fixture(scope="module")
def scaled() -> Scaled:
    intake = load_intake(SCALED)
    defaults = defaults_for(intake)
    return intake, defaults, analyse(intake, defaults, latency=False)


def _memory_at_target(capacity: CapacityReport, subject: str) -> float:
    curve = next(r for r in capacity.resources if r.subject == subject
                 and r.resource == "memory" and not r.ceiling)
    return float(curve.horizons[-1].utilisation_pct)


def test_the_cache_sizing_is_the_cheapest_layout_that_holds_the_data(scaled: Scaled) -> None:
    intake, defaults, capacity = scaled
    row = find_sizing(capacity.sizing, "redis", "cache_nodes")
    assert row is not None
    cached = float(row.inputs["cached_gb_at_target"])
    assert cached == pytest.approx(13.07 * 15.302, rel=1e-3)  # the 1,530 % of the memory curve
    # Brute force over the catalogue's cache ladder (never less RAM than today's 13.07 GB).
    options = [(math.ceil(cached / (s.memory_gb * 0.8)) * s.monthly_usd, s.name,
                math.ceil(cached / (s.memory_gb * 0.8)))
               for s in defaults.sizes["cache"].entries if s.memory_gb >= 13.07]
    price, name, nodes = min(options)
    step = row.by_horizon[-1]
    assert (step.size, step.needed) == (name, nodes) == ("cache.r6g.2xlarge", 5)
    assert row.inputs["size_on_own_count"] == "cache.r6g.16xlarge"
    assert row.inputs["nodes_on_own_size"] == math.ceil(cached / (13.07 * 0.8))
    cost = next(c for c in monthly_costs(intake, capacity, defaults).components
                if c.component_id == "redis")
    assert cost.horizons[-1].monthly == pytest.approx(price, abs=0.01)


def test_every_configuration_holds_the_cached_data(scaled: Scaled) -> None:
    intake, defaults, _ = scaled
    facts = {card.id: card_facts(card) for card in load_cards()}
    for config in three_configurations(intake, defaults, facts):
        redis = next(c for c in config.components if c.id == "redis")
        assert redis.size == "cache.r6g.2xlarge" and redis.count == 5
        assert redis.peak_utilisation_pct is not None and redis.peak_utilisation_pct <= 80
        assert not any(m.startswith("redis memory") for m in config.misses)


@pytest.mark.parametrize("pattern", ["distributed-cache", "vertical-scaling"])
def test_both_cache_remedies_move_the_memory_curve(scaled: Scaled, pattern: str) -> None:
    intake, defaults, capacity = scaled
    assert _memory_at_target(capacity, "redis") > 1500
    after = apply_patterns(intake, [(pattern, ["redis"])], defaults)
    assert _memory_at_target(analyse(after, defaults, latency=False), "redis") <= 80
    price = price_task(pattern, ["redis"], intake, capacity, defaults)
    assert price is not None
    expected = {"distributed-cache": 19 * 150.38, "vertical-scaling": 4793.91 - 150.38}[pattern]
    assert price.monthly_usd == pytest.approx(expected, abs=0.01)


def test_the_cheaper_remedy_comes_first(scaled: Scaled) -> None:
    intake, defaults, capacity = scaled
    ctx = RuleContext(intake=intake, capacity=capacity, defaults=defaults)
    remedy = remedy_for(ctx, "redis", ["redis"], "memory")
    # 20 x cache.r6g.large (3,008 USD) beats one cache.r6g.16xlarge (4,794 USD)
    assert remedy.patterns == ["distributed-cache", "vertical-scaling"]
