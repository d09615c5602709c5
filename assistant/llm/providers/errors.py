"""Turn an SDK exception into the seam's errors, once for both adapters, with no key in it.

The `openai` and `anthropic` SDKs are both Stainless-generated: each has `APITimeoutError`
(a kind of `APIConnectionError`) and `APIStatusError` with `status_code`, as its own classes.
So one function, given the SDK module, serves both. Transient means a later attempt may work:
connection errors, timeouts, 408, 409, 429 and 5xx, the same set the SDKs retry themselves;
by the time such an error reaches us the SDK's retries are spent, so nothing above retries it
again.
"""

from __future__ import annotations

import re
from types import ModuleType

from assistant.llm.providers.base import ProviderError, TransientProviderError

TRANSIENT_STATUSES = frozenset({408, 409, 429})
MAX_ERROR_CHARS = 300
_SECRET_PATTERN = re.compile(r"(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+\S+)")


def redact(text: str, secret: str | None) -> str:
    """Remove a key (and anything key- or bearer-shaped) from text meant for a message."""
    if secret:
        text = text.replace(secret, "[redacted]")
    return _SECRET_PATTERN.sub("[redacted]", text)


def is_transient_status(status: int) -> bool:
    """Whether an HTTP status may succeed on a later attempt."""
    return status in TRANSIENT_STATUSES or status >= 500


def sdk_error(error: Exception, *, provider: str, sdk: ModuleType,
              secret: str | None) -> ProviderError:
    """Map an exception of `sdk` (the `openai` or `anthropic` module) to the seam's errors.

    Args:
        error: what the SDK raised.
        provider: the provider's name, first in the message.
        sdk: the SDK module whose exception classes to test against.
        secret: the client's key, removed from the message wherever it appears.
    """
    kind = type(error).__name__
    if isinstance(error, sdk.APITimeoutError):
        return TransientProviderError(f"{provider}: {kind}: the request timed out (after the "
                                      "SDK's retries)", "timed_out")
    if isinstance(error, sdk.APIConnectionError):
        return TransientProviderError(f"{provider}: {kind}: could not reach the server (after "
                                      "the SDK's retries)", "unreachable")
    if isinstance(error, sdk.APIStatusError):
        status = int(error.status_code)
        message = redact(str(error.message), secret)[:MAX_ERROR_CHARS]
        text = f"{provider}: HTTP {status} {kind}: {message}"
        return TransientProviderError(text) if is_transient_status(status) else ProviderError(text)
    return ProviderError(f"{provider}: {kind}: {redact(str(error), secret)[:MAX_ERROR_CHARS]}")
