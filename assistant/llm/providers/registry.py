"""Build the provider the run settings ask for (None when offline).

Keys are read here, at the moment a provider is built, from the variable `settings.api_key`
names, and go straight into the SDK client: they are not kept on `Settings`, and no error names
their value. A base URL is used only for `openai-compatible`: the OpenAI and Anthropic keys are
never sent to a URL taken from the archreview settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from assistant.llm.providers.base import Provider, ProviderError
from assistant.settings import KEY_VARIABLES, Settings, api_key

if TYPE_CHECKING:
    from assistant.llm.providers.openai_adapter import ResponseFormatMode

#: Sent to keyless local servers; never a key of another provider.
PLACEHOLDER_KEY = "not-needed"


def build_provider(settings: Settings, key: str | None = None) -> Provider | None:
    """Return the adapter for `settings.provider`, or None for `offline`.

    `key` is a key given in person (the app's password field), used instead of the
    environment's for Anthropic and OpenAI only, and kept nowhere but in the SDK client.

    Raises:
        ProviderError: a key or base URL is missing, the SDK is not installed, or the provider
            name is unknown; the message says what to set.
    """
    if settings.provider == "offline":
        return None
    if settings.provider == "anthropic":
        return _anthropic(settings, key)
    if settings.provider == "openai":
        return _openai(settings, key)
    if settings.provider == "openai-compatible":
        return _openai_compatible(settings)
    raise ProviderError(f"unknown provider {settings.provider!r}")


def _required_key(provider: str, given: str | None = None) -> str:
    """Return the key given, else the provider's key from the environment, or fail naming it."""
    key = given or api_key(provider)
    if not key:
        raise ProviderError(f"{provider} needs an API key: set {KEY_VARIABLES[provider]} in the "
                            "environment or in .env (or use --provider offline)")
    return key


def _sdk_missing(package: str) -> ProviderError:
    """Explain how to install a missing SDK."""
    return ProviderError(f"the {package} SDK is not installed: pip install {package}")


def _anthropic(settings: Settings, given: str | None = None) -> Provider:
    """Build the Anthropic adapter."""
    key = _required_key("anthropic", given)
    try:
        from assistant.llm.providers.anthropic_adapter import AnthropicProvider

        return AnthropicProvider(model=settings.model_name, api_key=key,
                                 temperature=settings.temperature,
                                 max_tokens=settings.max_tokens, timeout_s=settings.timeout_s,
                                 max_retries=settings.max_retries)
    except ImportError:
        raise _sdk_missing("anthropic") from None


def _openai(settings: Settings, given: str | None = None) -> Provider:
    """Build the OpenAI adapter (strict json_schema, the SDK's default base URL)."""
    key = _required_key("openai", given)
    try:
        from assistant.llm.providers.openai_adapter import OpenAIProvider

        return OpenAIProvider(model=settings.model_name, api_key=key, name="openai",
                              temperature=settings.temperature, max_tokens=settings.max_tokens,
                              timeout_s=settings.timeout_s, max_retries=settings.max_retries,
                              response_format="json_schema")
    except ImportError:
        raise _sdk_missing("openai") from None


def _openai_compatible(settings: Settings) -> Provider:
    """Build the adapter for a local or self-hosted OpenAI-compatible server."""
    base_url = settings.base_url.strip()
    if not base_url:
        raise ProviderError("openai-compatible needs the server's base URL: --base-url "
                            "http://127.0.0.1:11434/v1 (or set ARCHREVIEW_BASE_URL)")
    if not base_url.startswith(("http://", "https://")):
        raise ProviderError(f"the base URL must start with http:// or https://, got {base_url!r}")
    mode = cast("ResponseFormatMode", settings.response_format)
    try:
        from assistant.llm.providers.formats import ModeCache
        from assistant.llm.providers.openai_adapter import OpenAIProvider

        return OpenAIProvider(model=settings.model_name,
                              api_key=api_key("openai-compatible") or PLACEHOLDER_KEY,
                              name="openai-compatible", base_url=base_url,
                              temperature=settings.temperature, max_tokens=settings.max_tokens,
                              timeout_s=settings.timeout_s, max_retries=settings.max_retries,
                              response_format=mode, context_tokens=settings.context_tokens,
                              cache=ModeCache.default(), stream=settings.streams)
    except ImportError:
        raise _sdk_missing("openai") from None
