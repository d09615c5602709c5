"""Catalogue sizes for imported components, chosen from what the files grant.

The named size if the catalogue has it, else the nearest one to the CPU and memory a
deployment file grants (said so in the draft).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from assistant.catalogue.model import Defaults, Size, load_defaults


@dataclass(frozen=True)
class SizeChoice:
    """The size to write, and how it was chosen (a comment for the draft, or a question)."""

    size: str | None
    comment: str = ""
    question: str = ""


@lru_cache(maxsize=1)
def _defaults() -> Defaults:
    return load_defaults()


def family_of(kind: str) -> str | None:
    """The catalogue family a component kind is priced from (None: a managed service)."""
    return _defaults().kinds[kind].family


def choose_size(component: str, kind: str, named: str | None, vcpu: float | None,
                memory_gb: float | None, granted: str) -> SizeChoice:
    """A catalogue size for a component, or a question (named size unknown, or none granted)."""
    family = family_of(kind)
    if family is None:
        return SizeChoice(None)
    sizes = _sizes(family)
    if named:
        if _defaults().size(named) is not None:
            return SizeChoice(named)
        close = difflib.get_close_matches(named, [s.name for s in sizes], n=1, cutoff=0.5)
        return SizeChoice(close[0] if close else None, question=(
            f"Which catalogue size matches {named}, the size the files give {component}? The "
            "catalogue does not price it (or add it under catalogue_overrides)"))
    if vcpu is None and memory_gb is None:
        default = _defaults().kinds[kind].default_size
        return SizeChoice(default, question=(
            f"Which instance size (catalogue name) does {component} run on? The files grant no "
            f"CPU or memory; the placeholder is the catalogue's default for kind {kind}"))
    fitting = [s for s in sizes if s.vcpu >= (vcpu or 0) and s.memory_gb >= (memory_gb or 0)]
    chosen = min(fitting, key=_price) if fitting else max(sizes, key=_price)
    asked = ", ".join(part for part in (f"{vcpu:g} vCPU" if vcpu else "",
                                        f"{memory_gb:.2f} GB" if memory_gb else "") if part)
    return SizeChoice(chosen.name, comment=(
        f"size {chosen.name}: assumption, the cheapest catalogue size that holds the {granted} "
        f"({asked}); capacity carries the {granted} themselves"))


def _sizes(family: str) -> list[Size]:
    group = _defaults().sizes[family]
    return [*group.entries, *group.named]


def _price(size: Size) -> float:
    return float(size.monthly_usd)
