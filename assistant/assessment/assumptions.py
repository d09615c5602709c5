"""The assumptions ledger: every default a review used, and every fact the intake left open.

Each default carries its value, its source and the input that would replace it.

It reads what the review resolved (the intake beside the defaults and catalogue it was computed
with, and the costs it priced) rather than being threaded through the capacity internals: a
value the intake did not give and the model filled in is a default; an `operations` fact left
out is a question, not a finding. "Did not give" is Pydantic's `model_fields_set`: a field the
intake states, even at the schema's default value, is the team's figure, not an assumption.
Names, phrases and questions are in the report's language (message catalogue `ledger.*`);
catalogue sources stay the catalogue's text, like formulas. `key` is the language-free id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, Field

from assistant.analysis.baseline_costs import CostReport, response_size_kb
from assistant.analysis.endpoint_caching import caching_goal_pct
from assistant.analysis.rules.finding import Finding
from assistant.analysis.rules.inputs import implied_traffic_growth_pct, traffic_growth_agrees
from assistant.capacity.cache_outage import cache_role
from assistant.capacity.model import BreakingPoint, CapacityReport
from assistant.catalogue.model import Defaults
from assistant.i18n.messages import Language, Messages
from assistant.intake.schema import DATA_KINDS, Component, Intake

_OPERATIONS = ("monitoring", "alerting", "static_assets", "incident_runbooks", "backups")


class Assumption(BaseModel):
    """One default the review used, or one fact it could not know."""

    kind: Literal["default", "question", "check"] = Field(
        description="default: a value the review filled in; question: a fact left open; "
                    "check: an input compared with what the model implies.")
    key: str = Field(default="", description="Language-free id of what was assumed, e.g. "
                     "'working_set' (the name is in the report's language).")
    subject: str = Field(description="Component id, or the intake section it concerns.")
    name: str = Field(description="What was assumed, e.g. 'working set'.")
    value: str = Field(description="The value used, with its unit.")
    source: str = Field(description="Where the value comes from (catalogue or seeds).")
    settle_with: str = Field(description="The intake field that would replace the default.")
    components: list[str] = Field(default_factory=list,
                                  description="Components whose figures rest on it.")


class _Ledger:
    """Builds entries in one language."""

    def __init__(self, lang: Language) -> None:
        self.m = Messages(lang)

    def default(self, key: str, subject: str, value: str, source: str, settle_with: str,
                components: list[str] | None = None) -> Assumption:
        return Assumption(kind="default", key=key, subject=subject,
                          name=self.m.t(f"ledger.{key}"), value=value, source=source,
                          settle_with=settle_with,
                          components=[subject] if components is None else components)

    def schema_default(self) -> str:
        return self.m.t("ledger.source.schema_default")


def assumptions_ledger(intake: Intake, defaults: Defaults, costs: CostReport,
                       lang: Language = "en") -> list[Assumption]:
    """Return every default the review used and every open fact, in report order."""
    led = _Ledger(lang)
    return [*_intake_defaults(led, intake, defaults), *_component_defaults(led, intake, defaults),
            *_endpoint_defaults(led, intake, costs, defaults), *_growth(led, intake),
            *_business(led, intake), *_operations(led, intake), *_draft_answers(intake)]


def _draft_answers(intake: Intake) -> Iterator[Assumption]:
    """Each import-draft question the review answered with its placeholder (--allow-draft).

    The question text is the draft's own (English, as the importer wrote it), so the entry
    carries it as its name in every report language.
    """
    every = [c.id for c in intake.components]
    for answer in intake.draft_assumed:
        section, _, rest = answer.field.partition("[")
        index = rest.split("]")[0]
        one = [intake.components[int(index)].id] if section == "components" and index.isdigit() \
            and int(index) < len(intake.components) else None
        subject = one[0] if one else section.split(".")[0]
        yield Assumption(kind="default", key="draft_placeholder", subject=subject,
                         name=answer.question, value=answer.value,
                         source="import draft placeholder (review --allow-draft), not a "
                                "measurement",
                         settle_with=answer.field, components=one or every)


def _is_default(model: BaseModel, field: str) -> bool:
    """Whether the intake left a field out, so the schema's default filled it in.

    A field the intake states is the team's figure even when it equals the default.
    """
    return field not in model.model_fields_set


def _intake_defaults(led: _Ledger, intake: Intake, defaults: Defaults) -> Iterator[Assumption]:
    every = [c.id for c in intake.components]
    m = led.m
    if _is_default(intake, "currency"):
        yield led.default("report_currency", "intake", intake.currency, led.schema_default(),
                          "currency", every)
    if intake.current.avg_response_time_ms is None:
        yield led.default("other_time", "current", m.t("ledger.other_time.value"),
                          "capacity/latency.py", "current.avg_response_time_ms", every)
    if intake.per_user is not None:
        for field, figure in defaults.per_user.items():
            if getattr(intake.per_user, field) is None:
                yield led.default(f"per_user.{field}", "per_user", m.value(figure.value),
                                  figure.source, f"per_user.{field}", every)
    if _is_default(intake.current, "peak_factor"):
        yield led.default("peak_factor", "current", m.t("ledger.peak_factor.value"),
                          led.schema_default(), "current.peak_factor", every)


def _component_defaults(led: _Ledger, intake: Intake,
                        defaults: Defaults) -> Iterator[Assumption]:
    m = led.m
    for index, c in enumerate(intake.components):
        where = f"components[{index}]"
        kind = defaults.kinds[c.kind]
        if c.size is None and kind.family and kind.default_size:
            yield led.default("instance_size", c.id, kind.default_size,
                              f"catalogue kinds.{c.kind}.default_size", f"{where}.size")
        if c.capacity.per_instance is None:
            if kind.per_vcpu:
                yield led.default("per_vcpu", c.id, f"{m.value(kind.per_vcpu)} {kind.unit}",
                                  kind.source, f"{where}.capacity.per_instance")
            elif kind.per_instance:
                yield led.default("per_instance", c.id,
                                  f"{m.value(kind.per_instance)} {kind.unit}", kind.source,
                                  f"{where}.capacity.per_instance")
        if c.load_share is None and c.kind in defaults.load_share:
            share = defaults.load_share[c.kind]
            key = "jobs_per_request" if c.kind == "worker" else "requests_per_edge"
            yield led.default(key, c.id, m.value(share.value), share.source,
                              f"{where}.load_share")
        if c.kind == "db" and c.capacity.max_connections is None and kind.max_connections:
            yield led.default("max_connections", c.id, m.value(kind.max_connections),
                              kind.source, f"{where}.capacity.max_connections")
        if c.kind == "cache" and c.cache_role is None:
            yield _cache_role_default(led, intake, c, where, m)
        yield from _data_defaults(led, intake, c, where, defaults)


def _cache_role_default(led: _Ledger, intake: Intake, c: Component, where: str,
                        m: Messages) -> Assumption:
    """The role a cache is assumed to have (`capacity.cache_outage.cache_role`), and why."""
    role, why = cache_role(intake, c)
    if why == "sessions":
        keeping = ", ".join(x.id for x in intake.components if x.sessions == "external")
        return led.default("cache_role", c.id, m.t("ledger.cache_role.store", apps=keeping),
                           "sessions: external on the application; an outage of the session "
                           "store signs users out", f"{where}.cache_role")
    return led.default("cache_role", c.id, m.t("ledger.cache_role.value"),
                       "knowledge/multi-layer-caching.md (cache-aside: a cache error "
                       "falls through to the source)", f"{where}.cache_role")


def _data_defaults(led: _Ledger, intake: Intake, c: Component, where: str,
                   defaults: Defaults) -> Iterator[Assumption]:
    if c.kind not in DATA_KINDS or c.kind == "storage":
        return
    data, db, m = c.data, defaults.database, led.m
    if c.kind == "db" and (data is None or data.read_ratio is None):
        yield led.default("read_share", c.id, m.pct(db["read_ratio"].value * 100, 0),
                          db["read_ratio"].source, f"{where}.data.read_ratio")
    if c.kind == "db":
        yield led.default("write_cost", c.id, m.t("ledger.write_cost.value",
                                                  factor=db["write_cost_factor"].value),
                          db["write_cost_factor"].source, f"{where}.capacity.per_instance")
    volume = (data.data_volume_gb if data else None) or intake.current.data_volume_gb
    # only a database's memory is its working set; a cache's is the data it holds (the capacity
    # model's "cached data / memory"), so no working-set default stands behind a cache's figure
    if c.kind == "db" and (data is None or data.working_set_gb is None) and volume:
        share = db["working_set_fraction"].value
        yield led.default("working_set", c.id, m.t(
            "ledger.working_set.value", share=m.pct(share * 100, 0),
            # 1.6 GB shown as "2 GB" made "20 % of 2 GB = 0.3 GB" contradict itself
            volume=m.number(volume, 0 if float(volume).is_integer() else 1),
            gb=m.number(share * volume, 1)), db["working_set_fraction"].source,
            f"{where}.data.working_set_gb")


def _endpoint_defaults(led: _Ledger, intake: Intake, costs: CostReport,
                       defaults: Defaults) -> Iterator[Assumption]:
    m = led.m
    for index, e in enumerate(intake.endpoints):
        subject = f"{e.method} {e.path}"
        served = [e.served_by] if e.served_by else []
        if e.avg_response_kb is None:
            yield led.default("response_size", subject, m.t("ledger.by_shape"),
                              "analysis/data/caching.yaml response_kb",
                              f"endpoints[{index}].avg_response_kb", served)
        if e.distinct_keys is None:
            yield led.default("distinct_keys", subject, m.t("ledger.by_shape"),
                              "analysis/data/caching.yaml keys",
                              f"endpoints[{index}].distinct_keys", served)
    if intake.endpoints and intake.targets.caching_improvement_pct is None:
        yield led.default("caching_goal", "endpoints", m.t(
            "ledger.caching_goal.value", pct=caching_goal_pct(intake)),
            "seed 001 exercise 2 (~763)", "targets.caching_improvement_pct", [])
    priced_by_size = [c.component_id for c in costs.components
                      if c.component_id in {"egress", "lb", "cdn"}]
    if priced_by_size and intake.current.avg_response_kb is None:
        yield led.default("transfer_size", "costs",
                          f"{m.value(response_size_kb(intake, defaults))} KB",
                          defaults.services["avg_response_kb"].source,
                          "current.avg_response_kb", priced_by_size)


def _growth(led: _Ledger, intake: Intake) -> Iterator[Assumption]:
    targets, m = intake.targets, led.m
    # Only anchors before the target month settle the shape (one at or past it is refused).
    missing = [name for name, month in (("six_month_users", 6), ("twelve_month_users", 12))
               if getattr(targets, name) is None and month < targets.target_month]
    if missing:
        yield led.default("growth_shape", "targets", m.t("ledger.growth_shape.value"),
                          "capacity/growth.py", ", ".join(f"targets.{x}" for x in missing), [])
    given = intake.growth.expected_traffic_growth_pct
    if given is not None:
        implied = implied_traffic_growth_pct(intake)
        agrees = traffic_growth_agrees(intake)
        yield Assumption(
            kind="check", key="traffic_growth", subject="growth",
            name=m.t("ledger.traffic_growth"),
            value=m.t("ledger.traffic_growth.value", given=m.number(given),
                      implied=m.number(implied),
                      verdict=m.t("ledger.agrees" if agrees else "ledger.differs")),
            source="growth.expected_traffic_growth_pct",
            settle_with="targets.target_requests_per_second, targets.target_users")


def _business(led: _Ledger, intake: Intake) -> Iterator[Assumption]:
    business = intake.business
    if business is None:
        return
    for field, key, unit in (("annual_discount_rate_pct", "discount_rate", " %"),
                             ("timeframe_months", "horizon", ""),
                             ("currency", "business_currency", "")):
        if _is_default(business, field):
            value = getattr(business, field)
            shown = value if isinstance(value, str) else f"{led.m.value(value)}{unit}"
            if key == "horizon":
                shown = led.m.t("ledger.horizon.value", months=value)
            yield led.default(key, "business", shown, led.schema_default(),
                              f"business.{field}", [])


def _operations(led: _Ledger, intake: Intake) -> Iterator[Assumption]:
    ops = intake.operations
    for field in _OPERATIONS:
        if getattr(ops, field) is None:
            yield Assumption(kind="question", key=f"operations.{field}", subject="operations",
                             name=field, value=led.m.t("ledger.unknown"),
                             source=led.m.t(f"ledger.question.{field}"),
                             settle_with=f"operations.{field}")


# Which defaults (by key) each resource's figures are computed from.
_RESOURCE_INPUTS = {
    "memory": {"working_set", "instance_size"},
    "cpu": {"per_vcpu", "per_instance", "requests_per_edge", "jobs_per_request",
            "instance_size", "write_cost", "read_share"},
    "connections": {"max_connections", "requests_per_edge"},
    "storage": set(),
}


# Rules whose month is today's measurement or the availability model, not a capacity figure.
_NOT_CAPACITY = frozenset({"performance-budget-exceeded", "availability-slo-unreachable",
                           "target-below-today"})


def _rests_on(members: set[str], resource: str, ledger: list[Assumption]) -> list[Assumption]:
    keys = _RESOURCE_INPUTS.get(resource, _RESOURCE_INPUTS["cpu"])
    return [a for a in ledger if a.kind == "default" and a.subject in members and a.key in keys]


def rests_on_defaults(point: BreakingPoint, ledger: list[Assumption]) -> list[Assumption]:
    """The component defaults a breaking point's figures are computed from."""
    return _rests_on(set(point.members) | {point.subject}, point.resource, ledger)


def _members(capacity: CapacityReport, subject: str) -> set[str]:
    """The components on a shared host (a breaking point's subject may be the host)."""
    return set(capacity.hosts.get(subject, []))


def finding_rests_on(findings: list[Finding], ledger: list[Assumption],
                     capacity: CapacityReport) -> dict[str, list[Assumption]]:
    """Per finding id, the defaults its figures rest on (findings on the team's figures absent).

    A finding names the resource it rests on in its breaking-point evidence or its parameters;
    one with a breaking month but no resource (a blocker, due when scale-out is) rests on the
    breaking points of its components in that month.
    """
    found: dict[str, list[Assumption]] = {}
    for f in findings:
        pairs = [(str(e.params["subject"]), str(e.params["resource"])) for e in f.evidence
                 if "resource" in e.params and "subject" in e.params]
        resource = f.params.get("resource") or f.params.get("first_resource")
        if resource and resource != "-":
            pairs.append((str(f.params.get("subject", "")), str(resource)))
        if not pairs and f.breaking_month is not None and f.rule_id not in _NOT_CAPACITY:
            pairs = [(b.subject, b.resource) for b in capacity.breaking_points
                     if b.month == f.breaking_month and set(b.members) & set(f.components)]
        rests = [a for subject, resource in pairs
                 for a in _rests_on(set(f.components) | {subject} | _members(capacity, subject),
                                    resource, ledger)]
        if f.rule_id == "latency-slo":
            rests = [*rests, *(a for a in ledger if a.key == "other_time")]
        unique = list({(a.key, a.subject): a for a in rests}.values())
        if unique:
            found[f.id] = unique
    return found
