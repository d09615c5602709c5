"""The Compare page (a file, so `st.navigation` and AppTest can switch to it)."""

from ui.pages import compare_page

compare_page()
