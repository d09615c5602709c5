"""One test per rule: the healthy base intake triggers nothing; one change triggers the rule."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.analysis.rules import run_rules
from assistant.analysis.rules.finding import Finding, sort_key
from assistant.analysis.rules.registry import RULES
from assistant.capacity.model import analyse
from assistant.catalogue.model import load_defaults
from assistant.intake.loading import load_intake
from tests.conftest import EXAMPLES
from tests.helpers import component, intake_data, make_intake


def findings_for(data: dict[str, Any]) -> list[Finding]:
    intake = make_intake(**data)
    return run_rules(intake, analyse(intake), load_defaults())


def only(data: dict[str, Any], rule_id: str) -> Finding:
    matching = [f for f in findings_for(data) if f.rule_id == rule_id]
    assert len(matching) == 1, [f.rule_id for f in findings_for(data)]
    return matching[0]


def test_healthy_base_has_no_findings() -> None:
    assert findings_for(intake_data()) == []


def test_single_instance() -> None:
    data = intake_data()
    component(data, "api").update(instances=1, autoscaling=False)
    finding = only(data, "single-instance")
    assert finding.components == ["api"] and finding.params["load_balancer"] == "yes"


def test_db_on_app_host() -> None:
    data = intake_data()
    component(data, "api").update(host="box")
    component(data, "db").update(host="box", size="db.r6g.large")
    finding = only(data, "db-on-app-host")
    assert finding.components == ["api", "db"] and finding.params["host"] == "box"
    assert finding.severity == "critical"


def test_local_file_storage_blocks_scale_out() -> None:
    data = intake_data()
    component(data, "api")["file_storage"] = "local"
    assert only(data, "local-file-storage").severity == "high"
    component(data, "api").update(autoscaling=False, instances=1)
    blocked = only(data, "local-file-storage")
    assert blocked.severity == "critical" and blocked.breaking_month is not None


def test_no_cache_in_front_of_read_heavy_db() -> None:
    data = intake_data()
    data["components"] = [c for c in data["components"] if c["id"] != "cache"]
    component(data, "api")["depends_on"] = ["db"]
    component(data, "db")["data"].pop("cache_hit_ratio")
    finding = only(data, "no-cache-read-heavy")
    assert finding.params["read_pct"] == 80 and finding.components == ["db"]


def test_no_cache_rule_ignores_write_heavy_db() -> None:
    data = intake_data()
    data["components"] = [c for c in data["components"] if c["id"] != "cache"]
    component(data, "api")["depends_on"] = ["db"]
    component(data, "db")["data"] = {"read_ratio": 0.3, "multi_az": True}
    assert "no-cache-read-heavy" not in {f.rule_id for f in findings_for(data)}


def test_no_read_replicas() -> None:
    data = intake_data()
    component(data, "db")["size"] = "db.r6g.large"
    component(data, "db")["data"].pop("cache_hit_ratio")
    finding = only(data, "no-read-replicas")
    assert finding.params["replicas_needed"] >= 1 and finding.breaking_month is not None
    component(data, "db")["data"]["replicas"] = 2
    assert "no-read-replicas" not in {f.rule_id for f in findings_for(data)}


def test_connection_pool_exhaustion() -> None:
    data = intake_data()
    component(data, "db")["usage"] = {"connections": 40}
    component(data, "db")["capacity"] = {"max_connections": 100}
    finding = only(data, "connection-pool-exhaustion")
    # 40 -> 80 connections at 2x rps; rps grows 10x in 12 months: 12 * log10(2) = 3.6
    assert finding.breaking_month == pytest.approx(3.6, abs=0.06)


def test_in_process_sessions() -> None:
    data = intake_data()
    component(data, "api")["sessions"] = "in_process"
    assert only(data, "in-process-sessions").components == ["api"]


def test_no_cdn_only_with_static_assets() -> None:
    data = intake_data(operations={"monitoring": True, "alerting": True, "static_assets": True})
    only(data, "no-cdn")
    data["components"].append({"id": "edge", "kind": "cdn", "depends_on": ["lb"]})
    assert "no-cdn" not in {f.rule_id for f in findings_for(data)}


def test_no_rate_limiting() -> None:
    data = intake_data()
    component(data, "lb")["rate_limiting"] = False
    only(data, "no-rate-limiting")


def test_no_autoscaling_needs_growth() -> None:
    data = intake_data()
    component(data, "api")["autoscaling"] = False
    assert only(data, "no-autoscaling").params["growth_factor"] == 10.0
    data["targets"]["target_requests_per_second"] = 150
    assert "no-autoscaling" not in {f.rule_id for f in findings_for(data)}


def test_performance_budget_exceeded() -> None:
    data = intake_data()
    data["current"].update(p95_response_time_ms=800, error_rate_pct=2.5, cache_hit_pct=97)
    finding = only(data, "performance-budget-exceeded")
    labels = [e.label for e in finding.evidence]
    assert labels == ["evidence.budget.p95", "evidence.budget.error_rate"]
    assert [e.params["limit"] for e in finding.evidence] == [500, 1]
    assert finding.params["count"] == 2


def test_availability_slo_unreachable() -> None:
    data = intake_data()
    data["targets"]["target_uptime_pct"] = 99.99
    component(data, "db")["data"]["multi_az"] = False
    finding = only(data, "availability-slo-unreachable")
    assert finding.params["spofs"] == "db" and finding.components == ["db"]


def test_storage_growth() -> None:
    data = intake_data(growth={"expected_data_growth_pct": 200})
    component(data, "db")["capacity"] = {"storage_gb": 1000}
    component(data, "db")["data"]["data_volume_gb"] = 400
    assert only(data, "storage-growth").breaking_month == pytest.approx(7.6, abs=0.06)


def test_monitoring_missing() -> None:
    data = intake_data(operations={"monitoring": True, "alerting": False, "static_assets": False})
    assert only(data, "monitoring-missing").params["missing"] == "alerting"


def test_vertical_ceiling_and_capacity_threshold() -> None:
    data = intake_data()
    data["current"] = {"active_users": 100_000, "requests_per_second": 8000}
    data["targets"] = {"target_users": 1_000_000, "target_requests_per_second": 40_000}
    component(data, "db").update(size="db.r6g.16xlarge")
    found = {f.rule_id: f for f in findings_for(data)}
    assert found["vertical-ceiling"].severity == "critical"
    assert found["capacity-threshold"].params["resource"] in {"cpu", "writes"}


def test_memory_ceiling() -> None:
    data = intake_data()
    component(data, "db")["data"]["working_set_gb"] = 300  # 10x by target on 512 GB at most
    finding = only(data, "memory-ceiling")
    assert finding.severity == "critical" and finding.params["shards_needed"] >= 2


def test_iops_ceiling() -> None:
    data = intake_data()
    component(data, "db").update(usage={"iops": 100_000}, capacity={"iops": 200_000})
    finding = only(data, "iops-ceiling")
    assert finding.patterns[0] == "sharding" and finding.params["shards_needed"] >= 5


def test_hot_partition() -> None:
    data = intake_data()
    component(data, "db")["data"].update(partitions=4, hottest_partition_share=0.9)
    data["targets"]["target_requests_per_second"] = 5000
    finding = only(data, "hot-partition")
    assert finding.patterns[0] == "resharding-hot-tenant"
    assert finding.params["hottest_pct"] == 90.0


def test_managed_sla_cap() -> None:
    data = intake_data()
    data["targets"]["target_uptime_pct"] = 99.99
    data["components"].append({"id": "cdn", "kind": "cdn", "managed": True,
                               "technology": "CloudFront", "depends_on": ["lb"]})
    finding = only(data, "managed-sla-cap")
    assert finding.components == ["cdn"] and finding.params["weakest_pct"] == 99.9
    assert finding.patterns[0] == "multi-region"
    assert not [f for f in findings_for(data) if f.rule_id == "availability-slo-unreachable"]


def test_latency_slo() -> None:
    data = intake_data()
    data["current"]["avg_response_time_ms"] = 180
    data["targets"]["max_response_time_ms"] = 100
    component(data, "api")["autoscaling"] = False
    component(data, "api")["instances"] = 20
    finding = only(data, "latency-slo")
    assert finding.params["slo"] == 100 and finding.params["other"] > 150


def test_every_rule_has_a_test_here() -> None:
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    untested = [rule_id for rule_id in RULES if f'"{rule_id}"' not in source]
    assert untested == []


def test_findings_are_sorted_and_numbered() -> None:
    intake = load_intake(EXAMPLES / "ecommerce-workshop.yaml")
    findings = run_rules(intake, analyse(intake), load_defaults())
    assert findings == sorted(findings, key=sort_key)
    assert [f.id for f in findings] == [f"F{i:02d}" for i in range(1, len(findings) + 1)]


def test_ecommerce_top_findings_name_host_storage_and_cache() -> None:
    intake = load_intake(EXAMPLES / "ecommerce-workshop.yaml")
    findings = run_rules(intake, analyse(intake), load_defaults())
    top = [f.rule_id for f in findings[:10]]
    for rule_id in ("db-on-app-host", "local-file-storage", "no-cache-read-heavy"):
        assert rule_id in top, top


def test_target_below_todays_load_is_said() -> None:
    data = intake_data()
    data["targets"]["target_users"] = max(1, data["current"]["active_users"] // 2)
    finding = only(data, "target-below-today")
    assert finding.severity == "low" and finding.evidence[0].label == "evidence.target_users"
    assert finding.params["target"] < finding.params["users"]


def test_daily_requests_are_checked_against_the_request_rate() -> None:
    data = intake_data()
    data["current"]["daily_requests"] = 100 * 86_400  # agrees with 100 rps: no finding
    assert "daily-requests-disagree" not in [f.rule_id for f in findings_for(data)]
    data["current"]["daily_requests"] = 1_000_000  # 11.6 rps against 100
    finding = only(data, "daily-requests-disagree")
    assert finding.params["daily_rps"] == pytest.approx(11.57, abs=0.01)
    assert finding.params["rps"] == 100 and finding.patterns == ["capacity-planning"]


def test_measured_uptime_below_the_model_is_said() -> None:
    data = intake_data()
    data["current"]["uptime_pct"] = 99.999  # above what the model gives: nothing to say
    assert "uptime-below-model" not in [f.rule_id for f in findings_for(data)]
    data["current"]["uptime_pct"] = 99.0
    finding = only(data, "uptime-below-model")
    assert finding.params["measured"] == 99.0
    assert finding.params["modelled"] > 99.0


def test_stated_traffic_growth_is_checked_against_the_targets() -> None:
    data = intake_data()  # 100 -> 1,000 rps in 12 months: 900 % a year
    data["growth"] = {"expected_traffic_growth_pct": 900}
    assert "traffic-growth-disagrees" not in [f.rule_id for f in findings_for(data)]
    data["growth"] = {"expected_traffic_growth_pct": 50}
    finding = only(data, "traffic-growth-disagrees")
    assert finding.params["implied"] == pytest.approx(900, rel=1e-3)


def test_backups_and_runbooks_stated_absent_are_findings_left_out_are_not() -> None:
    assert not {"no-backups", "no-runbooks"} & {f.rule_id for f in findings_for({})}
    data = intake_data()
    data["operations"] = {**data["operations"], "backups": False, "incident_runbooks": False}
    assert only(data, "no-backups").components == ["db"]
    assert only(data, "no-runbooks").patterns == ["incident-response"]


def test_redundant_tier_without_health_checks() -> None:
    data = intake_data()
    component(data, "api")["health_checks"] = False
    assert only(data, "no-health-checks").components == ["api"]
