"""Managed services count at their provider's published SLA, with the page it comes from."""

from __future__ import annotations

import pytest

from assistant.capacity.availability import availability
from assistant.catalogue.model import load_defaults
from assistant.catalogue.slas import provider_slas, published_sla
from tests.helpers import make_intake


@pytest.mark.parametrize(("technology", "kind", "multi_az", "expected"), [
    ("PostgreSQL on RDS", "db", True, 99.95),
    ("Amazon RDS for MySQL", "db", False, 99.5),
    ("Aurora PostgreSQL", "db", True, 99.99),
    ("ElastiCache for Redis", "cache", True, 99.99),
    ("S3 (video library)", "storage", False, 99.9),
    ("CloudFront (video and static assets)", "cdn", False, 99.9),
    ("Cloudflare", "cdn", False, 100.0),
    ("AWS ALB", "lb", False, 99.99),
])
def test_a_named_service_gets_its_published_sla(technology: str, kind: str, multi_az: bool,
                                                expected: float) -> None:
    sla = published_sla(technology, kind, multi_az)
    assert sla is not None and sla.sla_pct == expected and sla.source.startswith("https://")


@pytest.mark.parametrize(("technology", "kind"), [
    ("PostgreSQL", "db"), ("Redis Cluster", "cache"), ("CloudFront", "db"),
    ("Kafka (managed)", "queue"), ("Mysql on a VM called rdsbox", "db")])
def test_no_named_service_no_provider_figure(technology: str, kind: str) -> None:
    assert published_sla(technology, kind, False) is None


def test_every_sla_names_its_page() -> None:
    assert all("https://" in s.source for s in provider_slas())


def _unit(technology: str, **data: object):  # type: ignore[no-untyped-def]
    intake = make_intake(components=[
        {"id": "api", "kind": "app", "instances": 3, "depends_on": ["db"]},
        {"id": "db", "kind": "db", "managed": True, "technology": technology,
         "data": {"multi_az": True, **data}}])
    report = availability(intake, load_defaults())
    return next(u for u in report.units if u.name == "db"), report


def test_availability_uses_the_provider_figure_and_says_where_it_comes_from() -> None:
    unit, _ = _unit("Aurora PostgreSQL")
    assert unit.availability_pct == 99.99 and "aws.amazon.com/rds/aurora/sla" in unit.reason
    generic, _ = _unit("PostgreSQL")
    defaults = load_defaults()
    assert generic.availability_pct == defaults.availability["managed_multi_az_pct"].value
    assert "no provider SLA named" in generic.reason


def test_managed_cap_is_the_product_of_the_managed_units() -> None:
    _, report = _unit("Aurora PostgreSQL")
    assert report.managed_cap_pct == pytest.approx(99.99)
