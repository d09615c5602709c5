"""The seed-derived examples: each loads, and the capacity model tells the seed's story.

Every expected figure is worked out by hand from the example's YAML in the comment above it,
so a change in an example, a default or the model shows up here as a failing number.
"""

from __future__ import annotations

import math

import pytest

from assistant.analysis.baseline_costs import monthly_costs
from assistant.analysis.endpoint_caching import analyse_endpoints
from assistant.capacity.model import CapacityReport, ResourceReport, analyse
from assistant.catalogue.model import load_defaults
from assistant.intake.loading import load_intake
from assistant.intake.schema import Intake
from assistant.planning.business_case import compute_roi
from tests.conftest import EXAMPLES

NEW_EXAMPLES = ("trading-platform", "saas-growth", "elearning-global", "caching-endpoints")


def load(name: str) -> Intake:
    return load_intake(EXAMPLES / f"{name}.yaml")


def resource(report: CapacityReport, subject: str, name: str,
             ceiling: bool = False) -> ResourceReport:
    return next(r for r in report.resources
                if r.subject == subject and r.resource == name and r.ceiling == ceiling)


def at(report: ResourceReport, horizon: str) -> float:
    return next(h.utilisation_pct for h in report.horizons if h.horizon == horizon)


def needed(report: CapacityReport, component_id: str, quantity: str) -> int:
    return next(s.needed_at_target for s in report.sizing
                if s.component_id == component_id and s.quantity == quantity)


def crossing(actual: float | None, exact: float) -> bool:
    """The model walks a 0.05-month grid and rounds to 0.1: it reports the exact crossing month
    at most one step late, and rounding may take off up to 0.05."""
    return actual is not None and exact - 0.05 - 1e-9 <= actual <= exact + 0.1 + 1e-9


def horizon(report: CapacityReport, name: str):
    return next(h for h in report.horizons if h.name == name)


@pytest.mark.parametrize("name", NEW_EXAMPLES)
def test_example_loads_and_analyses(name: str) -> None:
    intake = load(name)
    report = analyse(intake)
    assert intake.source.startswith("seed 00")
    assert report.first_break is not None  # every seed story has a wall ahead


# --- trading platform (seed 002) ------------------------------------------------------------


@pytest.fixture(scope="module")
def trading() -> CapacityReport:
    return analyse(load("trading-platform"))


def test_trading_users_grow_by_the_seeds_yearly_factor(trading: CapacityReport) -> None:
    # 10,000 users x2.5 a year: 6 months = 10,000 * sqrt(2.5) = 15,811; 12 months = 25,000.
    # Concurrency (1,000 = 10 %) follows users; peak rps = 200 * 3 = 600 -> 1,500.
    assert horizon(trading, "6m").users == 15811
    target = horizon(trading, "target")
    assert (target.month, target.users, target.concurrent_users) == (12, 25000, 2500)
    assert target.peak_rps == pytest.approx(1500)


def test_trading_web_cpu_is_concurrent_users_times_a_tenth_core(trading: CapacityReport) -> None:
    # Per-user model (seed 002 ~350): 1,000 online * 0.1 cores = 100 cores on 5 * 32 vCPU
    # (m5.8xlarge) = 62.5 %; at 12 months 250 cores = 156.25 %. Memory: 1,000 * 50 MB / 1024 =
    # 48.8 GB of 5 * 128 GB = 7.6 %.
    cpu = resource(trading, "web", "cpu")
    assert cpu.horizons[0].demand == pytest.approx(100)
    assert cpu.horizons[0].capacity == pytest.approx(160)
    assert at(cpu, "now") == pytest.approx(62.5)
    assert at(cpu, "target") == pytest.approx(156.2, abs=0.1)
    assert at(resource(trading, "web", "memory"), "now") == pytest.approx(7.6)
    # Autoscaled, so the web tier is elastic and never listed as a breaking point.
    assert cpu.elastic and not trading.breaks_for("web")


def test_trading_web_sizing_against_the_seeds_projection(trading: CapacityReport) -> None:
    # ceil(2,500 * 0.1 / (32 * 0.70)) = ceil(11.16) = 12 at 12 months: above today's 5 and the
    # autoscaling maximum of 10, below the seed's projected 20 (seed 002 ~393-394).
    assert needed(trading, "web", "instances") == 12


def test_trading_storage_is_the_first_wall(trading: CapacityReport) -> None:
    # 500 GB x3.0 a year on 1 TB: 80 % when 3^(m/12) = 1.6, m = 12 ln 1.6 / ln 3 = 5.13.
    # Hot data 25 GB for the whole store, 1/3 per shard (8.33 GB) x3.0 a year on 64 GB: 80 % at
    # m = 12 ln(51.2 / 8.333) / ln 3 = 19.8, beyond the 12-month target: no break.
    first = trading.first_break
    assert first is not None
    assert (first.subject, first.resource) == ("postgres", "storage")
    assert crossing(first.month, 12 * math.log(1.6) / math.log(3))
    memory = resource(trading, "postgres", "memory")
    assert memory.breaking_month is None
    assert at(memory, "now") == pytest.approx(25 / 3 / 64 * 100, abs=0.1)


def test_trading_busiest_shard_keeps_cpu_headroom(trading: CapacityReport) -> None:
    # 600 rps * 3 = 1,800 qps: reads 1,260 * (1 - 0.6 cache hit) * 1/3 (3 even shards) = 168,
    # writes 540 * 2 * 1/3 = 360; 528 of 4,000 qps (db.r6g.2xlarge) = 13.2 %, x2.5 = 33 % at
    # 12 months.
    cpu = resource(trading, "postgres", "cpu")
    assert at(cpu, "now") == pytest.approx(13.2)
    assert at(cpu, "target") == pytest.approx(33.0)
    assert cpu.breaking_month is None
    # Connections: 25 of 100, following rps: 62.5 % at 12 months.
    assert at(resource(trading, "postgres", "connections"), "target") == pytest.approx(62.5)


# --- QNom SaaS (seed 004) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def saas_intake() -> Intake:
    return load("saas-growth")


@pytest.fixture(scope="module")
def saas(saas_intake: Intake) -> CapacityReport:
    return analyse(saas_intake)


def test_saas_reaches_the_phase_four_users_at_the_roadmap_end(saas: CapacityReport) -> None:
    # 1,000 -> 100,000 users over 24 months, geometric: 10,000 at 12 months. Rps follows users
    # (no rps target): 200 -> 20,000.
    target = horizon(saas, "target")
    assert (target.month, target.users) == (24, 100000)
    assert horizon(saas, "12m").users == 10000
    assert target.peak_rps == pytest.approx(20000)


def test_saas_breaking_points_in_order(saas: CapacityReport) -> None:
    # Users grow 100^(m/24). Redis 1.6 of 4 GB (40 %) hits 80 % at 2x: m = 24 ln 2 / ln 100
    # = 3.61. DB: 600 qps -> reads 480 * 0.2 = 96 + writes 120 * 2 = 240 = 336 of 1,000 (33.6 %),
    # 70 % at 2.083x: m = 3.83. API 20 % -> 70 % at 3.5x: m = 6.53. Storage 100 of 1,000 GB
    # -> 80 % at 8x: m = 10.84.
    def month(factor: float) -> float:
        return 24 * math.log(factor) / math.log(100)

    first = saas.first_break
    assert first is not None
    assert (first.subject, first.resource) == ("redis", "memory")
    assert crossing(first.month, month(2))
    assert crossing(resource(saas, "postgres", "cpu").breaking_month, month(0.7 / 0.336))
    assert crossing(resource(saas, "api", "cpu").breaking_month, month(3.5))
    assert crossing(resource(saas, "storage", "storage").breaking_month, month(8))


def test_saas_single_primary_hits_the_write_ceiling_near_100k_users(saas: CapacityReport) -> None:
    # Writes 240 qps on the largest size (db.r6g.16xlarge, 64 * 500 = 32,000 qps) = 0.75 %;
    # 70 % at 93.3x users, m = 24 ln 93.3 / ln 100 = 23.65: sharding by phase 4 (seed 004 ~112).
    ceiling = resource(saas, "postgres", "writes", ceiling=True)
    assert ceiling.horizons[0].demand / ceiling.horizons[0].capacity == pytest.approx(240 / 32000)
    assert crossing(ceiling.breaking_month, 24 * math.log(0.7 / 0.0075) / math.log(100))


def test_saas_costs_size_the_api_like_phase_four(saas_intake: Intake,
                                                 saas: CapacityReport) -> None:
    # 20,000 req/s on 500 req/s per t3.medium at 70 %: ceil(57.1) = 58, phase 4's "50+".
    costs = monthly_costs(saas_intake, saas, load_defaults())
    api = next(c for c in costs.components if c.component_id == "api")
    assert api.horizons[-1].units == 58


def test_saas_api_sizing_matches_its_per_instance_capacity(saas: CapacityReport) -> None:
    # Same arithmetic as the costs: 20,000 / (500 * 0.70) -> 58 instances.
    assert needed(saas, "api", "instances") == 58


def test_saas_has_single_points_of_failure(saas: CapacityReport) -> None:
    # One Redis, one PostgreSQL and one self-run nginx load balancer at 99.5 % each: the path
    # is below the 99.9 % KPI.
    assert {u.name for u in saas.availability.spofs} == {"redis", "postgres", "lb"}
    assert saas.availability.meets_target is False


def test_saas_business_case_cash_flows(saas_intake: Intake) -> None:
    # Month 0: -(60,000 development + 5,000 training). Expected scenario: running cost 1,300 +
    # 2,000 = 3,300 a month; from month 5 (time to value 4) + 10,000 * 200 % = +16,700.
    assert saas_intake.business is not None
    expected = next(s for s in compute_roi(saas_intake.business).scenarios
                    if s.name == "expected")
    flows = expected.monthly_cash_flows
    assert len(flows) == 25
    assert flows[0] == pytest.approx(-65000)
    assert flows[4] == pytest.approx(-3300)
    assert flows[5] == pytest.approx(16700)


# --- global e-learning (seed 001 master challenge 1) ------------------------------------------


@pytest.fixture(scope="module")
def elearning() -> CapacityReport:
    return analyse(load("elearning-global"))


def test_elearning_grows_tenfold_in_six_months(elearning: CapacityReport) -> None:
    target = horizon(elearning, "target")
    assert (target.month, target.users, target.concurrent_users) == (6, 5000000, 500000)
    assert target.peak_rps == pytest.approx(50000)  # 2,500 * 2 peak * 10


def test_elearning_writes_follow_the_hottest_partition(elearning: CapacityReport) -> None:
    # 5,000 peak rps * 3 = 15,000 qps; writes 10 % * 2 (write cost) = 3,000; the busiest of 8
    # shards takes 25 %: 750 qps (the even 1/8 would be 375) of 16 * 500 = 8,000 qps = 9.375 %.
    # 70 % at 7.47x users: m = 6 log10(0.7 / 0.09375) = 5.24.
    writes = resource(elearning, "postgres", "writes")
    assert writes.inputs["hottest_partition_share"] == 0.25
    assert writes.horizons[0].demand == pytest.approx(750)
    assert at(writes, "now") == pytest.approx(9.4, abs=0.05)
    assert crossing(writes.breaking_month, 6 * math.log10(0.7 / 0.09375))
    # Primary CPU of the busiest shard: reads 13,500 * 0.3 (cache misses) * 0.25 (its share)
    # / 3 nodes = 337.5, + 750 writes = 1,087.5 of 8,000 = 13.59 %;
    # 70 % at m = 6 log10(0.7 / 0.1359375) = 4.27.
    cpu = resource(elearning, "postgres", "cpu")
    assert at(cpu, "now") == pytest.approx(13.6, abs=0.1)
    assert crossing(cpu.breaking_month, 6 * math.log10(0.7 / 0.1359375))


def test_elearning_partition_sizing_uses_the_skew(elearning: CapacityReport) -> None:
    # At target the busiest shard's writes (7,500) * 8 shards = 60,000 skew-weighted, on the
    # largest size (calibrated from observed CPU) with writes held to half of 70 % (the primary
    # serves reads too); with an even spread the busiest shard would carry half as much.
    row = next(s for s in elearning.sizing if s.component_id == "postgres"
               and s.quantity == "write_partitions_at_largest_size")
    assert row.inputs["writes_hottest_partition_at_target"] == pytest.approx(7500)
    node = float(row.inputs["largest_node_qps"])
    by_writes = math.ceil(7500 * 8 / (node * 0.35))  # 6
    # ... and the busiest shard's hot data (50 GB growing with the data) must fit 80 % of the
    # largest size's 512 GB once spread over the new shards
    hot = next(h.demand for h in resource(elearning, "postgres", "memory").horizons
               if h.horizon == "target")
    by_memory = math.ceil(hot * 8 / (512 * 0.8))
    assert row.needed_at_target == max(by_writes, by_memory, 8) == by_memory == 10
    # API: 50,000 rps / (4 vCPU * 100 * 0.70) = ceil(178.6) = 179 instances.
    assert needed(elearning, "api", "instances") == 179


def test_elearning_hot_data_is_the_first_wall(elearning: CapacityReport) -> None:
    # The busiest shard's hot data 50 of 128 GB (39 %) reaches 80 % at 2.048x:
    # m = 6 log10(2.048) = 1.87; Redis 120 of 6 * 52.82 GB (37.9 %) follows at 1.95.
    first = elearning.first_break
    assert first is not None
    assert (first.subject, first.resource) == ("postgres", "memory")
    assert crossing(first.month, 6 * math.log10(2.048))
    redis = resource(elearning, "redis", "memory")
    assert crossing(redis.breaking_month, 6 * math.log10(0.8 / (120 / (6 * 52.82))))


def test_elearning_misses_four_nines(elearning: CapacityReport) -> None:
    # In series: CloudFront 99.9 % and S3 Standard 99.9 % (their published SLAs), the global
    # LB and the multi-AZ database at the generic 99.95 % (no provider named):
    # 0.999^2 * 0.9995^2 = 99.70 % < 99.99 %, and the managed SLAs alone cap it there.
    assert elearning.availability.path_availability_pct == pytest.approx(99.70, abs=0.01)
    assert elearning.availability.meets_target is False
    assert elearning.availability.managed_cap_pct == pytest.approx(99.70, abs=0.01)


# --- caching endpoints (seed 001 exercises 1 and 2) ---------------------------------------------


@pytest.fixture(scope="module")
def caching_intake() -> Intake:
    return load("caching-endpoints")


def test_caching_endpoints_hand_worked(caching_intake: Intake) -> None:
    result = analyse_endpoints(caching_intake)
    rows = {r.path: r for r in result.endpoints}
    # /api/products: 500 rpm = 8.33/s over 20 list keys, TTL 300 s: x = 8.33 / 20 * 300 = 125,
    # hit = 125 / 126 = 0.992.
    assert rows["/api/products"].hit_ratio == pytest.approx(125 / 126)
    # /api/products/:id: 200 rpm = 3.33/s over 10,000 items, TTL 600 s: x = 0.2, hit = 1/6.
    assert rows["/api/products/:id"].hit_ratio == pytest.approx(1 / 6)
    # Recommendations: K = ceil(50 * (1 + 1,800 / 600)) = 200 users; x = 2.5 / 200 * 1,800 = 22.5.
    recommendations = rows["/api/users/:id/recommendations"]
    assert recommendations.distinct_keys == 200
    assert recommendations.hit_ratio == pytest.approx(22.5 / 23.5)
    # Before: (500 * 180 + 200 * 85 + 150 * 320) / 850 = 182.4 ms; the goal of 80 % is met.
    assert result.before_ms == pytest.approx(155000 / 850)
    assert result.meets_goal is True
    # The budget is the planned node's 13.07 GiB (the 16 GB of the seed has no matching node),
    # 75 % usable = 9.80 GiB; every key fits.
    assert result.memory_budget_gb == pytest.approx(13.07)
    assert result.usable_memory_gb == pytest.approx(13.07 * 0.75)
    assert result.fits_budget is True


def test_caching_example_redis_has_headroom_at_target(caching_intake: Intake) -> None:
    # 2,000 rps * 2 lookups = 4,000 ops of 2 vCPU * 25,000 = 50,000 ops: 8 % at 12 months.
    report = analyse(caching_intake)
    assert at(resource(report, "redis", "cpu"), "target") == pytest.approx(8.0)
    assert not report.breaks_for("redis")
