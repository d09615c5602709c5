"""Run settings: provider, model, language, limits; from arguments, the environment or `.env`.

Keys are read from the environment (or a `.env` file in the working directory) at the moment a
provider is built, and are never stored on this object, printed, logged or written anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

ProviderName = Literal["offline", "anthropic", "openai", "openai-compatible"]
PROVIDERS: tuple[str, ...] = ("offline", "anthropic", "openai", "openai-compatible")
KEY_VARIABLES: dict[str, str] = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
    "openai-compatible": "ARCHREVIEW_COMPATIBLE_API_KEY",
}
DEFAULT_MODELS: dict[str, str] = {
    "anthropic": "claude-sonnet-4-6",
    "openai": "gpt-4.1-mini",
    "openai-compatible": "local-model",
    "offline": "offline-analyzer",
}


def load_dotenv_once(path: Path | None = None) -> None:
    """Load `.env` into the environment without overriding variables already set."""
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - python-dotenv is a dependency
        return
    load_dotenv(path or Path.cwd() / ".env", override=False)


def _convert(raw: str, default: object) -> object:
    """Convert an environment string to the type of the field's default."""
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


@dataclass(kw_only=True)
class Settings:
    """Everything a review run can be configured with (CLI flags override the environment)."""

    provider: ProviderName = field(default="offline", metadata={
        "env": "ARCHREVIEW_PROVIDER", "help": "offline, anthropic, openai or openai-compatible"})
    model: str = field(default="", metadata={
        "env": "ARCHREVIEW_MODEL", "help": "model name; empty = the provider's default"})
    base_url: str = field(default="", metadata={
        "env": "ARCHREVIEW_BASE_URL", "help": "base URL of an OpenAI-compatible server"})
    temperature: float = field(default=0.2, metadata={"env": "ARCHREVIEW_TEMPERATURE"})
    max_repairs: int = field(default=2, metadata={
        "env": "ARCHREVIEW_MAX_REPAIRS", "help": "repair attempts after an invalid answer"})
    timeout_s: float = field(default=120.0, metadata={
        "env": "ARCHREVIEW_TIMEOUT_S", "help": "per-request timeout given to the SDK"})
    max_retries: int = field(default=2, metadata={
        "env": "ARCHREVIEW_MAX_RETRIES", "help": "SDK retries on transient errors"})
    max_tokens: int = field(default=4096, metadata={"env": "ARCHREVIEW_MAX_TOKENS"})
    language: Literal["en", "de"] = field(default="en", metadata={"env": "ARCHREVIEW_LANG"})
    response_format: Literal["auto", "json_schema", "json_object"] = field(
        default="auto", metadata={
            "env": "ARCHREVIEW_RESPONSE_FORMAT",
            "help": "OpenAI-compatible servers: auto falls back to JSON mode if refused"})

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Build settings from the environment (and `.env`), then apply explicit overrides."""
        load_dotenv_once()
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f.metadata.get("env", ""))
            if raw is not None and raw != "":
                values[f.name] = _convert(raw, f.default)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}, "
                             f"got {settings.provider!r}")
        return settings

    @property
    def model_name(self) -> str:
        """The model to ask: the explicit one, else the provider's default."""
        return self.model or DEFAULT_MODELS[self.provider]


def configured_provider() -> str | None:
    """The first provider whose API key is set in the environment (or `.env`), if any."""
    load_dotenv_once()
    for provider in ("anthropic", "openai"):
        if os.environ.get(KEY_VARIABLES[provider]):
            return provider
    return None


def api_key(provider: str) -> str | None:
    """Read a provider's key from the environment at the moment it is needed."""
    variable = KEY_VARIABLES.get(provider)
    return os.environ.get(variable) if variable else None
