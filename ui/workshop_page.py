"""The Workshop page: the seeds' exercises, a participant's answer checked and scored.

The exercise list, the task (EN/DE with the app's language switch), the check and the
reference solution all come from `assistant.workshop.service` (what `archreview workshop list |
show | check --explain` prints): the answer, a Markdown list in the participant's words, is
read by `claims_from_text` and matched by `check_answer` against the findings archreview
computes for the exercise's intake. What a participant typed is shown as text, never markup.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from assistant import Messages
from assistant.workshop.check import CheckResult, OtherClaim
from assistant.workshop.exercises import WorkshopError
from assistant.workshop.reference import ExpectedItem, ReferenceSolution
from assistant.workshop.service import (
    check_answer,
    claims_from_text,
    explain_exercise,
    list_exercises,
    show_exercise,
)
from ui.text import language, md, t

ROOT = Path(__file__).resolve().parent.parent
RESULT, RESULT_ANSWER = "workshop_result", "workshop_result_answer"


def _relative(path: str) -> str:
    """A packaged intake's path relative to the checkout (as the CLI names it)."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return Path(path).name


def pick_exercise() -> str:
    """The exercise table and the choice of one; returns its id."""
    lang = language()
    exercises = list_exercises()
    text = Messages(lang)
    st.dataframe(pd.DataFrame([{
        text.t("workshop.list.id"): e.id, text.t("workshop.list.exercise"): e.title.get(lang),
        text.t("workshop.list.seed"): e.seed} for e in exercises]), hide_index=True)
    titles = {e.id: e.title.get(lang) for e in exercises}
    chosen: str = st.selectbox(t("workshop.pick"), list(titles), key="workshop_exercise",
                               format_func=lambda i: f"{i}: {titles[i]}")
    return chosen


def show_task(exercise_id: str) -> None:
    """The task as the seed sets it, in the app's language."""
    view = show_exercise(exercise_id, language())
    text = Messages(language())
    st.subheader(md(view.title))
    st.caption(md(text.t("workshop.show.seed", seed=view.seed) + " · "
                  + text.t("workshop.show.intake", file=_relative(view.intake_file))))
    st.markdown(md(view.task))
    if view.expected_count is not None:
        st.caption(t("workshop.expect", count=view.expected_count))


def _via(via: dict[str, list[str]], text: Messages) -> str:
    return "; ".join(f"{text.t('workshop.via.' + label)}: {', '.join(words)}"
                     for label, words in via.items())


def _item_lines(item: ExpectedItem) -> None:
    st.markdown(md(item.summary))
    for line in item.evidence:
        st.markdown("- " + md(line))


def _other(other: OtherClaim, text: Messages) -> str:
    if other.status == "unsupported":
        return text.t("workshop.check.unsupported", claim=other.claim.number,
                      text=other.claim.text)
    return text.t(f"workshop.check.{other.status}", claim=other.claim.number,
                  ref=other.item_key, title=other.item_title)


def show_result(result: CheckResult) -> None:
    """Score, found, missed with the computed evidence, and the other claims."""
    text = Messages(result.language)
    found, expected = len(result.found), result.expected
    left, right = st.columns(2)
    left.metric(t("workshop.score"), t("workshop.found_of", found=found, expected=expected),
                help=text.t("workshop.check.score_rule", found=found, expected=expected))
    right.metric(t("workshop.score_pct"), text.pct(result.score * 100, 0))
    st.subheader(text.t("workshop.check.found"))
    for hit in result.found:
        st.success(md(text.t("workshop.check.found_item", ref=hit.item.key, title=hit.item.title,
                             claim=hit.claim.number, via=_via(hit.via, text))))
    if not result.found:
        st.text(text.t("workshop.check.none"))
    st.subheader(text.t("workshop.check.missed"))
    for item in result.missed:
        st.warning(md(text.t("workshop.check.missed_item", ref=item.key, title=item.title)))
        _item_lines(item)
    if not result.missed:
        st.text(text.t("workshop.check.none"))
    st.subheader(text.t("workshop.check.others"))
    for other in result.others:
        (st.error if other.status == "unsupported" else st.info)(md(_other(other, text)))
    if not result.others:
        st.text(text.t("workshop.check.none"))
    st.caption(text.t("workshop.check.no_llm") if result.judgment.source == "none"
               else md(result.judgment.note or result.judgment.text))


def show_reference(reference: ReferenceSolution) -> None:
    """The reference solution archreview computes (`check --explain`)."""
    text = Messages(reference.language)
    st.caption(md(text.t("workshop.explain.title", file=_relative(reference.intake_file))))
    if reference.first_break:
        st.markdown(f"**{md(reference.first_break)}**")
    st.markdown(f"**{md(text.t('workshop.explain.expected'))}**")
    for item in reference.expected:
        st.markdown(f"**{md(item.key)}: {md(item.title)}**")
        _item_lines(item)
    for line in reference.caching:
        st.markdown("- " + md(line))
    if reference.roadmap:
        st.markdown(f"**{md(text.t('workshop.explain.roadmap'))}**")
        for line in reference.roadmap:
            st.markdown("- " + md(line))
    if reference.others:
        st.markdown(f"**{md(text.t('workshop.explain.others'))}**")
        for item in reference.others:
            st.markdown("- " + md(f"{item.key}: {item.title}"))


def _check(exercise_id: str, answer: str) -> None:
    try:
        claims = claims_from_text(answer)
    except WorkshopError as error:
        st.session_state.pop(RESULT, None)
        st.error(md(error))
        return
    with st.spinner(t("workshop.checking")):
        st.session_state[RESULT] = check_answer(exercise_id, claims, language())
        st.session_state[RESULT_ANSWER] = answer


def workshop_page() -> None:
    """The Workshop page."""
    st.title(t("workshop.title"))
    st.caption(t("workshop.intro"))
    exercise_id = pick_exercise()
    show_task(exercise_id)
    answer = st.text_area(t("workshop.answer"), key=f"workshop_answer_{exercise_id}",
                          height=200, placeholder=t("workshop.answer_placeholder"))
    if st.button(t("workshop.check"), type="primary", key="workshop_check",
                 disabled=not answer.strip()):
        _check(exercise_id, answer)
    result: CheckResult | None = st.session_state.get(RESULT)
    if result is not None and result.exercise_id == exercise_id:
        if result.language != language():
            st.info(t("workshop.language_changed"))
        if st.session_state.get(RESULT_ANSWER) != answer:
            st.info(t("workshop.stale"))
        show_result(result)
    with st.expander(t("workshop.explain")):
        show_reference(explain_exercise(exercise_id, language()))
