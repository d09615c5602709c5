"""The provider choice in the sidebar: offline by default, a key from the environment or typed.

A typed key lives in `st.session_state` only (the password widget's own state): it is passed
to `review(api_key=...)` for the one run and is never put into the environment (shared by every
session of the server), echoed, logged, cached or written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from assistant import Settings
from ui.text import language, t

PROVIDERS = ("offline", "anthropic", "openai", "openai-compatible")
KEY_WIDGET = "provider_api_key"
#: The variables a key may come from (the names only; values are never read here).
KEY_VARIABLES = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}


@dataclass(frozen=True)
class ProviderChoice:
    """What the sidebar chose: the run settings and a key typed in this session, if any."""

    settings: Settings
    typed_key: str | None


def provider_sidebar() -> ProviderChoice | None:
    """Draw the provider controls; return the choice, or None (with the error shown)."""
    st.sidebar.subheader(t("provider.title"))
    provider = st.sidebar.selectbox(t("provider.name"), PROVIDERS, key="provider_name",
                                    help=t("provider.help"))
    model = base_url = None
    typed: str | None = None
    if provider != "offline":
        model = st.sidebar.text_input(t("provider.model"), key="provider_model") or None
    if provider == "openai-compatible":
        base_url = st.sidebar.text_input(t("provider.base_url"), key="provider_base_url",
                                         placeholder="http://127.0.0.1:11434/v1") or None
    if provider in KEY_VARIABLES:
        variable = KEY_VARIABLES[provider]
        if os.environ.get(variable):
            st.sidebar.caption(t("provider.key_from_env", variable=variable))
        typed = st.sidebar.text_input(t("provider.key"), type="password", key=KEY_WIDGET,
                                      help=t("provider.key_help", variable=variable)) or None
    try:
        settings = Settings.from_env(provider=provider, model=model, base_url=base_url,
                                     language=language())
    except ValueError as error:
        st.sidebar.error(str(error))
        return None
    return ProviderChoice(settings, typed)
