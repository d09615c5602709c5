"""The assumptions ledger: every default a review used, and every fact the intake left open.

Each default carries its value, its source and the input that would replace it.

It reads what the review resolved (the intake beside the defaults and catalogue it was computed
with, and the costs it priced) rather than being threaded through the capacity internals: a
value the intake did not give and the model filled in is a default; an `operations` fact left
out is a question, not a finding. Entries are data (values and sources are the catalogue's
English text, like formulas); the section headings are in the message catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, Field

from assistant.analysis.baseline_costs import CostReport
from assistant.capacity.growth import GrowthModel
from assistant.capacity.model import BreakingPoint
from assistant.catalogue.model import Defaults
from assistant.intake.schema import DATA_KINDS, Component, Intake

CACHING_GOAL_PCT = 80.0  # analysis.endpoint_caching's default goal (seed 001 exercise 2, ~763)
_OPERATIONS_QUESTIONS = {
    "monitoring": "Do you collect metrics (CPU, memory, latency, errors) for every component?",
    "alerting": "Do alerts page someone before a threshold is crossed?",
    "static_assets": "Does the application serve images, JS or CSS (a CDN candidate)?",
    "incident_runbooks": "Are there runbooks for the incidents you expect?",
    "backups": "Are data stores backed up and restores tested?",
}


class Assumption(BaseModel):
    """One default the review used, or one fact it could not know."""

    kind: Literal["default", "question", "check"] = Field(
        description="default: a value the review filled in; question: a fact left open; "
                    "check: an input compared with what the model implies.")
    subject: str = Field(description="Component id, or the intake section it concerns.")
    name: str = Field(description="What was assumed, e.g. 'working set share'.")
    value: str = Field(description="The value used, with its unit.")
    source: str = Field(description="Where the value comes from (catalogue or seeds).")
    settle_with: str = Field(description="The intake field that would replace the default.")
    components: list[str] = Field(default_factory=list,
                                  description="Components whose figures rest on it.")


def assumptions_ledger(intake: Intake, defaults: Defaults, costs: CostReport) -> list[Assumption]:
    """Return every default the review used and every open fact, in report order."""
    return [*_intake_defaults(intake, defaults), *_component_defaults(intake, defaults),
            *_endpoint_defaults(intake, costs, defaults), *_growth(intake),
            *_business(intake), *_operations(intake), *_draft_answers(intake)]


def _draft_answers(intake: Intake) -> Iterator[Assumption]:
    """Each import-draft question the review answered with its placeholder (--allow-draft)."""
    every = [c.id for c in intake.components]
    for answer in intake.draft_assumed:
        section, _, rest = answer.field.partition("[")
        index = rest.split("]")[0]
        one = [intake.components[int(index)].id] if section == "components" and index.isdigit() \
            and int(index) < len(intake.components) else None
        yield _default(one[0] if one else section.split(".")[0], answer.question, answer.value,
                       "import draft placeholder (review --allow-draft), not a measurement",
                       answer.field, one or every)


def _default(subject: str, name: str, value: str, source: str, settle_with: str,
             components: list[str] | None = None) -> Assumption:
    return Assumption(kind="default", subject=subject, name=name, value=value, source=source,
                      settle_with=settle_with, components=components or [subject])


def _is_default(model: BaseModel, field: str) -> bool:
    """Whether a field holds its schema default.

    Given or not: the review cannot tell an intake built in code from one that left the field
    out, and the figure is the same either way.
    """
    return bool(getattr(model, field) == type(model).model_fields[field].default)


def _intake_defaults(intake: Intake, defaults: Defaults) -> Iterator[Assumption]:
    every = [c.id for c in intake.components]
    if _is_default(intake, "currency"):
        yield _default("intake", "report currency", intake.currency, "schema default",
                       "currency", every)
    if intake.current.avg_response_time_ms is None:
        yield _default("current", "time outside the modelled tiers (database, network)",
                       "0 ms: latency is the queueing model alone", "capacity/latency.py",
                       "current.avg_response_time_ms", every)
    if intake.per_user is not None:
        for field, figure in defaults.per_user.items():
            if getattr(intake.per_user, field) is None:
                yield _default("per_user", field.replace("_", " ") + " per concurrent user",
                               f"{figure.value:g}", figure.source, f"per_user.{field}", every)
    if _is_default(intake.current, "peak_factor"):
        yield _default("current", "peak-to-average ratio", "1.0 (plans for the average)",
                       "schema default", "current.peak_factor", every)


def _component_defaults(intake: Intake, defaults: Defaults) -> Iterator[Assumption]:
    for index, c in enumerate(intake.components):
        where = f"components[{index}]"
        kind = defaults.kinds[c.kind]
        if c.size is None and kind.family and kind.default_size:
            yield _default(c.id, "instance size", kind.default_size,
                           f"catalogue kinds.{c.kind}.default_size", f"{where}.size")
        if c.capacity.per_instance is None:
            if kind.per_vcpu:
                yield _default(c.id, "throughput per vCPU", f"{kind.per_vcpu:g} {kind.unit}",
                               kind.source, f"{where}.capacity.per_instance")
            elif kind.per_instance:
                yield _default(c.id, "throughput per instance",
                               f"{kind.per_instance:g} {kind.unit}", kind.source,
                               f"{where}.capacity.per_instance")
        if c.load_share is None and c.kind in defaults.load_share:
            share = defaults.load_share[c.kind]
            label = "jobs per request" if c.kind == "worker" else "requests per edge request"
            yield _default(c.id, label, f"{share.value:g}", share.source, f"{where}.load_share")
        if c.kind == "db" and c.capacity.max_connections is None and kind.max_connections:
            yield _default(c.id, "max connections", f"{kind.max_connections}", kind.source,
                           f"{where}.capacity.max_connections")
        yield from _data_defaults(intake, c, where, defaults)


def _data_defaults(intake: Intake, c: Component, where: str,
                   defaults: Defaults) -> Iterator[Assumption]:
    if c.kind not in DATA_KINDS or c.kind == "storage":
        return
    data = c.data
    db = defaults.database
    if c.kind == "db" and (data is None or data.read_ratio is None):
        yield _default(c.id, "read share", f"{db['read_ratio'].value:.0%}",
                       db["read_ratio"].source, f"{where}.data.read_ratio")
    if c.kind == "db":
        yield _default(c.id, "write cost", f"{db['write_cost_factor'].value:g} x a read",
                       db["write_cost_factor"].source, f"{where}.capacity.per_instance")
    volume = (data.data_volume_gb if data else None) or intake.current.data_volume_gb
    if (data is None or data.working_set_gb is None) and volume:
        share = db["working_set_fraction"].value
        yield _default(c.id, "working set", f"{share:.0%} of {volume:,.0f} GB = "
                       f"{share * volume:,.1f} GB", db["working_set_fraction"].source,
                       f"{where}.data.working_set_gb")


def _endpoint_defaults(intake: Intake, costs: CostReport,
                       defaults: Defaults) -> Iterator[Assumption]:
    for index, e in enumerate(intake.endpoints):
        subject = f"{e.method} {e.path}"
        served = [e.served_by] if e.served_by else []
        if e.avg_response_kb is None:
            yield _default(subject, "response size", "by endpoint shape (data/caching.yaml)",
                           "analysis/data/caching.yaml response_kb",
                           f"endpoints[{index}].avg_response_kb", served)
        if e.distinct_keys is None:
            yield _default(subject, "distinct cache keys", "by endpoint shape "
                           "(data/caching.yaml)", "analysis/data/caching.yaml keys",
                           f"endpoints[{index}].distinct_keys", served)
    if intake.endpoints:
        yield _default("endpoints", "caching goal", f"{CACHING_GOAL_PCT:g} % faster responses",
                       "seed 001 exercise 2 (~763); the intake has no field for it",
                       "no intake field yet: the seeds' goal", [])
    priced_by_size = [c.component_id for c in costs.components
                      if c.component_id in {"egress", "lb", "cdn"}]
    if priced_by_size:
        kb = defaults.services["avg_response_kb"]
        yield _default("costs", "average response size for data transfer",
                       f"{kb.per_unit_usd:g} KB", kb.source,
                       "no intake field yet: measure bytes out per request", priced_by_size)


def _growth(intake: Intake) -> Iterator[Assumption]:
    targets = intake.targets
    missing = [name for name in ("six_month_users", "twelve_month_users")
               if getattr(targets, name) is None]
    if missing:
        yield _default("targets", "growth curve shape", "users grow geometrically between "
                       "the anchors given (now, target)", "capacity/growth.py",
                       ", ".join(f"targets.{m}" for m in missing), [])
    given = intake.growth.expected_traffic_growth_pct
    if given is not None:
        growth = GrowthModel(intake)
        implied = ((growth.rps(growth.end_month) / growth.rps(0)) ** (12 / growth.end_month)
                   - 1) * 100
        verdict = "agrees" if abs(implied - given) <= 0.2 * max(abs(given), 1) else "differs"
        yield Assumption(
            kind="check", subject="growth", name="yearly traffic growth",
            value=f"given {given:,.0f} %, the curve from users and target request rate implies "
                  f"{implied:,.0f} % a year: {verdict}",
            source="growth.expected_traffic_growth_pct against targets",
            settle_with="targets.target_requests_per_second, targets.target_users")


def _business(intake: Intake) -> Iterator[Assumption]:
    business = intake.business
    if business is None:
        return
    for field, label, unit in (("annual_discount_rate_pct", "discount rate", " % a year"),
                               ("timeframe_months", "business case horizon", " months"),
                               ("currency", "business case currency", "")):
        if _is_default(business, field):
            shown = f"{getattr(business, field)}{unit}"
            yield _default("business", label, shown, "schema default (intake/business.py)",
                           f"business.{field}", [])


def _operations(intake: Intake) -> Iterator[Assumption]:
    ops = intake.operations
    for field, question in _OPERATIONS_QUESTIONS.items():
        if getattr(ops, field) is None:
            yield Assumption(kind="question", subject="operations", name=field, value="unknown",
                             source=question, settle_with=f"operations.{field}")


# Which defaults each resource's figures are computed from.
_RESOURCE_INPUTS = {
    "memory": {"working set", "instance size"},
    "cpu": {"throughput per vCPU", "throughput per instance", "requests per edge request",
            "jobs per request", "instance size", "write cost", "read share"},
    "connections": {"max connections", "requests per edge request"},
    "storage": set(),
}
_LOAD = {"peak-to-average ratio", "growth curve shape"}


def rests_on_defaults(point: BreakingPoint, ledger: list[Assumption]) -> list[Assumption]:
    """The component defaults a breaking point's figures are computed from."""
    members = set(point.members) | {point.subject}
    names = _RESOURCE_INPUTS.get(point.resource, _RESOURCE_INPUTS["cpu"])
    return [a for a in ledger if a.kind == "default" and a.subject in members
            and a.name in names]
