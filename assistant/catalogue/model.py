"""Load the model's default figures and the price catalogue, each value with its source.

Thresholds, budgets and rules of thumb live in `data/defaults.yaml`; sizes, prices, per-instance
throughput and currency rates live in `data/catalogue.yaml`. A reader can check every figure
against the seeds (or see that it is an assumption) without reading code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.bundled import load_data_yaml

DEFAULTS_PATH = Path(__file__).parent / "data" / "defaults.yaml"
CATALOGUE_PATH = Path(__file__).parent / "data" / "catalogue.yaml"
if TYPE_CHECKING:
    from assistant.intake.schema import Intake


class Sourced(BaseModel):
    """A default value and where it comes from."""

    model_config = ConfigDict(extra="forbid")
    value: float
    source: str


class Size(BaseModel):
    """One vertical size on offer, with its monthly list price."""

    model_config = ConfigDict(extra="forbid")
    name: str
    vcpu: float
    memory_gb: float
    monthly_usd: float
    source: str | None = Field(default=None, description="Where this row's price comes from "
                               "and when; None: the family's source.")


class PriceTier(BaseModel):
    """One band of a published tier table: this price per unit up to `up_to` units a month."""

    model_config = ConfigDict(extra="forbid")
    up_to: float | None = Field(default=None, description="Upper end of the band; None: no end.")
    per_unit_usd: float


class Service(BaseModel):
    """A managed service priced by use: a fixed monthly part plus a price per unit.

    With `tiers` the per-unit price falls with volume as the provider's table says; then
    `per_unit_usd` is the first band's price, shown as the headline rate.
    """

    model_config = ConfigDict(extra="forbid")
    monthly_usd: float
    per_unit_usd: float
    unit: str
    source: str
    tiers: list[PriceTier] = Field(default_factory=list)

    def usage_usd(self, units: float) -> float:
        """Price of a month's units: band by band through the tier table, else flat."""
        if not self.tiers:
            return units * self.per_unit_usd
        total, floor = 0.0, 0.0
        for tier in self.tiers:
            top = units if tier.up_to is None else min(units, tier.up_to)
            if top > floor:
                total += (top - floor) * tier.per_unit_usd
            if tier.up_to is None or units <= tier.up_to:
                break
            floor = tier.up_to
        return total


class SizeFamily(BaseModel):
    """Sizes of one family: the ladder the model scales along, and other rows teams name.

    `entries` run smallest to largest and the last is the vertical ceiling; configurations pick
    from them. `named` holds further current sizes (other generations and families) so a team
    that runs one is modelled on its own vCPU, memory and price; they are looked up by name but
    do not change the ladder, so adding a row never moves another intake's figures.
    """

    model_config = ConfigDict(extra="forbid")
    source: str
    entries: list[Size]
    named: list[Size] = Field(default_factory=list)

    def find(self, name: str) -> Size | None:
        """Return the size with this name, if the family has it."""
        return next((s for s in [*self.entries, *self.named] if s.name == name), None)

    @property
    def largest(self) -> Size:
        """The vertical ceiling of this family."""
        return self.entries[-1]


class KindDefaults(BaseModel):
    """Throughput and availability assumptions for one component kind."""

    model_config = ConfigDict(extra="forbid")
    family: str | None
    unit: str
    source: str
    availability_pct: float
    default_size: str | None = None
    per_vcpu: float | None = None
    per_instance: float | None = None
    max_connections: int | None = None


class RoadmapDefaults(BaseModel):
    """Phase windows and task prerequisites for the offline roadmap."""

    model_config = ConfigDict(extra="forbid")
    phase_weeks: dict[int, float]
    phase_end_month: dict[int, float]
    source: str
    prerequisites: dict[str, list[str]]


class Defaults(BaseModel):
    """Everything in defaults.yaml."""

    model_config = ConfigDict(extra="forbid")
    thresholds: dict[str, Sourced]
    performance_budgets: dict[str, Sourced]
    per_user: dict[str, Sourced]
    sizes: dict[str, SizeFamily]
    kinds: dict[str, KindDefaults]
    load_share: dict[str, Sourced]
    database: dict[str, Sourced]
    availability: dict[str, Sourced]
    fx_to_usd: dict[str, Sourced]
    roadmap: RoadmapDefaults
    services: dict[str, Service]
    prices_as_of: str

    def size(self, name: str) -> Size | None:
        """Find a size by name in any family."""
        return next((s for f in self.sizes.values() if (s := f.find(name)) is not None), None)

    def convert(self, amount: float, source: str, target: str) -> float:
        """Convert money between currencies through the one USD table."""
        if source == target:
            return amount
        return amount * self.fx_to_usd[source].value / self.fx_to_usd[target].value

    def threshold(self, resource: str) -> float:
        """Return the utilisation threshold (0-1) for a resource such as 'cpu'."""
        return self.thresholds[f"{resource}_pct"].value / 100


def with_overrides(defaults: Defaults, overrides: list[Any]) -> Defaults:
    """Return defaults whose catalogue carries the intake's own size rows (prices in USD).

    A row with a known name replaces it in its family; a new name is added and the family is
    re-sorted by vCPU, so the largest size (the vertical ceiling) stays last.
    """
    if not overrides:
        return defaults
    sizes = {name: family.model_copy(deep=True) for name, family in defaults.sizes.items()}
    for row in overrides:
        price = defaults.convert(row.monthly_price.amount, row.monthly_price.currency, "USD")
        size = Size(name=row.name, vcpu=row.vcpu, memory_gb=row.memory_gb, monthly_usd=price)
        family = sizes[row.family]
        entries = [s for s in family.entries if s.name != row.name] + [size]
        family.entries = sorted(entries, key=lambda s: (s.vcpu, s.memory_gb))
        family.named = [s for s in family.named if s.name != row.name]
        family.source += f"; {row.name} from the intake"
    return defaults.model_copy(update={"sizes": sizes})


@cache
def load_defaults(path: Path = DEFAULTS_PATH, catalogue: Path = CATALOGUE_PATH) -> Defaults:
    """Read and validate the defaults and the catalogue once per process."""
    data = load_data_yaml(path.read_text(encoding="utf-8"))
    prices = load_data_yaml(catalogue.read_text(encoding="utf-8"))
    data.update(sizes=prices["families"], kinds=prices["kinds"], services=prices["services"],
                fx_to_usd=prices["fx_to_usd"], prices_as_of=prices["prices_as_of"])
    return Defaults.model_validate(data)


def defaults_for(intake: Intake) -> Defaults:
    """The defaults and catalogue as this intake sees them (its own catalogue rows applied)."""
    return with_overrides(load_defaults(), intake.catalogue_overrides)
