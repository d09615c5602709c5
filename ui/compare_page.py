"""The Compare page: two intakes reviewed offline and diffed (what `archreview diff` prints).

Each side is an example, an uploaded YAML/JSON intake, or the intake in the Review form. Both
are reviewed offline (a diff compares figures, and the figures never depend on an LLM) and
compared by `assistant.comparison.service.diff_reviews`; every figure shown is the diff's own,
and the downloads are its Markdown, JSON and HTML renderings. Intake text is shown as text
(tables, escaped Markdown), never as HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
import streamlit as st

import assistant
from assistant import Intake, IntakeError, Messages, Settings
from assistant.comparison.model import BreakRef, FindingRef, ReviewDiff
from assistant.comparison.render import render_diff
from assistant.comparison.service import diff_reviews
from ui import intake_state
from ui.text import language, md, t

Side = Literal["old", "new"]
SOURCES = ("example", "upload", "form")
DEFAULT_EXAMPLES = {"old": "ecommerce-workshop.yaml", "new": "ecommerce-workshop-scaled.yaml"}
DOWNLOADS = {"md": "text/markdown", "json": "application/json", "html": "text/html"}
DIFF, DIFF_INPUTS = "compare_diff", "compare_inputs"


def _example(side: Side) -> tuple[str, Intake | None, list[str]]:
    examples = intake_state.examples()
    names = [p.name for p in examples]
    default = names.index(DEFAULT_EXAMPLES[side]) if DEFAULT_EXAMPLES[side] in names else 0
    choice = st.selectbox(t("compare.example"), examples, index=default,
                          key=f"compare_{side}_example", format_func=lambda p: p.name)
    label = f"examples/{choice.name}"
    return (label, *intake_state.read_file(choice, label))


def _upload(side: Side) -> tuple[str, Intake | None, list[str]]:
    upload = st.file_uploader(t("compare.upload"), type=["yaml", "yml", "json"],
                              key=f"compare_{side}_upload")
    if upload is None:
        st.caption(t("compare.upload_first"))
        return "", None, []
    return intake_state.read_upload(upload.name, upload.getvalue())


def _form() -> tuple[str, Intake | None, list[str]]:
    intake, problems = intake_state.problems_of(intake_state.data())
    if not intake_state.data():
        return "", None, [t("compare.form_empty")]
    return intake_state.name(), intake, [str(p) for p in problems]


def pick_side(side: Side) -> tuple[str, Intake] | None:
    """One side of the comparison: its label and intake, or None (problems shown)."""
    st.subheader(t(f"compare.{side}"))
    labels = {s: t(f"compare.source.{s}") for s in SOURCES}  # in this run's language
    source = st.radio(t("compare.source"), SOURCES, key=f"compare_{side}_source",
                      horizontal=True, format_func=labels.__getitem__)
    if source == "example":
        label, intake, problems = _example(side)
    elif source == "upload":
        label, intake, problems = _upload(side)
    else:
        label, intake, problems = _form()
    for problem in problems:
        st.error(md(problem))
    if intake is None:
        return None
    st.caption(md(f"{label}: {intake.name}"))
    return label, intake


def run_diff(old: tuple[str, Intake], new: tuple[str, Intake], lang: str) -> ReviewDiff:
    """Review both sides offline (as `archreview diff` does) and compare them."""
    settings = Settings.from_env(provider="offline", language=lang)
    reviews = [assistant.review(intake, settings, use_knowledge_base=False, source_name=label)
               for label, intake in (old, new)]
    return diff_reviews(reviews[0], reviews[1], old_source=old[0], new_source=new[0],
                        lang=reviews[1].language)


def _month(value: float | None, text: Messages) -> str:
    return text.t("diff.never") if value is None else text.decimal(value, 1)


def _first_break(column: Any, side: Side, point: BreakRef | None, text: Messages) -> None:
    label = t("compare.first_break", side=text.t(f"diff.{side}"))
    if point is None:
        column.metric(label, text.t("diff.never"))
        return
    column.metric(label, t("summary.month", month=_month(point.month, text)),
                  help=md(f"{point.subject}: {', '.join(point.members)}"))
    column.caption(md(text.t("diff.first_break.line", side=text.t(f"diff.{side}"),
                             subject=point.subject, resource=point.resource,
                             threshold=point.threshold_pct, month=point.month,
                             users=round(point.users_at_break))))


def _findings_table(refs: list[FindingRef], text: Messages) -> pd.DataFrame:
    return pd.DataFrame([{
        "ID": f.id, text.t("diff.col.finding"): f.title, t("compare.rule"): f.rule_id,
        text.t("diff.col.components"): ", ".join(f.components),
        text.t("diff.col.severity"): f.severity,
        text.t("diff.col.month"): _month(f.breaking_month, text)} for f in refs])


def arrow(old: object, new: object) -> str:
    """One figure before and after, as the diff's Markdown shows it."""
    return f"{old} → {new}"


def _changed_table(diff: ReviewDiff, text: Messages) -> pd.DataFrame:
    return pd.DataFrame([{
        "ID": arrow(c.old.id, c.new.id), text.t("diff.col.finding"): c.title,
        t("compare.rule"): c.rule_id,
        text.t("diff.col.components"): arrow(", ".join(c.old.components),
                                             ", ".join(c.new.components)),
        text.t("diff.col.severity"): arrow(c.old.severity, c.new.severity),
        text.t("diff.col.month"): arrow(_month(c.old.breaking_month, text),
                                        _month(c.new.breaking_month, text)),
        text.t("diff.col.status"): ", ".join(c.changes)} for c in diff.changed])


def _findings(diff: ReviewDiff, text: Messages) -> None:
    st.subheader(text.t("diff.findings"))
    sections = ((text.t("diff.resolved", count=len(diff.resolved)), diff.resolved),
                (text.t("diff.new_findings", count=len(diff.new)), diff.new))
    for title, refs in sections:
        st.markdown(f"**{md(title)}**")
        if refs:
            st.dataframe(_findings_table(refs, text), hide_index=True)
        else:
            st.text(text.t("diff.none"))
    st.markdown(f"**{md(text.t('diff.changed', count=len(diff.changed)))}**")
    if diff.changed:
        st.dataframe(_changed_table(diff, text), hide_index=True)
    else:
        st.text(text.t("diff.none"))
    st.caption(text.t("diff.unchanged", count=diff.unchanged))


def _pct(value: float | None, text: Messages) -> str:
    return "-" if value is None else text.pct(value)


def _count(value: int | None, text: Messages) -> str:
    return "-" if value is None else text.number(value)


def _capacity(diff: ReviewDiff, text: Messages) -> None:
    st.subheader(text.t("diff.capacity"))
    st.dataframe(pd.DataFrame([{
        text.t("diff.col.subject"): r.subject,
        text.t("diff.col.resource"): r.resource + (f" ({text.t('diff.ceiling')})"
                                                   if r.ceiling else ""),
        text.t("diff.col.status"): text.t(f"diff.status.{r.status}"),
        text.t("diff.col.util"): arrow(_pct(r.old_utilisation_pct, text),
                                       _pct(r.new_utilisation_pct, text)),
        text.t("diff.col.month"): arrow(
            "-" if r.status == "new" else _month(r.old_breaking_month, text),
            "-" if r.status == "gone" else _month(r.new_breaking_month, text))}
        for r in diff.capacity]), hide_index=True)
    st.subheader(text.t("diff.sizing"))
    st.dataframe(pd.DataFrame([{
        text.t("diff.col.component"): s.component_id, text.t("diff.col.quantity"): s.quantity,
        text.t("diff.col.current"): arrow(_count(s.old_current, text), _count(s.new_current, text)),
        text.t("diff.col.needed"): arrow(_count(s.old_needed, text), _count(s.new_needed, text))}
        for s in diff.sizing]),
        hide_index=True)


def _money(value: float | None, text: Messages) -> str:
    return "-" if value is None else text.number(round(value), 0)


def _costs_and_availability(diff: ReviewDiff, text: Messages) -> None:
    st.subheader(text.t("diff.costs", currency=diff.currency))
    columns = st.columns(max(len(diff.costs), 1))
    for column, cost in zip(columns, diff.costs, strict=False):
        column.metric(t("compare.cost", horizon=cost.horizon),
                      _money(cost.new_monthly, text),
                      delta=None if cost.delta is None else _money(cost.delta, text),
                      delta_color="inverse",
                      help=t("compare.was", value=_money(cost.old_monthly, text)))
    st.subheader(text.t("diff.availability"))
    a = diff.availability
    st.metric(t("compare.path_availability"), f"{text.decimal(a.new_path_pct, 3)} %",
              delta=f"{a.new_path_pct - a.old_path_pct:+.3f} pp",
              help=t("compare.was", value=f"{text.decimal(a.old_path_pct, 3)} %"))
    target = "-" if a.target_pct is None else text.decimal(a.target_pct)
    st.text(text.t("diff.availability.line", old=text.decimal(a.old_path_pct, 3),
                   new=text.decimal(a.new_path_pct, 3), target=target))
    st.text(text.t("diff.spofs", old=", ".join(a.old_spofs) or text.t("diff.none"),
                   new=", ".join(a.new_spofs) or text.t("diff.none")))


def show_diff(diff: ReviewDiff) -> None:
    """The diff: first break on both sides, findings, capacity, cost, availability, downloads."""
    text = Messages(diff.language)
    st.text(text.t("diff.sources", old=diff.old_source, new=diff.new_source))
    left, right = st.columns(2)
    _first_break(left, "old", diff.old_first_break, text)
    _first_break(right, "new", diff.new_first_break, text)
    _findings(diff, text)
    _capacity(diff, text)
    _costs_and_availability(diff, text)
    stem = f"diff-{Path(diff.old_source).stem}-{Path(diff.new_source).stem}"
    for column, (fmt, mime) in zip(st.columns(len(DOWNLOADS)), DOWNLOADS.items(), strict=True):
        column.download_button(t("download.report", fmt=fmt.upper()), render_diff(diff, fmt),
                               file_name=f"{stem}.{fmt}", mime=mime, key=f"compare_dl_{fmt}",
                               on_click="ignore")


def compare_page() -> None:
    """The Compare page."""
    st.title(t("compare.title"))
    st.caption(t("compare.intro"))
    left, right = st.columns(2)
    with left:
        old = pick_side("old")
    with right:
        new = pick_side("new")
    inputs = (old, new, language())
    if st.button(t("compare.run"), type="primary", key="compare_run",
                 disabled=old is None or new is None) and old is not None and new is not None:
        with st.spinner(t("compare.running")):
            try:
                st.session_state[DIFF] = run_diff(old, new, language())
                st.session_state[DIFF_INPUTS] = inputs
            except (IntakeError, ValueError) as error:  # reported, never a traceback
                st.error(md(t("compare.failed", error=error)))
    diff = st.session_state.get(DIFF)
    if diff is None:
        return
    if st.session_state.get(DIFF_INPUTS) != inputs:
        st.info(t("compare.stale"))
    show_diff(diff)
