"""Availability: serial chains multiply, redundancy combines, shared hosts count once."""

from __future__ import annotations

import pytest

from assistant.capacity.availability import availability
from assistant.catalogue.model import load_defaults
from assistant.intake.schema import Intake
from tests.helpers import component, intake_data, make_intake


def test_redundant_instances_combine_and_serial_units_multiply() -> None:
    data = intake_data(targets={"target_users": 2000, "target_uptime_pct": 99.9})
    component(data, "api")["autoscaling"] = False
    component(data, "db")["data"]["multi_az"] = False
    report = availability(make_intake(**data), load_defaults())
    units = {u.name: u for u in report.units}
    # api: 3 instances at 99.5 %: 1 - 0.005 ** 3
    assert units["api"].availability_pct == pytest.approx(100 * (1 - 0.005 ** 3), abs=1e-4)
    # db: one instance at 99.5 % is a single point of failure
    assert units["db"].spof and not units["api"].spof
    # the managed load balancer and cache at the managed-service figure (99.95 % each)
    expected = 0.9995 * (1 - 0.005 ** 3) * 0.9995 * 0.995 * 100
    assert report.path_availability_pct == pytest.approx(expected, abs=1e-3)
    assert report.meets_target is False


def test_multi_az_database_is_not_a_spof() -> None:
    report = availability(make_intake(), load_defaults())
    assert not any(u.spof for u in report.units)


def test_shared_host_counts_once_and_is_the_spof() -> None:
    data = intake_data()
    component(data, "api")["host"] = "box"
    component(data, "api")["instances"] = 1
    component(data, "db")["host"] = "box"
    component(data, "db")["data"]["multi_az"] = False
    report = availability(make_intake(**data), load_defaults())
    [box] = [u for u in report.units if u.name == "box"]
    assert box.members == ["api", "db"] and box.spof
    assert len(report.units) == 3


def test_workers_are_off_the_request_path() -> None:
    data = intake_data()
    data["components"].append({"id": "jobs", "kind": "worker"})
    report = availability(make_intake(**data), load_defaults())
    assert "jobs" not in {u.name for u in report.units}


def test_a_single_self_run_load_balancer_is_a_spof() -> None:
    # nginx on one VM fails like any VM: 99.5 % (self_run_instance_pct), a single point of
    # failure; run as a managed service it is not
    data = intake_data()
    component(data, "lb")["managed"] = False
    report = availability(Intake.model_validate(data), load_defaults())
    lb = next(u for u in report.units if u.name == "lb")
    assert lb.spof and lb.availability_pct == pytest.approx(99.5)
    component(data, "lb")["instances"] = 2
    pair = next(u for u in availability(Intake.model_validate(data), load_defaults()).units
                if u.name == "lb")
    assert not pair.spof and pair.availability_pct == pytest.approx(100 * (1 - 0.005 ** 2))


def test_a_managed_database_in_one_zone_is_not_credited_the_multi_az_figure() -> None:
    # A managed single-zone database without a provider SLA named took the managed-service
    # figure (99.95 %), the same as multi-AZ: the cost-optimised configuration looked as
    # available as the balanced one. One zone is one instance: 99.5 % (RDS Single-DB SLA).
    data = intake_data()
    component(data, "db").update(managed=True, technology="PostgreSQL")
    component(data, "db")["data"]["multi_az"] = False
    single = {u.name: u for u in availability(make_intake(**data), load_defaults()).units}
    component(data, "db")["data"]["multi_az"] = True
    multi = {u.name: u for u in availability(make_intake(**data), load_defaults()).units}
    assert single["db"].availability_pct == pytest.approx(99.5)
    assert "managed single-zone database" in single["db"].reason
    assert multi["db"].availability_pct == pytest.approx(99.95)
