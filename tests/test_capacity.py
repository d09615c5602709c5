"""The capacity model: demand, thresholds, shared hosts, data tiers, ceilings, sizing."""

from __future__ import annotations

import math

import pytest

from assistant.capacity.growth import GrowthModel
from assistant.capacity.model import CapacityReport, analyse
from assistant.intake.loading import load_intake
from tests.conftest import EXAMPLES
from tests.helpers import component, intake_data, make_intake


def resource(report: CapacityReport, subject: str, name: str, ceiling: bool = False):
    return next(r for r in report.resources
                if r.subject == subject and r.resource == name and r.ceiling == ceiling)


@pytest.fixture(scope="module")
def ecommerce() -> CapacityReport:
    return analyse(load_intake(EXAMPLES / "ecommerce-workshop.yaml"))


def test_growth_hits_the_targets_geometrically() -> None:
    intake = make_intake()
    growth = GrowthModel(intake)
    assert growth.users(0) == 1000 and math.isclose(growth.users(12), 10000)
    assert math.isclose(growth.users(6), math.sqrt(1000 * 10000))
    assert math.isclose(growth.rps(12), 1000) and math.isclose(growth.rps(0), 100)


def test_rps_elasticity_follows_its_own_target() -> None:
    data = intake_data()
    data["targets"]["target_requests_per_second"] = 400  # 4x rps for 10x users
    growth = GrowthModel(make_intake(**data))
    assert math.isclose(growth.rps(12), 400)
    assert math.isclose(growth.rps_alpha, math.log(4) / math.log(10))


def test_ecommerce_shared_host_breaks_first_and_is_a_spof(ecommerce: CapacityReport) -> None:
    first = ecommerce.first_break
    assert first is not None
    assert first.subject == "ec2-main" and set(first.members) == {"api", "postgres"}
    assert first.month < 3.5
    [spof] = ecommerce.availability.spofs
    assert spof.name == "ec2-main" and set(spof.members) == {"api", "postgres"}
    assert ecommerce.availability.meets_target is False


def test_shared_host_cpu_is_the_sum_of_its_members(ecommerce: CapacityReport) -> None:
    host = resource(ecommerce, "ec2-main", "cpu")
    api = resource(ecommerce, "api", "cpu")
    db = resource(ecommerce, "postgres", "cpu")
    for h, a, d in zip(host.horizons, api.horizons, db.horizons, strict=True):
        assert h.utilisation_pct == pytest.approx(a.utilisation_pct + d.utilisation_pct, abs=0.2)
    # Today: 20 rps on 2 vCPU * 100 rps = 10 %; 60 qps split 48 reads + 12 writes * 2 = 72 of
    # 1,000 qps = 7.2 %; together 17.2 % of the host.
    assert host.horizons[0].utilisation_pct == pytest.approx(17.2)


def test_ecommerce_instances_needed_at_2000_rps(ecommerce: CapacityReport) -> None:
    api = next(s for s in ecommerce.sizing if s.component_id == "api")
    # 2,000 rps / (200 rps per t3.medium * 0.70) = 14.3 -> 15
    assert (api.current, api.needed_at_target) == (1, 15)


def test_connections_scale_with_requests(ecommerce: CapacityReport) -> None:
    conn = resource(ecommerce, "postgres", "connections")
    assert conn.horizons[0].utilisation_pct == 25.0
    # 25 connections reach 80 of 100 at 3.2x today's rate: 20 * 100 ** (m / 12) = 64 -> m = 3.03
    assert conn.breaking_month == pytest.approx(12 * math.log(3.2) / math.log(100), abs=0.06)


def largest_db_data(replicas: int = 0, partitions: int = 1, hottest: float | None = None):
    data = intake_data()
    data["current"] = {"active_users": 100_000, "requests_per_second": 5000}
    data["targets"] = {"target_users": 1_000_000, "target_requests_per_second": 50_000,
                       "target_month": 24}
    db = component(data, "db")
    db["size"] = "db.r6g.16xlarge"
    db["data"] = {"read_ratio": 0.5, "replicas": replicas, "partitions": partitions}
    if hottest is not None:
        db["data"]["hottest_partition_share"] = hottest
    return data


def test_largest_database_is_told_when_scaling_up_runs_out() -> None:
    from assistant.analysis.rules import run_rules

    intake = make_intake(**largest_db_data())
    report = analyse(intake)
    ceiling = resource(report, "db", "writes", ceiling=True)
    # 5,000 rps * 3 qps * 0.5 writes * 2 cost = 15,000 of 32,000 qps (64 vCPU * 500) = 46.9 %;
    # 70 % needs 1.493x, rps grows 10x in 24 months: 24 * log(1.493) / log(10) = 4.18 months.
    assert ceiling.horizons[0].utilisation_pct == pytest.approx(46.9, abs=0.05)
    assert ceiling.breaking_month == pytest.approx(24 * math.log(0.7 / 0.46875) / math.log(10),
                                                   abs=0.06)
    findings = [f for f in run_rules(intake, report, __import__(
        "assistant.catalogue.model", fromlist=["load_defaults"]).load_defaults())
        if f.rule_id == "vertical-ceiling"]
    assert len(findings) == 1 and findings[0].breaking_month == ceiling.breaking_month
    assert {"table-partitioning", "sharding"} <= set(findings[0].patterns)


def test_read_replicas_move_reads_but_not_writes() -> None:
    without = analyse(make_intake(**largest_db_data(replicas=0)))
    with_two = analyse(make_intake(**largest_db_data(replicas=2)))
    reads_before = resource(without, "db", "reads").breaking_month
    reads_after = resource(with_two, "db", "reads").breaking_month
    writes_before = resource(without, "db", "writes").breaking_month
    writes_after = resource(with_two, "db", "writes").breaking_month
    assert reads_before is not None and writes_before is not None
    # reads 7,500 qps on one 32,000-qps node = 23.4 %; on three nodes 7.8 %
    reads_without = resource(without, "db", "reads").horizons[0].utilisation_pct
    assert reads_without == pytest.approx(23.4, abs=0.05)
    assert resource(with_two, "db", "reads").horizons[0].utilisation_pct == pytest.approx(
        7.8, abs=0.05)
    assert reads_after is not None and reads_after > reads_before + 5
    assert writes_after == writes_before
    assert resource(with_two, "db", "writes", ceiling=True).breaking_month == resource(
        without, "db", "writes", ceiling=True).breaking_month


def test_hottest_partition_decides_not_the_average() -> None:
    even = analyse(make_intake(**largest_db_data(partitions=4)))
    skewed = analyse(make_intake(**largest_db_data(partitions=4, hottest=0.5)))
    even_writes = resource(even, "db", "writes", ceiling=True)
    skewed_writes = resource(skewed, "db", "writes", ceiling=True)
    assert even_writes.horizons[0].utilisation_pct == pytest.approx(46.875 / 4, abs=0.06)
    assert skewed_writes.horizons[0].utilisation_pct == pytest.approx(46.875 / 2, abs=0.06)
    assert skewed_writes.breaking_month is not None
    even_month = even_writes.breaking_month
    assert even_month is None or even_month > skewed_writes.breaking_month


def test_observed_cpu_calibrates_capacity() -> None:
    data = intake_data()
    component(data, "api")["usage"] = {"cpu_pct": 35}
    component(data, "api")["autoscaling"] = False
    report = analyse(make_intake(**data))
    cpu = resource(report, "api", "cpu")
    assert cpu.horizons[0].utilisation_pct == 35.0
    # 35 % -> 70 % needs 2x rps; rps grows 10x in 12 months: 12 * log(2) / log(10) = 3.6
    assert cpu.breaking_month == pytest.approx(12 * math.log(2) / math.log(10), abs=0.06)


def test_elastic_components_never_break() -> None:
    report = analyse(make_intake())
    assert resource(report, "api", "cpu").elastic
    assert all(b.subject != "api" for b in report.breaking_points)


def test_per_user_model_uses_seed_002_figures() -> None:
    data = intake_data(per_user={})
    component(data, "api")["autoscaling"] = False
    report = analyse(make_intake(**data))
    cpu = resource(report, "api", "cpu")
    # 100 concurrent users * 0.1 core = 10 cores against 3 * 2 vCPU
    assert cpu.horizons[0].demand == pytest.approx(10.0)
    assert cpu.horizons[0].capacity == pytest.approx(6.0)
    memory = resource(report, "api", "memory")
    assert memory.horizons[0].demand == pytest.approx(100 * 50 / 1024, abs=0.001)


def test_storage_fills_with_data_growth() -> None:
    data = intake_data(growth={"expected_data_growth_pct": 200})
    component(data, "db")["capacity"] = {"storage_gb": 1000}
    component(data, "db")["data"]["data_volume_gb"] = 400
    report = analyse(make_intake(**data))
    storage = resource(report, "db", "storage")
    # 400 GB * 3 ** (m / 12) reaches 800 GB at m = 12 * log(2) / log(3) = 7.57
    assert storage.breaking_month == pytest.approx(12 * math.log(2) / math.log(3), abs=0.06)
