"""Tests for the per-endpoint caching analysis (seed 001 exercise 2).

Every expected figure is worked out by hand in the comments next to it, from the defaults in
assistant/data/caching.yaml: list pages 20, items 10,000, session 600 s, hit times browser 0 ms /
CDN 20 ms / Redis 2 ms, response sizes list 50 / item 5 / user 10 KiB, Redis overhead 1.5,
usable share 0.75, CDN from 60 s freshness, browser from 300 s.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.analysis.endpoint_caching import (
    analyse_endpoint,
    analyse_endpoints,
    hit_ratio,
    key_shape,
    live_keys,
    load_caching_defaults,
    parse_freshness,
    recommend_layers,
    ttl_for_hit_ratio,
    users_in_window,
)
from assistant.intake.schema import Intake
from tests.helpers import component, intake_data

# Seed 001 ~718-745, exercise 2's endpoint table.
EXERCISE_2 = [
    {"path": "/api/products", "method": "GET", "requests_per_minute": 500,
     "avg_response_time_ms": 180, "data_freshness": "5 minutes", "user_specific": False},
    {"path": "/api/products/:id", "method": "GET", "requests_per_minute": 200,
     "avg_response_time_ms": 85, "data_freshness": "10 minutes", "user_specific": False},
    {"path": "/api/users/:id/recommendations", "method": "GET", "requests_per_minute": 150,
     "avg_response_time_ms": 320, "data_freshness": "30 minutes", "user_specific": True},
]
# The workshop app's load (examples/ecommerce-workshop.yaml): 500 active, 50 concurrent users.
WORKSHOP_LOAD = {"active_users": 500, "concurrent_users": 50, "requests_per_second": 20}
KIB_PER_GIB = 1024 * 1024


def exercise_intake(endpoints: list[dict[str, Any]] | None = None, **changes: Any) -> Intake:
    data = intake_data(endpoints=EXERCISE_2 if endpoints is None else endpoints,
                       current=WORKSHOP_LOAD, **changes)
    return Intake.model_validate(data)


def endpoint(**fields: Any) -> SimpleNamespace:
    base = {"path": "/api/x", "method": "GET", "requests_per_minute": 60,
            "avg_response_time_ms": 100, "data_freshness": "5 minutes", "user_specific": False,
            "currently_cached": False, "served_by": None}
    base.update(fields)
    return SimpleNamespace(**base)


# --------------------------------------------------------------------------- freshness


@pytest.mark.parametrize(("text", "seconds"), [
    ("5 minutes", 300), ("10 minutes", 600), ("30 minutes", 1800), ("30 s", 30),
    ("1 hour", 3600), ("500 ms", 0.5), ("5m", 300), ("24h", 86400), ("7d", 604800),
    ("1,5 Stunden", 5400), ("2 Minuten", 120), ("real-time", 0), ("  45 sec ", 45),
])
def test_parse_freshness_reads_units(text: str, seconds: float) -> None:
    assert parse_freshness(text, "/p") == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["soon", "5 fortnights", "", "minutes", "5"])
def test_parse_freshness_error_names_endpoint_and_text(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_freshness(text, "/api/orders")
    assert "/api/orders" in str(error.value)
    assert repr(text) in str(error.value)


def test_unreadable_freshness_stops_the_whole_analysis() -> None:
    rows = [dict(EXERCISE_2[0], data_freshness="fairly fresh")]
    with pytest.raises(ValueError, match=r"/api/products.*'fairly fresh'"):
        analyse_endpoints(exercise_intake(rows))


# --------------------------------------------------------------------------- pieces


def test_worked_example_products_list() -> None:
    # /api/products: 500 rpm over K = 20 pages, TTL 300 s.
    # lambda_k = 500 / 60 / 20 = 0.41667 /s; x = lambda_k * TTL = 125; h = 125 / 126 = 0.99206.
    assert hit_ratio(500 / 60, 20, 300) == pytest.approx(0.992063, abs=1e-6)


def test_hit_ratio_without_traffic_or_ttl_is_zero() -> None:
    assert hit_ratio(0, 20, 300) == 0
    assert hit_ratio(10, 20, 0) == 0


def test_zipf_two_keys_by_hand() -> None:
    # Zipf s = 1 over 2 keys: p = (2/3, 1/3); rate 1 /s, TTL 1 s: x = (2/3, 1/3).
    # h = 2/3 * (2/3) / (5/3) + 1/3 * (1/3) / (4/3) = 0.26667 + 0.08333 = 0.35.
    assert hit_ratio(1, 2, 1, zipf_s=1) == pytest.approx(0.35, abs=1e-9)
    # Uniform: x = 0.5, h = 1/3: skew raises the hit ratio.
    assert hit_ratio(1, 2, 1) == pytest.approx(1 / 3, abs=1e-9)
    # Live keys: 0.4 + 0.25 = 0.65 (Zipf) and 2 * 1/3 (uniform).
    assert live_keys(1, 2, 1, zipf_s=1) == pytest.approx(0.65, abs=1e-9)
    assert live_keys(1, 2, 1) == pytest.approx(2 / 3, abs=1e-9)


def test_zipf_binned_ranks_match_brute_force() -> None:
    # Beyond 10,000 ranks the module bins ranks; compare with a plain sum over all 50,000 keys.
    keys, s, rate, ttl = 50_000, 0.8, 10.0, 60.0
    weights = [i ** -s for i in range(1, keys + 1)]
    norm = sum(weights)
    expected = 0.0
    for w in weights:
        p = w / norm
        x = rate * p * ttl
        expected += p * x / (1 + x)
    assert hit_ratio(rate, keys, ttl, zipf_s=s) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("skew", [0.0, 0.8])
def test_longer_ttl_never_lowers_hit_ratio(skew: float) -> None:
    ttls = [1, 10, 60, 300, 600, 1800, 3600, 86400]
    ratios = [hit_ratio(200 / 60, 10_000, t, zipf_s=skew) for t in ttls]
    assert all(a < b for a, b in zip(ratios, ratios[1:], strict=False))
    assert all(0 < r < 1 for r in ratios)


def test_ttl_for_hit_ratio_inverts_uniform_by_hand() -> None:
    # h = 0.9 over 10 keys at 1 /s: x = 0.9 / 0.1 = 9, lambda_k = 0.1 /s, TTL = 9 / 0.1 = 90 s.
    assert ttl_for_hit_ratio(0.9, 1, 10) == pytest.approx(90)
    assert ttl_for_hit_ratio(1.0, 1, 10) is None
    assert ttl_for_hit_ratio(0.0, 1, 10) == 0


def test_ttl_for_hit_ratio_zipf_reaches_target() -> None:
    ttl = ttl_for_hit_ratio(0.6, 200 / 60, 10_000, zipf_s=0.8)
    assert ttl is not None
    assert hit_ratio(200 / 60, 10_000, ttl, zipf_s=0.8) == pytest.approx(0.6, abs=1e-6)
    # Uniform needs far longer: x = 1.5, TTL = 1.5 / (3.3333 / 10,000) = 4,500 s.
    assert ttl < 4500


def test_users_in_window_by_littles_law() -> None:
    # 50 concurrent, session 600 s, TTL 1800 s: 50 * (1 + 3) = 200 distinct users.
    assert users_in_window(500, 50, 1800, 600) == 200
    # A day-long TTL would see 50 * 145 = 7,250 users, capped at the 500 active ones.
    assert users_in_window(500, 50, 86400, 600) == 500
    # Without concurrency figures every active user has a key.
    assert users_in_window(500, None, 1800, 600) == 500


@pytest.mark.parametrize(("path", "user", "shape"), [
    ("/api/products", False, "list"), ("/api/products/:id", False, "item"),
    ("/api/products/{id}/reviews", False, "item"), ("/api/users/:id/recs", True, "user"),
])
def test_key_shape(path: str, user: bool, shape: str) -> None:
    assert key_shape(path, user) == shape


@pytest.mark.parametrize(("method", "freshness", "user", "layers"), [
    ("POST", 300.0, False, []), ("DELETE", None, False, []), ("GET", None, False, []),
    ("GET", 0.5, False, []), ("GET", 30.0, False, ["redis"]),
    ("GET", 60.0, False, ["cdn", "redis"]), ("GET", 120.0, True, ["redis"]),
    ("GET", 300.0, True, ["browser", "redis"]),
])
def test_recommended_layers(method: str, freshness: float | None, user: bool,
                            layers: list[str]) -> None:
    chosen, reason = recommend_layers(method, freshness, user)
    assert chosen == layers
    assert reason.endswith(".")


def test_non_get_endpoint_is_not_cached_even_with_unreadable_freshness() -> None:
    row = analyse_endpoint(endpoint(method="POST", data_freshness="whenever",
                                    avg_response_time_ms=250), active_users=100)
    assert row.layers == []
    assert row.ttl_s is None
    assert row.hit_ratio == 0
    assert row.response_ms == 250
    assert row.improvement_pct == 0
    assert row.redis_memory_gb == 0
    assert "POST" in row.reason


def test_endpoint_overrides_keys_and_size() -> None:
    # distinct_keys 5, 100 KiB each: memory = 5 * 100 * 1.5 / 1024^2 GiB.
    # 60 rpm over 5 keys, TTL 300 s: lambda_k = 0.2 /s, x = 60, h = 60 / 61.
    row = analyse_endpoint(endpoint(distinct_keys=5, avg_response_kb=100), active_users=100)
    assert row.distinct_keys == 5
    assert row.redis_memory_gb == pytest.approx(750 / KIB_PER_GIB)
    assert row.hit_ratio == pytest.approx(60 / 61)


def test_currently_cached_endpoint_is_flagged() -> None:
    row = analyse_endpoint(endpoint(currently_cached=True), active_users=100)
    assert any("Already cached" in note for note in row.notes)


# --------------------------------------------------------------------------- exercise 2


def test_exercise_2_per_endpoint() -> None:
    result = analyse_endpoints(exercise_intake(), memory_budget_gb=16)
    products, item, recs = result.endpoints

    # /api/products: list, K = 20, TTL 300 s, x = 500/60/20 * 300 = 125, h = 125/126.
    # CDN front (300 s >= 60 s): t = 180/126 + 20 * 125/126 = 2680/126 = 21.270 ms.
    # Saved 180 - 21.270 = 158.730 ms = 88.18 %; origin saved 500 * 125/126 = 496.03 rpm.
    # Memory 20 * 50 KiB * 1.5 = 1,500 KiB.
    assert products.layers == ["cdn", "redis"]
    assert products.distinct_keys == 20
    assert products.ttl_s == 300
    assert products.hit_ratio == pytest.approx(125 / 126)
    assert products.response_ms == pytest.approx(21.2698, abs=1e-3)
    assert products.saved_ms == pytest.approx(158.730, abs=1e-3)
    assert products.improvement_pct == pytest.approx(88.183, abs=1e-3)
    assert products.origin_rpm_saved == pytest.approx(496.03, abs=1e-2)
    assert products.redis_memory_gb == pytest.approx(1500 / KIB_PER_GIB)

    # /api/products/:id: item, K = 10,000, TTL 600 s, x = 200/60/10,000 * 600 = 0.2, h = 1/6.
    # t = 5/6 * 85 + 1/6 * 20 = 74.167 ms; saved 10.833 ms = 12.75 %; origin saved 33.33 rpm.
    # Memory 10,000 * 5 KiB * 1.5 = 75,000 KiB.
    assert item.layers == ["cdn", "redis"]
    assert item.distinct_keys == 10_000
    assert item.hit_ratio == pytest.approx(1 / 6)
    assert item.response_ms == pytest.approx(74.1667, abs=1e-3)
    assert item.saved_ms == pytest.approx(10.8333, abs=1e-3)
    assert item.improvement_pct == pytest.approx(12.745, abs=1e-3)
    assert item.origin_rpm_saved == pytest.approx(33.333, abs=1e-3)
    assert item.redis_memory_gb == pytest.approx(75_000 / KIB_PER_GIB)
    # On its own, 80 % needs t <= 17 ms, below the 20 ms CDN hit: no hit ratio is enough.
    assert item.goal_hit_ratio is None
    assert item.goal_ttl_s is None
    # From Redis (2 ms): h = (85 - 17) / (85 - 2) = 0.8193, x = 4.533, TTL = 4.533 / (1/3000)
    # = 13,600 s.
    assert "redis" in item.goal_note and "13600 s" in item.goal_note

    # Recommendations: per user, K = min(500, 50 * (1 + 1800/600)) = 200, TTL 1800 s.
    # lambda_k = 150/60/200 = 0.0125 /s, x = 22.5, h = 22.5/23.5 = 0.95745.
    # Browser front (0 ms): t = 320 / 23.5 = 13.617 ms; saved 306.383 ms; memory 3,000 KiB.
    assert recs.layers == ["browser", "redis"]
    assert recs.distinct_keys == 200
    assert recs.hit_ratio == pytest.approx(22.5 / 23.5)
    assert recs.response_ms == pytest.approx(13.617, abs=1e-3)
    assert recs.saved_ms == pytest.approx(306.383, abs=1e-3)
    assert recs.redis_memory_gb == pytest.approx(3000 / KIB_PER_GIB)

    for row in result.endpoints:
        assert {"ttl_s", "keys", "hit_ratio", "response_ms", "redis_memory_gb"} <= set(row.formulas)
        assert row.inputs["requests_per_minute"] == row.requests_per_minute
    assert "125 / 126" in products.formulas["hit_ratio"]


def test_exercise_2_aggregate_meets_goal_and_budget() -> None:
    result = analyse_endpoints(exercise_intake(), memory_budget_gb=16)
    # Before: (500*180 + 200*85 + 150*320) / 850 = 155,000 / 850 = 182.35 ms.
    # After: 500*21.2698 + 200*74.1667 + 150*13.6170 = 10,634.92 + 14,833.33 + 2,042.55
    #      = 27,510.80 / 850 = 32.366 ms. Improvement 1 - 27,510.80/155,000 = 82.25 % >= 80 %.
    assert result.before_ms == pytest.approx(182.353, abs=1e-3)
    assert result.after_ms == pytest.approx(32.366, abs=1e-3)
    assert result.improvement_pct == pytest.approx(82.251, abs=1e-3)
    assert result.meets_goal is True
    assert result.goal_gap_pct == pytest.approx(2.251, abs=1e-3)
    assert result.gap_options == []
    # Memory: 1,500 + 75,000 + 3,000 = 79,500 KiB = 0.07582 GiB; 16 GB * 0.75 = 12 GiB usable.
    assert result.memory_needed_gb == pytest.approx(79_500 / KIB_PER_GIB)
    assert result.usable_memory_gb == pytest.approx(12)
    assert result.fits_budget is True
    # Origin: 496.03 + 33.33 + 143.62 = 672.98 requests per minute saved.
    assert result.origin_rpm_saved == pytest.approx(672.98, abs=1e-2)


def test_exercise_2_missed_goal_names_what_closes_the_gap() -> None:
    result = analyse_endpoints(exercise_intake(), memory_budget_gb=16, goal_improvement_pct=85)
    # 82.25 % against 85 %: short by 2.749 points.
    assert result.meets_goal is False
    assert result.goal_gap_pct == pytest.approx(-2.749, abs=1e-3)
    options = {o.path: o for o in result.gap_options}
    # Allowed weighted sum: 0.15 * 155,000 = 23,250.
    # /api/products: others 14,833.33 + 2,042.55 = 16,875.88 -> t <= 12.75 ms < 20 ms CDN hit.
    assert options["/api/products"].reachable is False
    # Recommendations: others 10,634.92 + 14,833.33 = 25,468.25 > 23,250: impossible.
    assert options["/api/users/:id/recommendations"].reachable is False
    # /api/products/:id: others 12,677.47 -> t <= 10,572.53 / 200 = 52.863 ms;
    # h = (85 - 52.863) / (85 - 20) = 0.49442; x = 0.97793; TTL = 0.97793 * 3000 = 2,933.8 s;
    # or keys <= 3.3333 * 600 / 0.97793 = 2,045.1 -> 2,045.
    item = options["/api/products/:id"]
    assert item.reachable is True
    assert item.needed_hit_ratio == pytest.approx(0.49442, abs=1e-4)
    assert item.needed_ttl_s == pytest.approx(2933.8, abs=0.5)
    assert item.max_keys == 2045


def test_budget_too_small_is_reported() -> None:
    # 0.05 GB * 0.75 = 0.0375 GiB usable < 0.0758 GiB needed.
    result = analyse_endpoints(exercise_intake(), memory_budget_gb=0.05)
    assert result.usable_memory_gb == pytest.approx(0.0375)
    assert result.fits_budget is False


def test_budget_from_cache_component_size_and_capacity() -> None:
    data = intake_data(endpoints=EXERCISE_2, current=WORKSHOP_LOAD)
    component(data, "cache")["size"] = "cache.r6g.large"
    # catalogue: cache.r6g.large 13.07 GiB -> 13.07 * 0.75 = 9.8025 GiB usable.
    result = analyse_endpoints(Intake.model_validate(data))
    assert result.memory_budget_gb == pytest.approx(13.07)
    assert result.usable_memory_gb == pytest.approx(9.8025)
    assert result.fits_budget is True
    assert "cache" in result.budget_source
    # capacity.memory_gb wins: 0.1 * 0.75 = 0.075 GiB < 0.0758 GiB needed.
    component(data, "cache")["capacity"] = {"memory_gb": 0.1}
    result = analyse_endpoints(Intake.model_validate(data))
    assert result.fits_budget is False


def test_no_budget_known() -> None:
    # The base intake's cache component has neither a size nor a memory figure.
    result = analyse_endpoints(exercise_intake())
    assert result.memory_budget_gb is None
    assert result.fits_budget is None


def test_no_endpoints_gives_no_verdict() -> None:
    result = analyse_endpoints(exercise_intake([]), memory_budget_gb=16)
    assert result.endpoints == []
    assert result.improvement_pct is None
    assert result.meets_goal is None
    assert result.memory_needed_gb == 0


def test_zipf_option_raises_item_hit_ratio() -> None:
    uniform = analyse_endpoints(exercise_intake(), memory_budget_gb=16)
    skewed = analyse_endpoints(exercise_intake(), memory_budget_gb=16, zipf_s=0.8)
    assert skewed.zipf_s == 0.8
    assert skewed.endpoints[1].hit_ratio > 2 * uniform.endpoints[1].hit_ratio
    assert "i^-0.8" in skewed.endpoints[1].formulas["hit_ratio"]


def test_every_default_has_a_source() -> None:
    for group in load_caching_defaults().values():
        for item in group.values():
            assert item.source.strip()
            assert math.isfinite(item.value)
