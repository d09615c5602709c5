"""Builders for small intakes in tests: a valid base that each test changes one thing in."""

from __future__ import annotations

import copy
from typing import Any

from assistant.intake.schema import Intake

BASE: dict[str, Any] = {
    "name": "test system",
    "architecture": {"application_pattern": "monolith", "database_pattern": "single_db",
                     "deployment_pattern": "load_balanced", "caching_strategy": "none"},
    "current": {"active_users": 1000, "concurrent_users": 100, "requests_per_second": 100},
    "targets": {"target_users": 10000, "target_requests_per_second": 1000, "target_month": 12},
    "constraints": {"team_size": 4},
    "operations": {"monitoring": True, "alerting": True, "static_assets": False},
    "components": [
        {"id": "lb", "kind": "lb", "managed": True, "depends_on": ["api"], "rate_limiting": True},
        {"id": "api", "kind": "app", "instances": 3, "size": "m5.large", "autoscaling": True,
         "health_checks": True,
         "depends_on": ["db", "cache"]},
        {"id": "cache", "kind": "cache", "managed": True},
        {"id": "db", "kind": "db", "size": "db.r6g.4xlarge",
         "data": {"read_ratio": 0.8, "multi_az": True, "cache_hit_ratio": 0.8}},
    ],
}


def intake_data(**changes: Any) -> dict[str, Any]:
    """Return a deep copy of the base intake with top-level keys replaced."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return data


def make_intake(**changes: Any) -> Intake:
    """Build a validated intake from the base with changes."""
    return Intake.model_validate(intake_data(**changes))


def component(data: dict[str, Any], component_id: str) -> dict[str, Any]:
    """Find a component dict by id inside intake data (to change it in place)."""
    return next(c for c in data["components"] if c["id"] == component_id)


def layered_intake_data(count: int) -> dict[str, Any]:
    """An intake of `count` components in request order: a load balancer, web and app tiers,
    workers, then data stores (each caller depends on two of the next tier), for diagram size
    tests."""
    kinds = ("web", "app", "worker", "cache", "queue", "db")
    sizes = [max(1, (count - 1) // len(kinds) + (k < (count - 1) % len(kinds)))
             for k in range(len(kinds))]
    components: list[dict[str, Any]] = [{"id": "lb", "kind": "lb", "managed": True,
                                         "depends_on": [f"web-{i}" for i in range(sizes[0])]}]
    for level, kind in enumerate(kinds):
        below = level + 1 < len(kinds)
        for i in range(sizes[level]):
            entry: dict[str, Any] = {"id": f"{kind}-{i}", "kind": kind}
            if below:
                width = sizes[level + 1]
                entry["depends_on"] = sorted({f"{kinds[level + 1]}-{i % width}",
                                              f"{kinds[level + 1]}-{(i * 7 + 3) % width}"})
            if kind == "db":
                entry["data"] = {"read_ratio": 0.8}
            components.append(entry)
    return intake_data(components=components[:count])
