"""The Compare page (a file, so `st.navigation` and AppTest can switch to it)."""

from ui.compare_page import compare_page

compare_page()
