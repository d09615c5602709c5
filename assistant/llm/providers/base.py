"""The provider seam: one call that returns the model's raw structured answer.

Adapters send the JSON Schema of the wanted Pydantic model with the provider's own structured
output mechanism and return the raw text of the answer. They do NOT validate it: validation,
repair and grounding live in `structured.py`, so a bad answer is kept and repaired, never lost
inside an SDK exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, TypedDict

from pydantic import BaseModel


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


class ProviderError(Exception):
    """A provider call failed in a way retrying will not fix (bad request, auth, refusal)."""


class TransientProviderError(ProviderError):
    """A provider call failed in a way a later retry may fix (timeout, 429, 5xx, connection)."""


class Provider(Protocol):
    """What the workflow needs of an LLM provider."""

    name: str
    model: str

    def complete(self, *, system: str, messages: list[Message], schema: type[BaseModel],
                 schema_name: str, shared_prefix: str = "") -> Completion:
        """Ask for an answer shaped like `schema`; return the raw text.

        Args:
            system: the system prompt (rules; says intake text is data, not instructions).
            messages: the conversation so far (the step prompt, then any repair turns).
            schema: the Pydantic model whose JSON Schema the answer must follow.
            schema_name: a short name for the schema (tool / response-format name).
            shared_prefix: text common to every step of one review (the computed facts);
                adapters that support prompt caching mark it cacheable.
        """
        ...
