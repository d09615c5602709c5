"""The Review page (a file, so `st.navigation` and AppTest can switch to it)."""

from ui.pages import review_page

review_page()
