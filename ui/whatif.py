"""What-if, live: sliders move the first break, its month and the monthly cost at once.

Target users, the horizon, or a component's instances or size; the LLM is not asked again.

Each change reruns only this fragment, which calls the public `what_if()`: the capacity model
and the costs, the same functions the review used, without the rules, configurations and
roadmap a whole `review()` adds (those rerun the capacity model some 19 times; redraw time in
`benchmarks/bench_ui.py`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

if TYPE_CHECKING:
    from assistant.analysis.baseline_costs import CostReport
    from assistant.capacity.model import CapacityReport

import assistant
from assistant import Intake, IntakeError, Messages, Review, catalogue_sizes
from ui.text import md, t


def changed_intake(base: Intake, users: int, month: int,
                   components: dict[str, tuple[int, str | None]]) -> Intake:
    """The intake with the what-if values put in (validated by the CLI's own checks)."""
    data: dict[str, Any] = copy.deepcopy(base.model_dump(mode="json", exclude_unset=True))
    data["targets"]["target_users"] = users
    data["targets"]["target_month"] = month
    for item in data["components"]:
        instances, size = components.get(item["id"], (item.get("instances", 1), item.get("size")))
        item["instances"] = instances
        if size:
            item["size"] = size
        else:
            item.pop("size", None)
    return assistant.validate_intake(Path("what-if"), data, {})


def recompute(intake: Intake) -> tuple[CapacityReport, CostReport]:
    """The offline capacity model and costs for a changed intake (no LLM, nothing written)."""
    return assistant.what_if(intake)


def outcome(capacity: CapacityReport, costs: CostReport) -> tuple[str, float | None, float]:
    """What the what-if shows: the first break, its month, the monthly cost at the target."""
    first = capacity.first_break
    where = f"{first.subject}: {first.resource}" if first else "-"
    return where, (first.month if first else None), costs.totals[-1].monthly


def _sliders(base: Intake) -> tuple[int, int, dict[str, tuple[int, str | None]]]:
    targets = base.targets
    top = max(targets.target_users * 4, base.current.active_users + 1, 10)
    users = st.slider(t("whatif.users"), min_value=1, max_value=int(top),
                      value=targets.target_users, step=max(1, int(top) // 200),
                      key="whatif_users")
    month = st.slider(t("whatif.month"), min_value=1, max_value=60,
                      value=targets.target_month, key="whatif_month")
    sizes = catalogue_sizes()
    components: dict[str, tuple[int, str | None]] = {}
    for component in base.components:
        left, right = st.columns([2, 1])
        count = left.slider(t("whatif.instances", component=component.id), min_value=1,
                            max_value=max(10, component.instances * 4),
                            value=component.instances, key=f"whatif_n_{component.id}")
        options = [""] + [s for s in sizes if s != component.size]
        if component.size:
            options.insert(1, component.size)
        size = right.selectbox(t("whatif.size", component=component.id), options,
                               index=options.index(component.size or ""),
                               key=f"whatif_size_{component.id}",
                               format_func=lambda s: s or t("whatif.default_size"))
        components[component.id] = (count, size or None)
    return users, month, components


@st.fragment
def what_if(review: Review) -> None:
    """The three moving figures on top, the sliders below them (the figures stay in sight)."""
    st.caption(t("whatif.explain"))
    figures = st.container()
    users, month, components = _sliders(review.intake)
    try:
        changed = recompute(changed_intake(review.intake, users, month, components))
    except IntakeError as error:
        for problem in error.problems:
            figures.error(md(f"{problem.field}: {problem.message}"))
        return
    _figures(figures, review, changed)


def _figures(slot: Any, review: Review, changed: tuple[CapacityReport, CostReport]) -> None:
    """First break, breaking month and monthly cost at the target, beside the review's."""
    cat = Messages(review.language)
    where, month_now, cost = outcome(*changed)
    base_where, base_month, base_cost = outcome(review.capacity, review.costs)
    cards = slot.columns(3)
    cards[0].metric(t("whatif.first_break"), where, help=t("whatif.was", value=base_where))
    shown = "-" if month_now is None else cat.decimal(month_now, 1)
    delta = None if month_now is None or base_month is None else round(month_now - base_month, 1)
    cards[1].metric(t("whatif.breaking_month"), shown, delta=delta)
    change = cost - base_cost
    cards[2].metric(t("whatif.cost"), cat.money(cost, review.costs.currency),
                    delta=None if round(change) == 0 else
                    f"{'+' if change > 0 else '-'}{cat.money(abs(change), review.costs.currency)}",
                    delta_color="inverse")
