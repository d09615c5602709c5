"""The Workshop page (a file, so `st.navigation` and AppTest can switch to it)."""

from ui.workshop_page import workshop_page

workshop_page()
