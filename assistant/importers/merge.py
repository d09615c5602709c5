"""Several files, one system: resolve Services, autoscalers and dependencies across sources.

A Service in one manifest names the pods of a Deployment in another; an environment variable
names a compose service; an autoscaler targets a workload by name. Only names that match an
imported component become dependencies; every other name is kept as a note on the component
that used it, so nothing read is dropped. Components of the same name and kind from several
files (a compose override file) are one component. A dependency that would close a cycle (the intake
model wants an acyclic graph) is left out and said so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.importers.model import Found, Skipped, SourceRead
from assistant.intake.dependencies import find_cycle

MAX_ID = 40


@dataclass
class Merged:
    """Every component with its final id and dependencies, and everything listed as skipped."""

    components: dict[str, Found] = field(default_factory=dict)  # id -> component
    depends_on: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)


def merge(reads: list[SourceRead]) -> Merged:
    """Merge the reads of every file into one system."""
    merged = Merged(formats=list(dict.fromkeys(r.format for r in reads)))
    found = [c for r in reads for c in r.components]
    merged.skipped = [s for r in reads for s in r.skipped]
    for read in reads:
        found += _apply_selectors(read, found, merged.skipped)
    for read in reads:
        _apply_autoscalers(read, found, merged.skipped)
    for component in _same_named_joined(found):
        merged.components[_unique_id(component.name, merged.components)] = component
    merged.depends_on = _resolve(merged.components)
    _break_cycles(merged)
    return merged


def _apply_selectors(read: SourceRead, found: list[Found], skipped: list[Skipped]) -> list[Found]:
    added = []
    for selector in read.selectors:
        labels = dict(selector.labels)
        chosen = [c for c in found if c.labels and labels.items() <= c.labels.items()]
        if not chosen:
            skipped.append(Skipped(selector.name, selector.origin, "selects no workload in the "
                                   "imported files"))
        elif selector.note:
            for component in chosen:
                component.notes.append(selector.note)
        elif selector.load_balancer:
            added.append(Found(
                name=selector.name, kind="lb", technology="Kubernetes Service type "
                "LoadBalancer", origin=selector.origin, managed=True, aliases={selector.name},
                wants={c.name for c in chosen}))
        else:
            for component in chosen:
                component.aliases.add(selector.name)
    return added


def _apply_autoscalers(read: SourceRead, found: list[Found], skipped: list[Skipped]) -> None:
    for scaler in read.autoscalers:
        target = next((c for c in found if c.name == scaler.target), None)
        if target is None:
            skipped.append(Skipped(f"HorizontalPodAutoscaler {scaler.target}", scaler.origin,
                                   "targets no workload in the imported files"))
            continue
        target.autoscaling = True
        target.instances = max(1, scaler.min_replicas)
        cpu = f", target CPU {scaler.cpu_pct:g} %" if scaler.cpu_pct else ""
        target.notes.append(f"HorizontalPodAutoscaler {scaler.min_replicas}-"
                            f"{scaler.max_replicas} replicas{cpu} ({scaler.origin})")


def _same_named_joined(found: list[Found]) -> list[Found]:
    """One component per name and kind; the later file's figures win.

    A compose override file, or the same service in a compose file and a manifest, describes
    one component, not two.
    """
    joined: dict[tuple[str, str], Found] = {}
    for component in found:
        key = (component_id(component.name), component.kind)
        first = joined.setdefault(key, component)
        if first is not component:
            _join(first, component)
    return list(joined.values())


def _join(first: Found, later: Found) -> None:
    first.instances = later.instances if later.instances != 1 else first.instances
    first.size = later.size or first.size
    if later.vcpu or later.memory_gb:
        first.vcpu, first.memory_gb = later.vcpu, later.memory_gb
        first.resources_from = later.resources_from
    for flag in ("autoscaling", "health_checks", "managed", "local_storage", "multi_az",
                 "instances_unknown"):
        setattr(first, flag, getattr(first, flag) or getattr(later, flag))
    first.replicas = max(first.replicas, later.replicas)
    first.aliases |= later.aliases
    first.wants |= later.wants
    first.notes += [f"also in {later.origin}", *later.notes]


def component_id(name: str) -> str:
    """An intake id from a name: lower case, `[a-z0-9_-]`, starting with a letter, <= 40."""
    text = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_") or "component"
    if not text[0].isalpha():
        text = f"c-{text}"
    return text[:MAX_ID].rstrip("-_")


def _unique_id(name: str, taken: dict[str, Found]) -> str:
    base = component_id(name)
    candidate, number = base, 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate, number = base[:MAX_ID - len(suffix)] + suffix, number + 1
    return candidate


def _resolve(components: dict[str, Found]) -> dict[str, list[str]]:
    """Each component's dependencies as ids; names matching nothing become notes."""
    alias_of: dict[str, str] = {}
    for cid, component in components.items():
        for alias in (cid, component.name, *component.aliases):
            alias_of.setdefault(alias.lower(), cid)
    resolved: dict[str, list[str]] = {}
    for cid, component in components.items():
        targets = {alias_of.get(w.lower()) for w in component.wants}
        resolved[cid] = sorted(t for t in targets if t is not None and t != cid)
        unmatched = sorted(w for w in component.wants if w.lower() not in alias_of)
        if unmatched:
            component.notes.append("names hosts no imported file defines (external, or not "
                                   "imported): " + ", ".join(unmatched))
    return resolved


def _break_cycles(merged: Merged) -> None:
    while cycle := find_cycle(merged.depends_on):
        source, target = cycle[-2], cycle[-1]
        merged.depends_on[source].remove(target)
        merged.components[source].notes.append(
            f"also calls {target}; left out of depends_on because it closes the cycle "
            f"{' -> '.join(cycle)}")
