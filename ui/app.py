"""archreview in the browser: `make ui` (or `streamlit run ui/app.py`).

A multipage app: Review (a guided intake form, the run step by step, the report and a live
what-if), Compare (archreview diff), Workshop (archreview workshop) and About. It calls the
public API (`assistant.review`, `load_intake`, `validate_intake`, `Intake`, `Settings`) and the
report writers, and the diff's and the workshop's service functions (`assistant.comparison.service`,
`assistant.workshop.service`), nothing deeper.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run ui/app.py` puts only ui/ on the path
    sys.path.insert(0, str(ROOT))

from ui.text import t  # noqa: E402

VIEWS = Path(__file__).resolve().parent / "views"


def main() -> None:
    """Configure the page, the language switch and the navigation, then run the chosen page."""
    st.set_page_config(page_title="archreview", page_icon="📐", layout="wide")
    st.sidebar.radio("Language / Sprache", ["en", "de"], key="lang", horizontal=True,
                     format_func={"en": "English", "de": "Deutsch"}.__getitem__)
    pages = [st.Page(VIEWS / "review.py", title=t("nav.review"), url_path="review",
                     default=True),
             st.Page(VIEWS / "compare.py", title=t("nav.compare"), url_path="compare"),
             st.Page(VIEWS / "workshop.py", title=t("nav.workshop"), url_path="workshop"),
             st.Page(VIEWS / "about.py", title=t("nav.about"), url_path="about")]
    st.navigation(pages).run()


main()
