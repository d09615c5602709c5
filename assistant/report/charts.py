"""Charts for the reports: utilisation over time, the roadmap as a Gantt chart, cash flow.

Drawn as plain SVG by `svgkit` (text stays text, escaped; ids scoped per chart, so several
charts sit in one page); Markdown gets PNG files next to the report, rendered from the same
SVG. Output is deterministic by construction (no dates, no random ids). Every label comes from
the string catalogue; intake text (component ids, task titles) is escaped as text, so a `$` or
a `<script>` stays what it is.

Each chart is built once per report: `svg_charts` makes the SVGs, `write_markdown_charts`
turns those same SVGs into PNG (the writer hands them over when a report has both formats).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any, Literal

from assistant.analysis.rules.finding import SEVERITY_RANK
from assistant.assessment.model import Review
from assistant.i18n.messages import Messages
from assistant.report.svgkit import (
    INK,
    PX_PER_INCH,
    Axes,
    Canvas,
    draw_axes,
    legend,
    log_ticks,
    nice_ticks,
    png,
    text_width,
)

ChartFormat = Literal["svg", "png"]

SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#b42318", "high": "#e8590c", "medium": "#d4a106", "low": "#2f855a",
}
NEUTRAL = "#5b6b82"
LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                "#bcbd22", "#7f7f7f", "#393b79", "#d62728", "#637939")
GRID = "#d9dee7"
PNG_DPI = 144
WEEKS_PER_MONTH = 52 / 12
STEPS_PER_MONTH = 8
__all__ = ["INK", "SEVERITY_COLOURS", "svg_charts", "write_markdown_charts"]


def export_chart(canvas: Canvas, fmt: ChartFormat) -> str | bytes:
    """Return a drawn chart as inline SVG text or as PNG bytes (at PNG_DPI)."""
    if fmt == "svg":
        return canvas.svg()
    if fmt == "png":
        return png(canvas.svg(), PNG_DPI / PX_PER_INCH)
    raise ValueError(f"chart format must be 'svg' or 'png', got {fmt!r}")


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


def _month_ticks(last: float) -> list[float]:
    """Month ticks from 0 to `last` (a round step, 6 to 10 ticks)."""
    return [t for t in nice_ticks(0, last, 8) if t <= last + 1e-9]


def utilisation_chart(review: Review, fmt: ChartFormat = "svg") -> str | bytes:
    """Draw utilisation per component resource to the target month.

    Dashed lines are the thresholds; dots mark each resource's computed breaking month and a
    vertical line the first break, so the reader sees what breaks first and when.
    """
    cat = Messages(review.language)
    shown = [r for r in review.capacity.resources if not r.ceiling or r.breaking_month]
    curves, labels = [], []
    for res in shown:
        months, values = utilisation_series([(h.month, h.utilisation_pct) for h in res.horizons])
        curves.append((months, [max(v, 0.5) for v in values]))
        label = f"{res.subject} · {res.resource}"
        labels.append(label + (f" ({cat.t('capacity.elastic')})" if res.elastic else ""))
    every = [v for _, values in curves for v in values] + [r.threshold_pct for r in shown]
    peak, floor = max([1.0, *every]), min([100.0, *every])
    log = peak / max(floor, 0.5) > 20
    target = review.capacity.horizons[-1].month if review.capacity.horizons else 12
    legend_width = min(330.0, max((text_width(t, 8) for t in labels), default=0) + 34)
    canvas = Canvas(960, 460, "utilisation")
    y_range = (10 ** math.floor(math.log10(floor)), 10 ** math.ceil(math.log10(peak))) if log \
        else (0.0, max(nice_ticks(0, peak * 1.05)))
    axes = Axes(70, 44, 960 - legend_width - 16, 410, (0, target), y_range, log_y=log)
    ticks = log_ticks(*y_range) if log else nice_ticks(*y_range)
    draw_axes(canvas, axes, _month_ticks(target), ticks, lambda v: cat.number(v, 0),
              lambda v: cat.number(v, 0 if v >= 1 else 1))
    _thresholds(canvas, axes, sorted({r.threshold_pct for r in shown}), cat)
    keys = []
    for index, (res, (months, values), label) in enumerate(zip(shown, curves, labels,
                                                               strict=True)):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        canvas.polyline([(axes.x(m), axes.y(v)) for m, v in zip(months, values, strict=True)],
                        colour, width=1.8, dash="2,3" if res.elastic else "")
        if res.breaking_month is not None:
            canvas.circle(axes.x(res.breaking_month), axes.y(res.threshold_pct), 4, colour)
        keys.append(("dotted" if res.elastic else "line", colour, label))
    _first_break(canvas, axes, review, cat)
    canvas.text(70, 18, cat.t("chart.utilisation.title"), size=11, weight="bold")
    y_title = cat.t("chart.utilisation.y_log" if log else "chart.utilisation.y")
    canvas.text(16, (axes.top + axes.bottom) / 2, y_title, size=9, anchor="middle", rotate=-90)
    canvas.text((axes.left + axes.right) / 2, 442, cat.t("chart.month"), size=9,
                anchor="middle")
    legend(canvas, axes.right + 16, axes.top + 4, keys)
    return export_chart(canvas, fmt)


def _thresholds(canvas: Canvas, axes: Axes, thresholds: Sequence[float],
                cat: Messages) -> None:
    """Draw each distinct threshold as a dashed line with its label at the right."""
    for index, threshold in enumerate(sorted(thresholds, reverse=True)):
        y = axes.y(threshold)
        canvas.line(axes.left, y, axes.right, y, SEVERITY_COLOURS["critical"], dash="5,3",
                    opacity=0.8)
        canvas.text(axes.right - 4, y - 7 if index % 2 == 0 else y + 7,
                    cat.t("chart.threshold", pct=threshold), size=7.5, anchor="end",
                    colour=SEVERITY_COLOURS["critical"])


def _first_break(canvas: Canvas, axes: Axes, review: Review, cat: Messages) -> None:
    """Mark the first (non-ceiling) breaking month with a vertical line and a label."""
    first = review.capacity.first_break
    if first is None:
        return
    x = axes.x(first.month)
    canvas.line(x, axes.top, x, axes.bottom, INK, dash="6,2,1,2", opacity=0.7)
    label = cat.t("chart.first_break", subject=first.subject, resource=first.resource,
                  month=first.month)
    room = axes.right - x - 8 >= text_width(label, 8)
    canvas.text(x + 4 if room else x - 4, axes.top + 10, label, size=8, weight="bold",
                anchor="start" if room else "end")


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
    de = review.language == "de"
    tasks = [(phase, task) for phase in review.roadmap.phases for task in phase.tasks]
    titles = [t.title_de if de else t.title for _, t in tasks]
    bars, end = _gantt_bars(review, windows)
    row_h = 30.0
    height = max(260.0, row_h * len(tasks) + 150)
    left = min(420.0, max(120.0, max((text_width(t, 8.5) for t in titles), default=0) + 20))
    axes = Axes(left, 74, 940, height - 64, (0, end), (0, 1))
    canvas = Canvas(960, height, "roadmap")
    for phase in review.roadmap.phases:
        _phase_band(canvas, axes, phase, windows[phase.number], cat)
    draw_axes(canvas, axes, _month_ticks(end), [], lambda v: cat.number(v, 0), str,
              y_grid=False)
    for row, (title, (start, length, colour, label)) in enumerate(zip(titles, bars,
                                                                       strict=True)):
        middle = axes.top + (row + 0.5) * row_h
        canvas.text(axes.left - 6, middle, title, size=8.5, anchor="end", colour="#4a5568")
        canvas.rect(axes.x(start), middle - 0.31 * row_h, axes.x(start + length) - axes.x(start),
                    0.62 * row_h, colour)
        canvas.text(axes.x(start + length) + 4, middle, label, size=7.5)
    if not tasks:
        canvas.text((axes.left + axes.right) / 2, (axes.top + axes.bottom) / 2,
                    cat.t("chart.roadmap.empty"), anchor="middle", colour=NEUTRAL)
    canvas.text(20, 16, cat.t("chart.roadmap.title"), size=11, weight="bold")
    canvas.text((axes.left + axes.right) / 2, axes.bottom + 28, cat.t("chart.month"), size=9,
                anchor="middle")
    key_y = axes.bottom + 48
    canvas.text(axes.left, key_y, cat.t("finding.severity") + ":", size=7.5)
    legend(canvas, axes.left + text_width(cat.t("finding.severity") + ":", 7.5) + 10, key_y,
           [("box", colour, cat.t(f"html.severity.{name}"))
            for name, colour in SEVERITY_COLOURS.items()], size=7.5, columns=4,
           column_width=110)
    return export_chart(canvas, fmt)


def _gantt_bars(review: Review, windows: dict[int, tuple[float, float]]
                ) -> tuple[list[tuple[float, float, str, str]], float]:
    """Each task's bar (start month, length in months, colour, label) and the x-axis end."""
    cat = Messages(review.language)
    end = max(e for _, e in windows.values()) if windows else 18.0
    bars = []
    for phase in review.roadmap.phases:
        start, stop = windows[phase.number]
        cursor = start
        weekly = phase.capacity_weeks / ((stop - start) * WEEKS_PER_MONTH) or 1.0
        for task in phase.tasks:
            length = task.effort_weeks / weekly / WEEKS_PER_MONTH
            sign = "+" if task.monthly_cost_delta > 0 else ""
            label = cat.t("chart.roadmap.bar", effort=task.effort_weeks,
                          cost=sign + cat.money(task.monthly_cost_delta, task.currency))
            bars.append((cursor, length, SEVERITY_COLOURS[task_severity(review, task.resolves)],
                         label))
            cursor += length
            end = max(end, cursor + 3)
    return bars, end


def _phase_band(canvas: Canvas, axes: Axes, phase: Any, window: tuple[float, float],
                cat: Messages) -> None:
    """One phase's background band, its label and its over-capacity/budget flags."""
    x0, x1 = axes.x(window[0]), axes.x(window[1])
    flagged = phase.over_capacity or phase.over_budget
    canvas.rect(x0, axes.top, x1 - x0, axes.bottom - axes.top,
                "#f3f5f9" if phase.number % 2 else "#e6ebf2")
    if flagged:
        canvas.rect(x0, axes.top, x1 - x0, 4, SEVERITY_COLOURS["critical"])
    colour = SEVERITY_COLOURS["critical"] if flagged else INK
    canvas.text(x0 + 4, axes.top - 24, cat.t("chart.roadmap.phase", number=phase.number),
                size=8, colour=colour)
    flags = [cat.t(f"chart.roadmap.{k}") for k in ("over_capacity", "over_budget")
             if getattr(phase, k)]
    if flags:
        canvas.text(x0 + 4, axes.top - 11, "⚠ " + ", ".join(flags), size=8, colour=colour)


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
    ticks = nice_ticks(min(0.0, *cumulative), max(0.0, *cumulative))
    axes = Axes(90, 40, 940, 330, (0, max(months[-1], 1)), (ticks[0], ticks[-1]))
    canvas = Canvas(960, 380, "cashflow")
    draw_axes(canvas, axes, _month_ticks(axes.x_range[1]), ticks, lambda v: cat.number(v, 0),
              lambda v: cat.number(v, 0))
    points = [(axes.x(m), axes.y(v)) for m, v in zip(months, cumulative, strict=True)]
    zero = axes.y(0)
    area = [(points[0][0], zero), *points, (points[-1][0], zero)]
    above = canvas.clip_rect("above", axes.left, axes.top, axes.right - axes.left,
                             zero - axes.top)
    below = canvas.clip_rect("below", axes.left, zero, axes.right - axes.left,
                             axes.bottom - zero)
    canvas.polygon(area, "#2f855a", opacity=0.15, clip=above)
    canvas.polygon(area, "#b42318", opacity=0.12, clip=below)
    canvas.line(axes.left, zero, axes.right, zero, INK, width=0.8)
    canvas.polyline(points, "#1f5fa8", width=2)
    marks = (("expected_payback_month", "roi.payback", "5,3"),
             ("break_even_month", "roi.break_even", "1.5,2.5"))
    for offset, (attribute, key, dash) in enumerate(marks):
        month = getattr(review.roi, attribute, None)
        if month is None:
            continue
        x = axes.x(month)
        canvas.line(x, axes.top, x, axes.bottom, INK, width=1.1, dash=dash)
        canvas.text(x + 4, axes.top + 10 + 12 * offset, f"{cat.t(key)}: {cat.value(month)}",
                    size=8)
    canvas.text(90, 16, cat.t("chart.cashflow.title"), size=11, weight="bold")
    canvas.text(18, (axes.top + axes.bottom) / 2, cat.t("chart.cashflow.y", currency=currency),
                size=9, anchor="middle", rotate=-90)
    canvas.text((axes.left + axes.right) / 2, 362, cat.t("chart.month"), size=9,
                anchor="middle")
    return export_chart(canvas, fmt)


def cost_chart(review: Review, fmt: ChartFormat = "svg") -> str | bytes:
    """Draw monthly cost per horizon, stacked by component, with the budget line.

    Bars are the cost if nothing changes but the number of instances of the same size, so the
    horizon where growth alone breaks the budget is visible at a glance.
    """
    cat = Messages(review.language)
    costs = review.costs
    names = [t.horizon for t in costs.totals]
    totals = [sum(c.horizons[i].monthly for c in costs.components) for i in range(len(names))]
    top = max([*totals, costs.monthly_budget or 0.0, 1.0])
    ticks = nice_ticks(0, top * 1.08)
    axes = Axes(90, 40, 940, 330, (-0.5, len(names) - 0.5), (0, ticks[-1]))
    canvas = Canvas(960, 380, "costs")
    draw_axes(canvas, axes, [], ticks, str, lambda v: cat.number(v, 0), x_grid=False)
    bottom = [0.0] * len(names)
    keys = []
    width = (axes.x(0.275) - axes.x(-0.275))
    for index, component in enumerate(costs.components):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        for slot, horizon in enumerate(component.horizons):
            y0, y1 = axes.y(bottom[slot]), axes.y(bottom[slot] + horizon.monthly)
            canvas.rect(axes.x(slot) - width / 2, y1, width, y0 - y1, colour)
            bottom[slot] += horizon.monthly
        keys.append(("box", colour, component.component_id))
    for slot, name in enumerate(names):
        canvas.text(axes.x(slot), axes.bottom + 12, name, size=8.5, anchor="middle",
                    colour="#4a5568")
    if costs.monthly_budget is not None:
        y = axes.y(costs.monthly_budget)
        canvas.line(axes.left, y, axes.right, y, "#b42318", width=1.2, dash="5,3")
        canvas.text(axes.right - 4, y - 7, cat.t("chart.costs.budget"), size=8, anchor="end",
                    colour="#b42318")
    canvas.text(90, 16, cat.t("chart.costs.title"), size=11, weight="bold")
    canvas.text(18, (axes.top + axes.bottom) / 2, cat.t("chart.costs.y", currency=costs.currency),
                size=9, anchor="middle", rotate=-90)
    legend(canvas, axes.left + 10, axes.top + 8, keys)
    return export_chart(canvas, fmt)


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


def write_markdown_charts(review: Review, folder: Path,
                          svgs: Mapping[str, str] | None = None) -> dict[str, str]:
    """Write the charts as PNG files into a folder; return chart name -> file name written.

    Why PNG: every Markdown viewer shows it, including ones that strip inline SVG. `svgs`
    are the charts already drawn for the HTML report of the same review (drawn here if None).
    """
    folder.mkdir(parents=True, exist_ok=True)
    drawn = svgs if svgs is not None else svg_charts(review)
    written: dict[str, str] = {}
    for name in ("utilisation", "roadmap", "costs", "cashflow"):
        if name in drawn:
            (folder / f"{name}.png").write_bytes(png(drawn[name], PNG_DPI / PX_PER_INCH))
            written[name] = f"{name}.png"
    return written
