"""The app's fixed strings and the one way intake text reaches Markdown.

Strings come from the one catalogue, `assistant/i18n/messages.yaml` (EN and DE); intake text
is escaped, so a name is shown, never interpreted.
"""

from __future__ import annotations

import re
from typing import Literal

import streamlit as st

from assistant import Messages

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def language() -> Literal["en", "de"]:
    """The language the user picked in the sidebar (English until they pick)."""
    return "de" if st.session_state.get("lang", "en") == "de" else "en"


def t(key: str, **params: object) -> str:
    """The app string for `key` in the chosen language (`ui.` keys of messages.yaml)."""
    return Messages(language()).t(f"ui.{key}", **params)


def md(text: object) -> str:
    """Intake or model text made safe for Markdown: every special character escaped.

    Streamlit never renders raw HTML without `unsafe_allow_html` (never used here), so
    `<script>` stays text anyway; escaping also keeps `[a](javascript:...)` links,
    images and emphasis from being read out of a component name.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
