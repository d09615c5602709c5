"""Charts for the reports: utilisation over time, the roadmap as a Gantt chart, cash flow.

Drawn with matplotlib (Agg, imported inside the functions so the CLI starts fast). HTML gets
inline SVG with text kept as text and element ids scoped per chart, so several charts can sit
in one page; Markdown gets PNG files next to the report. Output is deterministic: a fixed
`svg.hashsalt`, no dates in the metadata. Every label comes from the string catalogue, and
mathtext is off (`text.parse_math`), so a `$` in intake text stays a dollar sign.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.analysis.rules.finding import SEVERITY_RANK
from assistant.assessment.model import Review
from assistant.i18n.messages import Messages

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ChartFormat = Literal["svg", "png"]

SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#b42318", "high": "#e8590c", "medium": "#d4a106", "low": "#2f855a",
}
NEUTRAL = "#5b6b82"
LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                "#bcbd22", "#7f7f7f", "#393b79", "#d62728", "#637939")
INK = "#1d2433"
GRID = "#d9dee7"
PNG_DPI = 144
WEEKS_PER_MONTH = 52 / 12
STEPS_PER_MONTH = 8

_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": "#8a94a6",
    "axes.labelcolor": INK,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#4a5568",
    "ytick.color": "#4a5568",
    "legend.frameon": False,
    "legend.fontsize": 8,
}


@contextmanager
def chart_style(salt: str) -> Iterator[None]:
    """Apply the report's matplotlib style and a per-chart hash salt (deterministic ids)."""
    import matplotlib

    matplotlib.use("Agg")
    settings: Any = {**_RC, "svg.hashsalt": f"archreview-{salt}"}
    with matplotlib.rc_context(settings):
        yield


def new_figure(width: float, height: float) -> Figure:
    """Create a figure without pyplot, so no global state or GUI backend is involved."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def export(fig: Figure, fmt: ChartFormat, prefix: str) -> str | bytes:
    """Save a figure as inline SVG text (ids scoped by `prefix`) or PNG bytes.

    Must be called inside `chart_style` so the salt and font settings apply at save time.
    """
    buffer = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        return inline_svg(buffer.getvalue().decode("utf-8"), prefix)
    if fmt == "png":
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
        return buffer.getvalue()
    raise ValueError(f"chart format must be 'svg' or 'png', got {fmt!r}")


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(svg: str, prefix: str) -> str:
    """Make a saved SVG document fit inline in HTML.

    Drop the XML prolog and DOCTYPE, and prefix every id and reference so two charts on one
    page never share an id.
    """
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    ids = set(_ID.findall(body))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        body = body.replace(f'id="{old}"', f'id="{new}"').replace(f"#{old})", f"#{new})")
        body = body.replace(f'href="#{old}"', f'href="#{new}"')
    return body.replace("<svg ", f'<svg class="chart" data-chart="{prefix}" ', 1).strip() + "\n"


def _geometric(u0: float, u1: float, share: float) -> float:
    """Interpolate utilisation between two horizons along an exponential (linear if zero)."""
    if u0 <= 0 or u1 <= 0:
        return u0 + (u1 - u0) * share
    return u0 * (u1 / u0) ** share


def utilisation_series(points: Sequence[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """Return a finer (months, utilisation) curve through the horizon points.

    Why: horizons are sparse (now, 6 m, target) and growth is exponential, so a straight line
    between them would understate the early months.
    """
    months: list[float] = []
    values: list[float] = []
    for (m0, u0), (m1, u1) in zip(points, points[1:], strict=False):
        steps = max(1, math.ceil((m1 - m0) * STEPS_PER_MONTH))
        for i in range(steps):
            months.append(m0 + (m1 - m0) * i / steps)
            values.append(_geometric(u0, u1, i / steps))
    if points:
        months.append(points[-1][0])
        values.append(points[-1][1])
    return months, values


def utilisation_chart(review: Review, fmt: ChartFormat = "svg") -> str | bytes:
    """Draw utilisation per component resource to the target month.

    Dashed lines are the thresholds; dots mark each resource's computed breaking month and a
    vertical line the first break, so the reader sees what breaks first and when.
    """
    cat = Messages(review.language)
    with chart_style("utilisation"):
        fig = new_figure(9.6, 4.6)
        ax = fig.add_subplot()
        shown = [r for r in review.capacity.resources if not r.ceiling or r.breaking_month]
        peak = 1.0
        floor = 100.0
        for index, res in enumerate(shown):
            colour = LINE_COLOURS[index % len(LINE_COLOURS)]
            months, values = utilisation_series([(h.month, h.utilisation_pct)
                                                 for h in res.horizons])
            values = [max(v, 0.5) for v in values]
            peak, floor = max(peak, *values), min(floor, *values)
            label = f"{res.subject} · {res.resource}"
            if res.elastic:
                label += f" ({cat.t('capacity.elastic')})"
            ax.plot(months, values, color=colour, linewidth=1.8,
                    linestyle=":" if res.elastic else "-", label=label)
            if res.breaking_month is not None:
                ax.plot([res.breaking_month], [res.threshold_pct], marker="o", markersize=6,
                        color=colour, markeredgecolor="white", markeredgewidth=1.2, zorder=5)
        _thresholds(ax, sorted({r.threshold_pct for r in shown}), cat)
        _first_break(ax, review, cat)
        target = review.capacity.horizons[-1].month if review.capacity.horizons else 12
        ax.set_xlim(0, target)
        if peak / max(floor, 0.5) > 20:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(_formatter(lambda v: cat.number(v, 0 if v >= 1 else 1)))
            ax.set_ylabel(cat.t("chart.utilisation.y_log"))
        else:
            ax.set_ylabel(cat.t("chart.utilisation.y"))
        ax.set_xlabel(cat.t("chart.month"))
        ax.set_title(cat.t("chart.utilisation.title"))
        ax.grid(True, color=GRID, linewidth=0.6)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
        return export(fig, fmt, "utilisation")


def _thresholds(ax: Axes, thresholds: Sequence[float], cat: Messages) -> None:
    """Draw each distinct threshold as a dashed line with its label at the left."""
    for index, threshold in enumerate(sorted(thresholds, reverse=True)):
        ax.axhline(threshold, color=SEVERITY_COLOURS["critical"], linestyle="--",
                   linewidth=1.0, alpha=0.8)
        above = index % 2 == 0
        ax.annotate(cat.t("chart.threshold", pct=threshold), xy=(1.0, threshold),
                    xycoords=("axes fraction", "data"), xytext=(-4, 3 if above else -3),
                    textcoords="offset points", fontsize=7.5, ha="right",
                    va="bottom" if above else "top", color=SEVERITY_COLOURS["critical"])


def _first_break(ax: Axes, review: Review, cat: Messages) -> None:
    """Mark the first (non-ceiling) breaking month with a vertical line and a label."""
    first = review.capacity.first_break
    if first is None:
        return
    ax.axvline(first.month, color=INK, linewidth=1.0, linestyle="-.", alpha=0.7)
    ax.annotate(cat.t("chart.first_break", subject=first.subject, resource=first.resource,
                      month=first.month),
                xy=(first.month, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -12),
                textcoords="offset points", fontsize=8, color=INK, fontweight="bold")


def _formatter(function: Any) -> Any:
    """Wrap a one-argument number formatter as a matplotlib tick formatter."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: function(value))


def phase_windows(review: Review) -> dict[int, tuple[float, float]]:
    """Return each phase's (start, end) month from the defaults' phase lengths in weeks."""
    from assistant.catalogue.model import load_defaults

    weeks = load_defaults().roadmap.phase_weeks
    windows: dict[int, tuple[float, float]] = {}
    start = 0.0
    for phase in sorted(p.number for p in review.roadmap.phases):
        length = weeks.get(phase, 26) / WEEKS_PER_MONTH
        windows[phase] = (start, start + length)
        start += length
    return windows


def task_severity(review: Review, resolves: Sequence[str]) -> str:
    """Return the most severe severity among the findings a task resolves."""
    severities = [f.severity for f in review.findings if f.id in resolves]
    return min(severities, key=SEVERITY_RANK.__getitem__) if severities else "low"


def roadmap_chart(review: Review, fmt: ChartFormat = "svg") -> str | bytes:
    """Draw the roadmap as a Gantt chart: phases as bands, tasks as bars with effort and cost.

    Tasks run back to back inside their phase; a bar's length is its effort divided by the
    phase's weekly team capacity, so an over-capacity phase visibly overflows its band.
    """
    cat = Messages(review.language)
    windows = phase_windows(review)
    tasks = [(phase, task) for phase in review.roadmap.phases for task in phase.tasks]
    with chart_style("roadmap"):
        fig = new_figure(9.6, max(2.6, 0.34 * len(tasks) + 1.5))
        ax = fig.add_subplot()
        end = max(e for _, e in windows.values()) if windows else 18.0
        for phase in review.roadmap.phases:
            start, stop = windows[phase.number]
            flagged = phase.over_capacity or phase.over_budget
            ax.axvspan(start, stop, color="#f3f5f9" if phase.number % 2 else "#e6ebf2", zorder=0)
            if flagged:
                ax.axvspan(start, stop, ymin=0.985, ymax=1.0, color=SEVERITY_COLOURS["critical"],
                           zorder=1)
            flags = [cat.t(f"chart.roadmap.{k}") for k in ("over_capacity", "over_budget")
                     if getattr(phase, k)]
            label = cat.t("chart.roadmap.phase", number=phase.number)
            ax.annotate(label + "\n" + ("⚠ " + ", ".join(flags) if flags else " "),
                        xy=(start, 1.0), xycoords=("data", "axes fraction"), xytext=(4, 3),
                        textcoords="offset points", fontsize=8, va="bottom",
                        color=SEVERITY_COLOURS["critical"] if flagged else INK)
            cursor = start
            weekly = phase.capacity_weeks / ((stop - start) * WEEKS_PER_MONTH) or 1.0
            for task in phase.tasks:
                length = task.effort_weeks / weekly / WEEKS_PER_MONTH
                row = _index(tasks, task)
                colour = SEVERITY_COLOURS[task_severity(review, task.resolves)]
                ax.barh(row, length, left=cursor, height=0.62, color=colour, zorder=3)
                money = cat.money(task.monthly_cost_delta, task.currency)
                sign = "+" if task.monthly_cost_delta > 0 else ""
                ax.annotate(cat.t("chart.roadmap.bar", effort=task.effort_weeks,
                                  cost=sign + money),
                            xy=(cursor + length, row), xytext=(4, 0),
                            textcoords="offset points", va="center", fontsize=7.5, color=INK)
                cursor += length
                end = max(end, cursor + 3)
        _gantt_axes(ax, review, tasks, end, cat)
        return export(fig, fmt, "roadmap")


def _index(tasks: Sequence[tuple[Any, Any]], task: Any) -> int:
    """Return a task's row in the flattened task list."""
    return next(i for i, (_, t) in enumerate(tasks) if t is task)


def _gantt_axes(ax: Axes, review: Review, tasks: Sequence[tuple[Any, Any]], end: float,
                cat: Messages) -> None:
    """Label the Gantt axes: task titles top-down, months along the bottom, severity key."""
    from matplotlib.patches import Patch

    de = review.language == "de"
    ax.set_yticks(range(len(tasks)),
                  labels=[t.title_de if de else t.title for _, t in tasks])
    ax.set_ylim(len(tasks) - 0.5 if tasks else 0.5, -0.5 if tasks else -0.5)
    ax.set_xlim(0, end)
    ax.set_xlabel(cat.t("chart.month"))
    ax.set_title(cat.t("chart.roadmap.title"), pad=26)
    ax.grid(True, axis="x", color=GRID, linewidth=0.6, zorder=1)
    ax.tick_params(axis="y", length=0)
    if not tasks:
        ax.text(0.5, 0.5, cat.t("chart.roadmap.empty"), transform=ax.transAxes,
                ha="center", va="center", color=NEUTRAL)
    handles = [Patch(color=colour, label=cat.t(f"html.severity.{name}"))
               for name, colour in SEVERITY_COLOURS.items()]
    ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, -0.06), ncol=5,
              fontsize=7.5, title=cat.t("finding.severity") + ":", title_fontsize=7.5,
              alignment="right")


def cash_flows(review: Review) -> list[float] | None:
    """Return the expected monthly cash flows of the business case, or None without one."""
    flows = getattr(review.roi, "expected_cash_flows", None) if review.roi else None
    return [float(v) for v in flows] if flows else None


def cashflow_chart(review: Review, fmt: ChartFormat = "svg") -> str | bytes | None:
    """Draw the cumulative expected cash flow with payback and break-even marked.

    Returns None when the intake gave no business figures: nothing is invented.
    """
    flows = cash_flows(review)
    if flows is None or review.roi is None:
        return None
    cat = Messages(review.language)
    currency = str(getattr(review.roi, "currency", review.roadmap.currency))
    cumulative = list(accumulate(flows))
    months = list(range(len(cumulative)))
    with chart_style("cashflow"):
        fig = new_figure(9.6, 3.8)
        ax = fig.add_subplot()
        ax.plot(months, cumulative, color="#1f5fa8", linewidth=2, zorder=3)
        ax.fill_between(months, cumulative, 0, where=[v >= 0 for v in cumulative],
                        color="#2f855a", alpha=0.15, interpolate=True)
        ax.fill_between(months, cumulative, 0, where=[v < 0 for v in cumulative],
                        color="#b42318", alpha=0.12, interpolate=True)
        ax.axhline(0, color=INK, linewidth=0.8)
        marks = (("expected_payback_month", "roi.payback", "--"),
                 ("break_even_month", "roi.break_even", ":"))
        for offset, (attribute, key, style) in enumerate(marks):
            month = getattr(review.roi, attribute, None)
            if month is None:
                continue
            ax.axvline(month, color=INK, linestyle=style, linewidth=1.1)
            ax.annotate(f"{cat.t(key)}: {cat.value(month)}", xy=(month, 1.0),
                        xycoords=("data", "axes fraction"), xytext=(4, -12 - 12 * offset),
                        textcoords="offset points", fontsize=8, color=INK)
        ax.yaxis.set_major_formatter(_formatter(lambda v: cat.number(v, 0)))
        ax.set_xlim(0, max(months[-1], 1))
        ax.set_xlabel(cat.t("chart.month"))
        ax.set_ylabel(cat.t("chart.cashflow.y", currency=currency))
        ax.set_title(cat.t("chart.cashflow.title"))
        ax.grid(True, color=GRID, linewidth=0.6)
        return export(fig, fmt, "cashflow")


def cost_chart(review: Review, fmt: ChartFormat = "svg") -> str | bytes:
    """Draw monthly cost per horizon, stacked by component, with the budget line.

    Bars are the cost if nothing changes but the number of instances of the same size, so the
    horizon where growth alone breaks the budget is visible at a glance.
    """
    cat = Messages(review.language)
    costs = review.costs
    names = [t.horizon for t in costs.totals]
    with chart_style("costs"):
        fig = new_figure(9.6, 3.8)
        ax = fig.add_subplot()
        bottom = [0.0] * len(names)
        for index, component in enumerate(costs.components):
            values = [h.monthly for h in component.horizons]
            ax.bar(names, values, bottom=bottom, label=component.component_id,
                   color=LINE_COLOURS[index % len(LINE_COLOURS)], width=0.55, zorder=2)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        if costs.monthly_budget is not None:
            ax.axhline(costs.monthly_budget, color="#b42318", linestyle="--", linewidth=1.2)
            ax.annotate(cat.t("chart.costs.budget"), xy=(1.0, costs.monthly_budget),
                        xycoords=("axes fraction", "data"), xytext=(-4, 4),
                        textcoords="offset points", ha="right", fontsize=8, color="#b42318")
        ax.yaxis.set_major_formatter(_formatter(lambda v: cat.number(v, 0)))
        ax.set_ylabel(cat.t("chart.costs.y", currency=costs.currency))
        ax.set_title(cat.t("chart.costs.title"))
        ax.grid(True, axis="y", color=GRID, linewidth=0.6, zorder=0)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        return export(fig, fmt, "costs")


def svg_charts(review: Review) -> dict[str, str]:
    """Return every chart of a review as inline SVG, keyed by name (cash flow only with ROI)."""
    charts: dict[str, str] = {
        "utilisation": str(utilisation_chart(review, "svg")),
        "roadmap": str(roadmap_chart(review, "svg")),
        "costs": str(cost_chart(review, "svg")),
    }
    cashflow = cashflow_chart(review, "svg")
    if cashflow is not None:
        charts["cashflow"] = str(cashflow)
    return charts


def write_markdown_charts(review: Review, folder: Path) -> dict[str, str]:
    """Write the charts as PNG files into a folder; return chart name -> file name written.

    Why PNG: every Markdown viewer shows it, including ones that strip inline SVG.
    """
    folder.mkdir(parents=True, exist_ok=True)
    images: dict[str, bytes | str | None] = {
        "utilisation": utilisation_chart(review, "png"),
        "roadmap": roadmap_chart(review, "png"),
        "costs": cost_chart(review, "png"),
        "cashflow": cashflow_chart(review, "png"),
    }
    written: dict[str, str] = {}
    for name, data in images.items():
        if isinstance(data, bytes):
            (folder / f"{name}.png").write_bytes(data)
            written[name] = f"{name}.png"
    return written
