"""Diff two reviews: findings matched by rule and component, capacity rows by subject and resource.

Every figure is copied from the reviews (nothing is recomputed here). Findings match in three
passes: the same rule on the same components (and, for capacity findings, the same resource);
then the same rule on overlapping components; then the same rule anywhere (except capacity
findings), so a finding whose component set changed shows as changed, not as one resolved and
one new.
"""

from __future__ import annotations

from assistant.analysis.rules.finding import Finding
from assistant.assessment.model import Review
from assistant.capacity.model import BreakingPoint, CapacityReport, ResourceReport
from assistant.comparison.model import (
    AvailabilityDelta,
    BreakRef,
    CostDelta,
    FindingChange,
    FindingRef,
    ResourceDelta,
    ReviewDiff,
    SizingDelta,
)
from assistant.i18n.messages import Language, Messages

#: Utilisation or month differences below these are rounding, not change.
PCT_EPSILON = 0.05
MONTH_EPSILON = 0.05


def _ref(finding: Finding, text: Messages) -> FindingRef:
    return FindingRef(id=finding.id, rule_id=finding.rule_id,
                      title=text.t(f"rule.{finding.rule_id}.title", **finding.params),
                      components=finding.components, severity=finding.severity,
                      breaking_month=finding.breaking_month, constraint=finding.constraint)


def _exact_key(finding: Finding) -> tuple[str, tuple[str, ...], str]:
    resource = str(finding.params.get("resource", "")) if finding.rule_id == "capacity-threshold" \
        else ""
    return finding.rule_id, tuple(sorted(finding.components)), resource


def match_findings(old: list[Finding], new: list[Finding]) -> list[tuple[Finding, Finding]]:
    """Pairs of (old, new) findings that are the same finding; the rest resolved or new."""
    pairs: list[tuple[Finding, Finding]] = []
    left, right = list(old), list(new)
    for same in (lambda a, b: _exact_key(a) == _exact_key(b),
                 lambda a, b: a.rule_id == b.rule_id and bool(set(a.components)
                                                               & set(b.components)),
                 lambda a, b: a.rule_id == b.rule_id and a.rule_id != "capacity-threshold"):
        for finding in list(left):
            partner = next((n for n in right if same(finding, n)), None)
            if partner is not None:
                pairs.append((finding, partner))
                left.remove(finding)
                right.remove(partner)
    return pairs


def _month_changed(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is not b
    return abs(a - b) >= MONTH_EPSILON


def _change(old: Finding, new: Finding, text: Messages) -> FindingChange | None:
    changes: list = []
    if old.severity != new.severity:
        changes.append("severity")
    if _month_changed(old.breaking_month, new.breaking_month):
        changes.append("breaking_month")
    if sorted(old.components) != sorted(new.components):
        changes.append("components")
    if not changes:
        return None
    new_ref = _ref(new, text)
    return FindingChange(rule_id=new.rule_id, title=new_ref.title, old=_ref(old, text),
                         new=new_ref, changes=changes)


def _at_target(report: ResourceReport) -> float | None:
    return report.horizons[-1].utilisation_pct if report.horizons else None


def _resource_key(report: ResourceReport) -> tuple[str, str, bool]:
    return report.subject, report.resource, report.ceiling


def capacity_deltas(old: CapacityReport, new: CapacityReport) -> list[ResourceDelta]:
    """Every resource that changed, appeared or disappeared, in the new review's order."""
    before = {_resource_key(r): r for r in old.resources}
    after = {_resource_key(r): r for r in new.resources}
    deltas = []
    for key in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(key), after.get(key)
        delta = ResourceDelta(
            subject=key[0], resource=key[1], ceiling=key[2],
            status="new" if a is None else "gone" if b is None else "unchanged",
            old_utilisation_pct=_at_target(a) if a else None,
            new_utilisation_pct=_at_target(b) if b else None,
            old_breaking_month=a.breaking_month if a else None,
            new_breaking_month=b.breaking_month if b else None)
        if a is not None and b is not None:
            util_moved = abs((delta.old_utilisation_pct or 0) - (delta.new_utilisation_pct or 0))
            if util_moved >= PCT_EPSILON or _month_changed(a.breaking_month, b.breaking_month):
                delta.status = "changed"
        if delta.status != "unchanged":
            deltas.append(delta)
    return deltas


def sizing_deltas(old: CapacityReport, new: CapacityReport) -> list[SizingDelta]:
    """Needed-at-target counts that differ (or exist on one side only)."""
    before = {(s.component_id, s.quantity): s for s in old.sizing}
    after = {(s.component_id, s.quantity): s for s in new.sizing}
    deltas = []
    for key in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(key), after.get(key)
        if a and b and (a.current, a.needed_at_target) == (b.current, b.needed_at_target):
            continue
        deltas.append(SizingDelta(component_id=key[0], quantity=key[1],
                                  old_current=a.current if a else None,
                                  new_current=b.current if b else None,
                                  old_needed=a.needed_at_target if a else None,
                                  new_needed=b.needed_at_target if b else None))
    return deltas


def cost_deltas(old: Review, new: Review) -> list[CostDelta]:
    """Monthly totals per horizon, both sides; no delta across two different currencies."""
    if old.costs.currency != new.costs.currency:
        return []
    before = {t.horizon: t.monthly for t in old.costs.totals}
    after = {t.horizon: t.monthly for t in new.costs.totals}
    horizons = [*after, *(h for h in before if h not in after)]
    return [CostDelta(horizon=h, old_monthly=before.get(h), new_monthly=after.get(h),
                      delta=(after[h] - before[h]) if h in after and h in before else None)
            for h in horizons]


def _break(point: BreakingPoint | None) -> BreakRef | None:
    if point is None:
        return None
    return BreakRef(subject=point.subject, members=point.members, resource=point.resource,
                    month=point.month, threshold_pct=point.threshold_pct,
                    users_at_break=point.users_at_break)


def diff_reviews(old: Review, new: Review, *, old_source: str = "", new_source: str = "",
                 lang: Language = "en") -> ReviewDiff:
    """Compare two reviews of (versions of) one system."""
    text = Messages(lang)
    pairs = match_findings(old.findings, new.findings)
    paired_old = {id(a) for a, _ in pairs}
    paired_new = {id(b) for _, b in pairs}
    changes = [c for a, b in pairs if (c := _change(a, b, text)) is not None]
    a_old, a_new = old.capacity.availability, new.capacity.availability
    return ReviewDiff(
        language=lang, old_source=old_source or old.provenance.inputs_file,
        new_source=new_source or new.provenance.inputs_file, old_name=old.name,
        new_name=new.name, currency=new.costs.currency,
        resolved=[_ref(f, text) for f in old.findings if id(f) not in paired_old],
        new=[_ref(f, text) for f in new.findings if id(f) not in paired_new],
        changed=changes, unchanged=len(pairs) - len(changes),
        capacity=capacity_deltas(old.capacity, new.capacity),
        sizing=sizing_deltas(old.capacity, new.capacity), costs=cost_deltas(old, new),
        availability=AvailabilityDelta(
            target_pct=a_new.target_pct, old_path_pct=a_old.path_availability_pct,
            new_path_pct=a_new.path_availability_pct, old_meets_target=a_old.meets_target,
            new_meets_target=a_new.meets_target, old_spofs=[u.name for u in a_old.spofs],
            new_spofs=[u.name for u in a_new.spofs]),
        old_first_break=_break(old.capacity.first_break),
        new_first_break=_break(new.capacity.first_break))
