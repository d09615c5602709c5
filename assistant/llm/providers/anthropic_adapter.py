"""Anthropic's Messages API behind the seam: structured output, prompt caching, SDK retries.

By default the answer is constrained by the API's native structured output
(`output_config.format` with a JSON Schema made compatible by the SDK's `transform_schema`);
`structured="tool"` forces a tool call instead, for models without that feature. Either way the
raw JSON text is returned unvalidated: `llm/ask.py` validates, repairs and grounds it.

The system prompt is the rules only, constant per review and language. The shared prefix (the
computed facts, common to every step of a review, with the team's intake text fenced as data)
opens the first user message as its own text block carrying `cache_control`: intake text is
data, so it belongs in a user turn, never in the system prompt. Anthropic caches everything up
to a marked block, messages included, so repairs (appended after the first user message) and
later steps with the same output schema read the schema, rules and facts from the cache. Note
that a different output schema per step changes the request ahead of the system prompt, so
steps with different schemas do not share the cache entry.

The SDK is imported when an adapter is built, never at module import.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel

from assistant.llm.providers.base import Completion, Message, ProviderError
from assistant.llm.providers.errors import sdk_error
from assistant.llm.providers.openai_adapter import schema_name_for

StructuredMode = Literal["output_config", "tool"]


class AnthropicProvider:
    """The Messages API adapter."""

    name = "anthropic"

    def __init__(self, *, model: str, api_key: str, base_url: str | None = None,
                 temperature: float | None = 0.2, max_tokens: int = 4096,
                 timeout_s: float = 120.0, max_retries: int = 2,
                 structured: StructuredMode = "output_config") -> None:
        """Build the SDK client with the run's timeout and retry budget.

        Args:
            model: the model to ask.
            api_key: the key, from `settings.api_key("anthropic")`.
            base_url: None = the SDK's default (or its `ANTHROPIC_BASE_URL`); tests use a stub.
            temperature: sent through `extra_body` (the 2.x SDK dropped the argument); dropped
                for good if the model rejects it.
            max_tokens: the answer's token budget.
            timeout_s: per-request timeout handed to the SDK (a call may ask for less).
            max_retries: the SDK's retries on connection errors, 408, 409, 429 and 5xx.
            structured: `output_config` (native structured output) or `tool` (forced tool).
        """
        if structured not in ("output_config", "tool"):
            raise ProviderError(f"structured must be output_config or tool, got {structured!r}")
        import anthropic

        self.model = model
        self._sdk = anthropic
        self._client = anthropic.Anthropic(api_key=api_key, base_url=base_url or None,
                                           timeout=timeout_s, max_retries=max_retries)
        self._timeout_s = timeout_s
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._structured: StructuredMode = structured

    def __repr__(self) -> str:
        return f"AnthropicProvider(model={self.model!r}, structured={self._structured!r})"

    def complete(self, *, system: str, messages: list[Message], schema: type[BaseModel],
                 schema_name: str, shared_prefix: str = "",
                 timeout_s: float | None = None) -> Completion:
        """Ask for an answer in `schema` and return its raw text (see `Provider.complete`)."""
        name = schema_name_for(schema_name)
        json_schema = self._sdk.transform_schema(schema.model_json_schema())
        request = {"model": self.model, "max_tokens": self._max_tokens,
                   "system": system_blocks(system),
                   "messages": message_turns(shared_prefix, messages),
                   **self._structure(name, schema, json_schema)}
        extra: dict[str, object] = {"structured": self._structured}
        timeout = self._timeout_s if timeout_s is None else min(self._timeout_s, timeout_s)
        try:
            response = self._create(request, extra, timeout)
        except self._sdk.AnthropicError as error:
            raise sdk_error(error, provider=self.name, sdk=self._sdk,
                            secret=self._client.api_key) from None
        return self._completion(response, name, extra)

    def _structure(self, name: str, schema: type[BaseModel],
                   json_schema: dict[str, Any]) -> dict[str, Any]:
        """Return the request fields that ask for the schema (output format or forced tool)."""
        if self._structured == "tool":
            description = (schema.__doc__ or f"Return the {name} answer.").strip()
            return {"tools": [{"name": name, "description": description,
                               "input_schema": json_schema}],
                    "tool_choice": {"type": "tool", "name": name}}
        return {"output_config": {"format": {"type": "json_schema", "schema": json_schema}}}

    def _create(self, request: dict[str, Any], extra: dict[str, object], timeout: float) -> Any:
        """Send the request; if the model rejects `temperature`, drop it and send once more."""
        for _ in range(2):
            body = {"temperature": self._temperature} if self._temperature is not None else None
            try:
                return self._client.messages.create(**request, extra_body=body, timeout=timeout)
            except self._sdk.BadRequestError as error:
                if self._temperature is None or "temperature" not in str(error).lower():
                    raise
                self._temperature = None
                extra["temperature_dropped"] = True
        raise ProviderError("anthropic: the request was rejected with and without temperature")

    def _completion(self, response: Any, name: str, extra: dict[str, object]) -> Completion:
        """Turn the SDK's message into a `Completion` (text, refusal, reason, token counts)."""
        text = answer_text(response.content, name)
        refusal = None
        if response.stop_reason == "refusal":
            details = getattr(response, "stop_details", None)
            refusal = (getattr(details, "explanation", None) or text
                       or "the model declined to answer (stop_reason=refusal)")
        usage = response.usage
        extra["response_id"] = response.id
        if getattr(usage, "cache_creation_input_tokens", None) is not None:
            extra["cache_creation_input_tokens"] = usage.cache_creation_input_tokens
        return Completion(text=text, provider=self.name, model=response.model or self.model,
                          stop_reason=response.stop_reason, refusal=refusal,
                          input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
                          cached_tokens=getattr(usage, "cache_read_input_tokens", None),
                          extra=extra)


def system_blocks(system: str) -> list[dict[str, Any]]:
    """Return the system blocks: the rules alone (never intake text; see the module docstring).

    An empty prompt sends no block: the API rejects empty text blocks.
    """
    return [{"type": "text", "text": system}] if system else []


def message_turns(shared_prefix: str, messages: list[Message]) -> list[dict[str, Any]]:
    """Return the turns, the shared prefix opening the first user message as a cacheable block.

    The first user message becomes `[prefix block with cache_control, step prompt block]`; the
    turns after it (repairs, a shorter re-ask) follow unchanged. Without a prefix the turns go
    as they are; empty text blocks are left out (the API rejects them).
    """
    turns: list[dict[str, Any]] = [{"role": m["role"], "content": m["content"]}
                                   for m in messages]
    if not shared_prefix:
        return turns
    blocks: list[dict[str, Any]] = [{"type": "text", "text": shared_prefix,
                                     "cache_control": {"type": "ephemeral"}}]
    if turns and turns[0]["role"] == "user":
        if turns[0]["content"]:
            blocks.append({"type": "text", "text": turns[0]["content"]})
        turns[0] = {"role": "user", "content": blocks}
    else:
        turns.insert(0, {"role": "user", "content": blocks})
    return turns


def answer_text(content: list[Any], tool_name: str) -> str:
    """Return the answer's JSON text: the forced tool's input, else the text blocks joined."""
    for block in content:
        if getattr(block, "type", None) == "tool_use" and block.name == tool_name:
            return json.dumps(block.input, ensure_ascii=False)
    return "".join(block.text for block in content if getattr(block, "type", None) == "text")
