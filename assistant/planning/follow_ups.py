"""What the roadmap adds when its phases leave something breaking before the target.

The tasks chosen from today's findings change the architecture; rerun on the result, the
capacity model may find a limit today's system never reached (a database moved off its shared
host breaks on its own RAM). The roadmap then adds the pattern that removes that binding
constraint, the same remedy a finding would name, and reruns, until nothing breaks before the
target or no modelled pattern moves the break (then it says so and names what it tried).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from assistant.analysis.applied_patterns import APPLIED_PATTERNS, SIZED_PATTERNS, apply_patterns
from assistant.analysis.rules.registry import RuleContext
from assistant.analysis.rules.remedies import remedy_for
from assistant.capacity.growth import GrowthModel
from assistant.capacity.model import BreakingPoint, CapacityReport, analyse
from assistant.catalogue.model import Defaults
from assistant.intake.schema import Intake
from assistant.knowledge.cards import CardFacts
from assistant.planning.tasks import Task, make_task, phase_by_month

MAX_FOLLOW_UPS = 6


class StillOpen(BaseModel):
    """A limit still reached before the target after every phase, and why nothing is added."""

    subject: str
    resource: str
    month: float
    constraint: str
    tried: list[str]


def follow_ups(intake: Intake, tasks: list[Task], cards: Mapping[str, CardFacts],
               defaults: Defaults) -> tuple[list[Task], StillOpen | None]:
    """Add the next remedy while the final architecture still breaks before the target."""
    end = GrowthModel(intake).end_month
    tasks = list(tasks)
    for added_so_far in range(MAX_FOLLOW_UPS + 1):
        final = apply_patterns(intake, _in_phase_order(tasks), defaults)
        after = analyse(final, defaults, latency=False)
        first = after.first_break
        if first is None or first.month >= end - 1e-9:
            return tasks, None  # at the target is at the threshold the sizing sizes for
        if added_so_far == MAX_FOLLOW_UPS:
            return tasks, _open(final, after, first, defaults,
                                [f"stopped after {MAX_FOLLOW_UPS} follow-up tasks"])
        added = _next_remedy(final, after, first, (intake, tasks), cards, defaults)
        if isinstance(added, StillOpen):
            return tasks, added
        tasks.append(added)
    raise AssertionError("unreachable: the loop returns on its last pass")


def _in_phase_order(tasks: list[Task]) -> list[tuple[str, list[str]]]:
    """Tasks as the rerun applies them: phase by phase, in their order within a phase."""
    ordered = sorted(enumerate(tasks), key=lambda pair: (pair[1].phase, pair[0]))
    return [(t.pattern_id, t.components) for _, t in ordered]


def _components(final: Intake, first: BreakingPoint) -> list[str]:
    """The components a remedy for this break edits: the host's members, or the component."""
    return sorted(first.members) if first.subject not in {c.id for c in final.components} \
        else [first.subject]


# Components a task adds where none exists (applied_patterns._add_missing_kind), by id.
ADDED_BY = {"cache": {"multi-layer-caching", "distributed-cache"}, "lb": {"load-balancing"},
            "cdn": {"cdn"}}


def _earliest_phase(first: BreakingPoint, components: list[str], intake: Intake,
                    tasks: list[Task], defaults: Defaults) -> int:
    """Before the break, but not before the modelled tasks that touch or add its components."""
    touched = [t.phase for t in tasks if set(t.components) & set(components)
               and t.pattern_id in APPLIED_PATTERNS]
    existing = {c.id for c in intake.components}
    for component in set(components) - existing:
        touched += [t.phase for t in tasks if t.pattern_id in ADDED_BY.get(component, set())]
    return max([phase_by_month(first.month, defaults), *touched])


def _next_remedy(final: Intake, after: CapacityReport, first: BreakingPoint,
                 plan: tuple[Intake, list[Task]], cards: Mapping[str, CardFacts],
                 defaults: Defaults) -> Task | StillOpen:
    """The first pattern of the break's remedy that moves it in the rerun, as a task."""
    intake, tasks = plan
    remedy = remedy_for(RuleContext(final, after, defaults), first.subject, first.members,
                        first.resource)
    components = _components(final, first)
    tried = []
    # a sized pattern may come again (the sizing of the changed architecture asks for more
    # shards or replicas); one that is not (archiving) would count its effect twice
    for pattern in remedy.patterns:
        if pattern not in APPLIED_PATTERNS or pattern not in cards:
            tried.append(f"{pattern} (no modelled effect)")
            continue
        again = any(t.pattern_id == pattern and set(components) <= set(t.components)
                    for t in tasks)
        if again and pattern not in SIZED_PATTERNS:
            tried.append(f"{pattern} (already in the plan)")
            continue
        rerun = analyse(apply_patterns(final, [(pattern, components)], defaults), defaults,
                        latency=False)
        # a first application must move the break; a repeat must clear it before the target
        # (else the plan would repeat a task that only nudges the month)
        if not _moves(first, rerun, GrowthModel(final).end_month if again else None):
            tried.append(f"{pattern} (does not move it)" if not again else
                         f"{pattern} (again: does not clear it before the target)")
            continue
        phase = _earliest_phase(first, components, intake, tasks, defaults)
        task = make_task(pattern, [], phase, cards[pattern], (final, after, defaults),
                         components=components)
        return task.model_copy(update={
            "follows": f"{first.subject} {first.resource}", "follows_month": first.month,
            "breaking_month": first.month})
    return _open(final, after, first, defaults, tried, remedy.constraint)


def _moves(first: BreakingPoint, rerun: CapacityReport, clear_by: float | None = None) -> bool:
    """True when the same limit breaks later in the rerun (at `clear_by` or later, if given)."""
    same = next((b for b in rerun.breaking_points if not b.ceiling
                 and b.subject == first.subject and b.resource == first.resource), None)
    if same is None:
        return True
    return same.month >= clear_by - 1e-9 if clear_by is not None else same.month > first.month


def _open(final: Intake, after: CapacityReport, first: BreakingPoint, defaults: Defaults,
          tried: list[str], constraint: str | None = None) -> StillOpen:
    if constraint is None:
        constraint = remedy_for(RuleContext(final, after, defaults), first.subject,
                                first.members, first.resource).constraint
    return StillOpen(subject=first.subject, resource=first.resource, month=first.month,
                     constraint=constraint, tried=tried)
