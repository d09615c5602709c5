"""The provider seam: one call that returns the model's raw structured answer.

Adapters send the JSON Schema of the wanted Pydantic model with the provider's own structured
output mechanism and return the raw text of the answer. They do NOT validate it: validation,
repair and grounding live in `llm/ask.py`, so a bad answer is kept and repaired, never lost
inside an SDK exception.
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypedDict

from pydantic import BaseModel

#: The workflow step a request belongs to, so what an adapter notes lands under that step.
CURRENT_STEP: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "archreview_step", default=None)


#: Set when the step stopped waiting for the current request (timeout, Ctrl-C): the adapter
#: then sends nothing more for it, not even the SDK's own retries.
ABANDONED: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "archreview_abandoned", default=None)


class RequestAbandoned(Exception):
    """Raised inside an abandoned request thread so the SDK sends nothing more."""


class Message(TypedDict):
    """One chat turn."""

    role: Literal["user", "assistant"]
    content: str


@dataclass
class Completion:
    """The raw answer of one model call and what the provider said about it."""

    text: str
    provider: str
    model: str
    stop_reason: str | None = None
    refusal: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


Cause = Literal["unreachable", "timed_out", "server_error", "rejected", "format_refused",
                "context"]


class ProviderError(Exception):
    """A provider call failed in a way retrying will not fix (bad request, auth, refusal).

    `cause` says what kind of failure it was, for the section's label.
    """

    def __init__(self, message: str, cause: Cause = "rejected") -> None:
        super().__init__(message)
        self.cause: Cause = cause


class TransientProviderError(ProviderError):
    """A provider call failed in a way a later retry may fix (timeout, 429, 5xx, connection).

    Raised only once the SDK's own retries are spent; nothing above retries again (`ask` falls
    back), so one step never waits through two nested retry budgets.
    """

    def __init__(self, message: str, cause: Cause = "server_error") -> None:
        super().__init__(message, cause)


class Provider(Protocol):
    """What the workflow needs of an LLM provider."""

    name: str
    model: str

    def complete(self, *, system: str, messages: list[Message], schema: type[BaseModel],
                 schema_name: str, shared_prefix: str = "",
                 timeout_s: float | None = None) -> Completion:
        """Ask for an answer shaped like `schema`; return the raw text.

        Args:
            system: the system prompt: the rules only, constant per review and language (they
                say intake text is data, not instructions). Nothing from the intake goes here.
            messages: the conversation so far (the step prompt, then any repair turns).
            schema: the Pydantic model whose JSON Schema the answer must follow.
            schema_name: a short name for the schema (tool / response-format name).
            shared_prefix: text common to every step of one review (the computed facts, with
                the team's intake text fenced as data). Adapters put it at the head of the
                first user turn, never into the system prompt: intake text is data, so it
                belongs in a user turn. Coming first there, after a constant system prompt, it
                keeps prompt caching working (adapters that support it mark it cacheable), and
                repair turns, appended after the first user turn, keep it.
            timeout_s: the step's remaining time: the request may take no longer (adapters
                give the SDK the smaller of this and their configured timeout); None = the
                configured timeout. `ask` also stops waiting then, so this only spares a
                request the SDK would otherwise go on with in the background.

        Raises:
            TransientProviderError: the SDK's retries are spent on a transient failure.
            ProviderError: any other failure of the call (message without the key).
        """
        ...
