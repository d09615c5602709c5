"""Run settings: provider, model, language, limits; from arguments, the environment or `.env`.

One `pydantic_settings.BaseSettings`, so every setting is typed, described and validated in one
place, and a bad value in the environment is refused before a review starts, naming the
variable. Explicit arguments win over the environment, which wins over `.env`, which wins over
the defaults.

Keys are read from the environment (or a `.env` file in the working directory) at the moment a
provider is built, and are never fields of this object, printed, logged or written anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ProviderName = Literal["offline", "anthropic", "openai", "openai-compatible"]
PROVIDERS: tuple[str, ...] = get_args(ProviderName)
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
ENV_PREFIX = "ARCHREVIEW_"
LANGUAGE_VARIABLE = "ARCHREVIEW_LANG"
_MAX_SHOWN_INPUT = 60
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})


def load_dotenv_once(path: Path | None = None) -> None:
    """Load `.env` into the environment without overriding variables already set.

    Settings read `.env` themselves; this is for the keys, which are read from the environment
    when a provider is built and so must be there by then.
    """
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - python-dotenv is a dependency
        return
    load_dotenv(path or Path.cwd() / ".env", override=False)


class Settings(BaseSettings):
    """Everything a review run can be configured with (CLI flags override the environment)."""

    # extra="ignore": `.env` also holds keys and other ARCHREVIEW_ variables (cache dir, Chroma
    # URL) that are not settings; refusing them would echo their values in the error.
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore",
        populate_by_name=True)

    provider: ProviderName = Field(
        default="offline", description="offline, anthropic, openai or openai-compatible")
    model: str = Field(default="", description="model name; empty = the provider's default")
    base_url: str = Field(default="", description="base URL of an OpenAI-compatible server")
    temperature: float = Field(default=0.2, ge=0, le=2, description="sampling temperature")
    max_repairs: int = Field(default=2, ge=0,
                             description="repair attempts after an invalid or ungrounded answer")
    timeout_s: float = Field(default=120.0, gt=0,
                             description="per-request timeout given to the SDK, in seconds")
    max_retries: int = Field(default=2, ge=0, description=(
        "the SDK's retries on connection errors, timeouts, 408, 409, 429 and 5xx; the only "
        "retry layer"))
    step_timeout_s: float = Field(default=90.0, gt=0, description=(
        "the longest one LLM step (all its requests, retries and repairs) may take, in seconds; "
        "then the step falls back to the offline section"))
    review_timeout_s: float = Field(default=900.0, gt=0, description=(
        "the longest the whole review may wait on the model, in seconds; steps still waiting "
        "then fall back, labelled timed out"))
    max_tokens: int = Field(default=4096, gt=0, description=(
        "the answer's token budget (lowered per request to what the server's context leaves)"))
    context_tokens: int | None = Field(default=None, gt=0, description=(
        "the server's context length in tokens; empty = what the server reports, else 8192 "
        "for OpenAI-compatible servers (an assumption the run log states)"))
    concurrency: int | None = Field(default=None, gt=0, description=(
        "parallel requests to one server; empty = 1 for a local base URL (127.0.0.1, "
        "localhost), else unlimited"))
    stream: Literal["auto", "on", "off"] = Field(default="auto", description=(
        "OpenAI-compatible servers: stream answers, so a request the review stops waiting for "
        "(deadline, Ctrl-C) also stops the server; auto = for a local base URL (a one-slot "
        "server would otherwise finish an answer nobody reads before the next step)"))
    language: Literal["en", "de"] = Field(default="en", validation_alias=LANGUAGE_VARIABLE,
                                          description="report language")
    response_format: Literal["auto", "json_schema", "json_object_schema", "json_object",
                             "text"] = Field(default="auto", description=(
        "OpenAI-compatible servers: auto steps down json_schema -> json_object_schema -> "
        "json_object -> text when the server refuses a format"))
    max_intake_bytes: int = Field(default=2_000_000, gt=0, description=(
        "the largest intake file read, in bytes; checked before parsing"))
    allow_draft: bool = Field(default=False, description=(
        "review an import draft with open questions, using each question's placeholder (every "
        "one listed in the assumptions ledger)"))
    internal_errors: Literal["fallback", "raise"] = Field(default="fallback", description=(
        "on a programming error in a step: fallback (offline section labelled internal error, "
        "the run exits non-zero) or raise (tests)"))

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Build settings from the environment (and `.env`); explicit non-None overrides win.

        Raises:
            ValueError: a value is invalid; the message names the variable (or argument) and
                what was expected, one clause per problem.
            TypeError: an override names no setting.
        """
        load_dotenv_once()
        unknown = sorted(set(overrides) - set(cls.model_fields))
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(unknown)}")
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            return cls(**given)  # type: ignore[arg-type]
        except ValidationError as error:
            raise ValueError(explain(error, set(given))) from None

    @property
    def is_local_server(self) -> bool:
        """Whether the base URL points at this machine (a one-slot server, most likely)."""
        from urllib.parse import urlparse

        host = urlparse(self.base_url.strip()).hostname or ""
        return self.provider == "openai-compatible" and host in LOCAL_HOSTS

    @property
    def streams(self) -> bool:
        """Whether answers from an OpenAI-compatible server are streamed."""
        return self.stream == "on" or (self.stream == "auto" and self.is_local_server)

    @property
    def parallel_requests(self) -> int | None:
        """How many requests may wait on the server at once (None = no limit)."""
        if self.concurrency is not None:
            return self.concurrency
        return 1 if self.is_local_server else None

    @property
    def model_name(self) -> str:
        """The model to ask: the explicit one, else the provider's default."""
        return self.model or DEFAULT_MODELS[self.provider]


def env_variable(field: str) -> str:
    """The environment variable a setting is read from."""
    return LANGUAGE_VARIABLE if field == "language" else f"{ENV_PREFIX}{field.upper()}"


def explain(error: ValidationError, arguments: set[str]) -> str:
    """Say which variable (or argument) holds a bad value and what was expected."""
    clauses = [_clause(item, arguments) for item in error.errors(include_url=False)]
    return "invalid settings: " + "; ".join(clauses)


def _clause(item: Any, arguments: set[str]) -> str:
    """One problem: `ARCHREVIEW_MAX_RETRIES: expected a valid integer, ..., got 'many'`."""
    loc = str(item["loc"][0]) if item["loc"] else ""
    field = "language" if loc == LANGUAGE_VARIABLE else loc
    name = field if field in arguments else env_variable(field)
    expected = str(item["msg"]).replace("Input should be", "expected", 1)
    shown = repr(item.get("input"))
    if len(shown) > _MAX_SHOWN_INPUT:
        shown = shown[:_MAX_SHOWN_INPUT] + "…"
    return f"{name}: {expected}, got {shown}"


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
