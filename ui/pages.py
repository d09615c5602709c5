"""The app's pages: Review (the form, the run, the result, the what-if) and About.

Compare and Workshop have a module each: `ui/compare_page.py` and `ui/workshop_page.py`.
"""

from __future__ import annotations

import streamlit as st

from ui import intake_state
from ui.form import intake_form, show_problems
from ui.provider import provider_sidebar
from ui.results import show_review
from ui.run_review import run
from ui.text import md, t


def _start_controls() -> None:
    """Start from an example, an upload, or empty; name the file; download it as YAML."""
    examples = intake_state.examples()
    left, middle, right = st.columns([2, 2, 1])
    with left:
        choice = st.selectbox(t("start.example"), examples, index=None, key="example_choice",
                              format_func=lambda p: p.name, placeholder=t("start.pick"))
        if st.button(t("start.load"), key="load_example", disabled=choice is None) \
                and choice is not None:
            st.session_state["load_problems"] = intake_state.load_file(
                choice, f"examples/{choice.name}")
    with middle:
        upload = st.file_uploader(t("start.upload"), type=["yaml", "yml", "json"],
                                  key="upload")
        if upload is not None and st.session_state.get("uploaded") != upload.file_id:
            st.session_state["uploaded"] = upload.file_id
            st.session_state["load_problems"] = intake_state.load_upload(
                upload.name, upload.getvalue())
    with right:
        st.write("")
        if st.button(t("start.empty"), key="start_empty"):
            intake_state.replace({}, intake_state.EMPTY_NAME)
    for problem in st.session_state.get("load_problems") or []:
        st.error(md(problem))


def review_page() -> None:
    """The Review page."""
    st.title(t("review.title"))
    st.caption(t("review.intro"))
    choice = provider_sidebar()
    _start_controls()
    data = intake_state.data()
    file_name = st.text_input(t("start.file_name"), value=intake_state.name(),
                              key=f"file_name{intake_state.generation()}",
                              help=t("start.file_name_help"))
    st.session_state[intake_state.NAME] = file_name or intake_state.EMPTY_NAME
    slots = intake_form(data)
    intake, problems = intake_state.problems_of(data)
    if data:  # an empty start is not yet wrong: messages appear with the first entry
        show_problems(problems, slots)
    st.download_button(t("start.download_yaml"), intake_state.as_yaml(data),
                       file_name=intake_state.name().rsplit("/", 1)[-1], mime="application/yaml",
                       key="download_intake", on_click="ignore")
    if problems:
        with st.expander(t("review.problems", count=len(problems)), expanded=False):
            for problem in problems:
                st.text(str(problem))
    clicked = st.button(t("review.run"), type="primary", disabled=intake is None or choice is None,
                        key="run_review")
    if clicked and intake is not None and choice is not None:
        run(intake, intake_state.name(), choice)
    result = st.session_state.get("review")
    if result is None:
        return
    if result.language != choice_language(choice):
        st.info(t("review.language_changed"))
    if intake is not None and intake != result.intake:
        st.info(t("review.stale"))
    show_review(result)


def choice_language(choice: object) -> str:
    """The language the run settings ask for (the sidebar's)."""
    settings = getattr(choice, "settings", None)
    return str(getattr(settings, "language", "en"))


def about_page() -> None:
    """What archreview computes and what the LLM adds."""
    st.title(t("about.title"))
    st.markdown(t("about.computed"))
    st.markdown(t("about.llm"))
    st.markdown(t("about.privacy"))
