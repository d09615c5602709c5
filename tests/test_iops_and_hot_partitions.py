"""Disk IOPS and hot partitions move the figures: the vertical ceiling covers RAM and IOPS too.

IOPS: observed `usage.iops` against provisioned `capacity.iops` (the gp3 baseline when not
given), the write rate when only the volume is given, and the largest volume as a ceiling.
A hot partition that saturates while an even split would not is its own finding.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.analysis.applied_patterns import apply_patterns
from assistant.analysis.rules import run_rules
from assistant.capacity.model import CapacityReport, ResourceReport, analyse
from assistant.capacity.sizing import needed_at_target
from assistant.catalogue.model import load_defaults
from assistant.intake.schema import Intake
from tests.helpers import make_intake

DEFAULTS = load_defaults()


def _intake(db: dict[str, Any]) -> Intake:
    return make_intake(components=[
        {"id": "api", "kind": "app", "instances": 4, "size": "m5.large", "autoscaling": True,
         "depends_on": ["db"]},
        {"id": "db", "kind": "db", "size": "db.r6g.large", **db}])


def _iops(report: CapacityReport, ceiling: bool) -> ResourceReport:
    return next(r for r in report.resources
                if r.subject == "db" and r.resource == "iops" and r.ceiling == ceiling)


def test_no_iops_figure_means_no_iops_resource() -> None:
    report = analyse(_intake({}), DEFAULTS)
    assert not [r for r in report.resources if r.resource == "iops"]


def test_observed_iops_against_the_default_volume() -> None:
    report = analyse(_intake({"usage": {"iops": 1200}}), DEFAULTS)
    volume = _iops(report, ceiling=False)
    assert volume.horizons[0].capacity == DEFAULTS.database["volume_iops"].value
    assert volume.horizons[0].utilisation_pct == pytest.approx(40.0)  # 1,200 of 3,000
    assert volume.inputs["provisioned_source"] == "default database.volume_iops"


def test_provisioned_iops_alone_is_held_against_the_write_rate() -> None:
    report = analyse(_intake({"capacity": {"iops": 100}}), DEFAULTS)
    volume = _iops(report, ceiling=False)
    # 100 rps x 3 queries x 20 % writes x 1 IOPS per write = 60 IOPS on 100 provisioned
    assert volume.horizons[0].demand == pytest.approx(60.0)
    assert volume.breaking_month is not None
    finding = next(f for f in run_rules(_intake({"capacity": {"iops": 100}}), report, DEFAULTS)
                   if f.rule_id == "capacity-threshold" and f.params.get("resource") == "iops")
    assert finding.constraint == "disk IOPS" and finding.patterns[0] == "vertical-scaling"


def test_iops_past_the_largest_volume_need_shards() -> None:
    intake = _intake({"usage": {"iops": 100_000}, "capacity": {"iops": 200_000}})
    report = analyse(intake, DEFAULTS)
    ceiling = _iops(report, ceiling=True)
    assert ceiling.horizons[0].capacity == DEFAULTS.database["largest_volume_iops"].value
    assert ceiling.breaking_month is not None  # 10x growth: 1,000,000 IOPS at target
    shards = needed_at_target(report.sizing, "db", "write_partitions_at_largest_size")
    assert shards is not None and shards >= 5  # 1e6 / (256,000 x 0.8)
    findings = run_rules(intake, report, DEFAULTS)
    ceiling_finding = next(f for f in findings if f.rule_id == "iops-ceiling")
    assert ceiling_finding.patterns[0] == "sharding"
    assert ceiling_finding.params["shards_needed"] == shards


def test_vertical_scaling_provisions_the_iops_the_sizing_asks_for() -> None:
    intake = _intake({"usage": {"iops": 2500}})
    needed = needed_at_target(analyse(intake, DEFAULTS).sizing, "db", "provisioned_iops")
    assert needed == pytest.approx(2500 * 10 / 0.8, rel=0.01)
    after = apply_patterns(intake, [("vertical-scaling", ["db"])], DEFAULTS)
    assert after.component("db").capacity.iops == needed
    month = _iops(analyse(after, DEFAULTS), ceiling=False).breaking_month
    assert month is None or month >= 12  # sized to sit at the threshold at the target


def test_working_set_past_the_largest_ram_is_a_memory_ceiling() -> None:
    intake = _intake({"data": {"working_set_gb": 300}})  # largest db.r6g: 512 GB
    report = analyse(intake, DEFAULTS)
    ceiling = next(r for r in report.resources
                   if r.subject == "db" and r.resource == "memory" and r.ceiling)
    assert ceiling.breaking_month is not None
    finding = next(f for f in run_rules(intake, report, DEFAULTS)
                   if f.rule_id == "memory-ceiling")
    assert finding.patterns[:2] == ["sharding", "functional-partitioning"]


def _skewed(share: float | None) -> Intake:
    data: dict[str, Any] = {"partitions": 4, "read_ratio": 0.5}
    if share is not None:
        data["hottest_partition_share"] = share
    return _intake({"size": "db.r6g.xlarge", "data": data})


def test_hot_partition_is_its_own_finding_with_the_remedy_for_it() -> None:
    intake = _skewed(0.6)
    report = analyse(intake, DEFAULTS)
    hot = next(f for f in run_rules(intake, report, DEFAULTS) if f.rule_id == "hot-partition")
    assert hot.patterns[0] == "resharding-hot-tenant"
    assert hot.params["hottest_pct"] == 60.0 and hot.params["average_pct"] == 25.0
    even = hot.params["even_month"]
    assert even == "none" or float(even) > float(hot.params["month"])


def test_no_hot_partition_finding_when_the_load_is_even() -> None:
    intake = _skewed(None)
    assert not [f for f in run_rules(intake, analyse(intake, DEFAULTS), DEFAULTS)
                if f.rule_id == "hot-partition"]


def test_the_hottest_share_moves_the_figures_on_a_partitioned_store() -> None:
    even, skewed = analyse(_skewed(None), DEFAULTS), analyse(_skewed(0.6), DEFAULTS)

    def writes(r: CapacityReport) -> float:
        return next(x for x in r.resources if x.resource == "writes"
                    and not x.ceiling).horizons[0].utilisation_pct
    assert writes(skewed) == pytest.approx(writes(even) * 0.6 / 0.25, rel=0.02)  # 1-decimal %


def test_splitting_the_hot_partition_halves_its_share() -> None:
    after = apply_patterns(_skewed(0.6), [("resharding-hot-tenant", ["db"])], DEFAULTS)
    data = after.component("db").data
    assert data is not None and data.partitions == 5
    assert data.hottest_partition_share == pytest.approx(0.3)


def test_latency_uses_the_cpu_calibration_of_the_capacity_curve() -> None:
    intake = make_intake(components=[
        {"id": "api", "kind": "app", "instances": 2, "size": "m5.large",
         "usage": {"cpu_pct": 45}}])
    report = analyse(intake, DEFAULTS)
    now = next(r for r in report.latency if r.component_id == "api" and r.horizon == "now")
    cpu = next(r for r in report.resources if r.subject == "api" and r.resource == "cpu")
    assert now.utilisation_pct == pytest.approx(cpu.horizons[0].utilisation_pct, abs=0.1)
    assert now.utilisation_pct == pytest.approx(45.0, abs=0.1)
