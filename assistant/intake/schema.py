"""The intake: what a team tells archreview about its system, validated strictly.

The shape follows the seeds' own intake forms: the Architecture Assessment prompt (seed 000
~678), the Scaling-Readiness Assessment (seed 001 ~30-75), exercise 1's components, load and
targets (seed 001 ~218-257), exercise 2's endpoint table (seed 001 ~718-745) and the per-user
resource figures (seed 002 ~350). Every model forbids unknown fields so a typo is an error with
a hint, never a silently ignored setting. Loading errors live in `intake_errors`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from assistant.intake.base import StrictModel
from assistant.intake.business import RoiInputs
from assistant.intake.drafts import AssumedAnswer
from assistant.intake.freshness import parse_freshness
from assistant.intake.money import Money

ComponentKind = Literal[
    "lb", "web", "app", "db", "cache", "queue", "storage", "cdn", "search", "worker",
    "external", "platform",
]
COMPONENT_KINDS: tuple[str, ...] = ComponentKind.__args__  # type: ignore[attr-defined]
DATA_KINDS = frozenset({"db", "cache", "search", "storage"})

_ID_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"
# The label of a field no figure reads: only the LLM path sees it (fenced, as data).
LLM_CONTEXT = "Context only the LLM reads"

# Sane upper bounds, so an absurd value is refused at the boundary with the bound in the message
# instead of overflowing a formula half-way through a review. Generous: far beyond any real system.
MAX_USERS = 10_000_000_000  # more than everyone on Earth
MAX_RATE = 1e9  # requests or operations per second
MAX_MS = 3_600_000.0  # one hour
MAX_GB = 1e9  # an exabyte
MAX_PCT_GROWTH = 100_000.0  # a thousandfold in a year
MAX_INSTANCES = 10_000
MAX_TEXT = 10_000
MAX_NAME = 200
MAX_ITEMS = 200
_ARCHITECTURE_CONTEXT = (f"{LLM_CONTEXT}: the figures come from the components, which say the "
                         "same in detail.")


class Architecture(StrictModel):
    """Current architecture patterns (seed 001 Scaling-Readiness Assessment).

    The components describe the architecture in detail (instances, replicas, caches, hosts) and
    every figure is computed from them; these labels summarise it for the LLM's judgment.
    """

    application_pattern: Literal["monolith", "modular_monolith", "microservices",
                                 "serverless"] = Field(description=_ARCHITECTURE_CONTEXT)
    database_pattern: Literal["single_db", "read_replicas", "sharded", "polyglot"] = Field(
        description=_ARCHITECTURE_CONTEXT)
    deployment_pattern: Literal["single_server", "load_balanced", "containerized",
                                "cloud_native"] = Field(description=_ARCHITECTURE_CONTEXT)
    caching_strategy: Literal["none", "basic", "multi_layer", "distributed"] = Field(
        description=_ARCHITECTURE_CONTEXT)


class CurrentScale(StrictModel):
    """Load today (seed 001 currentScale and exercise 1 currentLoad)."""

    active_users: int = Field(ge=0, le=MAX_USERS)
    concurrent_users: int | None = Field(default=None, ge=0, le=MAX_USERS)
    requests_per_second: float = Field(gt=0, le=MAX_RATE,
                                       description="Average edge request rate today.")
    peak_factor: float = Field(
        default=1.0, ge=1, le=100,
            description="Peak-to-average ratio; the model plans for the peak."
    )
    daily_requests: int | None = Field(
        default=None, ge=0, le=MAX_RATE * 86_400,
        description="Requests a day; checked against requests_per_second (a finding when they "
        "differ by more than a quarter).")
    avg_response_time_ms: float | None = Field(default=None, gt=0, le=MAX_MS)
    p95_response_time_ms: float | None = Field(
        default=None, gt=0, le=MAX_MS,
        description="Measured p95; checked against the seeds' API budget (a finding above it) "
        "and never below the average.")
    data_volume_gb: float | None = Field(default=None, ge=0, le=MAX_GB)
    uptime_pct: float | None = Field(
        default=None, ge=0, le=100,
        description="Measured uptime; a finding when it is below the modelled availability.")
    error_rate_pct: float | None = Field(default=None, ge=0, le=100)
    cache_hit_pct: float | None = Field(default=None, ge=0, le=100)
    avg_response_kb: float | None = Field(
        default=None, gt=0, le=10_000_000,
        description="Bytes out per edge request in KiB (prices data transfer, load balancer "
        "and CDN); default 20 KB from the catalogue.")

    @model_validator(mode="after")
    def _p95_not_below_average(self) -> CurrentScale:
        avg, p95 = self.avg_response_time_ms, self.p95_response_time_ms
        if avg is not None and p95 is not None and p95 < avg:
            raise ValueError(f"p95_response_time_ms {p95:g} is below avg_response_time_ms "
                             f"{avg:g}; a 95th percentile is at least the average when the "
                             "distribution is right-skewed, as response times are")
        return self


class Targets(StrictModel):
    """Where the team wants to be (seed 001 growthProjections and exercise 1 scaleTarget)."""

    target_users: int = Field(gt=0, le=MAX_USERS)
    target_month: int = Field(default=12, ge=1, le=60, description="Months until the target.")
    six_month_users: int | None = Field(default=None, gt=0, le=MAX_USERS)
    twelve_month_users: int | None = Field(default=None, gt=0, le=MAX_USERS)
    target_concurrent_users: int | None = Field(default=None, gt=0, le=MAX_USERS)
    target_requests_per_second: float | None = Field(default=None, gt=0, le=MAX_RATE)
    max_response_time_ms: float | None = Field(default=None, gt=0, le=MAX_MS)
    target_uptime_pct: float | None = Field(default=None, gt=0, lt=100)
    caching_improvement_pct: float | None = Field(
        default=None, gt=0, lt=100,
        description="Response-time improvement the endpoint caching is held to, in %; default "
        "seed 001's 80 %.")

    @model_validator(mode="after")
    def _anchors_within_target(self) -> Targets:
        # An anchor past the target month is never reached, one at the target month is the
        # target: both would be accepted and ignored, so they are refused with the reason.
        for field, month in (("six_month_users", 6), ("twelve_month_users", 12)):
            users = getattr(self, field)
            if users is None:
                continue
            if month > self.target_month:
                raise ValueError(f"{field} lies beyond target_month {self.target_month}; the "
                                 "model stops at the target: leave it out or move the target")
            if month == self.target_month and users != self.target_users:
                raise ValueError(f"{field} {users} conflicts with target_users "
                                 f"{self.target_users} at target_month {month}: give one "
                                 "figure for that month")
        return self


class Growth(StrictModel):
    """Expected yearly growth in percent (seed 001 growthProjections)."""

    expected_traffic_growth_pct: float | None = Field(default=None, ge=-100, le=MAX_PCT_GROWTH)
    expected_data_growth_pct: float | None = Field(default=None, ge=-100, le=MAX_PCT_GROWTH)


class Constraints(StrictModel):
    """Budget, team and delivery constraints (seed 001 constraints, seed 000 team capacity)."""

    budget_per_month: Money | None = None
    team_size: int = Field(ge=1, le=10_000)
    scaling_share_pct: float = Field(
        default=50, gt=0, le=100,
        description="Share of the team's time available for scaling work.",
    )
    technical_debt: Literal["low", "medium", "high", "critical"] = Field(
        default="medium", description=f"{LLM_CONTEXT}: weighs the roadmap advice.")
    compliance: list[str] = Field(default_factory=list, max_length=MAX_ITEMS,
                                  description=f"{LLM_CONTEXT} (fenced as data).")
    time_to_market: Literal["flexible", "normal", "aggressive"] = Field(
        default="normal", description=f"{LLM_CONTEXT}: weighs the roadmap advice.")


class Operations(StrictModel):
    """Operational practices the rules check (seed 000 monitoring, seed 003 alerting).

    A fact left out is unknown (None), not "no": the report asks it as a question instead of
    raising a finding on a guess.
    """

    monitoring: bool | None = None
    alerting: bool | None = None
    static_assets: bool | None = Field(default=None,
                                       description="The app serves images, JS or CSS.")
    incident_runbooks: bool | None = Field(
        default=None, description="Runbooks for incidents; asked in the report when left out, "
        "no rule reads it yet.")
    backups: bool | None = Field(default=None, description="Backups are taken; asked in the "
                                 "report when left out, no rule reads it yet.")


class ComponentCapacity(StrictModel):
    """Measured or known capacity of one instance; any value here overrides the defaults."""

    per_instance: float | None = Field(
        default=None, gt=0, le=MAX_RATE,
        description="Work one instance does at 100 % CPU (RPS, QPS, ops/s).")
    vcpu: float | None = Field(default=None, gt=0, le=1024)
    memory_gb: float | None = Field(default=None, gt=0, le=65_536)
    max_connections: int | None = Field(default=None, gt=0, le=100_000_000)
    storage_gb: float | None = Field(default=None, gt=0, le=MAX_GB)
    iops: float | None = Field(default=None, gt=0, le=MAX_RATE)


class ComponentUsage(StrictModel):
    """What the team observes on this component today; calibrates the model."""

    cpu_pct: float | None = Field(default=None, ge=0, le=100)
    memory_pct: float | None = Field(default=None, ge=0, le=100)
    connections: int | None = Field(default=None, ge=0, le=100_000_000)
    storage_used_gb: float | None = Field(default=None, ge=0, le=MAX_GB)
    iops: float | None = Field(default=None, ge=0, le=MAX_RATE)


class DataProfile(StrictModel):
    """How a data store is used: reads vs writes, replicas, partitions, size."""

    read_ratio: float | None = Field(default=None, ge=0, le=1, description="Share of reads.")
    replicas: int = Field(default=0, ge=0, le=100,
                          description="Read replicas besides the primary.")
    partitions: int = Field(default=1, ge=1, le=MAX_INSTANCES,
                            description="Shards/partitions taking writes.")
    hottest_partition_share: float | None = Field(
        default=None, gt=0, le=1, description="Share of writes on the busiest partition."
    )
    data_volume_gb: float | None = Field(default=None, ge=0, le=MAX_GB)
    working_set_gb: float | None = Field(default=None, ge=0, le=MAX_GB)
    multi_az: bool = False
    cache_hit_ratio: float | None = Field(
        default=None, ge=0, lt=1, description="Share of reads answered by a cache in front."
    )

    @model_validator(mode="after")
    def _hottest_not_below_average(self) -> DataProfile:
        share = self.hottest_partition_share
        if share is not None and share < 1 / self.partitions - 1e-9:
            raise ValueError(
                f"hottest_partition_share {share} is below the average share "
                f"1/{self.partitions}; the busiest partition carries at least the average"
            )
        return self


class Component(StrictModel):
    """One part of the system (exercise 1's application/backend pieces, generalised)."""

    id: str = Field(pattern=_ID_PATTERN, description="Unique id: lower case, digits, - or _.")
    kind: ComponentKind
    technology: str = Field(default="", max_length=MAX_NAME,
                            description=f"{LLM_CONTEXT}: e.g. PostgreSQL 15.")
    instances: int = Field(default=1, ge=1, le=MAX_INSTANCES)
    size: str | None = Field(default=None, max_length=MAX_NAME,
                             description="Instance size, e.g. t3.medium.")
    host: str | None = Field(
        default=None, pattern=_ID_PATTERN, description="Host id shared with other components."
    )
    depends_on: list[str] = Field(
        default_factory=list, max_length=MAX_ITEMS,
        description=f"{LLM_CONTEXT} and the diagram draws (ids and cycles checked): "
        "availability multiplies the whole request path whatever depends on what.")
    load_share: float | None = Field(
        default=None, ge=0, le=1000,
            description="Requests reaching this component per edge request."
    )
    capacity: ComponentCapacity = Field(default_factory=ComponentCapacity)
    usage: ComponentUsage = Field(default_factory=ComponentUsage)
    data: DataProfile | None = None
    autoscaling: bool = False
    health_checks: bool = False
    managed: bool = Field(default=False, description="A managed service that scales itself.")
    sessions: Literal["none", "in_process", "external"] = "none"
    file_storage: Literal["none", "local", "object"] = "none"
    rate_limiting: bool = False
    cache_role: Literal["cache_aside", "store"] | None = Field(
        default=None,
        description="Caches only. cache_aside: every entry is also in a database, so an outage "
        "sends its reads there and fails no request if the database can take them; store: the "
        "only copy (sessions, counters), so an outage fails requests. Left out: cache_aside, "
        "shown as an assumption.")
    notes: str = Field(default="", max_length=MAX_TEXT, description=f"{LLM_CONTEXT}.")

    @model_validator(mode="after")
    def _cache_role_on_caches_only(self) -> Component:
        if self.cache_role is not None and self.kind != "cache":
            raise ValueError(f"cache_role is for components of kind cache; {self.id!r} is of "
                             f"kind {self.kind}")
        return self


class Endpoint(StrictModel):
    """One API endpoint (seed 001 exercise 2 endpoint table)."""

    path: str = Field(min_length=1, max_length=2000, pattern=r"^[^\s`]+$",
                      description="The URL path, one token: no spaces, line breaks or backticks.")
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    requests_per_minute: float = Field(ge=0, le=MAX_RATE * 60)
    avg_response_time_ms: float = Field(gt=0, le=MAX_MS)
    data_freshness: str | None = Field(
        default=None, max_length=MAX_NAME,
        description="A number and a unit ('30 s', '5 minutes', '1 hour') or 'real-time'.")
    user_specific: bool = False
    currently_cached: bool = False
    served_by: str | None = Field(
        default=None, description=f"Component id serving it. {LLM_CONTEXT} (the caching "
        "figures are per endpoint, not per component).")
    distinct_keys: int | None = Field(
        default=None, gt=0, le=10**12,
            description="Distinct cache keys (pages, items, users); default by "
        "endpoint shape from data/caching.yaml.")
    avg_response_kb: float | None = Field(default=None, gt=0, le=10_000_000,
                                          description="Average response size in KiB.")

    @field_validator("method", mode="before")
    @classmethod
    def _upper_method(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _freshness_readable(self) -> Endpoint:
        # Refused here, with the field named, rather than half-way through the caching analysis.
        if self.data_freshness is not None:
            parse_freshness(self.data_freshness, self.path)
        return self


class PerUser(StrictModel):
    """Resource need per concurrent user (seed 002 capacity planning); defaults fill gaps."""

    cpu_cores: float | None = Field(default=None, gt=0, le=64)
    memory_mb: float | None = Field(default=None, gt=0, le=1_000_000)
    storage_mb: float | None = Field(default=None, gt=0, le=1e9)


class CatalogueOverride(StrictModel):
    """Replace or add one size row of the price catalogue (e.g. your contract price)."""

    name: str = Field(min_length=1, max_length=MAX_NAME,
                      description="Size name, e.g. m5.large or db.r6g.xlarge.")
    family: Literal["compute", "database", "cache"]
    vcpu: float = Field(gt=0, le=1024)
    memory_gb: float = Field(gt=0, le=65_536)
    monthly_price: Money = Field(description="Monthly price of one instance of this size.")


class Intake(StrictModel):
    """Everything a review needs, as the team describes it."""

    name: str = Field(min_length=1, max_length=MAX_NAME)
    description: str = Field(default="", max_length=MAX_TEXT,
                             description=f"{LLM_CONTEXT}: what it does.")
    source: str = Field(default="", max_length=MAX_TEXT,
                        description=f"Where this intake comes from. {LLM_CONTEXT} (fenced).")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    tech_stack: list[str] = Field(default_factory=list, max_length=MAX_ITEMS,
                                  description=f"{LLM_CONTEXT}.")
    infrastructure: str = Field(default="", max_length=MAX_TEXT,
                                description=f"{LLM_CONTEXT}: hosting in prose.")
    traffic_patterns: str = Field(default="", max_length=MAX_TEXT,
                                  description=f"{LLM_CONTEXT}: daily shape.")
    performance_issues: list[str] = Field(default_factory=list, max_length=MAX_ITEMS,
                                          description=f"{LLM_CONTEXT}.")
    performance_goals: str = Field(default="", max_length=MAX_TEXT,
                                   description=f"{LLM_CONTEXT}; the computed goal is "
                                   "targets.max_response_time_ms.")
    architecture: Architecture
    current: CurrentScale
    targets: Targets
    growth: Growth = Field(default_factory=Growth)
    constraints: Constraints
    operations: Operations = Field(default_factory=Operations)
    current_monthly_cost: Money | None = None
    components: list[Component] = Field(min_length=1,
                                        json_schema_extra={"maxItems": MAX_ITEMS})
    endpoints: list[Endpoint] = Field(default_factory=list, max_length=MAX_ITEMS)
    per_user: PerUser | None = None
    business: RoiInputs | None = None
    catalogue_overrides: list[CatalogueOverride] = Field(default_factory=list,
                                                         max_length=MAX_ITEMS)
    # Serialised when given (a resumed review restores the intake from its checkpoint), left
    # out when empty so an intake's hash and report are as before drafts existed.
    draft_assumed: list[AssumedAnswer] = Field(
        default_factory=list, max_length=MAX_ITEMS, exclude_if=lambda value: not value,
        description=(
            "Draft questions answered with their placeholder (review --allow-draft); each is "
            "listed in the assumptions ledger."))

    @field_validator("components")
    @classmethod
    def _components_bounded(cls, components: list[Component],
                            info: ValidationInfo) -> list[Component]:
        """At most MAX_ITEMS components in what a team writes.

        An architecture the review derives from it (a configuration or the roadmap adding a load
        balancer, a CDN, a cache) is validated with the context `derived` and may exceed it by
        those few.
        """
        derived = bool(info.context and info.context.get("derived"))
        if len(components) > MAX_ITEMS and not derived:
            raise ValueError(f"at most {MAX_ITEMS} components, got {len(components)}")
        return components

    def component(self, component_id: str) -> Component:
        """Return the component with this id (ids are unique after validation)."""
        return next(c for c in self.components if c.id == component_id)


def all_field_names() -> set[str]:
    """Collect every field name of every intake model, for "did you mean" hints."""
    names: set[str] = set()
    pending: list[type[BaseModel]] = [Intake]
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(name)
            pending.extend(_nested_models(field.annotation))
    return names


def _nested_models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_nested_models(arg))
    return found
