"""Checks of an intake against the catalogue: every size it names and every currency it uses.

The intake layer cannot see the catalogue (it sits below it), so `intake.loading` runs the
checks registered with it; the root package registers these. A size the catalogue lacks used to
be modelled silently as the kind's default size, and an unknown currency crashed the review
later with a KeyError: both are validation errors here, with the names that would work.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from assistant.catalogue.model import Defaults, defaults_for
from assistant.intake.schema import Intake

Loc = tuple[str | int, ...]


def catalogue_problems(intake: Intake) -> list[tuple[Loc, str]]:
    """Return every size and currency of the intake the catalogue cannot price."""
    defaults = defaults_for(intake)
    return [*_currency_problems(intake, defaults), *_size_problems(intake, defaults)]


def _size_problems(intake: Intake, defaults: Defaults) -> Iterator[tuple[Loc, str]]:
    names = sorted({s.name for family in defaults.sizes.values()
                    for s in [*family.entries, *family.named]})
    for index, component in enumerate(intake.components):
        if component.size is None or defaults.size(component.size) is not None:
            continue
        close = difflib.get_close_matches(component.size, names, n=3, cutoff=0.6)
        hint = f"; nearest catalogue names: {', '.join(close)}" if close else ""
        yield (("components", index, "size"),
               f"unknown size '{component.size}': the catalogue has no such row{hint}; if the "
               f"size is real, add it under catalogue_overrides (name, family, vcpu, memory_gb, "
               f"monthly_price)")


def _currency_problems(intake: Intake, defaults: Defaults) -> Iterator[tuple[Loc, str]]:
    known = sorted(defaults.fx_to_usd)
    for loc, code in _currencies(intake):
        if code not in defaults.fx_to_usd:
            yield loc, (f"unknown currency '{code}': expected one the catalogue can convert "
                        f"({', '.join(known)})")


def _currencies(intake: Intake) -> Iterator[tuple[Loc, str]]:
    """Every currency the intake names, with where it names it."""
    yield ("currency",), intake.currency
    budget = intake.constraints.budget_per_month
    if budget is not None:
        yield ("constraints", "budget_per_month"), budget.currency
    if intake.current_monthly_cost is not None:
        yield ("current_monthly_cost",), intake.current_monthly_cost.currency
    if intake.business is not None:
        yield ("business", "currency"), intake.business.currency
    for index, row in enumerate(intake.catalogue_overrides):
        yield ("catalogue_overrides", index, "monthly_price"), row.monthly_price.currency
