"""The monitoring plan: per component, the metrics and alert thresholds the seeds give.

Thresholds come from `data/monitoring.yaml` with their seed source; the few that depend on the
system (latency goal, connection limit) are filled from the intake.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.bundled import load_data_yaml
from assistant.capacity.demand import connection_limit
from assistant.capacity.latency import latency_goal_ms
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Intake

MONITORING_PATH = Path(__file__).parent / "data" / "monitoring.yaml"


class Alert(BaseModel):
    """One metric to watch on one component and when to alert."""

    component_id: str
    metric: str
    alert: str
    severity: str
    source: str


@cache
def _plan_by_kind() -> dict[str, list[dict[str, str]]]:
    raw: dict[str, Any] = load_data_yaml(MONITORING_PATH.read_text(encoding="utf-8"))
    return {kind: _flatten(items) for kind, items in raw["kinds"].items()}


def _flatten(items: list[Any]) -> list[dict[str, str]]:
    flat: list[dict[str, str]] = []
    for item in items:
        flat.extend(_flatten(item) if isinstance(item, list) else [item])
    return flat


def monitoring_plan(intake: Intake, defaults: Defaults) -> list[Alert]:
    """Return the alerts to set up, component by component, in intake order."""
    slo = latency_goal_ms(intake, defaults)
    alerts = []
    for component in intake.components:
        limit = connection_limit(component, defaults)
        values = {"slo_ms": f"{slo:g}", "max_connections": str(limit or "max"),
                  "connections_alert": str(round(0.8 * limit)) if limit else "80 %"}
        for item in _plan_by_kind().get(component.kind, []):
            alerts.append(Alert(component_id=component.id, metric=item["metric"],
                                alert=item["alert"].format(**values),
                                severity=item["severity"], source=item["source"]))
    return alerts
