"""The About page (a file, so `st.navigation` and AppTest can switch to it)."""

from ui.pages import about_page

about_page()
