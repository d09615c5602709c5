"""Show a finished review: summary cards first, then chart, findings, roadmap, business case.

Beside them the report downloads (MD, HTML, JSON).

Every figure comes from the `Review` (nothing is recomputed here), every sentence from the
report's own catalogue or its Markdown renderer, whose filters escape intake text.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from assistant import Messages, Review
from assistant.report.writer import RENDERERS
from ui.text import md, t
from ui.whatif import what_if

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_CARD_LINK = re.compile(r"\[([^\]]*)\]\(\.\./\.\./knowledge/[^)]*\)")
DOWNLOADS = {"md": "text/markdown", "html": "text/html", "json": "application/json"}


def _month(value: float | None, cat: Messages) -> str:
    return cat.t("table.never") if value is None else cat.decimal(value, 1)


def summary_cards(review: Review) -> None:
    """The executive summary as four metric cards: first break, availability, findings, cost."""
    cat = Messages(review.language)
    first = review.capacity.first_break
    availability = review.capacity.availability
    high = sum(1 for f in review.findings if f.severity in ("critical", "high"))
    money = review.roadmap.currency
    cards = st.columns(4)
    cards[0].metric(t("summary.first_break"), t("summary.month", month=_month(
        first.month if first else None, cat)),
        help=md(f"{first.subject} ({', '.join(first.members)}): {first.resource}")
        if first else None)
    if first is not None:
        cards[0].caption(md(f"{first.subject}: {first.resource} ≥ {first.threshold_pct:g} %"))
    path_pct = cat.decimal(availability.path_availability_pct, 3)
    target = "-" if availability.target_pct is None else cat.decimal(availability.target_pct)
    cards[1].metric(t("summary.availability"), f"{path_pct} %",
                    help=t("summary.availability_help", target=target))
    cards[2].metric(t("summary.findings"), len(review.findings),
                    help=t("summary.findings_help", high=high))
    full = review.roadmap.full_build_out_monthly_cost
    cards[3].metric(t("summary.cost"), cat.money(full if full is not None else
                                                 review.roadmap.baseline_monthly_cost, money),
                    help=t("summary.cost_help", today=cat.money(
                        review.roadmap.baseline_monthly_cost, money)))


def report_sections(review: Review) -> dict[str, str]:
    """The Markdown report cut at its `##` headings (images and card links made plain)."""
    text = RENDERERS["md"](review)
    parts: dict[str, str] = {}
    for chunk in text.split("\n## ")[1:]:
        heading, _, body = chunk.partition("\n")
        body = _CARD_LINK.sub(r"\1", _IMAGE.sub("", body))
        parts[heading.strip()] = body
    return parts


def series_name(resource: Any) -> str:
    """The legend entry of one resource.

    The same resource on the largest size (the vertical ceiling) is a line of its own.
    """
    name = f"{resource.subject} · {resource.resource}"
    return f"{name} ({t('chart.ceiling')})" if resource.ceiling else name


def chart_rows(review: Review) -> list[dict[str, Any]]:
    """Utilisation per component and resource at each horizon, one row per point."""
    return [{"month": point.month, "series": series_name(resource),
             "utilisation": point.utilisation_pct,
             "plotted": max(point.utilisation_pct, 0.1),  # a log scale has no 0
             "threshold": resource.threshold_pct}
            for resource in review.capacity.resources for point in resource.horizons]


def capacity_chart(review: Review) -> None:
    """Utilisation over the horizons on a log scale, with the 100 % line where it is full.

    Log scale: a tier at 5,000 % must not flatten the ones near their threshold.
    """
    spec = {
        "height": 340,
        "layer": [
            {"mark": {"type": "line", "point": True},
             "encoding": {
                 "x": {"field": "month", "type": "quantitative", "title": t("chart.month")},
                 "y": {"field": "plotted", "type": "quantitative", "scale": {"type": "log"},
                       "title": t("chart.utilisation")},
                 "color": {"field": "series", "type": "nominal", "title": None,
                           "legend": {"labelLimit": 320}},
                 "tooltip": [{"field": "series"}, {"field": "month"},
                             {"field": "utilisation", "format": ".1f"},
                             {"field": "threshold"}]}},
            {"mark": {"type": "rule", "strokeDash": [4, 4], "color": "#c0392b"},
             "encoding": {"y": {"datum": 100}}},
        ],
    }
    st.vega_lite_chart(pd.DataFrame(chart_rows(review)), spec, width="stretch")


def findings(review: Review) -> None:
    """One expander per finding: its sentence, components, breaking month and pattern cards."""
    cat = Messages(review.language)
    cards = {p.id: p for p in review.patterns}
    for finding in review.findings:
        title = cat.t(f"rule.{finding.rule_id}.title", **finding.params)
        with st.expander(md(f"{finding.id} · {finding.severity} · {title}")):
            st.markdown(md(cat.t(f"rule.{finding.rule_id}.summary", **finding.params)))
            st.caption(md(t("findings.where", components=", ".join(finding.components),
                            month=_month(finding.breaking_month, cat))))
            for card_id in [*finding.patterns, *review.related.get(finding.id, [])]:
                card = cards.get(card_id)
                if card is not None:
                    shown = card.title_de if review.language == "de" else card.title
                    st.markdown(md(f"{shown} ({card.id}, {card.source_file})"))


def _store(review: Review) -> dict[str, Any]:
    """The renderings of this review kept in the session (reruns and clicks reuse them)."""
    store: dict[str, Any] = st.session_state.setdefault("rendered", {})
    if store.get("for") is not review:
        store.clear()
        store["for"] = review
    return store


def _cached(store: dict[str, Any], name: str, make: Any) -> Any:
    """One rendering per name.

    A plain dict: the download callable runs off the script thread, where the session
    cannot be reached.
    """
    if name not in store:
        store[name] = make()
    return store[name]


def downloads(review: Review) -> None:
    """Download buttons for the three report formats.

    The file is rendered when its button is clicked (Streamlit runs the callable then), once
    per review: the HTML report's inline charts take a second or two, which the summary
    must not wait for.
    """
    store = _store(review)
    columns = st.columns(len(DOWNLOADS))
    for column, (fmt, mime) in zip(columns, DOWNLOADS.items(), strict=True):
        def render(fmt: str = fmt) -> str:
            text: str = _cached(store, fmt, lambda: RENDERERS[fmt](review))
            return text

        column.download_button(t("download.report", fmt=fmt.upper()), render,
                               file_name=f"report.{fmt}", mime=mime, key=f"download_{fmt}",
                               on_click="ignore")


def show_review(review: Review) -> None:
    """The whole result, summary first."""
    st.header(md(Messages(review.language).t("report.title", name=review.name)))
    if review.mode == "offline" and review.provenance.llm is None:
        st.caption(Messages(review.language).t("report.mode.offline"))
    summary_cards(review)
    parts: dict[str, str] = _cached(_store(review), "sections",
                                    lambda: report_sections(review))
    cat = Messages(review.language)
    _section(parts, cat.t("section.summary"))
    downloads(review)
    capacity, what, found, plan, roi = st.tabs([
        cat.t("section.capacity"), t("whatif.title"), cat.t("section.findings"),
        cat.t("section.roadmap"), cat.t("section.roi")])
    with capacity:
        capacity_chart(review)
    with what:
        what_if(review)
    with found:
        findings(review)
    with plan:
        _section(parts, cat.t("section.roadmap"))
    with roi:
        _section(parts, cat.t("section.roi"))


def _section(parts: dict[str, Any], heading_text: str) -> None:
    """One section of the Markdown report, as the report writes it."""
    body = parts.get(heading_text)
    if body is not None:
        st.markdown(body)
